// SPDX-License-Identifier: Apache-2.0
// StoredObject (read-only, from any reference) and WriteableObject (from a
// branch). Constructing one sends nothing.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "lakefs/client.hpp"
#include "lakefs/export.hpp"
#include "lakefs/models.hpp"
#include "lakefs/object_io.hpp"

namespace lakefs {

class Branch;
struct CommitOptions;
class ObjectRangeReader;

/// Options of StoredObject::download().
struct LAKEFS_API DownloadOptions {
  /// Read straight from the object store through a pre-signed URL. Unset = when
  /// the server supports them; true on a server that does not = NotSupportedError.
  std::optional<bool> pre_sign{};
  /// Objects at least this large are fetched as ranged GETs in parallel, each
  /// written at its offset of the (pre-allocated) temporary file; smaller ones
  /// stream in one GET. 0 = 64 MiB.
  std::uint64_t parallel_threshold = 0;
  /// Bytes per ranged GET of a parallel download. 0 = 16 MiB.
  std::size_t part_size = 0;
  /// Ranged GETs in flight at once in a parallel download. 0 = 4.
  std::size_t concurrency = 0;
  /// Timeout, retry policy and cancellation of the download's requests. A stop
  /// request aborts the transfer and throws CancelledError; the temporary file
  /// is removed (and an existing file at the target left untouched).
  CallOptions call{};
};

/// How read_all(), read_range() and range_reader() fetch the bytes.
struct LAKEFS_API ReadOptions {
  /// As DownloadOptions::pre_sign: unset = straight from the object store when
  /// the server supports pre-signed URLs (one stat to get the URL, then the
  /// store), else through lakeFS.
  std::optional<bool> pre_sign{};
  /// Read only this version of the object: its ETag (ObjectInfo::checksum;
  /// surrounding quotes are ignored). When the object at the path is another
  /// version (it was replaced), the read throws ObjectChangedError before any
  /// byte reaches the caller. Checked against the ETag of lakeFS's answer, or
  /// pre-signed, against the stat that gives the URL. Empty = any version.
  std::string if_match{};
  /// Timeout, retry policy and cancellation of the requests.
  CallOptions call{};
};

/// Options of StoredObject::stat().
struct LAKEFS_API StatOptions {
  /// Ask for a pre-signed URL: ObjectInfo::physical_address is then a URL that
  /// reads the object straight from the object store without credentials
  /// until physical_address_expiry (as the Python SDK's stat(pre_sign=True)).
  /// It is a bearer credential: do not log it. NotSupportedError when the
  /// server's block store cannot pre-sign.
  bool pre_sign = false;
  /// Timeout, retry policy and cancellation of the request.
  CallOptions call{};
};

/// A URL that reads one object straight from the object store, with no other
/// credential, until it expires.
struct LAKEFS_API PresignedUrl {
  /// The URL (its query holds the signature: treat it as a secret).
  std::string url{};
  /// When the object store stops accepting it, as the server reports it.
  std::optional<Timestamp> expires{};
};

/// Options of StoredObject::copy().
struct LAKEFS_API CopyOptions {
  /// Copy only the object's entry, not its data (lakeFS's `shallow`): both
  /// point at the same data. lakeFS allows it only within one branch, and the
  /// copy then shares the source's fate under garbage collection. Open-source
  /// lakeFS (1.84) does not implement it: NotImplementedError, nothing copied.
  bool shallow = false;
  /// Copy even into a read-only repository (lakeFS's `force`).
  bool force = false;
  /// Timeout, deadline, retry policy, cancellation and extra headers of its requests (see CallOptions).
  CallOptions call{};
};

/// A read-only handle to the object at a path of any reference (branch, tag, commit): stat, read, stream,
/// download, pre-sign, copy. Constructing one sends nothing; Reference::object() makes one.
class LAKEFS_API StoredObject {
 public:
  /// A handle to the object at `path` of reference `ref_id` in repository `repo_id`, on `client`. Sends
  /// nothing; an invalid id or path is InvalidArgumentError.
  StoredObject(std::string repo_id, std::string ref_id, std::string path, Client client = default_client());

  /// The repository's id.
  [[nodiscard]] const std::string& repo_id() const noexcept { return repo_id_; }
  /// The reference the object is read from (a branch, tag or commit id).
  [[nodiscard]] const std::string& ref_id() const noexcept { return ref_id_; }
  /// The object's path in the repository.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// The client the handle sends through.
  [[nodiscard]] const Client& client() const noexcept { return client_; }

  /// The object's metadata. Throws ObjectNotFoundError when it does not exist.
  /// With `options.pre_sign`, physical_address is a pre-signed URL.
  [[nodiscard]] ObjectInfo stat(StatOptions options = {}) const;

