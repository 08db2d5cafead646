// SPDX-License-Identifier: Apache-2.0
#include "transfer/presign.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>

#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "model/convert.hpp"

namespace lakefs::detail {
namespace {

// The text between <tag> and </tag> in an S3-style error document, trimmed
// and cut short, with control characters dropped; empty when absent.
std::string xml_field(std::string_view body, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto start = body.find(open);
  if (start == std::string_view::npos) return {};
  const auto from = start + open.size();
  const auto end = body.find(close, from);
  if (end == std::string_view::npos) return {};
  std::string out;
  for (const char c : body.substr(from, std::min<std::size_t>(end - from, 200))) {
    if (!std::iscntrl(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

std::string header_value(const std::vector<http::Header>& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

// One request to the store with `url`'s current URL; on a 403 the URL is renewed and the request sent once more.
template <typename Prepare>
http::Response send_renewing(const Client& client, RenewableUrl& url, const ObjectName& object, std::string_view method,
                             const std::function<void()>& restart, Prepare prepare) {
  bool renewed = false;
  for (;;) {
    const auto current = url.current();
    http::Request request;
    request.method = std::string(method);
    // Logs and errors name the object, never the URL (its query holds the signature; its path is the store's
    // layout, not the caller's).
    request.path = object.address() + " (object store)";
    request.absolute_url = current.url;
    request.restart_body = restart;
    prepare(request);
    try {
      return channel_of(client).send(std::move(request));
    } catch (const ServerError& e) {
      // Renewed only when the body can be sent again (a caller's one-shot stream cannot).
      if (e.status() == 403 && !renewed && restart) {
        renewed = true;
        url.renew(current.generation);
        restart();
        continue;
      }
      throw_object_store_error(e.status(), e.body(), e.headers(), method, object);
    }
  }
}

}  // namespace

StoreCapabilities store_capabilities(const Client& client, const CallOptions& call) {
  auto& state = ClientAccess::state(client);
  {
    std::lock_guard lock(state.store_mutex);
    if (state.store) return *state.store;
  }
  const auto config = client.storage_config(call);  // outside the lock: a slow server must not block other threads
  StoreCapabilities capabilities{config.pre_sign_support, config.pre_sign_multipart_upload, config.blockstore_type};
  std::lock_guard lock(state.store_mutex);
  if (!state.store) state.store = capabilities;
  return *state.store;
}

namespace {

[[noreturn]] void throw_pre_sign_unsupported(const std::string& what) {
  throw NotSupportedError(what +
                          ": pre-signed transfer requested (pre_sign = true), but the server's block store does "
                          "not support pre-signed URLs (e.g. the local block store); leave pre_sign unset to "
                          "transfer through lakeFS");
}

}  // namespace

bool use_pre_sign(const Client& client, std::optional<bool> requested, const char* what, const CallOptions& call) {
  if (requested.has_value() && !*requested) return false;
  const bool supported = store_capabilities(client, call).pre_sign;
  if (requested.has_value() && !supported) throw_pre_sign_unsupported(what);
  return supported;
}

async::Task<StoreCapabilities> store_capabilities_async(Client client, CallOptions call) {
  auto& state = ClientAccess::state(client);
  {
    std::lock_guard lock(state.store_mutex);
    if (state.store) co_return *state.store;
  }
  api::GetConfigRequest request{.call = call};
  std::optional<api::Config> config;
  bool old_server = false;
  try {
    api::Config answer = co_await client.api().config.get_config_async(std::move(request));
    config.emplace(std::move(answer));
  } catch (const NotFoundError&) {
    old_server = true;  // from before GET /config: its deprecated endpoints, the blocking way
  }
  if (old_server) co_return store_capabilities(client, call);
  std::optional<ServerStorageConfiguration> first;
  if (config->storage_config_list && !config->storage_config_list->empty()) {
    first = to_storage_config(config->storage_config_list->front());
  } else if (config->storage_config) {
    first = to_storage_config(*config->storage_config);
  }
  if (!first) throw ProtocolError("the server's configuration (GET /config) names no block store");
  StoreCapabilities capabilities{first->pre_sign_support, first->pre_sign_multipart_upload, first->blockstore_type};
  std::lock_guard lock(state.store_mutex);
  if (!state.store) state.store = capabilities;
  co_return *state.store;
}

async::Task<void> require_pre_sign_async(Client client, std::string what, CallOptions call) {
  const StoreCapabilities capabilities = co_await store_capabilities_async(std::move(client), std::move(call));
  if (!capabilities.pre_sign) throw_pre_sign_unsupported(what);
}

async::Task<StoreCapabilities> store_capabilities(Via via, Client client, CallOptions call) {
  if (via == Via::engine) co_return co_await store_capabilities_async(std::move(client), std::move(call));
  co_return store_capabilities(client, call);
}

async::Task<bool> use_pre_sign(Via via, Client client, std::optional<bool> requested, std::string what,
                               CallOptions call) {
  if (requested.has_value() && !*requested) co_return false;
  const StoreCapabilities capabilities = co_await store_capabilities(via, std::move(client), std::move(call));
  if (requested.has_value() && !capabilities.pre_sign) throw_pre_sign_unsupported(what);
  co_return capabilities.pre_sign;
}

std::string redact_url(std::string_view url) {
  const auto query = url.find('?');
  std::string out(url.substr(0, query));
  if (query != std::string_view::npos) out += "?<signature redacted>";
  return out;
}

std::string ObjectName::address() const { return "lakefs://" + repo + "/" + ref + "/" + path; }

RenewableUrl::RenewableUrl(std::string url, std::function<std::string()> fetch)
    : url_(std::move(url)), fetch_([fetch = std::move(fetch)] {
        return PresignedUrl{fetch(), std::nullopt};
      }) {}

RenewableUrl::RenewableUrl(PresignedUrl first, std::function<PresignedUrl()> fetch) : fetch_(std::move(fetch)) {
  set(std::move(first));
}

void RenewableUrl::set(PresignedUrl fresh) {
  url_ = std::move(fresh.url);
  renew_at_.reset();
  if (!fresh.expires) return;
  const auto now = Clock::now();
  expires_ = Clock::time_point(*fresh.expires);
  // A URL the clocks say is already dead (a client clock far ahead of the server's) is renewed only when the
  // store rejects it: renewing it before each request would only add a stat to each.
  if (expires_ <= now) return;
  const auto margin = std::min<Clock::duration>((expires_ - now) / 2, std::chrono::minutes(1));
  renew_at_ = expires_ - margin;
}

void RenewableUrl::refresh(std::unique_lock<std::mutex>& lock) {
  renewing_ = true;
  lock.unlock();
  PresignedUrl fresh;
  try {
    fresh = fetch_();
  } catch (...) {
    lock.lock();
    renewing_ = false;
    renewed_.notify_all();
    throw;
  }
  lock.lock();
  set(std::move(fresh));
  ++generation_;
  renewing_ = false;
  renewed_.notify_all();
}

RenewableUrl::Current RenewableUrl::current() {
  std::unique_lock lock(mutex_);
  if (renew_at_ && Clock::now() >= *renew_at_) {
    if (!renewing_) {
      refresh(lock);
    } else if (Clock::now() >= expires_) {
      renewed_.wait(lock, [this] { return !renewing_; });
    }
  }
  return {url_, generation_};
}

void RenewableUrl::renew(unsigned generation) {
  std::unique_lock lock(mutex_);
  renewed_.wait(lock, [this] { return !renewing_; });  // the other threads want the same new URL: one asks lakeFS
  if (generation != generation_) return;
  refresh(lock);
}

SharedUrl::SharedUrl(std::string url, Fetch fetch) : url_(std::move(url)), fetch_(std::move(fetch)) {}

RenewableUrl::Current SharedUrl::current() const {
  std::lock_guard lock(mutex_);
  return {url_, generation_};
}

async::Task<void> SharedUrl::renew(unsigned generation) {
  {
    std::lock_guard lock(mutex_);
    if (generation != generation_) co_return;  // renewed meanwhile
  }
  std::string fresh = co_await fetch_();
  std::lock_guard lock(mutex_);
  if (generation != generation_) co_return;  // another task's renewal came first
  url_ = std::move(fresh);
  ++generation_;
}

async::Task<http::Response> presigned_send(Via via, Client client, SharedUrl& url, ObjectName object,
                                           http::Request request) {
  // Logs and errors name the object, never the URL (as send_renewing).
  request.path = object.address() + " (object store)";
  bool renewed = false;
  for (;;) {
    const auto current = url.current();
    http::Request attempt = request;
    attempt.absolute_url = current.url;
    std::optional<ServerError> rejected;
    try {
      co_return co_await send_via(via, client, std::move(attempt));
    } catch (const ServerError& e) {
      rejected.emplace(e);
    }
    // Renewed only when the body can be sent again (a caller's one-shot stream cannot).
    if (rejected->status() == 403 && !renewed && request.restart_body) {
      renewed = true;
      co_await url.renew(current.generation);
      request.restart_body();
      continue;
    }
    throw_object_store_error(rejected->status(), rejected->body(), rejected->headers(), request.method, object);
  }
}

http::Response presigned_get(const Client& client, RenewableUrl& url, const ObjectName& object,
                             const std::string& range, const std::function<void(std::string_view)>& sink,
                             const std::function<void()>& restart, const CallOptions& call,
                             const std::function<void(const http::Response&)>& start) {
  return send_renewing(client, url, object, "GET", restart, [&](http::Request& request) {
    request.call = call;
    request.body_sink = sink;
    request.body_start = start;
    if (!range.empty()) request.headers.emplace_back("Range", range);
  });
}

std::vector<http::Header> presigned_put_headers(const StoreCapabilities& store) {
  std::vector<http::Header> headers;
  // Azure refuses a PUT to a blob URL that does not say which kind of blob it creates.
  if (store.blockstore_type == "azure") headers.emplace_back("x-ms-blob-type", "BlockBlob");
  return headers;
}

void throw_object_store_error(int status, std::string_view body, const std::vector<http::Header>& headers,
                              std::string_view method, const ObjectName& object) {
  const std::string code = xml_field(body, "Code");
  const std::string message = xml_field(body, "Message");
  std::string request_id = header_value(headers, "x-amz-request-id");
  if (request_id.empty()) request_id = header_value(headers, "x-ms-request-id");
  // Only headers that identify the answer: a store's error headers carry nothing a caller needs beyond these.
  std::vector<http::Header> kept;
  for (const auto& header : headers) {
    if (header.first == "x-amz-request-id" || header.first == "x-amz-id-2" || header.first == "x-ms-request-id" ||
        header.first == "content-type" || header.first == "date" || header.first == "server" ||
        header.first == "content-range") {  // a 416's "bytes */<size>": InvalidRangeError::object_size()
      kept.push_back(header);
    }
  }
  const std::string address = object.address();
  const std::string explanation = code.empty() ? message : (message.empty() ? code : code + ": " + message);
  if (status == 404 || code == "NoSuchKey") {
    throw ObjectNotFoundError(status,
                              "the object's data is missing from the object store" +
                                  (explanation.empty() ? std::string() : " (" + explanation + ")") + " (object '" +
                                  object.path + "' at '" + object.repo + "/" + object.ref + "')",
                              request_id, std::string(method), address, {}, std::move(kept));
  }
  if (status == 416) {
    throw InvalidRangeError(status, explanation.empty() ? "range not satisfiable" : explanation, request_id,
                            std::string(method), address, {}, std::move(kept));
  }
  std::string store_message = message;
  if (status == 403)
    store_message +=
        (store_message.empty() ? "" : "; ") + std::string("the pre-signed URL was rejected, also after it was renewed");
  throw ObjectStoreError(status, code, store_message, request_id, std::string(method), address, std::move(kept));
}

}  // namespace lakefs::detail
