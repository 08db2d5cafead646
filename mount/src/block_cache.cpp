#include "block_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace lakefs_mount {

namespace {

constexpr std::string_view temp_prefix = ".tmp-";

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

std::optional<std::string> BlockCache::get(const std::string& key, std::size_t expected_size) {
  {
    std::lock_guard lock(mutex_);
    const auto it = items_.find(key);
    if (it == items_.end()) return std::nullopt;
    lru_.splice(lru_.begin(), lru_, it->second.position);
  }
  // Read outside the lock; a block evicted meanwhile is simply a miss.
  const auto path = dir_ / key;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string data(expected_size, '\0');
  std::size_t done = 0;
  bool ok = true;
  while (done < expected_size) {
    const ssize_t n = ::pread(fd, data.data() + done, expected_size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  // A longer file is as damaged as a shorter one.
  char extra = 0;
  if (ok && ::pread(fd, &extra, 1, static_cast<off_t>(expected_size)) != 0) ok = false;
  ::close(fd);
  if (!ok) {
    std::lock_guard lock(mutex_);
    remove_locked(key);
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return std::nullopt;
  }
  return data;
}

void BlockCache::put(const std::string& key, std::string_view data) {
  if (data.size() > capacity_) return;
  std::string temp_name;
  {
    std::lock_guard lock(mutex_);
    temp_name = std::string(temp_prefix) + std::to_string(++temp_counter_);
  }
  const auto temp = dir_ / temp_name;
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;  // a cache that cannot be written is a cache that misses
  const bool ok = write_all(fd, data);
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

std::uint64_t BlockCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t BlockCache::blocks() const {
  std::lock_guard lock(mutex_);
  return items_.size();
}

}  // namespace lakefs_mount