  /// A pre-signed GET URL for the object, valid for the server's configured
  /// lifetime (blockstore.*.pre_signed_expiry, 15 minutes by default): hand it
  /// to a program that has no lakeFS credentials. NotSupportedError when the
  /// server's block store cannot pre-sign (e.g. the local block store).
  [[nodiscard]] PresignedUrl presigned_url(CallOptions call = {}) const;

  /// False only for a missing object; every other failure still throws.
  [[nodiscard]] bool exists(CallOptions call = {}) const;

  /// stat() as a task (include <lakefs/async/task.hpp>; docs/async.md): nothing is sent until it is awaited;
  /// the task holds a copy of this handle, so the handle may go first.
  [[nodiscard]] async::Task<ObjectInfo> stat_async(StatOptions options = {}) const;
  /// exists() as a task (see stat_async).
  [[nodiscard]] async::Task<bool> exists_async(CallOptions call = {}) const;

  /// The whole object in memory (for small objects; stream big ones with reader()).
  [[nodiscard]] std::string read_all(ReadOptions options = {}) const;

  /// `length` bytes from `offset` (fewer at the end of the object). A range that
  /// starts at or past the end is InvalidRangeError.
  [[nodiscard]] std::string read_range(std::uint64_t offset, std::uint64_t length, ReadOptions options = {}) const;
  /// read_all() as a task (see stat_async): the same requests, on the client's engine.
  [[nodiscard]] async::Task<std::string> read_all_async(ReadOptions options = {}) const;
  /// read_range() as a task (see stat_async).
  [[nodiscard]] async::Task<std::string> read_range_async(std::uint64_t offset, std::uint64_t length,
                                                          ReadOptions options = {}) const;

  /// Up to `buffer.size()` bytes from `offset` into the caller's `buffer`;
  /// returns how many (fewer only at the end of the object). An empty buffer
  /// sends nothing and returns 0. A range that starts at or past the end is
  /// InvalidRangeError; an offset beyond the largest possible object (2^63 - 1)
  /// is InvalidArgumentError, before anything is sent. Pre-signed (see
  /// ReadOptions::pre_sign) each call stats the object for a URL: for many
  /// reads of one object, use range_reader(), which keeps it.
  std::size_t read_range(std::uint64_t offset, std::span<std::byte> buffer, ReadOptions options = {}) const;
  /// `length` bytes from `offset` handed to `sink` as they arrive, each byte
  /// once and in order (a request sent again after a failure skips what the
  /// sink already has); returns how many (fewer only at the end of the
  /// object). Errors as the buffer form; an exception thrown by `sink` aborts
  /// the transfer and is rethrown.
  /// `sink` is anything callable with a std::string_view (a template, so that
  /// `read_range(0, n, {.if_match = etag})` always means the string form).
  template <std::invocable<std::string_view> Sink>
  std::uint64_t read_range(std::uint64_t offset, std::uint64_t length, Sink&& sink, ReadOptions options = {}) const {
    return read_range_to(offset, length, std::function<void(std::string_view)>(std::ref(sink)), std::move(options));
  }
  /// A reusable, thread-safe reader of byte ranges of this object (one version
  /// of it, one cached pre-signed URL); see ObjectRangeReader. Sends nothing.
  [[nodiscard]] ObjectRangeReader range_reader(ReadOptions options = {}) const;

  /// A seekable std::istream over the object (stats it now; see ObjectReader).
  [[nodiscard]] ObjectReader reader(ReaderOptions options = {}) const;

  /// Streams the object to `local_path`, through a temporary file in the same
  /// directory renamed into place at the end: a failed download leaves no
  /// partial file (and an existing file at `local_path` untouched).
  void download(const std::filesystem::path& local_path, DownloadOptions options = {}) const;
  /// download() as a task (see stat_async); the file is written from the engine's thread.
  [[nodiscard]] async::Task<void> download_async(std::filesystem::path local_path, DownloadOptions options = {}) const;

  /// Copies the object to `destination_path` on branch `destination` of the same
  /// repository (server-side, no data through the client); returns the copy.
  /// A destination branch of another repository is InvalidArgumentError (nothing is sent).
  WriteableObject copy(const Branch& destination, std::string destination_path, CopyOptions options = {}) const;
  /// The same, to the branch named `destination_branch` of this repository.
  WriteableObject copy(const std::string& destination_branch, std::string destination_path,
                       CopyOptions options = {}) const;
  /// copy() to the branch named `destination_branch` as a task (see stat_async).
  [[nodiscard]] async::Task<WriteableObject> copy_async(std::string destination_branch, std::string destination_path,
                                                        CopyOptions options = {}) const;

