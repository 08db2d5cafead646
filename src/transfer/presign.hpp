// SPDX-License-Identifier: Apache-2.0
// Pre-signed transfers: deciding whether to use them, and reaching the object
// store directly through the client's channel with a pre-signed URL that is
// renewed once when the store rejects it (expired), with the store's answers
// mapped to the SDK's errors (never showing the URL's signature).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "async/via.hpp"
#include "client_state.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/client.hpp"
#include "lakefs/object.hpp"
#include "lakefs/transport.hpp"

namespace lakefs::detail {

/// What the server's block store allows (its storage config, fetched once per client).
[[nodiscard]] StoreCapabilities store_capabilities(const Client& client, const CallOptions& call);
/// The same as a task: the first one asks GET /config on the engine (a server from before /config is asked the
/// blocking way, once per client).
[[nodiscard]] async::Task<StoreCapabilities> store_capabilities_async(Client client, CallOptions call);
/// use_pre_sign(client, true, what, call) as a task: NotSupportedError when the block store cannot pre-sign.
[[nodiscard]] async::Task<void> require_pre_sign_async(Client client, std::string what, CallOptions call);

/// store_capabilities() the Via way.
[[nodiscard]] async::Task<StoreCapabilities> store_capabilities(Via via, Client client, CallOptions call);
/// use_pre_sign() the Via way.
[[nodiscard]] async::Task<bool> use_pre_sign(Via via, Client client, std::optional<bool> requested, std::string what,
                                             CallOptions call);

/// Whether a transfer uses pre-signed URLs: `requested` when set, else whether
/// the server supports them. Forced on against a server without support:
/// NotSupportedError naming `what`.
[[nodiscard]] bool use_pre_sign(const Client& client, std::optional<bool> requested, const char* what,
                                const CallOptions& call);

/// A pre-signed URL without its query (which carries the signature).
[[nodiscard]] std::string redact_url(std::string_view url);

/// The object a pre-signed transfer moves: what logs and errors name instead of the URL.
struct ObjectName {
  std::string repo, ref, path;
  /// "lakefs://repo/ref/path".
  [[nodiscard]] std::string address() const;
};

/// A pre-signed URL that can be renewed: shared by the threads of one
/// transfer (reader and read-ahead, parallel ranges or parts) or of one
/// ObjectRangeReader. When the store rejects a URL (403: expired or otherwise
/// refused), renew(generation) asks lakeFS for a new one, once per rejected
/// URL however many threads saw it fail. A URL whose expiry is known is also
/// renewed before it expires (see current()). No lock is held while lakeFS is
/// asked: threads that need the new URL wait for it, the others go on.
class RenewableUrl {
 public:
  /// `fetch` asks lakeFS for a fresh URL (a stat with presign, an upload-part call, ...).
  RenewableUrl(std::string url, std::function<std::string()> fetch);
  /// A URL that stops working at `first.expires` (when set), and a `fetch` that says when its URLs do.
  RenewableUrl(PresignedUrl first, std::function<PresignedUrl()> fetch);
  RenewableUrl(const RenewableUrl&) = delete;
  RenewableUrl& operator=(const RenewableUrl&) = delete;

  struct Current {
    std::string url;
    unsigned generation = 0;
  };
  /// The URL to send a request with. One that expires within its renewal margin (half its life as it was when
  /// fetched, at most a minute) is renewed first, at most once per call; while another thread renews it, a URL
  /// that has not expired yet is used as it is.
  [[nodiscard]] Current current();
  /// Replaces the URL of `generation` by a fresh one (no-op when another thread already did).
  void renew(unsigned generation);

 private:
  using Clock = std::chrono::system_clock;
  // Fetches a fresh URL with `lock` released (it is held again on return, also when `fetch_` throws).
  void refresh(std::unique_lock<std::mutex>& lock);
  void set(PresignedUrl fresh);

  std::mutex mutex_;
  std::condition_variable renewed_;
  std::string url_;
  std::optional<Clock::time_point> renew_at_;  // unset: renewed only when the store rejects it
  Clock::time_point expires_{};
  unsigned generation_ = 0;
  bool renewing_ = false;
  std::function<PresignedUrl()> fetch_;
};

/// A pre-signed URL that the tasks of one transfer share (the ranges of a parallel download, the attempts of one
/// part), renewed by a `fetch` task when the store rejects it. Thread-safe, and no task ever waits for another:
/// tasks that see the same URL rejected at once may each fetch a fresh one (the first answer is kept), which costs
/// a request each where RenewableUrl would make the others wait, and blocking the engine's thread is not an option.
class SharedUrl {
 public:
  using Fetch = std::function<async::Task<std::string>()>;
  SharedUrl(std::string url, Fetch fetch);
  SharedUrl(const SharedUrl&) = delete;
  SharedUrl& operator=(const SharedUrl&) = delete;

  /// The URL to send a request with, and its generation.
  [[nodiscard]] RenewableUrl::Current current() const;
  /// Replaces the URL of `generation` by a fresh one (no-op when another task already did).
  [[nodiscard]] async::Task<void> renew(unsigned generation);

 private:
  mutable std::mutex mutex_;
  std::string url_;
  unsigned generation_ = 0;
  Fetch fetch_;
};

/// One pre-signed request to the object store (a GET, or the PUT of an object or a part), run the Via way:
/// `request` is complete but for its URL (method, headers, body source or sink, restart_body, call). Retried like
/// any request of its method; a rejected URL (403) is renewed once when the body can be sent again (restart_body
/// set). `url` must outlive the task. Errors as presigned_get()'s.
[[nodiscard]] async::Task<http::Response> presigned_send(Via via, Client client, SharedUrl& url, ObjectName object,
                                                         http::Request request);

/// A GET of `url` (with `range`: a Range header value, or empty for all),
/// streaming the body to `sink`. Retried like any idempotent request, also
/// after part of the body arrived: `restart` (required) is called first and
/// must make the sink forget what it received. A rejected URL (403) is renewed
/// once. A physical object is never rewritten in place (lakeFS gives every
/// upload a new address), so all ranges of one URL are of one version; the
/// `fetch` of a renewal is where a replaced object shows (ObjectChangedError).
/// Errors: ObjectNotFoundError for a missing physical object, ObjectStoreError,
/// TransportError, CancelledError.
http::Response presigned_get(const Client& client, RenewableUrl& url, const ObjectName& object,
                             const std::string& range, const std::function<void(std::string_view)>& sink,
                             const std::function<void()>& restart, const CallOptions& call,
                             const std::function<void(const http::Response&)>& start = {});

/// The headers a pre-signed PUT carries besides its body (unit-tested without a store).
[[nodiscard]] std::vector<http::Header> presigned_put_headers(const StoreCapabilities& store);

/// Maps the object store's error answer (`status`, its XML `body`, headers) for
/// `object`: ObjectNotFoundError (404, NoSuchKey), InvalidRangeError (416),
/// else ObjectStoreError; never the URL or the body.
[[noreturn]] void throw_object_store_error(int status, std::string_view body, const std::vector<http::Header>& headers,
                                           std::string_view method, const ObjectName& object);

}  // namespace lakefs::detail
