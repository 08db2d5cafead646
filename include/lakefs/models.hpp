// SPDX-License-Identifier: Apache-2.0
// Plain value types the high-level SDK returns: printable, comparable, and
// independent of the generated API structs (which may grow with the server).
#pragma once

#include "lakefs/export.hpp"

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace lakefs {

/// Metadata of a commit, an object or a repository: key → value, sorted by key.
using Metadata = std::map<std::string, std::string>;
/// Seconds since the Unix epoch, as lakeFS reports times.
using Timestamp = std::chrono::sys_seconds;
/// The members of a server's answer this SDK version does not know, as JSON text: member name → its value's
/// compact JSON text (`{"a":1}`, `[1,2]`, `3`, `"text"`). Empty against a server of the version the SDK was
/// built for; a newer server's additions land here instead of being dropped. Models the SDK sends back
/// (GarbageCollectionRules, through Repository::set_gc_rules()) send these members back as they are.
using UnknownFields = std::map<std::string, std::string>;

/// A commit, as lakeFS reports it.
struct LAKEFS_API Commit {
  /// The commit id (a hex digest).
  std::string id{};
  /// Ids of the parent commits: none for the first commit, two for a merge.
  std::vector<std::string> parents{};
  /// The user who made the commit.
  std::string committer{};
  /// The commit message.
  std::string message{};
  /// When the commit was made.
  Timestamp creation_date{};
  /// The metarange holding the commit's tree of objects.
  std::string meta_range_id{};
  /// The commit's metadata.
  Metadata metadata{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const Commit&) const = default;
};

/// One entry of a diff or of the uncommitted changes of a branch.
struct LAKEFS_API Change {
  /// What happened to the path.
  enum class Type { added, removed, changed, conflict, prefix_changed, unknown };
  /// \var Type::added
  /// The object is new.
  /// \var Type::removed
  /// The object was deleted.
  /// \var Type::changed
  /// The object's content or metadata changed.
  /// \var Type::conflict
  /// The two sides changed the object in conflicting ways.
  /// \var Type::prefix_changed
  /// Something under the common prefix changed (a diff with a delimiter).
  /// \var Type::unknown
  /// A change type this SDK does not know.

  /// What the path is.
  enum class PathType { object, common_prefix, unknown };
  /// \var PathType::object
  /// An object.
  /// \var PathType::common_prefix
  /// A common prefix (a "directory"), in a diff with a delimiter.
  /// \var PathType::unknown
  /// A path type this SDK does not know.

  /// What happened to the path.
  Type type = Type::unknown;
  /// The object's path, or the common prefix.
  std::string path{};
  /// Whether `path` is an object or a common prefix.
  PathType path_type = PathType::object;
  /// The size of the added or changed object, when the server reports it.
  std::optional<std::int64_t> size_bytes{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const Change&) const = default;
};

/// What lakeFS knows about a stored object (its "stat").
struct LAKEFS_API ObjectInfo {
  /// The object's path in the repository.
  std::string path{};
  /// Where the data lives in the object store ("s3://bucket/key", ...), or a pre-signed GET URL when one was
  /// asked for (StatOptions::pre_sign, ListObjectsOptions::pre_sign): a credential, do not log it.
  std::string physical_address{};
  /// When a pre-signed `physical_address` expires; unset otherwise.
  std::optional<Timestamp> physical_address_expiry{};
  /// The object's checksum (its ETag).
  std::string checksum{};
  /// The object's size in bytes.
  std::int64_t size_bytes = 0;
  /// When the object was last written.
  Timestamp mtime{};
  /// The object's user metadata.
  Metadata metadata{};
  /// The object's Content-Type; empty when it has none.
  std::string content_type{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const ObjectInfo&) const = default;
};

/// A "directory" in a listing with a delimiter.
struct LAKEFS_API CommonPrefix {
  /// The prefix, ending with the delimiter (e.g. "data/2024/").
  std::string path{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const CommonPrefix&) const = default;
};

/// An entry of an object listing (Reference::objects(), Annotation::entry): an object, or a common prefix
/// (a "directory", with ListObjectsOptions::delimiter).
///
///     for (const lakefs::ObjectEntry& entry : branch.objects({.prefix = "data/", .delimiter = "/"})) {
///       if (const lakefs::ObjectInfo* object = entry.if_object()) {
///         std::cout << object->path << " " << object->size_bytes << " bytes\n";
///       } else {
///         std::cout << entry.path() << " (prefix)\n";
///       }
///     }
///
/// It is a std::variant<ObjectInfo, CommonPrefix> as well (its public base), so std::visit, std::get,
/// std::get_if and std::holds_alternative work on it unchanged.
class LAKEFS_API ObjectEntry : public std::variant<ObjectInfo, CommonPrefix> {
 public:
  /// The variant it is.
  using variant_type = std::variant<ObjectInfo, CommonPrefix>;
  /// An empty ObjectInfo.
  ObjectEntry() = default;
  /// An ObjectEntry from an ObjectInfo or a CommonPrefix (as the variant's constructors).
  using variant_type::variant;
  /// The entry a variant holds.
  ObjectEntry(const variant_type& entry) : variant_type(entry) {}  // NOLINT(google-explicit-constructor)
  /// The entry a variant holds, moved.
  ObjectEntry(variant_type&& entry) : variant_type(std::move(entry)) {}  // NOLINT(google-explicit-constructor)
  /// An ObjectEntry from an ObjectInfo or a CommonPrefix (as the variant's assignments).
  using variant_type::operator=;

  /// The object's path, or the common prefix (ending with the delimiter, e.g. "data/2024/").
  [[nodiscard]] const std::string& path() const noexcept;
  /// True for an object.
  [[nodiscard]] bool is_object() const noexcept { return index() == 0; }
  /// True for a common prefix.
  [[nodiscard]] bool is_prefix() const noexcept { return index() == 1; }
  /// The object's info; InvalidStateError (naming the prefix) when this is a common prefix.
  [[nodiscard]] const ObjectInfo& object() const;
  /// The common prefix; InvalidStateError (naming the object) when this is an object.
  [[nodiscard]] const CommonPrefix& prefix() const;
  /// The object's info, or nullptr when this is a common prefix.
  [[nodiscard]] const ObjectInfo* if_object() const noexcept { return std::get_if<ObjectInfo>(this); }
  /// The common prefix, or nullptr when this is an object.
  [[nodiscard]] const CommonPrefix* if_prefix() const noexcept { return std::get_if<CommonPrefix>(this); }

  /// Equal when both are equal objects, or both equal prefixes.
  bool operator==(const ObjectEntry&) const = default;
};

/// What lakeFS knows about a repository (Repository::properties()).
struct LAKEFS_API RepositoryProperties {
  /// The repository's id (its name).
  std::string id{};
  /// When the repository was created.
  Timestamp creation_date{};
  /// The branch created with the repository (usually "main").
  std::string default_branch{};
  /// Where the repository's data lives, e.g. "s3://bucket/path".
  std::string storage_namespace{};
  /// The block store holding the data; empty on a server with one block store.
  std::string storage_id{};
  /// The repository refuses changes without `force` (RepositoryCreateOptions::read_only).
  bool read_only = false;
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const RepositoryProperties&) const = default;
};