  /// The same object: same repository, reference and path (the clients are not compared).
  bool operator==(const StoredObject& o) const noexcept {
    return repo_id_ == o.repo_id_ && ref_id_ == o.ref_id_ && path_ == o.path_;
  }

 protected:
  /// The repository's id (repo_id()).
  std::string repo_id_{};
  /// The reference's id (ref_id()).
  std::string ref_id_{};
  /// The object's path (path()).
  std::string path_{};
  /// The client (client()).
  Client client_{};

 private:
  std::uint64_t read_range_to(std::uint64_t offset, std::uint64_t length,
                              const std::function<void(std::string_view)>& sink, ReadOptions options) const;
};

/// Options of the uploads of WriteableObject (upload(), upload_file()).
struct LAKEFS_API UploadOptions {
  /// Content-Type stored with the object; empty lets the server default it.
  std::string content_type{};
  /// User metadata stored with the object. Sent as `X-Lakefs-Meta-<key>` headers, so
  /// keys are case-insensitive: lakeFS stores them lower-cased.
  Metadata metadata{};
  /// Fail with ObjectExistsError instead of replacing an existing object
  /// (race-free: the server checks with If-None-Match). lakeFS checks it when
  /// it links one pre-signed PUT or receives an upload, but not when it
  /// completes a pre-signed multipart upload, so an exclusive upload never
  /// goes as one: at or above multipart_threshold it goes through lakeFS
  /// (with pre_sign unset) or as one pre-signed PUT (pre_sign = true, which
  /// the store limits to 5 GiB on S3).
  bool exclusive = false;
  /// Replace the object only if its current ETag is this one (the server
  /// checks it, If-Match), else PreconditionFailedError; not with `exclusive`.
  /// lakeFS checks it where it checks `exclusive`, so the upload travels the
  /// same way. Open-source lakeFS (1.84) does not implement If-Match: it
  /// answers NotImplementedError and the object is unchanged. On a pre-signed
  /// upload the bytes already went to the store before lakeFS refused to link
  /// them; lakeFS records nothing, and they stay there unreferenced.
  std::string if_match{};
  /// The object store's storage class for the object (lakeFS's deprecated
  /// `storage_class`, e.g. "STANDARD_IA" on S3): sent only through lakeFS, so
  /// such an upload never goes pre-signed (pre_sign = true is NotSupportedError).
  std::string storage_class{};
  /// Upload straight to the object store through pre-signed URLs: one PUT
  /// linked to the path (get-physical-address, PUT, link-physical-address),
  /// or a multipart upload (see multipart_threshold). Unset = when the server
  /// supports them and the length is known; true on a server that does not,
  /// or for a stream of unknown length, = NotSupportedError. A pre-signed PUT
  /// of a file, of memory or of a seekable stream is retried like any PUT
  /// (the body is read again from its start), and one whose URL the store
  /// rejects (expired) is renewed once with a new physical address.
  std::optional<bool> pre_sign{};
  /// Objects of known length at least this large go up in parts. Pre-signed,
  /// when the server supports pre-signed multipart uploads: a multipart upload
  /// whose parts go straight to the object store, `concurrency` at once, each
  /// read at its offset (upload_file reads the file with pread, upload of
  /// memory reads the caller's bytes, a seekable stream is read by one part at
  /// a time): no part is held in memory. Any failure, or a stop, aborts it:
  /// no object (an existing one stays), nothing staged, no parts left in the
  /// store. Through lakeFS: sent without a length (chunked), so that lakeFS
  /// streams it to the store as a multipart upload of its own. Smaller objects
  /// go in one request. 0 = 64 MiB; above the object store's single-PUT limit
  /// (5 GiB on S3) the threshold is always met. A stream of unknown length
  /// always goes through lakeFS, chunked.
  std::uint64_t multipart_threshold = 0;
  /// Bytes per part of a pre-signed multipart upload: at least 5 MiB (the
  /// object store's minimum for all parts but the last), else
  /// InvalidArgumentError before anything is sent. 0 = 16 MiB. Raised when
  /// needed so that an object takes at most 10,000 parts (S3's limit).
  std::size_t part_size = 0;
  /// Parts in flight at once in a pre-signed multipart upload (threads; the
  /// calling thread is one of them). 0 = 4.
  std::size_t concurrency = 0;
  /// Timeout, retry policy and cancellation of the upload's requests (the
  /// timeout applies to each request: each part, each call to lakeFS). A stop
  /// request aborts the upload before its body ends and throws CancelledError:
  /// lakeFS stages nothing from an incomplete body, and a multipart upload is
  /// aborted.
  CallOptions call{};
};

/// An object already in the object store, to be staged at a path without
/// copying it (lakectl fs stage).
struct LAKEFS_API StageOptions {
  /// Where the data is: "s3://bucket/key", "local:///abs/path", … on the
  /// server's block store, outside the repository's storage namespace (whose
  /// data lakeFS manages: InvalidArgumentError there, before anything is sent).
  std::string physical_address{};
  /// The object's size as the store reports it; lakeFS records it as given and does not check the address
  /// exists. Must be set (not negative).
  std::int64_t size_bytes = -1;
  /// The object's checksum (its ETag) as the store reports it; must not be empty.
  std::string checksum{};
  /// Modification time; the server's clock when unset.
  std::optional<Timestamp> mtime{};
  /// Content-Type recorded with the object; empty lets the server default it.
  std::string content_type{};
  /// User metadata recorded with the object.
  Metadata metadata{};
  /// Timeout, deadline, retry policy, cancellation and extra headers of its requests (see CallOptions).
  CallOptions call{};
};

/// A handle to the object at a path of a branch: everything a StoredObject does, plus upload (also as a
/// stream: writer()), stage, update metadata and remove. Constructing one sends nothing; Branch::object() makes one.
class LAKEFS_API WriteableObject : public StoredObject {
 public:
  /// A handle to the object at `path` of branch `branch_id` in repository `repo_id`, on `client`. Sends nothing;
  /// an invalid id or path is InvalidArgumentError.
  WriteableObject(std::string repo_id, std::string branch_id, std::string path, Client client = default_client());

