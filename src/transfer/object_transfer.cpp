// SPDX-License-Identifier: Apache-2.0
#include "transfer/object_transfer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <random>
#include <system_error>
#include <utility>

#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "model/convert.hpp"
#include "object_tasks.hpp"
#include "transfer/object_get.hpp"
#include "transfer/object_io_support.hpp"
#include "transfer/parallel_download.hpp"
#include "transfer/prefault.hpp"
#include "transfer/presign.hpp"
#include "transfer/presigned_put.hpp"
#include "transfer/upload_route.hpp"
#include "util/http_syntax.hpp"

namespace lakefs::detail {

UploadBody positional_body(ReadAt read_at, std::uint64_t length) {
  auto position = std::make_shared<std::uint64_t>(0);
  UploadBody body;
  body.next = [read_at, position, length](char* buf, std::size_t size) -> std::size_t {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size, length - *position));
    if (want == 0) return 0;
    const std::size_t n = read_at(*position, buf, want);
    *position += n;
    return n;
  };
  body.restart = [position] { *position = 0; };
  body.read_at = std::move(read_at);
  body.length = length;
  return body;
}

ReadAt memory_read_at(std::string_view data) {
  return [data](std::uint64_t offset, char* buf, std::size_t size) -> std::size_t {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size, data.size() - offset));
    std::memcpy(buf, data.data() + offset, n);
    return n;
  };
}

async::Task<void> upload(Via via, WriteableObject object, UploadBody body, UploadOptions options) {
  const std::string& repo = object.repo_id();
  const std::string& branch = object.ref_id();
  const std::string& path = object.path();
  const Client& client = object.client();
  require_object_path(path);
  // Checked whichever way the object travels, so a bad value fails the same way before anything is sent.
  require_header_metadata(options.metadata);
  require_content_type(options.content_type);
  const auto length = body.length;
  const std::string what = "upload of '" + path + "'";
  const std::uint64_t part_size = plan_part_size(length.value_or(0), options.part_size, default_upload_part_size, what);
  if (options.exclusive && !options.if_match.empty()) {
    throw InvalidArgumentError(what + ": exclusive (If-None-Match) and if_match (If-Match) exclude each other");
  }
  if (!options.if_match.empty() && !is_header_value(options.if_match)) {
    throw InvalidArgumentError(what + ": if_match holds a control character (CR, LF, NUL, ...)");
  }
  // A condition lakeFS checks when it links one PUT but not when it completes a multipart upload.
  const bool conditional = options.exclusive || !options.if_match.empty();
  const UploadCase upload_case{.length = length,
                               .in_parts = static_cast<bool>(body.read_at),
                               .pre_sign = options.pre_sign,
                               .conditional = conditional,
                               .storage_class = !options.storage_class.empty(),
                               .multipart_threshold = options.multipart_threshold};
  StoreCapabilities store;
  if (route_needs_store(upload_case)) store = co_await store_capabilities(via, client, options.call);
  const UploadRoute route = upload_route(
      upload_case, [&] { return store; }, what);
  const UploadTarget target{client, {repo, branch, path}, options};
  if (route == UploadRoute::presigned_multipart) {
    const std::size_t concurrency = options.concurrency != 0 ? options.concurrency : default_upload_concurrency;
    (void)co_await upload_in_parts(via, target, *length, part_size, concurrency, body.read_at);
    co_return;
  }
  if (route == UploadRoute::presigned_put) {
    (void)co_await put_and_link(via, target, body.next, body.restart, *length);
    co_return;
  }
  const bool large = length && *length >= multipart_threshold(options.multipart_threshold);
  api::UploadObjectRequest request{
      .repository = repo,
      .branch = branch,
      .body_source = body.next,
      // Large objects go without a length (chunked): lakeFS then streams them to the store as a multipart upload
      // of its own, past the store's single-PUT limit, instead of one PUT of the announced size.
      .body_length = large ? std::nullopt : length,
      .path = path,
  };
  if (!options.content_type.empty()) request.content_type = options.content_type;
  if (options.exclusive) request.if_none_match = "*";
  if (!options.if_match.empty()) request.if_match = options.if_match;
  if (!options.storage_class.empty()) request.storage_class = options.storage_class;
  request.extra_headers = user_metadata_headers(options.metadata);
  request.call = options.call;
  const auto& objects = client.api().objects;
  (void)co_await object_task(
      call_via(
          via, [&] { return objects.upload_object(request); }, [&] { return objects.upload_object_async(request); }),
      repo, branch, path);
}

