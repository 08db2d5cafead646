// SPDX-License-Identifier: Apache-2.0
#include "transfer/multipart_upload.hpp"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <utility>

#include "async/batch.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "model/convert.hpp"
#include "util/date.hpp"

namespace lakefs::detail {

std::uint64_t plan_part_size(std::uint64_t length, std::size_t requested, std::size_t fallback, std::string_view what) {
  if (requested != 0 && requested < min_part_size) {
    throw InvalidArgumentError(std::string(what) + ": part_size " + std::to_string(requested) +
                               " is below the object store's minimum part size of 5 MiB (5242880)");
  }
  std::uint64_t part = requested != 0 ? requested : fallback;
  if ((length + part - 1) / part > max_parts) {
    // Whole MiB, so that the parts stay round numbers a store's logs and metrics show plainly.
    constexpr std::uint64_t mib = 1u << 20;
    part = ((length + max_parts - 1) / max_parts + mib - 1) / mib * mib;
  }
  return part;
}

namespace {

// The value of query parameter `name` in `url` (not decoded), or empty.
std::string_view query_value(std::string_view url, std::string_view name) {
  const auto query = url.find('?');
  if (query == std::string_view::npos) return {};
  std::string_view rest = url.substr(query + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

// Digits of `text` at [from, from + n) as a number; -1 unless all are digits.
long digits(std::string_view text, std::size_t from, std::size_t n) {
  long value = 0;
  for (std::size_t i = from; i < from + n; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// Whether a SigV4 pre-signed URL (X-Amz-Date, X-Amz-Expires) expires before a request started now reaches the store;
// false when the URL does not say. Checked before a part starts: a store that rejects an expired URL may reset the
// connection while the body is still going up, and that arrives as a failed transfer, not as the 403 a renewal
// waits for.
bool expires_soon(std::string_view url) {
  namespace chrono = std::chrono;
  const std::string_view date = query_value(url, "X-Amz-Date");  // 20261130T054523Z
  const std::string_view expires = query_value(url, "X-Amz-Expires");
  const long lifetime = digits(expires, 0, expires.size());
  const auto signed_at = parse_date(date, DateFormat::iso8601_basic);
  if (!signed_at || lifetime <= 0) return false;
  // lakectl's margin, or half the lifetime of a short-lived URL.
  const chrono::seconds margin = std::min(chrono::seconds{15}, chrono::seconds{lifetime} / 2);
  // In seconds: any date a URL may carry fits, unlike the clock's own nanoseconds.
  return chrono::time_point_cast<chrono::seconds>(chrono::system_clock::now()) + margin >=
         *signed_at + chrono::seconds{lifetime};
}

}  // namespace

MultipartUpload::MultipartUpload(const Client& client, ObjectName object, const CallOptions& call)
    : client_(client), object_(std::move(object)), call_(call), part_call_(call) {
  part_call_.stop = stop_.get_token();
  if (call.stop.stop_possible()) forward_.emplace(call.stop, Forward{&stop_});
}

MultipartUpload::MultipartUpload(const Client& client, ObjectName object, std::uint64_t parts, const CallOptions& call)
    : MultipartUpload(client, std::move(object), call) {
  run_on_caller(start(Via::caller, parts));
}

async::Task<void> MultipartUpload::start(Via via, std::uint64_t parts) {
  api::CreatePresignMultipartUploadRequest request{.repository = object_.repo,
                                                   .branch = object_.ref,
                                                   .path = object_.path,
                                                   .parts = static_cast<std::int64_t>(parts),
                                                   .call = call_};
  const auto& api = client_.api().experimental;
  api::PresignMultipartUpload created =
      co_await object_task(call_via(
                               via, [&] { return api.create_presign_multipart_upload(request); },
                               [&] { return api.create_presign_multipart_upload_async(request); }),
                           object_.repo, object_.ref, object_.path);
  {
    std::lock_guard lock(mutex_);
    upload_id_ = std::move(created.upload_id);
    physical_address_ = std::move(created.physical_address);
    if (created.presigned_urls) urls_ = std::move(*created.presigned_urls);
  }
  if (urls_.size() != parts && parts != 0) {
    co_await abort(via);
    throw ProtocolError("upload of '" + object_.path + "': the server signed " + std::to_string(urls_.size()) +
                        " part URLs for a multipart upload of " + std::to_string(parts) + " parts");
  }
}

MultipartUpload::~MultipartUpload() { abort(); }

api::UploadPartRequest MultipartUpload::part_url_request(std::uint64_t number) const {
  return {.repository = object_.repo,
          .branch = object_.ref,
          .upload_id = upload_id_,
          .part_number = static_cast<std::int64_t>(number),
          .body = {.physical_address = physical_address_},
          .path = object_.path,
          .call = part_call_};
}

async::Task<std::string> MultipartUpload::part_url(Via via, std::uint64_t number) {
  const api::UploadPartRequest request = part_url_request(number);
  const auto& api = client_.api().experimental;
  api::UploadTo answer = co_await object_task(
      call_via(
          via, [&] { return api.upload_part(request); }, [&] { return api.upload_part_async(request); }),
      object_.repo, object_.ref, object_.path);
  co_return std::move(answer.presigned_url);
}

std::string MultipartUpload::take_url(std::uint64_t number) {
  std::lock_guard lock(mutex_);
  // Handed out once: a URL is a credential, kept no longer than needed.
  return number <= urls_.size() ? std::exchange(urls_[number - 1], {}) : std::string();
}

void MultipartUpload::record_etag(std::uint64_t number, const http::Response& response) {
  std::string etag = unquote_etag(response.header("etag").value_or(""));
  if (etag.empty()) {
    throw ProtocolError("upload of '" + object_.path + "': the object store answered part " + std::to_string(number) +
                        " without an ETag");
  }
  std::lock_guard lock(mutex_);
  etags_.emplace_back(number, std::move(etag));
}

namespace {

// The bytes of one part: `length` bytes from `read`, from the start again after restart().
class PartBody {
 public:
  PartBody(ReadAt read, std::uint64_t length, const std::string& path)
      : read_(std::move(read)), length_(length), path_(path) {}
  std::size_t next(char* buf, std::size_t size) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size, length_ - sent_));
    if (want == 0) return 0;
    const std::size_t n = read_(sent_, buf, want);
    if (n == 0) {
      // Sending fewer bytes than announced would only fail later, less clearly.
      throw LocalIOError("read", {}, {}, "the data of '" + path_ + "' ended before its length");
    }
    sent_ += n;
    return n;
  }
  void restart() noexcept { sent_ = 0; }

 private:
  ReadAt read_;
  std::uint64_t length_;
  const std::string& path_;
  std::uint64_t sent_ = 0;
};

}  // namespace

void MultipartUpload::put_part(std::uint64_t number, std::uint64_t length, const ReadAt& read) {
  run_on_caller(put_part(Via::caller, number, length, read, presigned_put_headers(store_capabilities(client_, call_))));
}

async::Task<void> MultipartUpload::put_part(Via via, std::uint64_t number, std::uint64_t length, ReadAt read,
                                            std::vector<http::Header> headers) {
  std::exception_ptr error;
  try {
    std::string first = take_url(number);
    // The URLs signed with the upload age while earlier parts go up: one about to expire is replaced first.
    if (first.empty() || expires_soon(first)) first = co_await part_url(via, number);
    SharedUrl url(std::move(first), [this, via, number] { return part_url(via, number); });
    PartBody body(std::move(read), length, object_.path);
    http::Request request;
    request.method = "PUT";
    request.body_source = [&body](char* buf, std::size_t size) { return body.next(buf, size); };
    request.body_length = length;
    request.restart_body = [&body] { body.restart(); };
    request.headers = std::move(headers);
    request.call = part_call_;
    const http::Response response = co_await presigned_send(via, client_, url, object_, std::move(request));
    record_etag(number, response);
  } catch (...) {
    error = std::current_exception();
  }
  if (error) {
    fail(error);
    std::rethrow_exception(error);
  }
}

void MultipartUpload::fail(std::exception_ptr error) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(error);
  }
  stop_.request_stop();
}

