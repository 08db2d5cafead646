#include "lakefs/object.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <limits>
#include <random>
#include <system_error>

#include "detail/convert.hpp"
#include "detail/presign.hpp"
#include "detail/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/branch.hpp"

namespace lakefs {

namespace {

using BodySource = std::function<std::size_t(char*, std::size_t)>;

// One upload, through lakeFS or (pre-signed) straight to the object store.
void upload_body(const WriteableObject& object, const BodySource& source, std::optional<std::uint64_t> length,
                 const UploadOptions& options) {
  const auto& repo = object.repo_id();
  const auto& branch = object.ref_id();
  const auto& path = object.path();
  const Client& client = object.client();
  detail::require_object_path(path);
  // Checked whichever way the object travels, so a bad value fails the same way before anything is sent.
  detail::require_header_metadata(options.metadata);
  detail::require_content_type(options.content_type);
  if (options.pre_sign.value_or(false) && !length) {
    throw NotSupportedError("upload of '" + path +
                            "': a pre-signed upload needs the length in advance, and this stream is not seekable; "
                            "leave pre_sign unset to stream it through lakeFS");
  }
  if (length && detail::use_pre_sign(client, options.pre_sign, "upload")) {
    detail::object_call(repo, branch, path, [&] {
      const auto location = client.api().staging.get_physical_address(
          {.repository = repo, .branch = branch, .path = path, .presign = true, .call = options.call});
      if (!location.presigned_url) {
        throw NotSupportedError("upload of '" + path + "': the server returned no pre-signed URL");
      }
      const auto response = detail::presigned_put(client, *location.presigned_url, source, *length, options.call);
      std::string etag = detail::unquote_etag(response.header("etag").value_or(""));
      api::LinkPhysicalAddressRequest link{
          .repository = repo,
          .branch = branch,
          .body = {.staging = location, .checksum = etag, .size_bytes = static_cast<std::int64_t>(*length)},
          .path = path,
      };
      if (!options.metadata.empty()) link.body.user_metadata = options.metadata;
      if (!options.content_type.empty()) link.body.content_type = options.content_type;
      if (options.exclusive) link.if_none_match = "*";
      link.call = options.call;
      (void)client.api().staging.link_physical_address(link);
    });
    return;
  }
  api::UploadObjectRequest request{
      .repository = repo,
      .branch = branch,
      .body_source = source,
      .body_length = length,
      .path = path,
  };
  if (!options.content_type.empty()) request.content_type = options.content_type;
  if (options.exclusive) request.if_none_match = "*";
  request.extra_headers = detail::user_metadata_headers(options.metadata);
  request.call = options.call;
  detail::object_call(repo, branch, path, [&] { return client.api().objects.upload_object(request); });
}

BodySource memory_source(std::string_view data) {
  return [data, offset = std::size_t{0}](char* buf, std::size_t size) mutable {
    const std::size_t n = std::min(size, data.size() - offset);
    std::memcpy(buf, data.data() + offset, n);
    offset += n;
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

// errno as an error_code; a failed iostream that left errno unset is std::io_errc::stream.
std::error_code errno_code(int err) {
  return err != 0 ? std::error_code(err, std::generic_category()) : std::make_error_code(std::io_errc::stream);
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

}  // namespace

StoredObject::StoredObject(std::string repo_id, std::string ref_id, std::string path, Client client)
    : repo_id_(std::move(repo_id)), ref_id_(std::move(ref_id)), path_(std::move(path)), client_(std::move(client)) {
  detail::require_repository_id(repo_id_);
  detail::require_ref(ref_id_);
  detail::require_object_path(path_);
}

ObjectInfo StoredObject::stat() const {
  detail::require_non_empty(path_, "object path");
  return detail::object_call(repo_id_, ref_id_, path_, [&] {
    return detail::to_object_info(client_.api().objects.stat_object(
        {.repository = repo_id_, .ref = ref_id_, .path = path_, .user_metadata = true}));
  });
}

bool StoredObject::exists() const {
  try {
    (void)stat();
    return true;
  } catch (const ObjectNotFoundError&) {
    return false;
  }
}

std::string StoredObject::read_all() const {
  detail::require_non_empty(path_, "object path");
  std::string data;
  detail::object_call(repo_id_, ref_id_, path_, [&] {
    return client_.api().objects.get_object({.repository = repo_id_, .ref = ref_id_, .path = path_},
                                            [&](std::string_view chunk) { data.append(chunk); });
  });
  return data;
}

std::string StoredObject::read_range(std::uint64_t offset, std::uint64_t length) const {
  detail::require_non_empty(path_, "object path");
  if (length == 0) return {};
  // Offsets are signed 64-bit on the server; a range reaching past that simply runs to the end of the object.
  constexpr auto max_offset = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (offset > max_offset) {
    throw InvalidArgumentError("read_range of '" + path_ + "': offset " + std::to_string(offset) +
                               " is beyond the largest possible object");
  }
  std::string range = "bytes=" + std::to_string(offset) + "-";
  if (length - 1 <= max_offset - offset) range += std::to_string(offset + length - 1);
  std::string data;
  detail::object_call(repo_id_, ref_id_, path_, [&] {
    return client_.api().objects.get_object(
        {.repository = repo_id_, .ref = ref_id_, .path = path_, .range = range}, [&](std::string_view chunk) {
          if (chunk.size() > length - data.size()) {
            throw ProtocolError("object '" + path_ + "': the server sent more bytes than the range asked for");
          }
          data.append(chunk);
        });
  });
  return data;
}

ObjectReader StoredObject::reader(ReaderOptions options) const { return ObjectReader(*this, options); }

void StoredObject::download(const std::filesystem::path& local_path, const DownloadOptions& options) const {
  detail::require_non_empty(path_, "object path");
  if (local_path.empty() || !local_path.has_filename()) {
    throw InvalidArgumentError("download of '" + path_ + "': the local path must name a file");
  }
  const bool pre_signed = detail::use_pre_sign(client_, options.pre_sign, "download");
  std::string url;
  if (pre_signed) {
    url = detail::object_call(repo_id_, ref_id_, path_, [&] {
      return client_.api()
          .objects.stat_object(
              {.repository = repo_id_, .ref = ref_id_, .path = path_, .presign = true, .call = options.call})
          .physical_address;
    });
  }
  std::filesystem::path temp;
  const int fd = create_temp_beside(local_path, temp);
  try {
    const auto sink = [&](std::string_view chunk) {
      while (!chunk.empty()) {
        const auto n = ::write(fd, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw LocalIOError("write", temp, errno_code(errno));
        chunk.remove_prefix(static_cast<std::size_t>(n));
      }
    };
    if (pre_signed) {
      (void)detail::presigned_get(client_, url, "", sink, options.call);
    } else {
      detail::object_call(repo_id_, ref_id_, path_, [&] {
        return client_.api().objects.get_object(
            {.repository = repo_id_, .ref = ref_id_, .path = path_, .call = options.call}, sink);
      });
    }
    if (::close(fd) != 0) throw LocalIOError("write", temp, errno_code(errno));
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

WriteableObject StoredObject::copy(const Branch& destination, std::string destination_path) const {
  if (destination.repo_id() != repo_id_) {
    throw InvalidArgumentError("copy of '" + path_ + "': lakeFS copies objects only within one repository ('" +
                               repo_id_ + "' → '" + destination.repo_id() + "')");
  }
  return copy(destination.id(), std::move(destination_path));
}

WriteableObject StoredObject::copy(const std::string& destination_branch, std::string destination_path) const {
  detail::require_non_empty(path_, "object path");
  detail::require_branch_id(destination_branch, "destination branch");
  detail::require_object_path(destination_path, "destination path");
  detail::object_call(repo_id_, ref_id_, path_, [&] {
    return client_.api().objects.copy_object({.repository = repo_id_,
                                              .branch = destination_branch,
                                              .body = {.src_path = path_, .src_ref = ref_id_},
                                              .dest_path = destination_path});
  });
  return WriteableObject(repo_id_, destination_branch, std::move(destination_path), client_);
}

WriteableObject::WriteableObject(std::string repo_id, std::string branch_id, std::string path, Client client)
    : StoredObject(std::move(repo_id), std::move(branch_id), std::move(path), std::move(client)) {
  detail::require_branch_id(ref_id_);
}

WriteableObject& WriteableObject::upload(std::string_view data, const UploadOptions& options) {
  upload_body(*this, memory_source(data), data.size(), options);
  return *this;
}

WriteableObject& WriteableObject::upload(std::span<const std::byte> data, const UploadOptions& options) {
  return upload(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()), options);
}

WriteableObject& WriteableObject::upload(std::istream& in, const UploadOptions& options) {
  const auto length = remaining_length(in);
  upload_body(*this, stream_source(in, {}), length, options);
  return *this;
}

WriteableObject& WriteableObject::upload_file(const std::filesystem::path& local_path, const UploadOptions& options) {
  std::ifstream in(local_path, std::ios::binary);
  if (!in) throw LocalIOError("open", local_path, errno_code(errno));
  std::error_code ec;
  const auto size = std::filesystem::file_size(local_path, ec);
  if (ec) throw LocalIOError("read the size of", local_path, ec);
  // A file that grows or shrinks while it is sent makes the length wrong: the
  // upload then fails (short body) or stops at `size` bytes; it never stages garbage.
  auto source = stream_source(in, local_path);
  upload_body(
      *this,
      [&, left = size](char* buf, std::size_t n) mutable -> std::size_t {
        const std::size_t got = source(buf, static_cast<std::size_t>(std::min<std::uint64_t>(n, left)));
        if (got == 0 && left > 0) {
          // No system call failed: code() stays empty.
          throw LocalIOError("read", local_path, {}, "the file shrank while it was sent; upload aborted");
        }
        left -= got;
        return got;
      },
      size, options);
  return *this;
}

ObjectWriter WriteableObject::writer(WriterOptions options) const { return ObjectWriter(*this, std::move(options)); }

void WriteableObject::remove() {
  detail::require_non_empty(path_, "object path");
  detail::object_call(repo_id_, ref_id_, path_, [&] {
    client_.api().objects.delete_object({.repository = repo_id_, .branch = ref_id_, .path = path_});
  });
}

Branch WriteableObject::branch() const { return Branch(repo_id_, ref_id_, client_); }

Commit WriteableObject::commit(const std::string& message) { return branch().commit(message); }

}  // namespace lakefs
