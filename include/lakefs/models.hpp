// Plain value types the high-level SDK returns: printable, comparable, and
// independent of the generated API structs (which may grow with the server).
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lakefs {

using Metadata = std::map<std::string, std::string>;
/// Seconds since the Unix epoch, as lakeFS reports times.
using Timestamp = std::chrono::sys_seconds;

struct Commit {
  std::string id{};
  std::vector<std::string> parents{};
  std::string committer{};
  std::string message{};
  Timestamp creation_date{};
  std::string meta_range_id{};
  Metadata metadata{};
  bool operator==(const Commit&) const = default;
};

/// One entry of a diff or of the uncommitted changes of a branch.
struct Change {
  enum class Type { added, removed, changed, conflict, prefix_changed, unknown };
  enum class PathType { object, common_prefix, unknown };
  Type type = Type::unknown;
  std::string path{};
  PathType path_type = PathType::object;
  std::optional<std::int64_t> size_bytes{};
  bool operator==(const Change&) const = default;
};

/// What lakeFS knows about a stored object (its "stat").
struct ObjectInfo {
  std::string path{};
  std::string physical_address{};
  std::optional<Timestamp> physical_address_expiry{};
  std::string checksum{};
  std::int64_t size_bytes = 0;
  Timestamp mtime{};
  Metadata metadata{};
  std::string content_type{};
  bool operator==(const ObjectInfo&) const = default;
};

/// A "directory" in a listing with a delimiter.
struct CommonPrefix {
  std::string path{};
  bool operator==(const CommonPrefix&) const = default;
};

struct RepositoryProperties {
  std::string id{};
  Timestamp creation_date{};
  std::string default_branch{};
  std::string storage_namespace{};
  std::string storage_id{};
  bool read_only = false;
  bool operator==(const RepositoryProperties&) const = default;
};

/// A repository's garbage-collection rules: how many days objects stay
/// reachable after they leave a branch, by default and per branch.
struct GarbageCollectionRules {
  std::int64_t default_retention_days = 0;
  /// Branch id → retention days, for branches that differ from the default.
  std::map<std::string, std::int64_t> branch_retention_days{};
  bool operator==(const GarbageCollectionRules&) const = default;
};

struct ServerStorageConfiguration {
  std::string blockstore_type{};
  std::string blockstore_namespace_example{};
  std::string blockstore_namespace_validity_regex{};
  std::string default_namespace_prefix{};
  bool pre_sign_support = false;
  bool pre_sign_support_ui = false;
  bool import_support = false;
  std::string import_validity_regex{};
  bool pre_sign_multipart_upload = false;
  /// The block store's id: empty on a server with one block store (open-source
  /// lakeFS); a repository's RepositoryProperties::storage_id names one of a
  /// multi-storage server's.
  std::string blockstore_id{};
  std::string blockstore_description{};
  bool operator==(const ServerStorageConfiguration&) const = default;
};

/// The server's configuration, as GET /config reports it.
struct ServerConfiguration {
  /// The server's version, e.g. "1.84.0".
  std::string version{};
  /// The newest release the server knows of, when it checks.
  std::optional<std::string> latest_version{};
  bool upgrade_recommended = false;
  /// Every block store: one on an open-source server (blockstore_id empty),
  /// several on a multi-storage one.
  std::vector<ServerStorageConfiguration> storages{};
  bool operator==(const ServerConfiguration&) const = default;
};

const char* to_string(Change::Type type) noexcept;
const char* to_string(Change::PathType type) noexcept;

std::ostream& operator<<(std::ostream& os, const Commit& v);
std::ostream& operator<<(std::ostream& os, const Change& v);
std::ostream& operator<<(std::ostream& os, const ObjectInfo& v);
std::ostream& operator<<(std::ostream& os, const CommonPrefix& v);
std::ostream& operator<<(std::ostream& os, const RepositoryProperties& v);
std::ostream& operator<<(std::ostream& os, const ServerStorageConfiguration& v);

}  // namespace lakefs
