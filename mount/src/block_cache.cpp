// SPDX-License-Identifier: Apache-2.0
#include "block_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <unordered_set>
#include <vector>

namespace lakefs_mount {

namespace {

std::size_t aligned_size(std::size_t n) { return (n + Buffer::alignment - 1) / Buffer::alignment * Buffer::alignment; }

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// `size` bytes at `offset` of `fd` into `out` (pread_all) or from `in` (pwrite_all); false on an error or a short
// file.
bool pread_all(int fd, char* out, std::size_t size, std::uint64_t offset) {
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool pwrite_all(int fd, const char* in, std::size_t size, std::uint64_t offset) {
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::pwrite(fd, in + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Whether `size` bytes can move between `buffer` and the disk with direct I/O: whole aligned pages, from aligned
// memory, within the buffer's room.
bool direct_io_fits(const Buffer& buffer, std::size_t size) {
  return aligned_size(size) <= buffer.capacity() &&
         reinterpret_cast<std::uintptr_t>(buffer.data()) % Buffer::alignment == 0;
}

}  // namespace

Buffer::Buffer(std::size_t capacity) : capacity_(aligned_size(capacity == 0 ? 1 : capacity)) {
  data_ = static_cast<char*>(std::aligned_alloc(alignment, capacity_));
  if (!data_) throw std::bad_alloc();
}

Buffer::~Buffer() { std::free(data_); }

std::shared_ptr<Buffer> Buffer::of(std::string_view bytes) {
  auto buffer = std::make_shared<Buffer>(bytes.size());
  buffer->append(bytes);
  return buffer;
}

std::size_t Buffer::append(std::string_view bytes) noexcept {
  const std::size_t n = std::min(bytes.size(), capacity_ - size_);
  std::memcpy(data_ + size_, bytes.data(), n);
  size_ += n;
  return n;
}

BufferPool::~BufferPool() {
  for (auto* buffer : free_) delete buffer;
}

std::shared_ptr<Buffer> BufferPool::acquire(std::size_t capacity) {
  if (capacity > block_capacity_) return std::make_shared<Buffer>(capacity);
  Buffer* buffer = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      buffer = free_.back();
      free_.pop_back();
    }
  }
  if (!buffer) buffer = new Buffer(block_capacity_);
  // The deleter holds the pool, so a buffer outliving the reader still finds it.
  return std::shared_ptr<Buffer>(buffer, [pool = shared_from_this()](Buffer* b) { pool->release(b); });
}

void BufferPool::release(Buffer* buffer) noexcept {
  buffer->clear();
  {
    std::lock_guard lock(mutex_);
    if (free_.size() < max_free_) {
      free_.push_back(buffer);
      return;
    }
  }
  delete buffer;
}

std::string BlockCache::key(std::string_view checksum, std::uint64_t object_size, std::size_t block_size,
                            std::uint64_t index) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(checksum.size() + 48);
  for (const char c : checksum) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  out += '.' + std::to_string(object_size) + '.' + std::to_string(block_size) + '.' + std::to_string(index);
  return out;
}

// The cache's file, shared with the BlockFiles handed out, which pin their slots. Blocks are written, and read
// ahead, with direct I/O where the filesystem allows it (`direct_fd`): a block moves between its buffer and the disk
// with no copy into fresh page-cache pages, which on a busy machine cost a first read more than the write itself, and
// several fetch threads read blocks at once, which a disk serves faster than one sequential reader. A FUSE reply
// splices from `fd` (buffered). Where direct I/O is refused (tmpfs), everything goes through `fd`.
struct CacheSlab {
  int fd = -1;
  int direct_fd = -1;
  // Pinned slots and their pin counts (a handful at a time: the replies being sent). A BlockFile unpins with only
  // this mutex; the cache takes it after its own.
  std::mutex pin_mutex;
  std::unordered_map<std::size_t, std::uint32_t> pins;
  void pin(std::size_t slot) {
    std::lock_guard lock(pin_mutex);
    ++pins[slot];
  }
  void unpin(std::size_t slot) noexcept {
    std::lock_guard lock(pin_mutex);
    if (const auto it = pins.find(slot); it != pins.end() && --it->second == 0) pins.erase(it);
  }
  bool pinned(std::size_t slot) {
    std::lock_guard lock(pin_mutex);
    return pins.contains(slot);
  }
  CacheSlab() = default;
  CacheSlab(const CacheSlab&) = delete;
  CacheSlab& operator=(const CacheSlab&) = delete;
  ~CacheSlab() {
    if (fd >= 0) ::close(fd);
    if (direct_fd >= 0) ::close(direct_fd);
  }
};

BlockFile::~BlockFile() {
  if (slab_) slab_->unpin(slot_);
}

int BlockFile::fd() const noexcept { return slab_->fd; }

bool BlockFile::read(char* out, std::size_t size, std::size_t from) const noexcept {
  return pread_all(slab_->fd, out, size, offset_ + from);
}

namespace {

constexpr const char* slab_name = "blocks";
constexpr const char* index_name = "index";
constexpr const char* state_name = "state";

// A file the per-block layout left: a temporary (".tmp-N") or a block named by key(): the escaped checksum, then
// the object size, the block size and the index, each after a dot.
bool old_layout_file(std::string_view name) {
  if (name.starts_with(".tmp-"))
    return name.size() > 5 && name.find_first_not_of("0123456789", 5) == std::string_view::npos;
  for (int i = 0; i < 3; ++i) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot + 1 == name.size() ||
        name.find_first_not_of("0123456789", dot + 1) != std::string_view::npos)
      return false;
    name = name.substr(0, dot);
  }
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' ||
           c == '%';
  });
}

