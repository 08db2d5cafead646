#include "block_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace lakefs_mount {

namespace {

constexpr std::string_view temp_prefix = ".tmp-";
std::size_t aligned_size(std::size_t n) { return (n + Buffer::alignment - 1) / Buffer::alignment * Buffer::alignment; }

bool read_all_at(int fd, char* out, std::size_t size, std::size_t& got) {
  got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd, out + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

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

BlockCache::BlockCache(std::filesystem::path dir, std::uint64_t capacity) : dir_(std::move(dir)), capacity_(capacity) {
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
  // What an earlier mount left: whole blocks (indexed, oldest first out) and temporaries of a crash (removed).
  struct Found {
    std::string name;
    std::uint64_t size;
    std::filesystem::file_time_type time;
  };
  std::vector<Found> found;
  for (const auto& item : std::filesystem::directory_iterator(dir_, ec)) {
    const auto name = item.path().filename().string();
    if (name.starts_with(temp_prefix)) {
      std::filesystem::remove(item.path(), ec);
      continue;
    }
    if (name.starts_with('.') || !item.is_regular_file(ec)) continue;
    found.push_back({name, item.file_size(ec), item.last_write_time(ec)});
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.time < b.time; });
  std::lock_guard lock(mutex_);
  for (const auto& f : found) insert_locked(f.name, f.size);
  evict_locked(0);
}

BlockCache::~BlockCache() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void BlockCache::insert_locked(const std::string& key, std::uint64_t size) {
  if (const auto it = items_.find(key); it != items_.end()) remove_locked(key);
  lru_.push_front(key);
  items_.emplace(key, Item{size, lru_.begin()});
  bytes_ += size;
}

void BlockCache::remove_locked(const std::string& key) {
  const auto it = items_.find(key);
  if (it == items_.end()) return;
  bytes_ -= it->second.size;
  lru_.erase(it->second.position);
  items_.erase(it);
}

void BlockCache::evict_locked(std::uint64_t incoming) {
  while (!lru_.empty() && bytes_ + incoming > capacity_) {
    const std::string victim = lru_.back();
    remove_locked(victim);
    std::error_code ec;
    std::filesystem::remove(dir_ / victim, ec);
  }
}

std::shared_ptr<Buffer> BlockCache::get(const std::string& key, std::size_t expected_size) {
  auto block = std::make_shared<Buffer>(expected_size);
  if (!get(key, expected_size, *block)) return nullptr;
  return block;
}

bool BlockCache::get(const std::string& key, std::size_t expected_size, Buffer& into) {
  {
    std::lock_guard lock(mutex_);
    const auto it = items_.find(key);
    if (it == items_.end()) return false;
    lru_.splice(lru_.begin(), lru_, it->second.position);
  }
  // Read outside the lock; a block evicted meanwhile is simply a miss. Direct I/O where the filesystem allows it,
  // straight into the block's buffer: the cache's pages do not pass through the page cache (the kernel keeps the
  // mounted files' pages anyway), which on a busy machine is several times cheaper than buffered I/O.
  const auto path = dir_ / key;
  int fd = direct_ ? ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT) : -1;
  const bool direct = fd >= 0;
  if (fd < 0) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = false;
  struct stat st {};
  // A file of another length is damaged (or not this block).
  if (into.capacity() >= expected_size && ::fstat(fd, &st) == 0 &&
      static_cast<std::uint64_t>(st.st_size) == expected_size) {
    std::size_t got = 0;
    // Direct reads ask for whole aligned blocks; the file's end makes the last one short.
    const std::size_t want = direct ? aligned_size(expected_size) : expected_size;
    ok = want <= into.capacity() && read_all_at(fd, into.data(), want, got) && got == expected_size;
    into.set_size(ok ? got : 0);
  }
  ::close(fd);
  if (!ok) {
    std::lock_guard lock(mutex_);
    remove_locked(key);
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  return ok;
}

void BlockCache::put(const std::string& key, const Buffer& data) {
  if (data.size() > capacity_) return;
  std::string temp_name;
  {
    std::lock_guard lock(mutex_);
    temp_name = std::string(temp_prefix) + std::to_string(++temp_counter_);
  }
  const auto temp = dir_ / temp_name;
  bool ok = false;
  // Direct I/O: the block is written whole, aligned blocks straight from its buffer, then cut to its length.
  int fd = direct_ ? ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0600) : -1;
  if (fd >= 0) {
    ok = write_all(fd, std::string_view(data.data(), aligned_size(data.size()))) &&
         ::ftruncate(fd, static_cast<off_t>(data.size())) == 0;
  } else {
    if (direct_ && errno == EINVAL) direct_ = false;  // a filesystem without direct I/O (tmpfs): buffered from now on
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;  // a cache that cannot be written is a cache that misses
    ok = write_all(fd, data.view());
  }
  ::close(fd);
  std::error_code ec;
  if (!ok) {
    std::filesystem::remove(temp, ec);
    return;
  }
  std::lock_guard lock(mutex_);
  evict_locked(data.size());
  std::filesystem::rename(temp, dir_ / key, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    return;
  }
  insert_locked(key, data.size());
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