async::Task<void> upload_data(Via via, WriteableObject object, std::string data, UploadOptions options) {
  const auto length = static_cast<std::uint64_t>(data.size());
  co_await upload(via, std::move(object), positional_body(memory_read_at(data), length), std::move(options));
}

async::Task<void> upload_file(Via via, WriteableObject object, std::filesystem::path local_path,
                              UploadOptions options) {
  const int fd = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw LocalIOError("open", local_path, errno_code(errno));
  const struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat status {};
  if (::fstat(fd, &status) != 0) throw LocalIOError("read the size of", local_path, errno_code(errno));
  if (!S_ISREG(status.st_mode)) {
    throw LocalIOError(
        "read the size of", local_path,
        std::make_error_code(S_ISDIR(status.st_mode) ? std::errc::is_a_directory : std::errc::not_supported));
  }
  const auto size = static_cast<std::uint64_t>(status.st_size);
  // Every read is a pread at its offset: the parts of a multipart upload go up in parallel straight from the file,
  // none held in memory. A file that grows or shrinks while it is sent makes the length wrong: the upload then
  // stops at `size` bytes or fails; it never stages garbage.
  const ReadAt read_at = [fd, &local_path](std::uint64_t offset, char* buf, std::size_t n) -> std::size_t {
    for (;;) {
      const auto got = ::pread(fd, buf, n, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw LocalIOError("read", local_path, errno_code(errno), "upload aborted");
      if (got == 0 && n > 0) {
        // No system call failed: code() stays empty.
        throw LocalIOError("read", local_path, {}, "the file shrank while it was sent; upload aborted");
      }
      return static_cast<std::size_t>(got);
    }
  };
  co_await upload(via, std::move(object), positional_body(read_at, size), std::move(options));
}

namespace {

// A body collected in memory: `data` is sized once, when the length is known (at most `limit` bytes), and the
// pages of a large one are faulted in ahead of the bytes on another thread, so it is filled in place with no
// reallocation and no second buffer. More than `limit` bytes is a ProtocolError.
class MemoryBody {
 public:
  MemoryBody(std::string& data, std::uint64_t limit, const std::string& path)
      : data_(data), limit_(limit), path_(path) {}

  void reserve(std::optional<std::uint64_t> length) {
    if (!length || prefault_) return;
    length = std::min(*length, limit_);
    if (*length > data_.max_size()) {
      throw InvalidArgumentError("the object (" + std::to_string(*length) + " bytes) does not fit in memory");
    }
    data_.reserve(static_cast<std::size_t>(*length));
    prefault_.emplace(data_.data(), data_.capacity());
  }
  void append(std::string_view chunk) {
    if (chunk.size() > limit_ - data_.size()) {
      throw ProtocolError("object '" + path_ + "': the server sent more bytes than the range asked for");
    }
    data_.append(chunk);
  }
  void restart() { data_.clear(); }

 private:
  std::string& data_;
  std::uint64_t limit_;
  const std::string& path_;
  std::optional<Prefault> prefault_;  // last: joined before the string is handed back
};

// Turns a GET to lakeFS into one for a pre-signed URL (presigned_send() sets the URL and a name for logs).
void for_object_store(http::Request& request) {
  request.path.clear();
  request.query.clear();
  request.headers.clear();
}

// The pre-signed URL of `object` and what its stat says.
async::Task<ObjectInfo> presigned_stat(Via via, const StoredObject& object, const CallOptions& call) {
  const StatOptions stat{.pre_sign = true, .call = call};  // named: GCC 12 and braced temporaries in co_await
  co_return co_await call_via(
      via, [&] { return object.stat(stat); }, [&] { return stat_unadmitted(object, stat); });
}

// A fresh pre-signed URL of `object`; ObjectChangedError when it is no longer the version with `checksum`.
async::Task<std::string> fresh_presigned_url(Via via, const StoredObject& object, const std::string& checksum,
                                             const CallOptions& call) {
  ObjectInfo fresh = co_await presigned_stat(via, object, call);
  if (fresh.checksum != checksum) throw ObjectChangedError(object.repo_id(), object.ref_id(), object.path());
  co_return std::move(fresh.physical_address);
}

// A GET of `range` (empty: all) of `object`, at most `limit` bytes, into a string: straight from the object store
// when `pre_signed` (the URL comes from a stat with presign, renewed once if the store rejects it), else through
// lakeFS. A request that fails part-way is retried from its start.
// With `if_match` (unquoted; may be empty), a version other than that one is ObjectChangedError before any byte.
async::Task<std::string> read_into_memory(Via via, StoredObject object, bool pre_signed, std::string range,
                                          std::uint64_t limit, CallOptions call, std::string if_match) {
  std::string data;
  {
    MemoryBody body(data, limit, object.path());
    const ObjectName name{object.repo_id(), object.ref_id(), object.path()};
    const auto check = [&](std::string_view version) {
      if (!if_match.empty() && version != if_match) throw ObjectChangedError(name.repo, name.ref, name.path);
    };
    http::Request request = object_get_request(name, range);
    request.body_sink = [&body](std::string_view chunk) { body.append(chunk); };
    request.restart_body = [&body] { body.restart(); };
    request.call = call;
    if (pre_signed) {
      for_object_store(request);
      if (!range.empty()) request.headers.emplace_back("Range", range);
      const ObjectInfo info = co_await presigned_stat(via, object, call);
      check(info.checksum);
      SharedUrl url(info.physical_address,
                    [via, &object, &info, &call] { return fresh_presigned_url(via, object, info.checksum, call); });
      const auto size = static_cast<std::uint64_t>(std::max<std::int64_t>(info.size_bytes, 0));
      body.reserve(size);
      std::optional<InvalidRangeError> no_size;
      try {
        (void)co_await presigned_send(via, object.client(), url, name, std::move(request));
      } catch (const InvalidRangeError& e) {
        if (e.object_size()) throw;
        no_size.emplace(e);
      }
      // The store did not say the size; the stat that gave the URL did.
      if (no_size) throw InvalidRangeError(*no_size, size);
    } else {
      request.body_start = [&](const http::Response& head) {
        if (const auto etag = head.header("etag")) check(unquote_etag(*etag));
        body.reserve(content_length(head));
      };
      (void)co_await object_task(send_via(via, object.client(), std::move(request)), name.repo, name.ref, name.path);
    }
  }  // the body's page faulting is joined before the string is handed back
  co_return data;
}

// A file in `dir` that nothing else uses, opened for writing (mode 0666 & ~umask).
int create_temp_beside(const std::filesystem::path& target, std::filesystem::path& temp) {
  static std::atomic<unsigned> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}() ^ (counter++ * 0x9E3779B97F4A7C15ull)};
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name(1, '.');
    name.append(target.filename().string());
    name.append(".lakefs-");
    name.append(std::to_string(rng() % 1000000000ull));
    name.append(".tmp");
    temp = target;
    temp.replace_filename(name);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST) {
      throw LocalIOError("create a temporary file beside", target, errno_code(errno));
    }
  }
  throw LocalIOError("create a temporary file beside", target, std::make_error_code(std::errc::file_exists),
                     "100 names tried");
}