std::string clean_state(std::size_t stride) { return "clean " + std::to_string(stride) + "\n"; }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Writes `text` to `path` and flushes it to the disk; false on failure.
bool write_durably(const std::filesystem::path& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool ok = write_all(fd, text) && ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

BlockCache::BlockCache(std::filesystem::path dir, std::uint64_t capacity, std::size_t block_size)
    : dir_(std::move(dir)),
      capacity_(capacity),
      stride_(aligned_size(block_size == 0 ? 1 : block_size)),
      slots_(static_cast<std::size_t>(capacity / stride_)),
      slab_(std::make_shared<CacheSlab>()) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("cannot create the cache directory " + dir_.string() + ": " + ec.message());
  const auto lock_path = dir_ / ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) throw std::runtime_error("cannot open " + lock_path.string() + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw std::runtime_error("the cache directory " + dir_.string() +
                             " is in use by another lakefs-mount; give this mount its own --cache-dir");
  }
  // Files of the earlier layout (a file per block, temporaries) are not blocks of this one; any other file is left
  // alone (the directory may be one the user also keeps other things in).
  for (const auto& item : std::filesystem::directory_iterator(dir_, ec)) {
    const auto name = item.path().filename().string();
    if (old_layout_file(name) && item.is_regular_file(ec)) std::filesystem::remove(item.path(), ec);
  }
  if (slots_ == 0) {
    for (const char* name : {slab_name, index_name, state_name}) std::filesystem::remove(dir_ / name, ec);
    return;
  }
  const auto slab_path = dir_ / slab_name;
  slab_->fd = ::open(slab_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (slab_->fd < 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw std::runtime_error("cannot open the cache file " + slab_path.string() + ": " + std::strerror(errno));
  }
  slab_->direct_fd = ::open(slab_path.c_str(), O_RDWR | O_CLOEXEC | O_DIRECT);
  load_index();
  // From here on the file changes: until it is closed, the cache counts as not cleanly closed. A cache that cannot
  // say so keeps nothing (it could not tell a crash from a clean close).
  std::filesystem::remove(dir_ / index_name, ec);
  if (!write_durably(dir_ / state_name, "open\n")) {
    std::lock_guard lock(mutex_);
    lru_.clear();
    items_.clear();
    free_.clear();
    next_slot_ = slots_;
    bytes_ = 0;
  }
}

void BlockCache::load_index() {
  // Blocks of a cache that was closed cleanly, with the same slot size; anything else starts empty.
  std::unordered_set<std::size_t> used;
  std::lock_guard lock(mutex_);
  if (read_text(dir_ / state_name) == clean_state(stride_)) {
    std::istringstream in(read_text(dir_ / index_name));
    std::size_t slot = 0, size = 0;
    std::string key;
    // Oldest first: each line becomes the most recently used so far.
    while (in >> slot >> size >> key) {
      if (slot >= slots_ || used.contains(slot) || size == 0 || size > stride_ || items_.contains(key)) continue;
      used.insert(slot);
      insert_locked(key, slot, size);
    }
  }
  // The file keeps only whole slots below the bound: a smaller bound drops the rest.
  const auto keep = items_.empty() ? 0 : static_cast<off_t>(slots_ * stride_);
  struct stat st {};
  if (::fstat(slab_->fd, &st) == 0 && st.st_size > keep) (void)::ftruncate(slab_->fd, keep);
  // Slots from next_slot_ on were never used; the free ones below it are listed, lowest last, so that it is taken
  // first and the file stays compact.
  next_slot_ = 0;
  for (const auto slot : used) next_slot_ = std::max(next_slot_, slot + 1);
  for (std::size_t i = next_slot_; i-- > 0;)
    if (!used.contains(i)) free_.push_back(i);
}

