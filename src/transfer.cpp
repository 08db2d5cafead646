// SPDX-License-Identifier: Apache-2.0
// Branch::upload_directory and Reference::download_prefix: a fixed set of
// worker threads pulls files from a shared list; each file streams, so memory
// stays bounded by the workers' transfer buffers whatever the file sizes.
#include "lakefs/transfer.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "lakefs/branch.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"
#include "lakefs/reference.hpp"
#include "model/convert.hpp"

namespace lakefs {
namespace {

namespace fs = std::filesystem;

struct Item {
  std::string local;   // relative to the directory, generic form
  std::string object;  // full object path
  std::uint64_t size = 0;
};

std::size_t concurrency_of(std::size_t requested, const Client& client) {
  const std::size_t n = requested != 0 ? requested : client.options().max_connections;
  return std::max<std::size_t>(n, 1);
}

// What stops a batch on the caller's request: `stop` (the transfers' own CallOptions::stop), named `what` in errors.
struct BatchCancel {
  const char* what;
  std::stop_token stop;
};

// Runs `transfer` on every item with `workers` threads; collects failures. Once
// `cancel.stop` is requested no new item starts and, unless every item was done
// by then, CancelledError is thrown (a transfer aborted by the stop is no failure).
template <typename Transfer>
void run_batch(const std::vector<Item>& items, std::size_t workers, const ProgressCallback& on_progress,
               bool stop_on_error, const BatchCancel& cancel, TransferSummary& summary, Transfer transfer) {
  TransferProgress progress;
  progress.objects_total = items.size();
  for (const auto& item : items) progress.bytes_total += item.size;
  std::mutex mutex;  // guards summary, progress and the callback
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> cancelled_unknown{false};  // an aborted transfer may have been applied

  const auto work = [&] {
    while (!stop.load() && !cancel.stop.stop_requested()) {
      const std::size_t index = next.fetch_add(1);
      if (index >= items.size()) return;
      const Item& item = items[index];
      std::string failure;
      std::exception_ptr error;
      try {
        transfer(item);
      } catch (const CancelledError& e) {
        // Stopped on purpose: the batch ends with CancelledError, not with a failure per aborted item.
        if (e.outcome_unknown()) cancelled_unknown.store(true);
        return;
      } catch (const std::exception& e) {
        failure = e.what();
        error = std::current_exception();
      } catch (...) {
        failure = "unknown error";
        error = std::current_exception();
      }
      std::lock_guard lock(mutex);
      ++progress.objects_done;
      if (!error) {
        ++summary.objects;
        summary.bytes += item.size;
        progress.bytes_done += item.size;
      } else {
        ++progress.objects_failed;
        summary.failures.push_back({item.local, item.object, std::move(failure), std::move(error)});
        if (stop_on_error) stop.store(true);
      }
      if (on_progress) {
        try {
          on_progress(progress);
        } catch (...) {
          // a throwing callback must not kill a worker thread; stop the batch instead
          stop.store(true);
          summary.failures.push_back(
              {item.local, item.object, "progress callback threw; batch stopped", std::current_exception()});
        }
      }
    }
  };

  const std::size_t n = std::min(workers, std::max<std::size_t>(items.size(), 1));
  std::vector<std::thread> threads;
  threads.reserve(n);
  try {
    for (std::size_t i = 0; i < n; ++i) threads.emplace_back(work);
  } catch (...) {
    stop.store(true);
    for (auto& t : threads) t.join();
    throw;
  }
  for (auto& t : threads) t.join();
  if (cancel.stop.stop_requested() && progress.objects_done < items.size()) {
    throw CancelledError(std::string(cancel.what) + ": cancelled after " + std::to_string(progress.objects_done) +
                             " of " + std::to_string(items.size()) + " objects (completed ones stay)",
                         cancelled_unknown.load());
  }
  summary.not_attempted = items.size() - std::min(items.size(), progress.objects_done);
}

std::string join_prefix(const std::string& prefix, const std::string& relative) {
  if (prefix.empty() || prefix.back() == '/') return prefix + relative;
  return prefix + "/" + relative;
}

// The local path for an object key below `prefix`, or an empty path (with a
// reason) when the key must not be written locally.
fs::path local_path_for(const std::string& key, const std::string& prefix, std::string& reason) {
  std::string relative = key.substr(std::min(prefix.size(), key.size()));
  while (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
  if (relative.empty() || relative.back() == '/') {
    reason = "directory marker (key ends in '/')";
    return {};
  }
  const fs::path rel(relative);
  for (const auto& part : rel) {
    if (part == ".." || part == ".") {
      reason = "key has a '.' or '..' segment: it would leave the target directory";
      return {};
    }
  }
  if (rel.is_absolute() || rel.has_root_name()) {
    reason = "key is an absolute path";
    return {};
  }
  return rel;
}

}  // namespace

TransferSummary Branch::upload_directory(const fs::path& local_dir, const std::string& prefix,
                                         UploadDirectoryOptions options) const {
  std::error_code ec;
  if (!fs::is_directory(local_dir, ec)) {
    throw InvalidArgumentError("upload_directory: '" + local_dir.string() + "' is not a directory");
  }
  TransferSummary summary;
  std::vector<Item> items;
  fs::recursive_directory_iterator it(local_dir, fs::directory_options::none, ec);
  if (ec) throw LocalIOError("read the directory", local_dir, ec, "upload_directory");
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const auto& entry = *it;
    const std::string relative = entry.path().lexically_relative(local_dir).generic_string();
    std::error_code type_ec;
    const auto status = entry.symlink_status(type_ec);
    if (type_ec) {
      summary.skipped.push_back({relative, "cannot read its type: " + type_ec.message()});
    } else if (fs::is_symlink(status)) {
      summary.skipped.push_back({relative, "symbolic link (not followed)"});
    } else if (fs::is_directory(status)) {
      continue;
    } else if (!fs::is_regular_file(status)) {
      summary.skipped.push_back({relative, "not a regular file (device, socket or FIFO)"});
    } else {
      std::error_code size_ec;
      const auto size = entry.file_size(size_ec);
      items.push_back({relative, join_prefix(prefix, relative), size_ec ? 0 : size});
    }
  }
  if (ec) throw LocalIOError("walk the directory", local_dir, ec, "upload_directory");
  // Deterministic order: the listing order of the branch (and nicer progress).
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.object < b.object; });

  const UploadOptions upload_options{.content_type = options.content_type,
                                     .metadata = {},
                                     .exclusive = options.exclusive,
                                     .pre_sign = options.pre_sign,
                                     .call = options.call};
  run_batch(items, concurrency_of(options.concurrency, client_), options.on_progress, options.stop_on_error,
            {"upload_directory", options.call.stop}, summary, [&](const Item& item) {
              WriteableObject(repo_id_, id_, item.object, client_).upload_file(local_dir / item.local, upload_options);
            });
  return summary;
}

