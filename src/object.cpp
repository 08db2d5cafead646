// SPDX-License-Identifier: Apache-2.0
#include "lakefs/object.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <istream>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <system_error>

#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/branch.hpp"
#include "lakefs/repository.hpp"
#include "model/convert.hpp"
#include "transfer/multipart_upload.hpp"
#include "transfer/object_get.hpp"
#include "transfer/object_io_support.hpp"
#include "transfer/parallel_download.hpp"
#include "transfer/prefault.hpp"
#include "transfer/presign.hpp"
#include "transfer/presigned_put.hpp"
#include "transfer/upload_route.hpp"
#include "util/http_syntax.hpp"

namespace lakefs {

namespace {

using BodySource = std::function<std::size_t(char*, std::size_t)>;

// What an upload reads. `next` reads on from where the last read stopped. When the input allows it, `restart` makes
// `next` start over (so a failed PUT can be retried) and `read_at` reads at any offset from several threads at once
// (so the parts of a multipart upload can go up in parallel).
struct Body {
  BodySource next;
  std::function<void()> restart{};
  detail::ReadAt read_at{};
  std::optional<std::uint64_t> length{};
};

// A body of `length` bytes read through `read_at`: sequential reads keep their own position.
Body positional_body(detail::ReadAt read_at, std::uint64_t length) {
  auto position = std::make_shared<std::uint64_t>(0);
  Body body;
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

// One upload, through lakeFS or (pre-signed) straight to the object store, in one request or in parts.
void upload_body(const WriteableObject& object, const Body& body, const UploadOptions& options) {
  const auto& repo = object.repo_id();
  const auto& branch = object.ref_id();
  const auto& path = object.path();
  const Client& client = object.client();
  detail::require_object_path(path);
  // Checked whichever way the object travels, so a bad value fails the same way before anything is sent.
  detail::require_header_metadata(options.metadata);
  detail::require_content_type(options.content_type);
  const auto length = body.length;
  const std::uint64_t part_size = detail::plan_part_size(length.value_or(0), options.part_size,
                                                         detail::default_upload_part_size, "upload of '" + path + "'");
  if (options.exclusive && !options.if_match.empty()) {
    throw InvalidArgumentError("upload of '" + path +
                               "': exclusive (If-None-Match) and if_match (If-Match) exclude each other");
  }
  if (!options.if_match.empty() && !detail::is_header_value(options.if_match)) {
    throw InvalidArgumentError("upload of '" + path + "': if_match holds a control character (CR, LF, NUL, ...)");
  }
  // A condition lakeFS checks when it links one PUT but not when it completes a multipart upload.
  const bool conditional = options.exclusive || !options.if_match.empty();
  const detail::UploadRoute route = detail::upload_route(
      {.length = length,
       .in_parts = static_cast<bool>(body.read_at),
       .pre_sign = options.pre_sign,
       .conditional = conditional,
       .storage_class = !options.storage_class.empty(),
       .multipart_threshold = options.multipart_threshold},
      [&] { return detail::store_capabilities(client, options.call); }, "upload of '" + path + "'");
  if (route == detail::UploadRoute::presigned_multipart) {
    const detail::UploadTarget target{client, {repo, branch, path}, options};
    const std::size_t concurrency = options.concurrency != 0 ? options.concurrency : detail::default_upload_concurrency;
    (void)detail::upload_in_parts(target, *length, part_size, concurrency, body.read_at);
    return;
  }
  if (route == detail::UploadRoute::presigned_put) {
    const detail::UploadTarget target{client, {repo, branch, path}, options};
    (void)detail::put_and_link(target, body.next, body.restart, *length);
    return;
  }
  const bool large = length && *length >= detail::multipart_threshold(options.multipart_threshold);
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
  request.extra_headers = detail::user_metadata_headers(options.metadata);
  request.call = options.call;
  detail::object_call(repo, branch, path, [&] { return client.api().objects.upload_object(request); });
}

detail::ReadAt memory_read_at(std::string_view data) {
  return [data](std::uint64_t offset, char* buf, std::size_t size) -> std::size_t {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size, data.size() - offset));
    std::memcpy(buf, data.data() + offset, n);
    return n;
  };
}

// `file` names the stream's file in errors; empty for a caller's stream.
BodySource stream_source(std::istream& in, const std::filesystem::path& file) {
  return [&in, file](char* buf, std::size_t size) -> std::size_t {
    if (in.eof()) return 0;
    in.read(buf, static_cast<std::streamsize>(size));
    if (in.bad() || (in.fail() && !in.eof())) {
      // Throwing aborts the upload before its end: lakeFS stages nothing.
      throw LocalIOError(file.empty() ? "read the input stream" : "read", file,
                         std::make_error_code(std::io_errc::stream), "upload aborted");
    }
    return static_cast<std::size_t>(in.gcount());
  };
}

// Reads of a seekable stream at offsets from `start`, one at a time (a stream has one position): the parts of a
// multipart upload still go up in parallel, while each read is a seek and a copy.
detail::ReadAt stream_read_at(std::istream& in, std::istream::pos_type start, std::mutex& mutex) {
  return [&in, start, &mutex](std::uint64_t offset, char* buf, std::size_t size) -> std::size_t {
    std::lock_guard lock(mutex);
    in.clear();
    in.seekg(start + static_cast<std::streamoff>(offset));
    in.read(buf, static_cast<std::streamsize>(size));
    if (in.bad() || (in.fail() && !in.eof()) || in.gcount() == 0) {
      throw LocalIOError("read the input stream", {}, std::make_error_code(std::io_errc::stream), "upload aborted");
    }
    return static_cast<std::size_t>(in.gcount());
  };
}

// Bytes left in a seekable stream, or nullopt.
std::optional<std::uint64_t> remaining_length(std::istream& in) {
  if (!in.good()) return std::nullopt;
  const auto here = in.tellg();
  if (here == std::istream::pos_type(-1)) {
    in.clear(in.rdstate() & ~std::ios_base::failbit);
    return std::nullopt;
  }
  in.seekg(0, std::ios_base::end);
  const auto end = in.tellg();
  in.seekg(here);
  if (!in.good() || end == std::istream::pos_type(-1) || end < here) {
    in.clear();
    in.seekg(here);
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(end - here);
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
      throw LocalIOError("create a temporary file beside", target, detail::errno_code(errno));
    }
  }
  throw LocalIOError("create a temporary file beside", target, std::make_error_code(std::errc::file_exists),
                     "100 names tried");
}

}  // namespace