BlockCache::~BlockCache() {
  if (slots_ > 0 && slab_->fd >= 0) {
    // The blocks on the disk, then the index naming them, then the mark that both can be trusted.
    std::ostringstream index;
    {
      std::lock_guard lock(mutex_);
      for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) {
        const auto& item = items_.at(*it);
        index << item.slot << ' ' << item.size << ' ' << *it << '\n';
      }
    }
    if (::fdatasync(slab_->fd) == 0 && write_durably(dir_ / index_name, index.str()))
      write_durably(dir_ / state_name, clean_state(stride_));
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void BlockCache::insert_locked(const std::string& key, std::size_t slot, std::size_t size) {
  lru_.push_front(key);
  items_.emplace(key, Item{slot, size, lru_.begin()});
  bytes_ += size;
}

void BlockCache::remove_locked(const std::string& key) {
  const auto it = items_.find(key);
  if (it == items_.end()) return;
  bytes_ -= it->second.size;
  lru_.erase(it->second.position);
  items_.erase(it);
}

std::shared_ptr<Buffer> BlockCache::get(const std::string& key, std::size_t expected_size) {
  auto block = std::make_shared<Buffer>(expected_size);
  return read(key, expected_size, *block) ? block : nullptr;
}

std::optional<BlockFile> BlockCache::open(const std::string& key, std::size_t expected_size) {
  std::lock_guard lock(mutex_);
  const auto it = items_.find(key);
  if (it == items_.end()) return std::nullopt;
  const std::size_t slot = it->second.slot;
  // Not the block asked for: dropped, its slot freed (unless a reply reads from it: then unused until the next mount).
  if (it->second.size != expected_size) {
    remove_locked(key);
    if (!slab_->pinned(slot)) free_.push_back(slot);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second.position);
  // Pinned under the lock: put() picks its victims under it too, so no pinned slot is written over.
  slab_->pin(slot);
  return BlockFile(slab_, slot, static_cast<std::uint64_t>(slot) * stride_, expected_size);
}

bool BlockCache::read(const std::string& key, std::size_t expected_size, Buffer& into) {
  auto file = open(key, expected_size);
  if (!file || into.capacity() < expected_size) return false;
  // Direct I/O reads whole aligned pages into the buffer, the slot's bytes past the block's end with them.
  const bool direct = slab_->direct_fd >= 0 && direct_io_fits(into, expected_size);
  if (!pread_all(direct ? slab_->direct_fd : slab_->fd, into.data(),
                 direct ? aligned_size(expected_size) : expected_size, file->offset()))
    return false;
  into.set_size(expected_size);
  return true;
}

void BlockCache::put(const std::string& key, const Buffer& data) {
  if (slots_ == 0 || data.size() == 0 || data.size() > stride_) return;
  std::size_t slot = 0;
  {
    std::lock_guard lock(mutex_);
    if (items_.contains(key)) return;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else if (next_slot_ < slots_) {
      slot = next_slot_++;
    } else {
      // The least recently used block that no reply is reading from.
      auto victim = lru_.rbegin();
      while (victim != lru_.rend() && slab_->pinned(items_.at(*victim).slot)) ++victim;
      if (victim == lru_.rend()) return;
      slot = items_.at(*victim).slot;
      remove_locked(std::string(*victim));
    }
  }
  // Direct I/O writes whole aligned pages straight from the buffer (the bytes past the block's end are never read).
  const bool direct = slab_->direct_fd >= 0 && direct_io_fits(data, data.size());
  const bool ok =
      pwrite_all(direct ? slab_->direct_fd : slab_->fd, data.data(), direct ? aligned_size(data.size()) : data.size(),
                 static_cast<std::uint64_t>(slot) * stride_);
  std::lock_guard lock(mutex_);
  if (ok && !items_.contains(key))
    insert_locked(key, slot, data.size());
  else
    free_.push_back(slot);
}

bool BlockCache::contains(const std::string& key) const {
  std::lock_guard lock(mutex_);
  return items_.contains(key);
}

std::uint64_t BlockCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t BlockCache::blocks() const {
  std::lock_guard lock(mutex_);
  return items_.size();
}

}  // namespace lakefs_mount