// The bytes of `object` into the open temporary file `fd` (`temp`): one GET through lakeFS or to the store, or
// ranges in parallel.
async::Task<void> fill(Via via, const StoredObject& object, const ObjectInfo& info, bool pre_signed, int fd,
                       const std::filesystem::path& temp, const DownloadOptions& options) {
  const ObjectName name{object.repo_id(), object.ref_id(), object.path()};
  std::uint64_t written = 0;
  http::Request request = object_get_request(name, "");
  request.body_sink = [fd, &temp, &written](std::string_view chunk) {
    write_at(fd, temp, chunk, written);
    written += chunk.size();
  };
  request.restart_body = [fd, &temp, &written] {
    if (::ftruncate(fd, 0) != 0) throw LocalIOError("rewind", temp, errno_code(errno));
    written = 0;
  };
  request.call = options.call;
  if (!pre_signed) {
    (void)co_await object_task(send_via(via, object.client(), std::move(request)), name.repo, name.ref, name.path);
    co_return;
  }
  for_object_store(request);
  const auto size = static_cast<std::uint64_t>(std::max<std::int64_t>(info.size_bytes, 0));
  const std::uint64_t threshold =
      options.parallel_threshold != 0 ? options.parallel_threshold : default_parallel_threshold;
  const std::uint64_t part_size = options.part_size != 0 ? options.part_size : default_download_part_size;
  const std::size_t concurrency = options.concurrency != 0 ? options.concurrency : default_download_concurrency;
  const bool parallel = size >= threshold && concurrency > 1 && size > part_size;
  // The ranges of a parallel download go out on the engine, and so does the stat that renews their URL.
  const Via renewal = parallel ? Via::engine : via;
  SharedUrl url(info.physical_address, [renewal, &object, &info, &options] {
    return fresh_presigned_url(renewal, object, info.checksum, options.call);
  });
  if (parallel) {
    const Client& client = object.client();
    co_await parallel_download(
        via, fd, temp, size, part_size, concurrency, name,
        [&client, &url, &name](http::Request range) {
          return presigned_send(Via::engine, client, url, name, std::move(range));
        },
        options.call);
  } else {
    (void)co_await presigned_send(via, object.client(), url, name, std::move(request));
  }
}

}  // namespace