StoredObject::StoredObject(std::string repo_id, std::string ref_id, std::string path, Client client)
    : repo_id_(std::move(repo_id)), ref_id_(std::move(ref_id)), path_(std::move(path)), client_(std::move(client)) {
  detail::require_repository_id(repo_id_);
  detail::require_ref(ref_id_);
  detail::require_object_path(path_);
}

ObjectInfo StoredObject::stat(StatOptions options) const {
  detail::require_non_empty(path_, "object path");
  if (options.pre_sign) (void)detail::use_pre_sign(client_, true, "stat (pre_sign = true)", options.call);
  return detail::object_call(repo_id_, ref_id_, path_, [&] {
    return detail::to_object_info(client_.api().objects.stat_object({.repository = repo_id_,
                                                                     .ref = ref_id_,
                                                                     .path = path_,
                                                                     .user_metadata = true,
                                                                     .presign = options.pre_sign,
                                                                     .call = options.call}));
  });
}

PresignedUrl StoredObject::presigned_url(CallOptions call) const {
  auto info = stat({.pre_sign = true, .call = std::move(call)});
  return PresignedUrl{std::move(info.physical_address), info.physical_address_expiry};
}

bool StoredObject::exists(CallOptions call) const {
  try {
    (void)stat({.call = std::move(call)});
    return true;
  } catch (const ObjectNotFoundError&) {
    return false;
  }
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
  std::optional<detail::Prefault> prefault_;  // last: joined before the string is handed back
};

