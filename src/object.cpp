// SPDX-License-Identifier: Apache-2.0
#include "lakefs/object.hpp"

#include <istream>
#include <memory>
#include <mutex>
#include <system_error>

#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/branch.hpp"
#include "lakefs/repository.hpp"
#include "model/convert.hpp"
#include "transfer/object_transfer.hpp"
#include "transfer/presign.hpp"

namespace lakefs {

namespace {

using BodySource = std::function<std::size_t(char*, std::size_t)>;

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

std::string StoredObject::read_all(ReadOptions options) const {
  return detail::run_on_caller(detail::read_all(detail::Via::caller, *this, std::move(options)));
}

std::string StoredObject::read_range(std::uint64_t offset, std::uint64_t length, ReadOptions options) const {
  return detail::run_on_caller(detail::read_range(detail::Via::caller, *this, offset, length, std::move(options)));
}

ObjectReader StoredObject::reader(ReaderOptions options) const { return ObjectReader(*this, std::move(options)); }

void StoredObject::download(const std::filesystem::path& local_path, DownloadOptions options) const {
  detail::run_on_caller(detail::download(detail::Via::caller, *this, local_path, std::move(options)));
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
  detail::run_on_caller(detail::upload(detail::Via::caller, *this,
                                       detail::positional_body(detail::memory_read_at(data), data.size()),
                                       std::move(options)));
  return *this;
}

WriteableObject& WriteableObject::upload(std::span<const std::byte> data, UploadOptions options) {
  return upload(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()), std::move(options));
}

WriteableObject& WriteableObject::upload(std::istream& in, UploadOptions options) {
  detail::UploadBody body{.next = stream_source(in, {}), .length = remaining_length(in)};
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
  detail::run_on_caller(detail::upload(detail::Via::caller, *this, std::move(body), std::move(options)));
  return *this;
}

WriteableObject& WriteableObject::upload_file(const std::filesystem::path& local_path, UploadOptions options) {
  detail::run_on_caller(detail::upload_file(detail::Via::caller, *this, local_path, std::move(options)));
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
