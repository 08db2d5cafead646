// SPDX-License-Identifier: Apache-2.0
#include "lakefs/models.hpp"

#include <ostream>
#include <string>
#include <variant>

#include "lakefs/errors.hpp"
#include "model/convert.hpp"

namespace lakefs {
namespace {

std::ostream& print_metadata(std::ostream& os, const Metadata& metadata) {
  os << '{';
  bool first = true;
  for (const auto& [k, v] : metadata) {
    os << (first ? "" : ", ") << k << ": " << v;
    first = false;
  }
  return os << '}';
}

std::ostream& print_time(std::ostream& os, Timestamp t) { return os << detail::to_rfc3339(t); }

}  // namespace

const char* to_string(Change::Type type) noexcept {
  switch (type) {
    case Change::Type::added:
      return "added";
    case Change::Type::removed:
      return "removed";
    case Change::Type::changed:
      return "changed";
    case Change::Type::conflict:
      return "conflict";
    case Change::Type::prefix_changed:
      return "prefix_changed";
    case Change::Type::unknown:
      break;
  }
  return "unknown";
}

const char* to_string(Change::PathType type) noexcept {
  switch (type) {
    case Change::PathType::object:
      return "object";
    case Change::PathType::common_prefix:
      return "common_prefix";
    case Change::PathType::unknown:
      break;
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, const Commit& v) {
  os << "Commit(id=" << v.id << ", message=\"" << v.message << "\", committer=" << v.committer << ", creation_date=";
  print_time(os, v.creation_date) << ", parents=[";
  for (std::size_t i = 0; i < v.parents.size(); ++i) os << (i ? ", " : "") << v.parents[i];
  os << "], metadata=";
  return print_metadata(os, v.metadata) << ")";
}

std::ostream& operator<<(std::ostream& os, const Change& v) {
  os << "Change(type=" << to_string(v.type) << ", path=" << v.path << ", path_type=" << to_string(v.path_type);
  if (v.size_bytes) os << ", size_bytes=" << *v.size_bytes;
  return os << ")";
}

std::ostream& operator<<(std::ostream& os, const ObjectInfo& v) {
  os << "ObjectInfo(path=" << v.path << ", size_bytes=" << v.size_bytes << ", checksum=" << v.checksum
     << ", content_type=" << v.content_type << ", mtime=";
  print_time(os, v.mtime) << ", metadata=";
  return print_metadata(os, v.metadata) << ")";
}

std::ostream& operator<<(std::ostream& os, const CommonPrefix& v) {
  return os << "CommonPrefix(path=" << v.path << ")";
}

std::ostream& operator<<(std::ostream& os, const RepositoryProperties& v) {
  os << "RepositoryProperties(id=" << v.id << ", default_branch=" << v.default_branch
     << ", storage_namespace=" << v.storage_namespace << ", creation_date=";
  return print_time(os, v.creation_date) << ")";
}

std::ostream& operator<<(std::ostream& os, const ServerStorageConfiguration& v) {
  return os << "ServerStorageConfiguration(blockstore_type=" << v.blockstore_type
            << ", pre_sign_support=" << std::boolalpha << v.pre_sign_support << ", import_support=" << v.import_support
            << ", default_namespace_prefix=" << v.default_namespace_prefix << ")";
}

const std::string& ObjectEntry::path() const noexcept {
  return is_object() ? std::get<ObjectInfo>(*this).path : std::get<CommonPrefix>(*this).path;
}

namespace {

// The error of an ObjectEntry accessor asked for the kind the entry is not: "ObjectEntry::object(): "data/" is a
// common prefix, not an object".
[[noreturn]] void throw_wrong_kind(const char* accessor, const std::string& path, const char* is_not) {
  std::string message = "ObjectEntry::";
  message += accessor;
  message += "(): \"";
  message += path;
  message += "\" is ";
  message += is_not;
  throw InvalidStateError(message);
}

}  // namespace

const ObjectInfo& ObjectEntry::object() const {
  if (const auto* info = if_object()) return *info;
  throw_wrong_kind("object", path(), "a common prefix, not an object");
}

const CommonPrefix& ObjectEntry::prefix() const {
  if (const auto* common = if_prefix()) return *common;
  throw_wrong_kind("prefix", path(), "an object, not a common prefix");
}

std::ostream& operator<<(std::ostream& os, const ObjectEntry& entry) {
  if (const auto* info = entry.if_object()) return os << *info;
  return os << entry.prefix();
}

}  // namespace lakefs