// A GET of `range` (empty: all) of `object`, at most `limit` bytes, into a string: straight from the object store
// when `pre_signed` (the URL comes from a stat with presign, renewed once if the store rejects it), else through
// lakeFS. A request that fails part-way is retried from its start.
// With `if_match` (unquoted; may be empty), a version other than that one is ObjectChangedError before any byte.
std::string read_into_memory(const StoredObject& object, bool pre_signed, const std::string& range, std::uint64_t limit,
                             const CallOptions& call, const std::string& if_match) {
  std::string data;
  MemoryBody body(data, limit, object.path());
  const detail::ObjectName name{object.repo_id(), object.ref_id(), object.path()};
  const auto append = [&](std::string_view chunk) { body.append(chunk); };
  const auto restart = [&] { body.restart(); };
  const auto check = [&](std::string_view version) {
    if (!if_match.empty() && version != if_match) throw ObjectChangedError(name.repo, name.ref, name.path);
  };
  if (pre_signed) {
    const auto info = object.stat({.pre_sign = true, .call = call});
    check(info.checksum);
    detail::RenewableUrl url(info.physical_address, [&] {
      auto fresh = object.stat({.pre_sign = true, .call = call});
      if (fresh.checksum != info.checksum) throw ObjectChangedError(name.repo, name.ref, name.path);
      return std::move(fresh.physical_address);
    });
    const auto size = static_cast<std::uint64_t>(std::max<std::int64_t>(info.size_bytes, 0));
    body.reserve(size);
    try {
      (void)detail::presigned_get(object.client(), url, name, range, append, restart, call);
    } catch (const InvalidRangeError& e) {
      if (e.object_size()) throw;
      throw InvalidRangeError(e, size);  // the store did not say the size; the stat that gave the URL did
    }
  } else {
    (void)detail::get_object_streamed(
        object.client(), name, range,
        [&](const http::Response& head) {
          if (const auto etag = head.header("etag")) check(detail::unquote_etag(*etag));
          body.reserve(detail::content_length(head));
        },
        append, restart, call);
  }
  return data;
}

// A fresh pre-signed URL of `object` (a stat on the engine); ObjectChangedError when it is no longer the version
// with `checksum`.
async::Task<std::string> fresh_presigned_url(StoredObject object, std::string checksum, CallOptions call) {
  StatOptions stat{.pre_sign = true, .call = std::move(call)};  // named: GCC 12 and braced temporaries in co_await
  ObjectInfo fresh = co_await object.stat_async(std::move(stat));
  if (fresh.checksum != checksum) throw ObjectChangedError(object.repo_id(), object.ref_id(), object.path());
  co_return std::move(fresh.physical_address);
}

}  // namespace

std::string StoredObject::read_all(ReadOptions options) const {
  detail::require_non_empty(path_, "object path");
  const bool pre_signed = detail::use_pre_sign(client_, options.pre_sign, "read_all", options.call);
  return read_into_memory(*this, pre_signed, "", std::numeric_limits<std::uint64_t>::max(), options.call,
                          detail::unquote_etag(options.if_match));
}

std::string StoredObject::read_range(std::uint64_t offset, std::uint64_t length, ReadOptions options) const {
  detail::require_non_empty(path_, "object path");
  if (length == 0) return {};
  const std::string range = detail::range_header(offset, length, "read_range of '" + path_ + "'");
  const bool pre_signed = detail::use_pre_sign(client_, options.pre_sign, "read_range", options.call);
  return read_into_memory(*this, pre_signed, range, length, options.call, detail::unquote_etag(options.if_match));
}

ObjectReader StoredObject::reader(ReaderOptions options) const { return ObjectReader(*this, std::move(options)); }

