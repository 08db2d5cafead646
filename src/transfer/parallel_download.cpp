// SPDX-License-Identifier: Apache-2.0
#include "transfer/parallel_download.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <mutex>
#include <system_error>

#include "async/batch.hpp"
#include "lakefs/errors.hpp"
#include "transfer/object_io_support.hpp"

namespace lakefs::detail {
namespace {

// What the ranges of one download share.
struct Download {
  Download(int fd, const std::filesystem::path& file, const ObjectName& object, const RangeSend& send,
           const CallOptions& call)
      : fd(fd), file(file), object(object), send(send), call(call) {}
  int fd;
  const std::filesystem::path& file;
  const ObjectName& object;
  const RangeSend& send;
  const CallOptions& call;
  std::mutex mutex;  // guards the fields below
  std::uint64_t parts_done = 0;
  std::string etag{};
  bool etag_known = false;
};

// One ranged GET of [offset, offset + length), written at its offset.
async::Task<void> download_range(Download& download, std::uint64_t offset, std::uint64_t length) {
  std::uint64_t received = 0;
  http::Request request;
  request.method = "GET";
  request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
  request.body_sink = [&download, &received, offset, length](std::string_view chunk) {
    if (chunk.size() > length - received) {
      throw ProtocolError("object '" + download.object.path + "': the store sent more bytes than the range asked for");
    }
    write_at(download.fd, download.file, chunk, offset + received);
    received += chunk.size();
  };
  request.restart_body = [&received] { received = 0; };
  request.call = download.call;
  const http::Response response = co_await download.send(std::move(request));
  if (received != length) {
    throw ProtocolError("object '" + download.object.path + "': " + std::to_string(received) + " bytes for a " +
                        std::to_string(length) + "-byte range");
  }
  const std::string_view got = response.header("etag").value_or("");
  std::lock_guard lock(download.mutex);
  if (!download.etag_known) {
    download.etag = got;
    download.etag_known = true;
  } else if (got != download.etag) {
    throw ObjectChangedError(download.object.repo, download.object.ref, download.object.path);
  }
  ++download.parts_done;
}

}  // namespace

async::Task<void> parallel_download(Via via, int fd, std::filesystem::path file, std::uint64_t size,
                                    std::uint64_t part_size, std::size_t concurrency, ObjectName object, RangeSend send,
                                    CallOptions call) {
  // The whole file at once: the parts then land in allocated blocks, and a full disk fails before any transfer.
  if (const int err = ::posix_fallocate(fd, 0, static_cast<off_t>(size)); err != 0) {
    if (err != EOPNOTSUPP && err != EINVAL) throw LocalIOError("allocate", file, errno_code(err));
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) throw LocalIOError("allocate", file, errno_code(errno));
  }
  const std::uint64_t parts = (size + part_size - 1) / part_size;
  Download download(fd, file, object, send, call);
  std::exception_ptr failure;
  try {
    co_await batch(via, "download", static_cast<std::size_t>(parts), concurrency, call.stop,
                   [&download, part_size, size](std::size_t index) {
                     const std::uint64_t offset = index * part_size;
                     return download_range(download, offset, std::min(part_size, size - offset));
                   });
  } catch (...) {
    failure = std::current_exception();
  }
  // A stop (the caller's, or the task's) is reported as such, whichever part noticed it first, or when none was
  // running: never a file with a range missing.
  if (failure && !call.stop.stop_requested()) std::rethrow_exception(failure);
  if (failure || download.parts_done < parts) {
    throw CancelledError("download of '" + object.path + "': cancelled; the temporary file was removed");
  }
}

}  // namespace lakefs::detail
