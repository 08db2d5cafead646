// SPDX-License-Identifier: Apache-2.0
#include "codec/validate.hpp"

#include "lakefs/errors.hpp"
#include "util/http_syntax.hpp"

namespace lakefs::detail {
namespace {

bool is_word(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

[[noreturn]] void invalid(std::string_view what, std::string_view value, std::string_view rule) {
  throw InvalidArgumentError("invalid " + std::string(what) + " '" + printable(value) + "': " + std::string(rule));
}

void require_present(std::string_view value, std::string_view what) {
  if (value.empty()) throw InvalidArgumentError(std::string(what) + " must not be empty");
}

}  // namespace

std::string printable(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  constexpr std::size_t limit = 100;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f || c == '\\') {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > limit) out += "...";
  return out;
}

void require_repository_id(std::string_view id) {
  require_present(id, "repository id");
  bool ok = id.size() >= 3 && id.size() <= 63 && id.front() != '-';
  for (const char c : id) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!ok) invalid("repository id", id, "lakeFS repository ids are 3 to 63 of a-z, 0-9 and '-', not starting with '-'");
}

void require_branch_id(std::string_view id, std::string_view what) {
  require_present(id, what);
  bool ok = is_word(id.front());
  for (const char c : id) ok = ok && (is_word(c) || c == '-');
  if (!ok) invalid(what, id, "lakeFS branch names are ASCII letters, digits, '_' and '-', not starting with '-'");
}

void require_same_repository(std::string_view repo, std::string_view other, std::string_view what) {
  if (repo != other) {
    throw InvalidArgumentError(std::string(what) + " is in repository '" + printable(other) + "', not in '" +
                               printable(repo) + "': lakeFS works within one repository");
  }
}

void require_tag_id(std::string_view id) {
  require_present(id, "tag id");
  bool ok = id != "@" && !id.ends_with('.') && !id.ends_with(".lock") && id.find("..") == std::string_view::npos &&
            id.find('/') == std::string_view::npos && id.find("@{") == std::string_view::npos &&
            id.find_first_of("^:?*[\\") == std::string_view::npos;
  for (const char c : id) ok = ok && static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
  if (!ok) {
    invalid("tag id", id,
            "lakeFS tag ids follow git's rules: no spaces, control characters, '..', '/', '@{' or any of ^:?*[\\, "
            "not '@', not ending in '.' or '.lock'");
  }
}

void require_ref(std::string_view ref, std::string_view what) {
  require_present(ref, what);
  bool ok = ref != "." && ref != "..";
  for (const char c : ref) ok = ok && static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
  if (!ok) invalid(what, ref, "a reference has no white space or control characters and is not '.' or '..'");
}

void require_object_path(std::string_view path, std::string_view what) {
  require_present(path, what);
  if (path.find('\0') != std::string_view::npos) {
    throw InvalidArgumentError(std::string(what) + " '" + printable(path) + "' contains a NUL byte");
  }
}

void require_header_metadata(const Metadata& metadata) {
  for (const auto& [key, value] : metadata) {
    if (!is_header_name(key)) {
      throw InvalidArgumentError("user metadata key '" + printable(key) +
                                 "' is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only): metadata travels "
                                 "in X-Lakefs-Meta-<key> headers");
    }
    if (!is_header_value(value)) {
      throw InvalidArgumentError("user metadata value of key '" + key +
                                 "' contains CR, LF, NUL or another control character");
    }
  }
}

void require_content_type(std::string_view content_type) {
  if (!is_header_value(content_type)) {
    throw InvalidArgumentError("content type contains CR, LF, NUL or another control character");
  }
}

std::vector<http::Header> user_metadata_headers(const Metadata& metadata) {
  require_header_metadata(metadata);
  std::vector<http::Header> headers;
  headers.reserve(metadata.size());
  for (const auto& [key, value] : metadata) headers.emplace_back("X-Lakefs-Meta-" + key, value);
  return headers;
}

}  // namespace lakefs::detail
