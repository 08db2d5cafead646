// The HTTP transport under the generated API layer: libcurl with one
// connection pool per Transport, shared by all threads. The generated
// lakefs::api classes build Requests; the high-level SDK never touches this
// header directly except to configure it through ClientOptions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lakefs {

/// How the transport reaches and authenticates with a lakeFS server.
struct TransportOptions {
  /// Base URL of the API, normalised to end in "/api/v1" (no trailing slash).
  std::string endpoint{};
  std::string access_key_id{};
  std::string secret_access_key{};
  /// Bearer session token; when set it is used instead of the key pair.
  std::string session_token{};
  /// Verify the server's TLS certificate and host name. On by default.
  bool verify_tls = true;
  /// PEM bundle of CA certificates to trust instead of the system's.
  std::string ca_file{};
  /// Directory of CA certificates to trust instead of the system's.
  std::string ca_path{};
  /// HTTP(S) proxy URL; empty means libcurl's default (environment variables).
  std::string proxy{};
  std::chrono::milliseconds connect_timeout{10'000};
  /// Whole-request timeout; zero means none (large transfers may take long).
  std::chrono::milliseconds request_timeout{0};
  /// Abort a transfer slower than 1 byte/s for this long; zero disables.
  std::chrono::milliseconds low_speed_timeout{60'000};
  /// Connections kept alive for reuse (and the default concurrency of batch work).
  std::size_t max_connections = 16;
  /// Extra text appended to the User-Agent after "lakefs-cpp/<version>".
  std::string user_agent_suffix{};
  /// Retries of a request that failed transiently: no connection could be
  /// made (any method), or an idempotent request (GET, HEAD, PUT, DELETE) met
  /// a dropped connection, a timeout or HTTP 429/502/503/504. Streaming
  /// requests are retried only while nothing of them was sent or received.
  int max_retries = 3;
  /// First back-off; doubled per retry (with jitter), capped at 2 s, and
  /// replaced by the server's Retry-After when it sends one (capped at 10 s).
  std::chrono::milliseconds retry_backoff{100};
};

namespace http {

using Header = std::pair<std::string, std::string>;

struct Request {
  /// "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD".
  std::string_view method = "GET";
  /// Path below the API root, starting with '/', each segment already percent-encoded.
  std::string path{};
  /// Encoded query string without the leading '?'; empty for none.
  std::string query{};
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
  /// Send no credentials (health check, login).
  bool anonymous = false;
  /// Absolute URL to request instead of endpoint + path + query: a pre-signed
  /// object-store URL. No lakeFS credentials are sent with it, and `path` only
  /// names the request in error messages (so it must not hold the signature).
  std::string absolute_url{};
};

struct Response {
  int status = 0;
  /// The body, unless the request streamed it to a sink.
  std::string body{};
  /// Response headers, names lower-cased.
  std::vector<Header> headers{};

  /// Value of the first header named `name` (case-insensitive), if present.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

/// Appends `text` to `out`, percent-encoding everything outside RFC 3986's
/// unreserved set (so '/' is encoded too: use for path segments and query values).
void append_encoded(std::string& out, std::string_view text);

}  // namespace http

/// Sends requests over a pool of reusable libcurl connections. Thread-safe:
/// one Transport serves any number of threads. Non-2xx answers throw the
/// matching lakefs::ServerError subclass; failures to get an answer throw a
/// lakefs::TransportError subclass naming the endpoint.
class Transport {
 public:
  explicit Transport(TransportOptions options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// Sends `request` and returns the 2xx response, or throws.
  [[nodiscard]] http::Response send(const http::Request& request) const;

  [[nodiscard]] const TransportOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_{};
};

}  // namespace lakefs
