// The on-disk block cache: one file per block in a directory, bounded in bytes, least recently used blocks evicted
// first. A block's key names the object's content (checksum and size), so a changed object can never be served
// from another version's blocks. Blocks are written to a temporary file and renamed into place: a crash leaves
// whole blocks or none. The directory is locked (flock) while a mount uses it. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lakefs_mount {

class BlockCache {
 public:
  /// Opens (creating it when missing) the cache at `dir`, bounded to `capacity` bytes (0: nothing is kept), and
  /// indexes the blocks a previous mount left there. Throws std::runtime_error when another process holds it.
  BlockCache(std::filesystem::path dir, std::uint64_t capacity);
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  /// The block stored under `key`, when it is there and `expected_size` bytes long (a block of another length
  /// is dropped as damaged).
  [[nodiscard]] std::optional<std::string> get(const std::string& key, std::size_t expected_size);
  /// Stores a block (nothing when it is larger than the whole cache); evicts until the bound holds.
  void put(const std::string& key, std::string_view data);

  /// Bytes held.
  [[nodiscard]] std::uint64_t bytes() const;
  /// Blocks held.
  [[nodiscard]] std::size_t blocks() const;
  [[nodiscard]] std::uint64_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return dir_; }

  /// A file-name-safe key of a block: the object's checksum and size, the block size and the block's index.
  [[nodiscard]] static std::string key(std::string_view checksum, std::uint64_t object_size, std::size_t block_size,
                                       std::uint64_t index);

 private:
  struct Item {
    std::uint64_t size = 0;
    std::list<std::string>::iterator position{};
  };
  void insert_locked(const std::string& key, std::uint64_t size);
  void evict_locked(std::uint64_t incoming);
  void remove_locked(const std::string& key);

  std::filesystem::path dir_;
  std::uint64_t capacity_;
  int lock_fd_ = -1;
  mutable std::mutex mutex_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Item> items_;
  std::uint64_t bytes_ = 0;
  std::uint64_t temp_counter_ = 0;
};

}  // namespace lakefs_mount
