// SPDX-License-Identifier: Apache-2.0
#include "snapshot.hpp"

#include <algorithm>
#include <chrono>

#include "lakefs/reference.hpp"

namespace lakefs_mount {

const Entry* Directory::find(const std::string& name) const {
  const auto it = std::lower_bound(entries.begin(), entries.end(), name,
                                   [](const Entry& e, const std::string& n) { return e.name < n; });
  return it != entries.end() && it->name == name ? &*it : nullptr;
}

Snapshot::Snapshot(lakefs::Client client, std::string repository, std::string commit_id, std::int64_t commit_date,
                   std::string prefix, std::size_t max_entries)
    : client_(std::move(client)),
      repository_(std::move(repository)),
      commit_id_(std::move(commit_id)),
      commit_date_(commit_date),
      prefix_(std::move(prefix)),
      max_entries_(max_entries) {}

std::shared_ptr<const Directory> Snapshot::list(const std::string& path) const {
  const std::string listed = prefix_ + (path.empty() ? std::string() : path + "/");
  auto dir = std::make_shared<Directory>();
  const lakefs::Reference ref(repository_, commit_id_, client_);
  for (const auto& item : ref.objects({.prefix = listed, .delimiter = "/"})) {
    Entry entry;
    if (const auto* object = item.if_object()) {
      entry.name = object->path.substr(listed.size());
      entry.size = static_cast<std::uint64_t>(std::max<std::int64_t>(object->size_bytes, 0));
      entry.mtime = object->mtime.time_since_epoch().count();
      entry.key = object->path;
      entry.checksum = object->checksum;
    } else {
      const auto& common = item.path();
      entry.name = common.substr(listed.size(), common.size() - listed.size() - 1);
      entry.directory = true;
      entry.mtime = commit_date_;
    }
    // Keys a filesystem cannot show: a directory marker ("dir/" itself), an empty segment ("a//b"), "." and "..".
    if (entry.name.empty() || entry.name == "." || entry.name == ".." || entry.name.find('/') != std::string::npos)
      continue;
    dir->entries.push_back(std::move(entry));
  }
  // A listing comes sorted by key, and "a" (object) sorts before "a/" (prefix) but after "a-b": sort by name, and
  // where an object and a directory share a name, the directory wins (the object cannot be reached: docs/mount.md).
  std::stable_sort(dir->entries.begin(), dir->entries.end(), [](const Entry& a, const Entry& b) {
    return a.name != b.name ? a.name < b.name : a.directory > b.directory;
  });
  dir->entries.erase(std::unique(dir->entries.begin(), dir->entries.end(),
                                 [](const Entry& a, const Entry& b) { return a.name == b.name; }),
                     dir->entries.end());
  if (dir->entries.empty() && !path.empty()) return nullptr;
  return dir;
}

std::shared_ptr<const Directory> Snapshot::directory(const std::string& path) {
  std::shared_future<std::shared_ptr<const Directory>> future;
  std::optional<std::promise<std::shared_ptr<const Directory>>> promise;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = directories_.find(path); it != directories_.end()) {
      future = it->second;
      if (const auto r = recent_index_.find(path); r != recent_index_.end())
        recent_.splice(recent_.begin(), recent_, r->second);
    } else {
      promise.emplace();
      future = promise->get_future().share();
      directories_.emplace(path, future);
      ++listings_;
    }
  }
  // The thread that placed the future lists; the others wait for its answer.
  if (promise) {
    try {
      auto listed = list(path);
      {
        // Counted, and the least recently used directories forgotten beyond the bound (never this one).
        std::lock_guard lock(mutex_);
        const std::size_t n = listed ? listed->entries.size() : 0;
        recent_.emplace_front(path, n);
        recent_index_[path] = recent_.begin();
        entries_ += n;
        while (entries_ > max_entries_ && recent_.size() > 1) {
          const auto& [victim, count] = recent_.back();
          entries_ -= count;
          directories_.erase(victim);
          recent_index_.erase(victim);
          recent_.pop_back();
        }
      }
      promise->set_value(std::move(listed));
    } catch (...) {
      {
        std::lock_guard lock(mutex_);
        directories_.erase(path);
      }
      promise->set_exception(std::current_exception());
    }
  }
  return future.get();
}

std::optional<Entry> Snapshot::lookup(const std::string& path) {
  if (path.empty()) return Entry{.name = "", .directory = true, .mtime = commit_date_};
  const auto slash = path.rfind('/');
  const std::string parent = slash == std::string::npos ? std::string() : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const auto dir = directory(parent);
  if (!dir) return std::nullopt;
  const Entry* entry = dir->find(name);
  if (!entry) return std::nullopt;
  return *entry;
}

std::size_t Snapshot::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

std::size_t Snapshot::listings() const {
  std::lock_guard lock(mutex_);
  return listings_;
}

}  // namespace lakefs_mount
