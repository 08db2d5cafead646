// The on-disk block cache: one file per block in a directory, bounded in bytes, least recently used blocks evicted
// first. A block's key names the object's content (checksum and size), so a changed object can never be served
// from another version's blocks. Blocks are written to a temporary file and renamed into place: a crash leaves
// whole blocks or none. The directory is locked (flock) while a mount uses it. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lakefs_mount {

/// A block's bytes, in memory aligned for direct I/O: the on-disk cache reads and writes it without a copy.
class Buffer {
 public:
  /// Room for `capacity` bytes (rounded up to the alignment); empty.
  explicit Buffer(std::size_t capacity);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  /// A buffer holding a copy of `bytes`.
  [[nodiscard]] static std::shared_ptr<Buffer> of(std::string_view bytes);

  [[nodiscard]] char* data() noexcept { return data_; }
  [[nodiscard]] const char* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// The room, a multiple of the alignment.
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::string_view view() const noexcept { return {data_, size_}; }
  /// Appends what fits; returns how many bytes that was.
  std::size_t append(std::string_view bytes) noexcept;
  void clear() noexcept { size_ = 0; }
  /// Sets the size (at most the capacity) after the bytes were written through data().
  void set_size(std::size_t size) noexcept { size_ = size < capacity_ ? size : capacity_; }

  /// The alignment of direct I/O (every device's logical block divides it).
  static constexpr std::size_t alignment = 4096;

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

/// Block-sized buffers kept for reuse, so that reading does not allocate (and have the kernel zero) fresh memory
/// for every block; at most `max_free` are kept idle. Thread-safe; buffers may outlive the pool.
class BufferPool : public std::enable_shared_from_this<BufferPool> {
 public:
  BufferPool(std::size_t block_capacity, std::size_t max_free) : block_capacity_(block_capacity), max_free_(max_free) {}
  ~BufferPool();
  /// An empty buffer with room for `capacity` bytes (from the pool when it is at most the block capacity).
  [[nodiscard]] std::shared_ptr<Buffer> acquire(std::size_t capacity);

 private:
  void release(Buffer* buffer) noexcept;
  std::size_t block_capacity_;
  std::size_t max_free_;
  std::mutex mutex_;
  std::vector<Buffer*> free_;
};

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
  [[nodiscard]] std::shared_ptr<Buffer> get(const std::string& key, std::size_t expected_size);
  /// The same, into `into` (room for at least `expected_size` bytes). False on a miss.
  bool get(const std::string& key, std::size_t expected_size, Buffer& into);
  /// Whether a block is held (it may still be dropped before it is read).
  [[nodiscard]] bool contains(const std::string& key) const;
  /// Stores a block (nothing when it is larger than the whole cache); evicts until the bound holds.
  void put(const std::string& key, const Buffer& data);

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
  // Direct I/O, until the filesystem refuses it.
  std::atomic<bool> direct_{true};
  mutable std::mutex mutex_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Item> items_;
  std::uint64_t bytes_ = 0;
  std::uint64_t temp_counter_ = 0;
};

}  // namespace lakefs_mount