void StoredObject::download(const std::filesystem::path& local_path, DownloadOptions options) const {
  detail::require_non_empty(path_, "object path");
  if (local_path.empty() || !local_path.has_filename()) {
    throw InvalidArgumentError("download of '" + path_ + "': the local path must name a file");
  }
  const bool pre_signed = detail::use_pre_sign(client_, options.pre_sign, "download", options.call);
  std::string url;
  ObjectInfo info;
  if (pre_signed) {
    info = stat({.pre_sign = true, .call = options.call});
    url = info.physical_address;
  }
  std::filesystem::path temp;
  const int fd = create_temp_beside(local_path, temp);
  try {
    std::uint64_t written = 0;
    const auto sink = [&](std::string_view chunk) {
      detail::write_at(fd, temp, chunk, written);
      written += chunk.size();
    };
    if (pre_signed) {
      const std::string checksum = info.checksum;
      const auto size = static_cast<std::uint64_t>(std::max<std::int64_t>(info.size_bytes, 0));
      const std::uint64_t threshold =
          options.parallel_threshold != 0 ? options.parallel_threshold : detail::default_parallel_threshold;
      const std::uint64_t part_size = options.part_size != 0 ? options.part_size : detail::default_download_part_size;
      const std::size_t concurrency =
          options.concurrency != 0 ? options.concurrency : detail::default_download_concurrency;
      const detail::ObjectName name{repo_id_, ref_id_, path_};
      if (size >= threshold && concurrency > 1 && size > part_size) {
        // The ranges go out on the engine: a rejected URL is renewed there, by a stat that also checks the version.
        detail::SharedUrl shared(url, [&] { return fresh_presigned_url(*this, checksum, options.call); });
        detail::parallel_download(
            fd, temp, size, part_size, concurrency, name,
            [&](http::Request request) {
              return detail::presigned_send_async(client_, shared, name, std::move(request));
            },
            options.call);
      } else {
        detail::RenewableUrl renewable(url, [&] {
          auto fresh = stat({.pre_sign = true, .call = options.call});
          if (fresh.checksum != checksum) throw ObjectChangedError(repo_id_, ref_id_, path_);
          return std::move(fresh.physical_address);
        });
        const auto restart = [&] {
          if (::ftruncate(fd, 0) != 0) throw LocalIOError("rewind", temp, detail::errno_code(errno));
          written = 0;
        };
        (void)detail::presigned_get(client_, renewable, name, "", sink, restart, options.call);
      }
    } else {
      detail::object_call(repo_id_, ref_id_, path_, [&] {
        return client_.api().objects.get_object(
            {.repository = repo_id_, .ref = ref_id_, .path = path_, .call = options.call}, sink);
      });
    }
    if (::close(fd) != 0) throw LocalIOError("write", temp, detail::errno_code(errno));
    std::error_code ec;
    std::filesystem::rename(temp, local_path, ec);
    if (ec) throw LocalIOError("move the download into", local_path, ec);
  } catch (...) {
    ::close(fd);  // harmless EBADF when already closed
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw;
  }
}

WriteableObject StoredObject::copy(const Branch& destination, std::string destination_path, CopyOptions options) const {
  if (destination.repo_id() != repo_id_) {
    throw InvalidArgumentError("copy of '" + path_ + "': lakeFS copies objects only within one repository ('" +
                               repo_id_ + "' → '" + destination.repo_id() + "')");
  }
  return copy(destination.id(), std::move(destination_path), std::move(options));
}

WriteableObject StoredObject::copy(const std::string& destination_branch, std::string destination_path,
                                   CopyOptions options) const {
  detail::require_non_empty(path_, "object path");
  detail::require_branch_id(destination_branch, "destination branch");
  detail::require_object_path(destination_path, "destination path");
  api::ObjectCopyCreation body{.src_path = path_, .src_ref = ref_id_};
  if (options.shallow) body.shallow = true;
  if (options.force) body.force = true;
  detail::object_call(repo_id_, ref_id_, path_, [&] {
    return client_.api().objects.copy_object({.repository = repo_id_,
                                              .branch = destination_branch,
                                              .body = body,
                                              .dest_path = destination_path,
                                              .call = options.call});
  });
  return WriteableObject(repo_id_, destination_branch, std::move(destination_path), client_);
}

WriteableObject::WriteableObject(std::string repo_id, std::string branch_id, std::string path, Client client)
    : StoredObject(std::move(repo_id), std::move(branch_id), std::move(path), std::move(client)) {
  detail::require_branch_id(ref_id_);
}

WriteableObject& WriteableObject::upload(std::string_view data, UploadOptions options) {
  upload_body(*this, positional_body(memory_read_at(data), data.size()), options);
  return *this;
}

WriteableObject& WriteableObject::upload(std::span<const std::byte> data, UploadOptions options) {
  return upload(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()), std::move(options));
}

WriteableObject& WriteableObject::upload(std::istream& in, UploadOptions options) {
  Body body{.next = stream_source(in, {}), .length = remaining_length(in)};
  std::mutex mutex;  // one position: reads at offsets take turns
  if (body.length) {
    const auto start = in.tellg();
    body.restart = [&in, start] {
      in.clear();
      in.seekg(start);
      if (!in) throw LocalIOError("rewind the input stream", {}, std::make_error_code(std::io_errc::stream));
    };
    body.read_at = stream_read_at(in, start, mutex);
  }
  upload_body(*this, body, options);
  return *this;
}

