// SPDX-License-Identifier: Apache-2.0
// One commit of a repository as a directory tree: directories come from delimiter listings, fetched when first
// needed and kept for the snapshot's life (a commit never changes), entries from the listing's objects.
#pragma once

#include <cstdint>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lakefs/client.hpp"

namespace lakefs_mount {

/// A file or directory of a snapshot.
struct Entry {
  /// The name within its directory.
  std::string name{};
  bool directory = false;
  std::uint64_t size = 0;
  /// Seconds since the epoch: the object's mtime, or the commit's date for a directory.
  std::int64_t mtime = 0;
  /// The object's key in the repository (files only).
  std::string key{};
  /// The object's checksum (its ETag): with the size, what the block cache is keyed by.
  std::string checksum{};
};

/// A directory's entries, sorted by name.
struct Directory {
  std::vector<Entry> entries{};
  [[nodiscard]] const Entry* find(const std::string& name) const;
};

/// The tree of one commit under a prefix. Thread-safe.
class Snapshot {
 public:
  /// `max_entries` bounds the directory entries kept in memory: beyond it, the least recently used directories are
  /// forgotten (and listed again when needed).
  Snapshot(lakefs::Client client, std::string repository, std::string commit_id, std::int64_t commit_date,
           std::string prefix, std::size_t max_entries = 1'000'000);

  [[nodiscard]] const std::string& repository() const noexcept { return repository_; }
  [[nodiscard]] const std::string& commit_id() const noexcept { return commit_id_; }
  [[nodiscard]] const lakefs::Client& client() const noexcept { return client_; }

  /// The directory at `path` (relative to the mount's root, no leading or trailing '/'; "" is the root),
  /// listed on first use. Nullptr when no object lies under it. Throws the SDK's errors (a failed listing is
  /// not kept: the next call lists again).
  [[nodiscard]] std::shared_ptr<const Directory> directory(const std::string& path);

  /// The entry at `path` (as above); nullopt when there is none. The root is a directory.
  [[nodiscard]] std::optional<Entry> lookup(const std::string& path);

  /// Directory listings done so far (each a full delimiter listing of one directory), for tests and stats.
  [[nodiscard]] std::size_t listings() const;
  /// Directory entries held in memory.
  [[nodiscard]] std::size_t entries() const;

 private:
  std::shared_ptr<const Directory> list(const std::string& path) const;

  lakefs::Client client_;
  std::string repository_;
  std::string commit_id_;
  std::int64_t commit_date_;
  std::string prefix_;
  std::size_t max_entries_;

  mutable std::mutex mutex_;
  // A directory being listed is a shared future, so concurrent lookups wait for one listing.
  std::unordered_map<std::string, std::shared_future<std::shared_ptr<const Directory>>> directories_;
  std::size_t listings_ = 0;
  // Listed directories, most recently used first, with their entry counts (for the bound).
  std::list<std::pair<std::string, std::size_t>> recent_;
  std::unordered_map<std::string, std::list<std::pair<std::string, std::size_t>>::iterator> recent_index_;
  std::size_t entries_ = 0;
};

}  // namespace lakefs_mount
