// SPDX-License-Identifier: Apache-2.0
// Branch::upload_directory and Reference::download_prefix: the files are a
// batch on the client's engine (one bounded async::for_each, no threads of
// their own); each file streams, so memory stays bounded by the transfers in
// flight whatever the file sizes.
#include "lakefs/transfer.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <mutex>
#include <stop_token>
#include <string>
#include <variant>
#include <vector>

#include "async/batch.hpp"
#include "lakefs/branch.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"
#include "lakefs/reference.hpp"
#include "model/convert.hpp"
#include "transfer/object_transfer.hpp"

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

// What a batch's items report, and the flag that stops new ones (stop_on_error, a throwing progress callback).
struct BatchState {
  BatchState(std::size_t items, TransferSummary& summary, const ProgressCallback& on_progress, bool stop_on_error)
      : summary(summary), on_progress(on_progress), stop_on_error(stop_on_error) {
    progress.objects_total = items;
  }
  TransferSummary& summary;
  const ProgressCallback& on_progress;
  const bool stop_on_error;
  std::mutex mutex;  // guards summary, progress and the callback
  TransferProgress progress{};
  std::atomic<bool> halt{false};               // start no new item; the running ones finish
  std::atomic<bool> cancelled_unknown{false};  // an aborted transfer may have been applied
};

async::Task<void> nothing() { co_return; }

// Awaits one item's transfer and records how it went. A failure is the item's, in the summary, not the batch's; a
// CancelledError (the caller's stop) ends the batch.
async::Task<void> record(async::Task<void> transfer, const Item& item, BatchState& state) {
  std::string failure;
  std::exception_ptr error;
  try {
    co_await std::move(transfer);
  } catch (const CancelledError& e) {
    if (e.outcome_unknown()) state.cancelled_unknown.store(true);
    throw;
  } catch (const std::exception& e) {
    failure = e.what();
    error = std::current_exception();
  } catch (...) {
    failure = "unknown error";
    error = std::current_exception();
  }
  std::lock_guard lock(state.mutex);
  TransferProgress& progress = state.progress;
  ++progress.objects_done;
  if (!error) {
    ++state.summary.objects;
    state.summary.bytes += item.size;
    progress.bytes_done += item.size;
  } else {
    ++progress.objects_failed;
    state.summary.failures.push_back({item.local, item.object, std::move(failure), std::move(error)});
    if (state.stop_on_error) state.halt.store(true);
  }
  if (state.on_progress) {
    try {
      state.on_progress(progress);
    } catch (...) {
      // a throwing callback stops the batch, not the engine's thread
      state.halt.store(true);
      state.summary.failures.push_back(
          {item.local, item.object, "progress callback threw; batch stopped", std::current_exception()});
    }
  }
}

// Runs the task `transfer(item)` for every item, `workers` at once on the client's engine (detail::run_batch), and
// records each in `summary`. Once `stop` (the transfers' own CallOptions::stop) is requested no new item starts,
// the running ones are aborted and, unless every item was done by then, CancelledError is thrown naming `what`
// (an aborted transfer is no failure).
template <typename Transfer>
void transfer_files(const char* what, const std::vector<Item>& items, std::size_t workers,
                    const ProgressCallback& on_progress, bool stop_on_error, const std::stop_token& stop,
                    TransferSummary& summary, Transfer transfer) {
  BatchState state(items.size(), summary, on_progress, stop_on_error);
  for (const auto& item : items) state.progress.bytes_total += item.size;
  try {
    detail::run_batch(what, items.size(), workers, stop, [&](std::size_t i) {
      return state.halt.load() ? nothing() : record(transfer(items[i]), items[i], state);
    });
  } catch (const CancelledError&) {
    if (!stop.stop_requested()) throw;
  }
  const std::size_t done = state.progress.objects_done;
  if (stop.stop_requested() && done < items.size()) {
    throw CancelledError(std::string(what) + ": cancelled after " + std::to_string(done) + " of " +
                             std::to_string(items.size()) + " objects (completed ones stay)",
                         state.cancelled_unknown.load());
  }
  summary.not_attempted = items.size() - std::min(items.size(), done);
}

// One file of upload_directory (the handle is made in the task, so a bad path is that file's failure).
async::Task<void> upload_item(Client client, std::string repo, std::string branch, std::string object, fs::path file,
                              UploadOptions options) {
  WriteableObject target(std::move(repo), std::move(branch), std::move(object), std::move(client));
  co_await detail::upload_file(detail::Via::engine, std::move(target), std::move(file), std::move(options));
}

// One object of download_prefix, into `target` (its directory made first).
async::Task<void> download_item(Client client, std::string repo, std::string ref, std::string object, fs::path target,
                                DownloadOptions options) {
  std::error_code dir_ec;
  fs::create_directories(target.parent_path(), dir_ec);
  if (dir_ec) throw LocalIOError("create the directory", target.parent_path(), dir_ec);
  StoredObject source(std::move(repo), std::move(ref), std::move(object), std::move(client));
  co_await detail::download(detail::Via::engine, std::move(source), std::move(target), std::move(options));
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
  transfer_files("upload_directory", items, concurrency_of(options.concurrency, client_), options.on_progress,
                 options.stop_on_error, options.call.stop, summary, [&](const Item& item) {
                   return upload_item(client_, repo_id_, id_, item.object, local_dir / item.local, upload_options);
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
  transfer_files("download_prefix", items, concurrency_of(options.concurrency, client_), options.on_progress,
                 options.stop_on_error, options.call.stop, summary, [&](const Item& item) {
                   return download_item(client_, repo_id_, id_, item.object, local_dir / item.local, download_options);
                 });
  return summary;
}

}  // namespace lakefs
