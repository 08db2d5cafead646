// SPDX-License-Identifier: Apache-2.0
// Pre-signed multipart uploads straight to the object store (one PUT and a
// link: transfer/presigned_put.hpp): parts go up (in parallel) through URLs
// lakeFS signs, and lakeFS completes the upload, which then stages the object.
// A multipart upload that does not complete is aborted, so a failure, a
// cancellation or an abandoned writer leaves no object, no staged change and
// no parts in the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "async/via.hpp"
#include "lakefs/api/requests.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/client.hpp"
#include "lakefs/models.hpp"
#include "lakefs/object.hpp"
#include "transfer/presign.hpp"
#include "transfer/presigned_put.hpp"

namespace lakefs::detail {

/// The object store's limits on multipart uploads (S3's, which lakeFS's other stores do not exceed).
inline constexpr std::uint64_t min_part_size = 5u << 20;  // all parts but the last
inline constexpr std::uint64_t max_parts = 10000;
/// The largest object S3 accepts in one PUT.
inline constexpr std::uint64_t max_single_put = 5ull << 30;

/// Defaults of UploadOptions (upload, upload_file) and WriterOptions.
inline constexpr std::uint64_t default_multipart_threshold = 64u << 20;
inline constexpr std::size_t default_upload_part_size = 16u << 20;
inline constexpr std::size_t default_upload_concurrency = 4;
inline constexpr std::size_t default_writer_part_size = 8u << 20;

/// Reads up to `size` bytes at `offset` into `buf`; returns the count (only
/// short at the end of the data). Called from several threads at once.
using ReadAt = std::function<std::size_t(std::uint64_t offset, char* buf, std::size_t size)>;

/// The part size for `length` bytes: `requested` (0 = `fallback`), raised so
/// that the object takes at most max_parts parts. A requested size below
/// min_part_size is InvalidArgumentError naming `what` (e.g. "upload of 'x'").
[[nodiscard]] std::uint64_t plan_part_size(std::uint64_t length, std::size_t requested, std::size_t fallback,
                                           std::string_view what);

/// A pre-signed multipart upload in progress. Thread-safe: parts may be put
/// from several threads at once. Aborted by abort(), or by the destructor
/// unless complete() succeeded; the abort never throws (its own failure is
/// swallowed: the store's lifecycle rules reclaim what an abort leaves).
class MultipartUpload {
 public:
  /// An upload that start() creates. The caller's stop token (`call.stop`) stops every part in flight.
  MultipartUpload(const Client& client, ObjectName object, const CallOptions& call);
  /// Creates the upload at once, the blocking way (start(Via::caller, parts)).
  MultipartUpload(const Client& client, ObjectName object, std::uint64_t parts, const CallOptions& call);
  ~MultipartUpload();

  /// Creates the upload (one request). `parts` > 0: the object's number of parts, whose URLs come with the answer;
  /// 0 = not known yet, each part asks for its own URL.
  [[nodiscard]] async::Task<void> start(Via via, std::uint64_t parts);
  MultipartUpload(const MultipartUpload&) = delete;
  MultipartUpload& operator=(const MultipartUpload&) = delete;

  /// PUTs part `number` (1-based): `length` bytes from `read` (offsets within
  /// the part), retried and re-read from its start after a failure, its URL
  /// renewed once (an upload-part call) when the store rejects it. Records the
  /// part's ETag. Throws the part's typed error (also recorded by fail()).
  /// The blocking way (the writer's).
  void put_part(std::uint64_t number, std::uint64_t length, const ReadAt& read);
  /// The same the Via way; the PUT carries `headers` (presigned_put_headers()). The upload must outlive the task.
  [[nodiscard]] async::Task<void> put_part(Via via, std::uint64_t number, std::uint64_t length, ReadAt read,
                                           std::vector<http::Header> headers);

  /// Records the upload's first failure and stops every part in flight (the
  /// later parts then fail with CancelledError, which is not recorded over it).
  void fail(std::exception_ptr error) noexcept;
  /// True once the upload failed or the caller's stop was requested: start no more parts.
  [[nodiscard]] bool stopped() const noexcept;
  /// Parts put so far.
  [[nodiscard]] std::size_t parts_put() const;
  /// Rethrows the recorded failure, if any (a CancelledError when only the caller's stop came).
  void rethrow_failure() const;

  /// Completes the upload with the parts put so far (in part-number order),
  /// storing `content_type` and `metadata`; lakeFS stages the object. A failure
  /// (or one recorded before) aborts the upload and throws.
  [[nodiscard]] async::Task<ObjectInfo> complete(Via via, std::string content_type, Metadata metadata);
  /// complete() the blocking way.
  ObjectInfo complete(const std::string& content_type, const Metadata& metadata);

  /// Aborts the upload unless it completed or was aborted already. Never throws.
  [[nodiscard]] async::Task<void> abort(Via via);
  /// abort() the blocking way.
  void abort() noexcept;

 private:
  async::Task<std::string> part_url(Via via, std::uint64_t number);  // a fresh one, from lakeFS
  api::UploadPartRequest part_url_request(std::uint64_t number) const;
  std::string take_url(std::uint64_t number);  // the one signed with the upload (empty: none, or handed out)
  void record_etag(std::uint64_t number, const http::Response& response);

  const Client& client_;
  const ObjectName object_;
  const CallOptions call_;  // the caller's, for create, complete and abort
  CallOptions part_call_;   // the caller's, stopped also by fail()
  std::stop_source stop_;
  std::string upload_id_;
  std::string physical_address_;

  mutable std::mutex mutex_;
  std::vector<std::string> urls_;                             // from create, each handed out once
  std::vector<std::pair<std::uint64_t, std::string>> etags_;  // part number, ETag
  std::exception_ptr error_;
  bool finished_ = false;  // completed or aborted

  // Last: unregistered first, before the stop source it requests stop on is destroyed.
  struct Forward {
    std::stop_source* target;
    void operator()() const noexcept { target->request_stop(); }
  };
  std::optional<std::stop_callback<Forward>> forward_;
};

/// Uploads `length` bytes (read through `read`, thread-safe, at offsets of
/// the object) as a multipart upload of `part_size`-byte parts, `concurrency`
/// at once on the client's engine, and completes it; create and complete go the
/// Via way. The first failure stops the others, aborts the upload and is
/// thrown; the object is then not created (nor replaced). `target` must outlive the task.
[[nodiscard]] async::Task<ObjectInfo> upload_in_parts(Via via, UploadTarget target, std::uint64_t length,
                                                      std::uint64_t part_size, std::size_t concurrency, ReadAt read);

}  // namespace lakefs::detail