TransferSummary Reference::download_prefix(const std::string& prefix, const fs::path& local_dir,
                                           DownloadPrefixOptions options) const {
  TransferSummary summary;
  std::vector<Item> items;
  for (const auto& entry : objects({.prefix = prefix, .call = options.call})) {
    const auto* info = entry.if_object();
    if (info == nullptr) continue;
    std::string reason;
    const auto relative = local_path_for(info->path, prefix, reason);
    if (relative.empty()) {
      summary.skipped.push_back({info->path, reason});
      continue;
    }
    items.push_back({relative.generic_string(), info->path, static_cast<std::uint64_t>(info->size_bytes)});
  }
  std::error_code ec;
  fs::create_directories(local_dir, ec);
  if (ec) throw LocalIOError("create the directory", local_dir, ec, "download_prefix");

  const DownloadOptions download_options{.pre_sign = options.pre_sign, .call = options.call};
  run_batch(items, concurrency_of(options.concurrency, client_), options.on_progress, options.stop_on_error,
            {"download_prefix", options.call.stop}, summary, [&](const Item& item) {
              const fs::path target = local_dir / item.local;
              std::error_code dir_ec;
              fs::create_directories(target.parent_path(), dir_ec);
              if (dir_ec) throw LocalIOError("create the directory", target.parent_path(), dir_ec);
              StoredObject(repo_id_, id_, item.object, client_).download(target, download_options);
            });
  return summary;
}

}  // namespace lakefs