bool MultipartUpload::stopped() const noexcept { return stop_.stop_requested(); }

std::size_t MultipartUpload::parts_put() const {
  std::lock_guard lock(mutex_);
  return etags_.size();
}

void MultipartUpload::rethrow_failure() const {
  {
    std::lock_guard lock(mutex_);
    if (error_) std::rethrow_exception(error_);
  }
  if (stop_.stop_requested()) {
    throw CancelledError("upload of '" + object_.path + "': cancelled (stop requested); the upload was aborted");
  }
}

async::Task<ObjectInfo> MultipartUpload::complete(Via via, std::string content_type, Metadata metadata) {
  std::exception_ptr error;
  std::optional<ObjectInfo> info;
  try {
    rethrow_failure();
    api::CompletePresignMultipartUploadRequest request{
        .repository = object_.repo,
        .branch = object_.ref,
        .upload_id = upload_id_,
        .body = {.physical_address = physical_address_},
        .path = object_.path,
        .call = call_,
    };
    {
      std::lock_guard lock(mutex_);
      std::ranges::sort(etags_);
      for (const auto& [number, etag] : etags_) {
        request.body.parts.push_back({.part_number = static_cast<std::int64_t>(number), .etag = etag});
      }
    }
    if (!metadata.empty()) request.body.user_metadata = std::move(metadata);
    if (!content_type.empty()) request.body.content_type = std::move(content_type);
    const auto& api = client_.api().experimental;
    api::ObjectStats stats =
        co_await object_task(call_via(
                                 via, [&] { return api.complete_presign_multipart_upload(request); },
                                 [&] { return api.complete_presign_multipart_upload_async(request); }),
                             object_.repo, object_.ref, object_.path);
    std::lock_guard lock(mutex_);
    finished_ = true;
    info.emplace(to_object_info(std::move(stats)));
  } catch (...) {
    error = std::current_exception();
  }
  if (error) {
    co_await abort(via);
    std::rethrow_exception(error);
  }
  co_return std::move(*info);
}