/// A repository's garbage-collection rules: how many days objects stay
/// reachable after they leave a branch, by default and per branch.
struct LAKEFS_API GarbageCollectionRules {
  /// Retention days of every branch not listed in `branch_retention_days`.
  std::int64_t default_retention_days = 0;
  /// Branch id → retention days, for branches that differ from the default.
  std::map<std::string, std::int64_t> branch_retention_days{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const GarbageCollectionRules&) const = default;
};

/// One block store of the server: its type and what it supports (Client::storage_config()).
struct LAKEFS_API ServerStorageConfiguration {
  /// The block store's type: "s3", "gs", "azure", "local", "mem", ...
  std::string blockstore_type{};
  /// An example storage namespace for this store, e.g. "s3://example-bucket/".
  std::string blockstore_namespace_example{};
  /// The regular expression a repository's storage namespace must match on this store.
  std::string blockstore_namespace_validity_regex{};
  /// The prefix the server suggests for new storage namespaces; empty when it has none.
  std::string default_namespace_prefix{};
  /// The store can hand out pre-signed URLs, so data can move straight between client and store.
  bool pre_sign_support = false;
  /// lakeFS's web UI uses pre-signed URLs on this store.
  bool pre_sign_support_ui = false;
  /// The store supports imports (ImportManager).
  bool import_support = false;
  /// The regular expression an import's source URI must match.
  std::string import_validity_regex{};
  /// The store supports pre-signed multipart uploads (large uploads in parts straight to the store).
  bool pre_sign_multipart_upload = false;
  /// The block store's id: empty on a server with one block store (open-source
  /// lakeFS); a repository's RepositoryProperties::storage_id names one of a
  /// multi-storage server's.
  std::string blockstore_id{};
  /// A description of the block store, as configured on the server; may be empty.
  std::string blockstore_description{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const ServerStorageConfiguration&) const = default;
};

/// The server's configuration, as GET /config reports it.
struct LAKEFS_API ServerConfiguration {
  /// The server's version, e.g. "1.84.0".
  std::string version{};
  /// The newest release the server knows of, when it checks.
  std::optional<std::string> latest_version{};
  /// The server recommends upgrading to a newer release.
  bool upgrade_recommended = false;
  /// Every block store: one on an open-source server (blockstore_id empty),
  /// several on a multi-storage one.
  std::vector<ServerStorageConfiguration> storages{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const ServerConfiguration&) const = default;
};

/// The type's name, as lakeFS spells it: "added", "removed", "changed", "conflict", "prefix_changed" or "unknown".
LAKEFS_API const char* to_string(Change::Type type) noexcept;
/// The path type's name: "object", "common_prefix" or "unknown".
LAKEFS_API const char* to_string(Change::PathType type) noexcept;

/// Prints the commit on one line: id, message, committer, date, parents and metadata.
LAKEFS_API std::ostream& operator<<(std::ostream& os, const Commit& v);
/// Prints the change on one line: type, path, path type and size (when known).
LAKEFS_API std::ostream& operator<<(std::ostream& os, const Change& v);
/// Prints the object's info on one line: path, size, checksum, content type, mtime and metadata (never the
/// physical address, which may be a pre-signed URL).
LAKEFS_API std::ostream& operator<<(std::ostream& os, const ObjectInfo& v);
/// Prints "CommonPrefix(path=...)".
LAKEFS_API std::ostream& operator<<(std::ostream& os, const CommonPrefix& v);
/// Prints the object's info or the common prefix, as their own operator<< does.
LAKEFS_API std::ostream& operator<<(std::ostream& os, const ObjectEntry& entry);
/// Prints the repository's id, default branch, storage namespace and creation date on one line.
LAKEFS_API std::ostream& operator<<(std::ostream& os, const RepositoryProperties& v);
/// Prints the block store's type, its pre-sign and import support and its default namespace prefix on one line.
LAKEFS_API std::ostream& operator<<(std::ostream& os, const ServerStorageConfiguration& v);

}  // namespace lakefs
