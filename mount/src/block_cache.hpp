// SPDX-License-Identifier: Apache-2.0
// The on-disk block cache: blocks in slots of one file in a directory, bounded in bytes, least recently used blocks
// evicted first. A block's key names the object's content (checksum and size), so a changed object can never be
// served from another version's blocks. The directory is locked (flock) while a mount uses it. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lakefs_mount {

/// A block's bytes, in memory aligned for direct I/O: the disk cache writes and reads it without a copy.
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

  /// The alignment of direct I/O (every device's logical block divides it), of a buffer's memory and of the disk
  /// cache's slots.
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

/// A block held in the disk cache, pinned (the cache does not reuse its place while any BlockFile of it exists):
/// `size` bytes at `offset` of the cache's file `fd()`, which a FUSE reply hands to the kernel to copy from
/// (splice), with no copy in user space. Move-only.
class BlockFile {
 public:
  BlockFile(std::shared_ptr<struct CacheSlab> slab, std::size_t slot, std::uint64_t offset, std::size_t size) noexcept
      : slab_(std::move(slab)), slot_(slot), offset_(offset), size_(size) {}
  ~BlockFile();
  BlockFile(BlockFile&& other) noexcept = default;
  BlockFile& operator=(BlockFile&&) = delete;
  BlockFile(const BlockFile&) = delete;
  BlockFile& operator=(const BlockFile&) = delete;
  /// The cache's file, open for buffered reads.
  [[nodiscard]] int fd() const noexcept;
  /// Where the block starts in it.
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Copies `size` bytes from `from` (within the block) into `out`; false when the file gave fewer.
  bool read(char* out, std::size_t size, std::size_t from) const noexcept;

 private:
  std::shared_ptr<struct CacheSlab> slab_;
  std::size_t slot_;
  std::uint64_t offset_;
  std::size_t size_;
};

/// The on-disk block cache. All blocks live in one file, `blocks`, in slots of the block size (rounded up to a page):
/// storing a block is one write at its slot's offset, with no file created or removed (on a busy filesystem a new file
/// per block costs several times the write itself). Blocks are written and read() with direct I/O where the filesystem
/// allows it; a BlockFile is read through the page cache. The index (which key is in which slot, in LRU order) is kept
/// in memory and written to `index` when the cache is closed, after the blocks are on the disk; a mount that ended
/// without closing it (a crash, SIGKILL) leaves the cache marked open, and the next mount starts it empty rather than
/// trust slots whose writes may not have reached the disk.
class BlockCache {
 public:
  /// Opens (creating it when missing) the cache at `dir` for blocks of up to `block_size` bytes, bounded to
  /// `capacity` bytes (0: nothing is kept; slots are whole blocks, so the bound holds capacity / block size of
  /// them), and takes over the blocks a previous mount left there, cleanly closed, with the same block size.
  /// Throws std::runtime_error when another process holds it or it cannot be created.
  BlockCache(std::filesystem::path dir, std::uint64_t capacity, std::size_t block_size);
  /// Closes the cache: its blocks are on the disk and the index is written, so the next mount takes them over.
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  /// The block stored under `key`, when it is there and `expected_size` bytes long.
  [[nodiscard]] std::shared_ptr<Buffer> get(const std::string& key, std::size_t expected_size);
  /// The block stored under `key`, pinned, when it is there and `expected_size` bytes long (a block of another
  /// length is dropped). Counts as a use of the block.
  [[nodiscard]] std::optional<BlockFile> open(const std::string& key, std::size_t expected_size);
  /// The block stored under `key` read into `into` (room for at least `expected_size` bytes), with direct I/O where
  /// the filesystem allows it; false on a miss.
  bool read(const std::string& key, std::size_t expected_size, Buffer& into);
  /// Whether a block is held (it may still be dropped before it is read).
  [[nodiscard]] bool contains(const std::string& key) const;
  /// Stores a block (nothing when it is larger than the block size, or every slot is pinned); evicts the least
  /// recently used block when no slot is free.
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
    std::size_t slot = 0;
    std::size_t size = 0;
    std::list<std::string>::iterator position{};
  };
  void insert_locked(const std::string& key, std::size_t slot, std::size_t size);
  void remove_locked(const std::string& key);
  void load_index();

  std::filesystem::path dir_;
  std::uint64_t capacity_;
  std::size_t stride_;
  std::size_t slots_;
  int lock_fd_ = -1;
  std::shared_ptr<CacheSlab> slab_;
  mutable std::mutex mutex_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Item> items_;
  std::vector<std::size_t> free_;  // slots below next_slot_ held by no block (nor being written); taken from the back
  std::size_t next_slot_ = 0;      // it and the slots after it were never used
  std::uint64_t bytes_ = 0;
};

}  // namespace lakefs_mount