  /// Uploads `data` as the object's content; returns *this for chaining.
  WriteableObject& upload(std::string_view data, UploadOptions options = {});
  /// The same for bytes.
  WriteableObject& upload(std::span<const std::byte> data, UploadOptions options = {});
  /// Uploads everything `in` yields from where it stands, streamed (sent with its
  /// length when `in` is seekable, chunked otherwise; see
  /// UploadOptions::multipart_threshold for large ones). A read error on `in`
  /// aborts the upload: nothing is staged. A seekable stream may be read more
  /// than once (a retried PUT, parts) and is left at an unspecified position.
  WriteableObject& upload(std::istream& in, UploadOptions options = {});
  /// Uploads the file at `local_path`, streamed from disk (large files in
  /// parallel parts, each read at its offset: see UploadOptions).
  WriteableObject& upload_file(const std::filesystem::path& local_path, UploadOptions options = {});
  /// upload() of `data` as a task (see StoredObject::stat_async): the task owns the bytes.
  [[nodiscard]] async::Task<void> upload_async(std::string data, UploadOptions options = {}) const;
  /// upload_file() as a task (see StoredObject::stat_async); the file is read on the engine's thread.
  [[nodiscard]] async::Task<void> upload_file_async(std::filesystem::path local_path, UploadOptions options = {}) const;

  /// A std::ostream that uploads as it is written; see ObjectWriter. Destroyed
  /// without close() it leaves no object.
  [[nodiscard]] ObjectWriter writer(WriterOptions options = {}) const;

  /// Replaces the object's user metadata with `metadata` (an empty map clears
  /// it), keeping its content: no data is written (lakeFS's
  /// updateObjectUserMetadata; a staged change, also for a committed object).
  /// Keys and values are checked as for uploads; a missing object is
  /// ObjectNotFoundError.
  void update_metadata(const Metadata& metadata, CallOptions call = {});

  /// Stages the object at this path from data already in the object store,
  /// without copying it (lakectl fs stage; lakeFS's stageObject). Returns the
  /// staged object's info. InvalidArgumentError before any request for an
  /// empty address, a negative size, an empty checksum or an address inside
  /// the repository's storage namespace.
  ObjectInfo stage(StageOptions options);

  /// Deletes the object (a staged change on the branch).
  void remove(CallOptions call = {});
  /// remove() as a task (see StoredObject::stat_async).
  [[nodiscard]] async::Task<void> remove_async(CallOptions call = {}) const;

  /// The branch this object is written on.
  [[nodiscard]] Branch branch() const;

  /// Commits the branch: `branch.object(p).upload(d).commit("msg")`.
  Commit commit(const std::string& message);
  /// The same, with the commit's options (include <lakefs/branch.hpp>).
  Commit commit(const std::string& message, CommitOptions options);
};

}  // namespace lakefs

// ObjectRangeReader (StoredObject::range_reader()'s type), after everything it needs from this header.
#include "lakefs/range_reader.hpp"
