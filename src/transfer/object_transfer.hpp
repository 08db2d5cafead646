// SPDX-License-Identifier: Apache-2.0
// The object transfers behind StoredObject and WriteableObject (read_all, read_range, download, upload,
// upload_file), written once as coroutines that run the Via way: the synchronous members run them on the calling
// thread (run_on_caller), the asynchronous ones return them as tasks on the engine. Each takes its handle and
// options by value, so a task owns what it uses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "async/via.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/object.hpp"
#include "transfer/multipart_upload.hpp"

namespace lakefs::detail {

/// What an upload reads. `next` reads on from where the last read stopped. When the input allows it, `restart`
/// makes `next` start over (so a failed PUT can be retried) and `read_at` reads at any offset from several threads
/// at once (so the parts of a multipart upload can go up in parallel).
struct UploadBody {
  std::function<std::size_t(char*, std::size_t)> next;
  std::function<void()> restart{};
  ReadAt read_at{};
  std::optional<std::uint64_t> length{};
};

/// A body of `length` bytes read through `read_at`: sequential reads keep their own position.
[[nodiscard]] UploadBody positional_body(ReadAt read_at, std::uint64_t length);

/// Reads of `data`, which must outlive them.
[[nodiscard]] ReadAt memory_read_at(std::string_view data);

/// One upload of `body`, through lakeFS or (pre-signed) straight to the object store, in one request or in parts.
/// What `body` reads must outlive the task.
[[nodiscard]] async::Task<void> upload(Via via, WriteableObject object, UploadBody body, UploadOptions options);
/// An upload of `data`, which the task owns.
[[nodiscard]] async::Task<void> upload_data(Via via, WriteableObject object, std::string data, UploadOptions options);
/// An upload of the local file `local_path` (opened by the task, read at offsets).
[[nodiscard]] async::Task<void> upload_file(Via via, WriteableObject object, std::filesystem::path local_path,
                                            UploadOptions options);

/// All of the object, or [offset, offset + length) of it (length > 0), in memory.
[[nodiscard]] async::Task<std::string> read_all(Via via, StoredObject object, ReadOptions options);
[[nodiscard]] async::Task<std::string> read_range(Via via, StoredObject object, std::uint64_t offset,
                                                  std::uint64_t length, ReadOptions options);

/// The object into the local file `local_path`, through a temporary file beside it (renamed at the end, removed on
/// failure).
[[nodiscard]] async::Task<void> download(Via via, StoredObject object, std::filesystem::path local_path,
                                         DownloadOptions options);

}  // namespace lakefs::detail