WriteableObject& WriteableObject::upload_file(const std::filesystem::path& local_path, UploadOptions options) {
  const int fd = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw LocalIOError("open", local_path, detail::errno_code(errno));
  const struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat status {};
  if (::fstat(fd, &status) != 0) throw LocalIOError("read the size of", local_path, detail::errno_code(errno));
  if (!S_ISREG(status.st_mode)) {
    throw LocalIOError(
        "read the size of", local_path,
        std::make_error_code(S_ISDIR(status.st_mode) ? std::errc::is_a_directory : std::errc::not_supported));
  }
  const auto size = static_cast<std::uint64_t>(status.st_size);
  // Every read is a pread at its offset: the parts of a multipart upload go up in parallel straight from the file,
  // none held in memory. A file that grows or shrinks while it is sent makes the length wrong: the upload then
  // stops at `size` bytes or fails; it never stages garbage.
  const detail::ReadAt read_at = [fd, &local_path](std::uint64_t offset, char* buf, std::size_t n) -> std::size_t {
    for (;;) {
      const auto got = ::pread(fd, buf, n, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw LocalIOError("read", local_path, detail::errno_code(errno), "upload aborted");
      if (got == 0 && n > 0) {
        // No system call failed: code() stays empty.
        throw LocalIOError("read", local_path, {}, "the file shrank while it was sent; upload aborted");
      }
      return static_cast<std::size_t>(got);
    }
  };
  upload_body(*this, positional_body(read_at, size), options);
  return *this;
}

ObjectWriter WriteableObject::writer(WriterOptions options) const { return ObjectWriter(*this, std::move(options)); }

void WriteableObject::update_metadata(const Metadata& metadata, CallOptions call) {
  detail::require_non_empty(path_, "object path");
  detail::require_header_metadata(metadata);  // the same keys and values an upload could send
  api::UpdateObjectUserMetadataRequest request{
      .repository = repo_id_, .branch = ref_id_, .path = path_, .call = std::move(call)};
  request.body.set = metadata;
  detail::object_call(repo_id_, ref_id_, path_, [&] { client_.api().objects.update_object_user_metadata(request); });
}

ObjectInfo WriteableObject::stage(StageOptions options) {
  detail::require_non_empty(path_, "object path");
  detail::require_non_empty(options.physical_address, "physical address");
  detail::require_non_empty(options.checksum, "checksum");
  if (options.size_bytes < 0) throw InvalidArgumentError("stage: size_bytes must be given (0 or more)");
  detail::require_header_metadata(options.metadata);
  detail::require_content_type(options.content_type);
  // Data under the storage namespace is lakeFS's own (garbage collection may delete it): as lakectl, refuse it.
  const auto storage_namespace = Repository(repo_id_, client_).properties(options.call).storage_namespace;
  auto under = storage_namespace;
  if (!under.ends_with('/')) under += '/';
  if (options.physical_address == storage_namespace || options.physical_address.starts_with(under)) {
    throw InvalidArgumentError("stage: '" + detail::printable(options.physical_address) +
                               "' is inside the repository's storage namespace, whose data lakeFS manages; stage "
                               "data from elsewhere in the store");
  }
  api::StageObjectRequest request{.repository = repo_id_, .branch = ref_id_, .path = path_, .call = options.call};
  request.body.physical_address = options.physical_address;
  request.body.checksum = options.checksum;
  request.body.size_bytes = options.size_bytes;
  if (options.mtime) request.body.mtime = options.mtime->time_since_epoch().count();
  if (!options.metadata.empty()) request.body.metadata = options.metadata;
  if (!options.content_type.empty()) request.body.content_type = options.content_type;
  return detail::object_call(repo_id_, ref_id_, path_,
                             [&] { return detail::to_object_info(client_.api().internal.stage_object(request)); });
}

void WriteableObject::remove(CallOptions call) {
  detail::require_non_empty(path_, "object path");
  detail::object_call(repo_id_, ref_id_, path_, [&] {
    client_.api().objects.delete_object(
        {.repository = repo_id_, .branch = ref_id_, .path = path_, .call = std::move(call)});
  });
}

Branch WriteableObject::branch() const { return Branch(repo_id_, ref_id_, client_); }

Commit WriteableObject::commit(const std::string& message) { return branch().commit(message); }

Commit WriteableObject::commit(const std::string& message, CommitOptions options) {
  return branch().commit(message, std::move(options));
}

}  // namespace lakefs