ObjectInfo MultipartUpload::complete(const std::string& content_type, const Metadata& metadata) {
  return run_on_caller(complete(Via::caller, content_type, metadata));
}

async::Task<void> MultipartUpload::abort(Via via) {
  {
    std::lock_guard lock(mutex_);
    if (finished_ || upload_id_.empty()) co_return;
    finished_ = true;
  }
  // Not the caller's stop token: after a cancellation the abort is what must still go out.
  api::AbortPresignMultipartUploadRequest request{.repository = object_.repo,
                                                  .branch = object_.ref,
                                                  .upload_id = upload_id_,
                                                  .body = {.physical_address = physical_address_},
                                                  .path = object_.path,
                                                  .call = {.timeout = call_.timeout, .retry = call_.retry}};
  const auto& api = client_.api().experimental;
  // Nor the token a task inherits: a task stopped by its caller aborts all the same. A task given a token of its
  // own keeps it, and an empty token would be replaced by the inherited one: this one is live and never stopped.
  const std::stop_source never;
  try {
    co_await call_via(
        via, [&] { api.abort_presign_multipart_upload(request); },
        [&] { return api.abort_presign_multipart_upload_async(request).with_stop(never.get_token()); });
  } catch (...) {
    // Nothing was staged either way; parts an abort could not remove are the store's lifecycle rules' to reclaim.
  }
}

void MultipartUpload::abort() noexcept {
  try {
    run_on_caller(abort(Via::caller));
  } catch (...) {
    // only allocation can fail here; the store's lifecycle rules reclaim what an abort leaves
  }
}

async::Task<ObjectInfo> upload_in_parts(Via via, UploadTarget target, std::uint64_t length, std::uint64_t part_size,
                                        std::size_t concurrency, ReadAt read) {
  const std::uint64_t parts = std::max<std::uint64_t>(1, (length + part_size - 1) / part_size);
  const CallOptions& call = target.options.call;
  const StoreCapabilities store = co_await call_via(
      via, [&] { return store_capabilities(target.client, call); },
      [&] { return store_capabilities_async(target.client, call); });
  const std::vector<http::Header> headers = presigned_put_headers(store);
  MultipartUpload upload(target.client, target.object, call);
  co_await upload.start(via, parts);
  std::exception_ptr error;
  try {
    co_await batch(
        via, "upload", static_cast<std::size_t>(parts), concurrency, call.stop,
        [&upload, &read, &headers, part_size, length](std::size_t index) {
          const std::uint64_t offset = index * part_size;
          return upload.put_part(
              Via::engine, index + 1, std::min(part_size, length - offset),
              [&read, offset](std::uint64_t at, char* buf, std::size_t size) { return read(offset + at, buf, size); },
              headers);
        });
  } catch (...) {
    error = std::current_exception();
  }
  if (error) upload.fail(error);  // a part's failure is recorded already: the first one is kept
  if (upload.parts_put() < parts) {
    // Stopped with no part running to report it: never complete an object with a part missing.
    upload.fail(std::make_exception_ptr(
        CancelledError("upload of '" + target.object.path + "': cancelled (stop requested); the upload was aborted")));
  }
  co_return co_await upload.complete(via, target.options.content_type, target.options.metadata);  // aborts on failure
}

}  // namespace lakefs::detail