async::Task<std::string> read_all(Via via, StoredObject object, ReadOptions options) {
  require_non_empty(object.path(), "object path");
  const bool pre_signed = co_await use_pre_sign(via, object.client(), options.pre_sign, "read_all", options.call);
  co_return co_await read_into_memory(via, std::move(object), pre_signed, "", std::numeric_limits<std::uint64_t>::max(),
                                      std::move(options.call), unquote_etag(options.if_match));
}

async::Task<std::string> read_range(Via via, StoredObject object, std::uint64_t offset, std::uint64_t length,
                                    ReadOptions options) {
  require_non_empty(object.path(), "object path");
  if (length == 0) co_return std::string();
  std::string range = range_header(offset, length, "read_range of '" + object.path() + "'");
  const bool pre_signed = co_await use_pre_sign(via, object.client(), options.pre_sign, "read_range", options.call);
  co_return co_await read_into_memory(via, std::move(object), pre_signed, std::move(range), length,
                                      std::move(options.call), unquote_etag(options.if_match));
}

async::Task<void> download(Via via, StoredObject object, std::filesystem::path local_path, DownloadOptions options) {
  const std::string& path = object.path();
  require_non_empty(path, "object path");
  if (local_path.empty() || !local_path.has_filename()) {
    throw InvalidArgumentError("download of '" + path + "': the local path must name a file");
  }
  const bool pre_signed = co_await use_pre_sign(via, object.client(), options.pre_sign, "download", options.call);
  ObjectInfo info;
  if (pre_signed) info = co_await presigned_stat(via, object, options.call);
  std::filesystem::path temp;
  const int fd = create_temp_beside(local_path, temp);
  std::exception_ptr error;
  try {
    co_await fill(via, object, info, pre_signed, fd, temp, options);
    if (::close(fd) != 0) throw LocalIOError("write", temp, errno_code(errno));
    std::error_code ec;
    std::filesystem::rename(temp, local_path, ec);
    if (ec) throw LocalIOError("move the download into", local_path, ec);
  } catch (...) {
    error = std::current_exception();
  }
  if (error) {
    ::close(fd);  // harmless EBADF when already closed
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    std::rethrow_exception(error);
  }
}

}  // namespace lakefs::detail
