// SPDX-License-Identifier: Apache-2.0
// lakefs::RequestHook: an observer of every attempt a Client makes (ClientOptions::request_hook), for tracing
// (a W3C traceparent header, an OpenTelemetry span per attempt) and per-request metrics. It never sees a
// credential. See docs/client-and-configuration.md, "Observing requests".
#pragma once

#include <any>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "lakefs/export.hpp"
#include "lakefs/http.hpp"

namespace lakefs {

/// One attempt as a RequestHook sees it: made before the attempt is sent, handed to before_attempt() and then
/// (the same object) to after_attempt(). Holds no credential.
struct LAKEFS_API RequestAttempt {
  /// "GET", "POST", ...
  std::string method{};
  /// What the attempt asks for, as log lines show it: for a lakeFS request the path below the API root and its
  /// query with every value replaced by "<redacted>" (e.g. "/repositories/r/objects?path=<redacted>"); for a
  /// pre-signed request the object it transfers, "lakefs://repo/ref/path (object store)" (never the URL, whose
  /// query holds the signature). Any credential in it is replaced by "[REDACTED]".
  std::string target{};
  /// 0 for the first attempt of a request, then 1, 2, ... for each one sent again (a retry, or a repeat with
  /// renewed credentials after a 401).
  int attempt = 0;
  /// The attempt goes to a pre-signed object-store URL, not to lakeFS.
  bool presigned = false;
  /// Headers to send with this attempt only: before_attempt() appends to it (empty when it is called). Checked
  /// like CallOptions::headers: an invalid name or value (CR, LF, ...) or a header the SDK sets (Authorization,
  /// Host, Content-Length, Transfer-Encoding) is an InvalidArgumentError and the attempt is not sent. Sent to
  /// pre-signed URLs too (unlike CallOptions::headers): leave it empty when `presigned` if the object store must
  /// not see them.
  std::vector<http::Header> headers{};
  /// The hook's own slot, carried from before_attempt() to after_attempt() (e.g. a span).
  std::any context{};
};

/// How an attempt ended, as after_attempt() is told.
struct LAKEFS_API AttemptResult {
  /// The HTTP status of the answer; 0 when there was none (see `failure`).
  int status = 0;
  /// Why the attempt got no answer (Failure::none when it got one).
  http::Failure failure = http::Failure::none;
  /// From just before the attempt was handed to the transport until it completed.
  std::chrono::nanoseconds elapsed{0};
  /// Bytes of request body sent.
  std::uint64_t bytes_sent = 0;
  /// Bytes of response body received.
  std::uint64_t bytes_received = 0;
  /// The answer's X-Request-Id header (lakeFS sends one with every answer); empty when absent.
  std::string request_id{};
  /// The client will send this request again (after its back-off; a cancellation or a deadline during the wait
  /// may still stop it). False for the last attempt.
  bool will_retry = false;
};

/// Observes every attempt a Client makes: lakeFS API requests, pre-signed object-store requests, and the
/// credentials exchange of login_credentials(); each retry is an attempt of its own. Set it in
/// ClientOptions::request_hook (shared by every copy of the client).
///
/// Thread safety: both functions are called on the thread that runs the attempt, and concurrently for requests
/// in flight at the same time, so a hook with state must synchronise it. They should not block: an
/// asynchronous engine calls them from the threads that drive its transfers.
///
/// Exceptions: one thrown by either function propagates out of the call that made the attempt, as is, and
/// nothing more is sent for that call (from before_attempt(): this attempt is not sent and after_attempt() is
/// not called for it; from after_attempt(): the attempt is not retried). Every attempt that was sent is
/// completed by exactly one after_attempt() call, also when the call then ends with an error.
///
/// What a hook is shown holds no credential: no Authorization header, key id, secret or session token, no
/// pre-signed URL or signature.
class LAKEFS_API RequestHook {
 public:
  /// Destroyed with the last client (or copy) that holds it.
  virtual ~RequestHook();

  /// Called just before an attempt is sent: may add headers to `attempt.headers` and keep state in
  /// `attempt.context`. Does nothing unless overridden.
  virtual void before_attempt(RequestAttempt& attempt);
  /// Called once the attempt has completed (an answer of any status, or a failure), with the object that
  /// before_attempt() was given. Does nothing unless overridden.
  virtual void after_attempt(RequestAttempt& attempt, const AttemptResult& result);

 protected:
  /// A hook is made as the base of a class of the user's own.
  RequestHook() = default;
  /// Copyable as a base.
  RequestHook(const RequestHook&) = default;
  /// Assignable as a base.
  RequestHook& operator=(const RequestHook&) = default;
};

}  // namespace lakefs
