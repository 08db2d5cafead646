// SPDX-License-Identifier: Apache-2.0
// The HTTP exchange as the SDK sees it: a request (a value that owns its body
// source and sink), the response, and the result of one attempt to send it.
// Transports (include/lakefs/transport.hpp) take these; so does
// Client::send(), the escape hatch for a raw request with the client's
// credentials, retries and logging.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lakefs/export.hpp"
#include "lakefs/policies.hpp"

namespace lakefs::http {

/// An HTTP header: (name, value).
using Header = std::pair<std::string, std::string>;

/// How the client authenticates one request. Filled in by the client from its
/// credentials provider; a transport turns it into the Authorization header,
/// and must not send it to any host but the endpoint's (the libcurl transport
/// relies on libcurl dropping it on a redirect to another host or port).
struct LAKEFS_API Authorization {
  /// The kind of Authorization header to send.
  enum class Scheme { none, basic, bearer };
  /// \var Scheme::none
  /// No Authorization header (an anonymous request, or a pre-signed URL).
  /// \var Scheme::basic
  /// HTTP Basic: `user` and `secret` are the key pair.
  /// \var Scheme::bearer
  /// HTTP Bearer: `secret` is the session token.

  /// How this request is authenticated.
  Scheme scheme = Scheme::none;
  /// Basic: the access key id.
  std::string user{};
  /// Basic: the secret access key; Bearer: the token.
  std::string secret{};
};

struct Response;

/// One HTTP request to the lakeFS API (or to a pre-signed object-store URL), as the client hands it to a
/// Transport, and as Client::send() takes it. Owns its body source and sink.
struct LAKEFS_API Request {
  /// "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD".
  std::string method = "GET";
  /// Path below the API root, starting with '/', each segment already percent-encoded.
  std::string path{};
  /// Encoded query string without the leading '?'; empty for none.
  std::string query{};
  /// Request headers, besides Authorization (from `authorization`) and Content-Type (from `content_type`).
  std::vector<Header> headers{};
  /// Request body held in memory (JSON for most operations).
  std::string body{};
  /// Content-Type of the body; empty sends none.
  std::string content_type{};
  /// Streaming request body: fills `buf` with up to `size` bytes, returns the
  /// count, 0 at the end. When set, `body` is ignored.
  std::function<std::size_t(char* buf, std::size_t size)> body_source{};
  /// Length of the streaming body when known; unknown lengths are sent chunked.
  std::optional<std::uint64_t> body_length{};
  /// Streaming response body: a 2xx response's body is handed here chunk by
  /// chunk instead of being collected in Response::body. Error bodies are
  /// always collected (they become the exception's message).
  std::function<void(std::string_view chunk)> body_sink{};
  /// With `body_sink`: called once per attempt with a 2xx response's status and
  /// headers (no body) before its first chunk reaches the sink, or when the
  /// attempt ends if the body is empty. Lets the caller size its buffer from
  /// Content-Length or check an ETag before taking any bytes; throwing from it
  /// aborts the attempt as a throwing sink does.
  std::function<void(const Response& head)> body_start{};
  /// Makes a streamed request repeatable: called before a retry of an attempt
  /// whose body was already read from `body_source` or handed to `body_sink`;
  /// afterwards the source yields the body from its start again and the sink
  /// has forgotten what it received. Without it, such an attempt is never
  /// retried (the SDK sets it for pre-signed transfers of parts and ranges).
  std::function<void()> restart_body{};
  /// Send no credentials (health check, login).
  bool anonymous = false;
  /// An operation that must not be repeated although its method is
  /// idempotent (lakeFS's PUT .../pulls/{id}/merge): like a POST, it reaches
  /// the wire at most once and, when its outcome is unknown, the error says so.
  bool not_idempotent = false;
  /// Absolute URL to request instead of endpoint + path + query: a pre-signed
  /// object-store URL. No lakeFS credentials are sent with it, and `path` only
  /// names the request in error messages and logs (so it must not hold the signature).
  std::string absolute_url{};
  /// Per-call timeout, retry override and cancellation.
  CallOptions call{};
  /// Set by the client before the request reaches the transport.
  Authorization authorization{};
};

/// An HTTP answer: status, headers and (unless streamed to a sink) body.
struct LAKEFS_API Response {
  /// The HTTP status code, e.g. 200 or 404.
  int status = 0;
  /// The body, unless the request streamed it to a sink.
  std::string body{};
  /// Response headers, names lower-cased.
  std::vector<Header> headers{};

  /// Value of the first header named `name` (case-insensitive), if present.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

/// Why an attempt got no HTTP answer.
enum class Failure {
  none,                ///< an answer came (any status)
  cannot_connect,      ///< refused, unresolvable host: nothing was sent
  connection_dropped,  ///< the connection broke mid-exchange
  timed_out,           ///< the connect, request or low-speed timeout expired
  tls,                 ///< TLS handshake or certificate verification failed
  cancelled,           ///< the request's stop token was triggered
  other,               ///< anything else (malformed answer, local resource failure, ...)
};

/// "cannot connect", "connection dropped", "timed out", "TLS failure",
/// "cancelled", "failed" (other), "no failure" (none): for messages and logs.
[[nodiscard]] LAKEFS_API std::string_view to_string(Failure failure) noexcept;

/// The result of one attempt: what the transport reports on completion.
struct LAKEFS_API Result {
  /// The answer (any status) when `failure` is Failure::none.
  Response response{};
  /// Why the attempt got no answer; Failure::none when it got one.
  Failure failure = Failure::none;
  /// The transport's own description of a failure (never credentials).
  std::string failure_message{};
  /// Some of the request reached the wire: the server may have acted on it.
  bool request_sent = false;
  /// The streaming body was read from its source or handed to its sink, so a
  /// repeat could not reproduce it.
  bool body_streamed = false;
  /// Bytes of request body sent.
  std::uint64_t bytes_sent = 0;
  /// Bytes of response body received.
  std::uint64_t bytes_received = 0;
  /// An exception thrown by the request's body source or sink; the client rethrows it.
  std::exception_ptr callback_error{};
};

/// Called exactly once per attempt with its result.
using Completion = std::function<void(Result result)>;

/// Appends `text` to `out`, percent-encoding everything outside RFC 3986's
/// unreserved set (so '/' is encoded too: use for path segments and query values).
LAKEFS_API void append_encoded(std::string& out, std::string_view text);

}  // namespace lakefs::http
