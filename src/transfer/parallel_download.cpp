// SPDX-License-Identifier: Apache-2.0
#include "transfer/parallel_download.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <exception>
#include <mutex>
#include <optional>
#include <stop_token>
#include <system_error>
#include <thread>
#include <vector>

#include "lakefs/errors.hpp"
#include "transfer/object_io_support.hpp"

namespace lakefs::detail {
namespace {

// Stops the download's own source when the caller's token is stopped.
struct Forward {
  std::stop_source* target;
  void operator()() const noexcept { target->request_stop(); }
};

}  // namespace

void parallel_download(int fd, const std::filesystem::path& file, std::uint64_t size, std::uint64_t part_size,
                       std::size_t concurrency, const ObjectName& object, const RangeFetch& fetch,
                       const CallOptions& call) {
  // The whole file at once: the parts then land in allocated blocks, and a full disk fails before any transfer.
  if (const int err = ::posix_fallocate(fd, 0, static_cast<off_t>(size)); err != 0) {
    if (err != EOPNOTSUPP && err != EINVAL) throw LocalIOError("allocate", file, errno_code(err));
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) throw LocalIOError("allocate", file, errno_code(errno));
  }
  const std::uint64_t parts = (size + part_size - 1) / part_size;
  std::stop_source stop;  // the caller's stop, or the first failure
  std::optional<std::stop_callback<Forward>> forward;
  if (call.stop.stop_possible()) forward.emplace(call.stop, Forward{&stop});
  CallOptions part_call = call;
  part_call.stop = stop.get_token();

  std::atomic<std::uint64_t> next{0};
  std::mutex mutex;  // guards the fields below
  std::exception_ptr failure;
  std::string etag;
  bool etag_known = false;

  const auto work = [&] {
    for (;;) {
      if (stop.stop_requested()) return;
      const std::uint64_t index = next.fetch_add(1);
      if (index >= parts) return;
      const std::uint64_t offset = index * part_size;
      const std::uint64_t length = std::min(part_size, size - offset);
      try {
        std::uint64_t received = 0;
        const auto sink = [&](std::string_view chunk) {
          if (chunk.size() > length - received) {
            throw ProtocolError("object '" + object.path + "': the store sent more bytes than the range asked for");
          }
          write_at(fd, file, chunk, offset + received);
          received += chunk.size();
        };
        const std::string got = fetch(offset, length, sink, [&] { received = 0; }, part_call);
        if (received != length) {
          throw ProtocolError("object '" + object.path + "': " + std::to_string(received) + " bytes for a " +
                              std::to_string(length) + "-byte range");
        }
        std::lock_guard lock(mutex);
        if (!etag_known) {
          etag = got;
          etag_known = true;
        } else if (got != etag) {
          throw ObjectChangedError(object.repo, object.ref, object.path);
        }
      } catch (...) {
        std::lock_guard lock(mutex);
        // The first failure wins; the cancellations it causes in the other threads are not the story.
        if (!failure) failure = std::current_exception();
        stop.request_stop();
        return;
      }
    }
  };

  const std::size_t threads_wanted = static_cast<std::size_t>(std::min<std::uint64_t>(concurrency, parts));
  std::vector<std::thread> threads;
  threads.reserve(threads_wanted);
  try {
    for (std::size_t i = 1; i < threads_wanted; ++i) threads.emplace_back(work);
  } catch (...) {
    stop.request_stop();
    for (auto& t : threads) t.join();
    throw;
  }
  work();  // the calling thread takes parts too
  for (auto& t : threads) t.join();
  if (failure) {
    // A stop the caller asked for is reported as such, whichever part noticed it first.
    if (call.stop.stop_requested()) {
      throw CancelledError("download of '" + object.path + "': cancelled; the temporary file was removed");
    }
    std::rethrow_exception(failure);
  }
}

}  // namespace lakefs::detail
