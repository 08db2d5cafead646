// SPDX-License-Identifier: Apache-2.0
// Batch transfers between a local directory and a prefix of a repository:
// Branch::upload_directory and Reference::download_prefix. Bounded
// concurrency on the client's asynchronous engine (no threads of their own),
// memory independent of file sizes (every file streams), a progress callback,
// and a summary instead of stopping at the first failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lakefs/export.hpp"
#include "lakefs/policies.hpp"

namespace lakefs {

/// Where a batch transfer stands. Totals are known before the first transfer starts.
struct LAKEFS_API TransferProgress {
  /// Objects finished so far, successfully or not.
  std::size_t objects_done = 0;
  /// Objects the batch will transfer.
  std::size_t objects_total = 0;
  /// Bytes of the objects finished so far.
  std::uint64_t bytes_done = 0;
  /// Bytes of all the batch's objects.
  std::uint64_t bytes_total = 0;
  /// Objects that failed so far (counted in objects_done too).
  std::size_t objects_failed = 0;
};

/// Called after each object finishes (successfully or not). Calls are
/// serialized (never concurrent), but come from the worker threads.
using ProgressCallback = std::function<void(const TransferProgress&)>;

/// One object that could not be transferred.
struct LAKEFS_API TransferFailure {
  /// The local path (relative to the directory).
  std::string local_path{};
  /// The object's path in the repository.
  std::string object_path{};
  /// The error's what() (never a credential).
  std::string message{};
  /// The exception itself, to inspect its type and accessors: rethrow it with
  /// std::rethrow_exception (e.g. catch LocalIOError for a local file that
  /// could not be read or written, ObjectNotFoundError, TransportError, ...).
  std::exception_ptr error{};
};

/// A local file or object key left out on purpose, and why.
struct LAKEFS_API TransferSkip {
  /// The local path (relative to the directory) of an upload, or the object's path of a download.
  std::string path{};
  /// Why it was left out, e.g. "symbolic link (not followed)".
  std::string reason{};
};

/// The outcome of a batch transfer (Branch::upload_directory(), Reference::download_prefix()).
struct LAKEFS_API TransferSummary {
  /// Objects transferred successfully.
  std::size_t objects = 0;
  /// Bytes of the objects transferred successfully.
  std::uint64_t bytes = 0;
  /// Every object that failed, with its error.
  std::vector<TransferFailure> failures{};
  /// Symlinks, special files, unsafe object keys, ...
  std::vector<TransferSkip> skipped{};
  /// Objects not attempted because stop_on_error stopped the batch.
  std::size_t not_attempted = 0;

  /// True when nothing failed and nothing was left unattempted (skips are fine).
  [[nodiscard]] bool ok() const noexcept { return failures.empty() && not_attempted == 0; }
};

/// Options of Branch::upload_directory().
struct LAKEFS_API UploadDirectoryOptions {
  /// Concurrent uploads. 0 = the client's max_connections.
  std::size_t concurrency = 0;
  /// Called after each file finishes, on the client's engine thread (keep it short); none when empty.
  ProgressCallback on_progress{};
  /// Stop starting new uploads after the first failure (running ones finish).
  bool stop_on_error = false;
  /// Content-Type for every file; empty = application/octet-stream.
  std::string content_type{};
  /// Fail (per file) with ObjectExistsError instead of replacing existing objects.
  bool exclusive = false;
  /// As UploadOptions::pre_sign.
  std::optional<bool> pre_sign{};
  /// Timeout and retry policy of every request of the batch, and cancellation:
  /// once `call.stop` is requested no new upload starts, the running ones are
  /// aborted (lakeFS stages nothing from an incomplete body), and the call
  /// throws CancelledError instead of returning a summary. Files uploaded
  /// before the stop stay staged.
  CallOptions call{};
};

/// Options of Reference::download_prefix().
struct LAKEFS_API DownloadPrefixOptions {
  /// Concurrent downloads. 0 = the client's max_connections.
  std::size_t concurrency = 0;
  /// Called after each object finishes, on the client's engine thread (keep it short); none when empty.
  ProgressCallback on_progress{};
  /// Stop starting new downloads after the first failure (running ones finish).
  bool stop_on_error = false;
  /// As DownloadOptions::pre_sign.
  std::optional<bool> pre_sign{};
  /// Timeout and retry policy of every request of the batch (the listing
  /// included), and cancellation: once `call.stop` is requested no new download
  /// starts, the running ones are aborted and their temporary files removed,
  /// and the call throws CancelledError instead of returning a summary. Files
  /// completed before the stop stay in place.
  CallOptions call{};
};

}  // namespace lakefs
