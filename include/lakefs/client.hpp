// SPDX-License-Identifier: Apache-2.0
// lakefs::Client: the connection to one lakeFS server, and where every handle
// (Repository, Branch, ...) starts. Cheap to copy (copies share one connection
// pool) and thread-safe.
//
// Configuration is discovered field by field, first match wins:
//   1. explicit ClientOptions fields,
//   2. environment: LAKEFS_ENDPOINT / LAKEFS_ACCESS_KEY_ID / LAKEFS_SECRET_ACCESS_KEY, then lakectl's
//      LAKECTL_SERVER_ENDPOINT_URL / LAKECTL_CREDENTIALS_ACCESS_KEY_ID / LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY /
//      LAKECTL_CREDENTIALS_SESSION_TOKEN,
//   3. the lakectl config file: $LAKECTL_CONFIG_FILE, else ~/.lakectl.yaml.
// Credentials are taken as a unit from the first source that has any.
// See docs/client-and-configuration.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "lakefs/async/task.hpp"
#include "lakefs/credentials.hpp"
#include "lakefs/export.hpp"
#include "lakefs/logging.hpp"
#include "lakefs/models.hpp"
#include "lakefs/policies.hpp"
#include "lakefs/transport_options.hpp"

namespace lakefs {

namespace api {
class Api;
}  // namespace api
namespace detail {
struct ClientAccess;
}  // namespace detail
namespace http {
struct Request;
struct Response;
}  // namespace http

class Transport;    // <lakefs/transport.hpp>
class RequestHook;  // <lakefs/request_hook.hpp>

class Repository;

/// Options for a Client. Every field is optional: what is left empty is
/// discovered from the environment and the lakectl config file.
struct LAKEFS_API ClientOptions {
  /// Server URL, e.g. "https://lakefs.example.com" (with or without "/api/v1").
  std::string endpoint{};
  /// Access key id of the key pair to authenticate with (sent as HTTP Basic, or exchanged with `login`).
  std::string access_key_id{};
  /// Secret access key of the key pair.
  std::string secret_access_key{};
  /// Session (bearer) token; used instead of the key pair when set.
  std::string session_token{};
  /// Verify TLS certificates (default true). Turn off only for test servers.
  std::optional<bool> verify_tls{};
  /// PEM bundle of CA certificates to trust instead of the system's (TransportOptions::ca_file).
  std::string ca_file{};
  /// Directory of CA certificates to trust instead of the system's (TransportOptions::ca_path).
  std::string ca_path{};
  /// PEM file of the client certificate to present to a server that asks for one (mutual TLS); with
  /// `client_key_file` unless the file holds the key too (TransportOptions::client_cert_file).
  std::string client_cert_file{};
  /// PEM file of the client certificate's private key, unencrypted (TransportOptions::client_key_file).
  std::string client_key_file{};
  /// HTTP(S) proxy URL; empty = libcurl's default (its proxy environment variables).
  std::string proxy{};
  /// Time allowed to establish a connection (default 10 s; must be positive).
  std::optional<std::chrono::milliseconds> connect_timeout{};
  /// Whole-request timeout of each attempt (default none: zero); CallOptions::timeout overrides it per call.
  std::optional<std::chrono::milliseconds> request_timeout{};
  /// Abort a transfer that moves under 1 byte/s for this long (default 60 s;
  /// zero disables). Time an ObjectWriter waits for its caller's next bytes
  /// does not count.
  std::optional<std::chrono::milliseconds> low_speed_timeout{};
  /// Idle connections kept alive per server (in use, one more per request in
  /// flight); also the default concurrency of batch operations (default 32, or
  /// the lakectl config file's options.parallelism). See
  /// TransportOptions::max_connections.
  std::optional<std::size_t> max_connections{};
  /// libcurl's receive buffer per connection, in bytes (default 512 KiB; 1 KiB
  /// to 10 MiB): see TransportOptions::receive_buffer_size.
  std::optional<std::size_t> receive_buffer_size{};
  /// Threads of the asynchronous engine (default 1), which runs every `_async` call and the batch operations; see
  /// TransportOptions::engine_threads and docs/async.md.
  std::optional<std::size_t> engine_threads{};
  /// Requests the asynchronous engine sends at once, per engine thread (default 256); more wait in its queue. See
  /// TransportOptions::max_in_flight.
  std::optional<std::size_t> max_in_flight{};
  /// Requests that may wait in the asynchronous engine's queue, per engine thread (default 1,000,000); one more is
  /// refused with InvalidStateError. See TransportOptions::max_queued_requests.
  std::optional<std::size_t> max_queued_requests{};
  /// Appended to the User-Agent "lakefs-cpp/<version>" (e.g. your application's
  /// name, to find its requests in the server's or object store's logs).
  /// Printable ASCII only.
  std::string user_agent_suffix{};
  /// Retry policy (default: 3 retries, 100 ms doubling to 2 s, Retry-After capped at 10 s, no budget; the
  /// lakectl config file's server.retries, when it has them, replace the first three).
  std::optional<RetryOptions> retry{};
  /// Request and retry lines; see <lakefs/logging.hpp> (LAKEFS_LOG=debug when unset).
  LoggingOptions log{};
  /// Observes every attempt (lakeFS requests, pre-signed transfers, retries, the login exchange) and may add
  /// headers to it, e.g. a W3C traceparent; never shown a credential. See <lakefs/request_hook.hpp>.
  std::shared_ptr<RequestHook> request_hook{};
  /// Where credentials come from, instead of the key pair or token discovered
  /// above (then the endpoint is still discovered). See <lakefs/credentials.hpp>.
  std::shared_ptr<CredentialsProvider> credentials{};
  /// Exchange the discovered key pair for short-lived session tokens
  /// (login_credentials) instead of sending the pair with every request.
  bool login = false;
  /// The transport to send through instead of libcurl's (a test double, a
  /// custom engine). The connection settings above then do not apply.
  std::shared_ptr<Transport> transport{};
  /// Skip environment and config file: use only what is set here.
  bool explicit_only = false;
};

/// The settings a client would use and where they came from (for
/// diagnostics). Holds no secret: only the access key id is shown.
struct LAKEFS_API ResolvedConfig {
  /// The connection settings: endpoint (normalised), TLS, proxy, timeouts, connections.
  TransportOptions transport{};
  /// The retry policy every request of the client uses unless its CallOptions override it.
  RetryOptions retry{};
  /// The access key id in use, empty when authenticating with a session token
  /// or a custom provider.
  std::string access_key_id{};
  /// "key pair", "session token", "login" or the custom provider's describe().
  std::string credentials_kind{};
  /// Human-readable origin of the endpoint, e.g. "environment (LAKEFS_*)".
  std::string endpoint_source{};
  /// Human-readable origin of the credentials, e.g. "explicit options (credentials provider)".
  std::string credentials_source{};
  /// Where `retry` came from: "explicit options", the config file's
  /// server.retries ("config file PATH (server.retries)") or "defaults".
  std::string retry_source{};
  /// Where transport.max_connections came from: "explicit options", the config
  /// file's options.parallelism, or "defaults".
  std::string max_connections_source{};
};

/// Resolves options against the environment and the config file without
/// connecting. Throws ConfigurationError (malformed endpoint, bad config file)
/// or NoAuthenticationFoundError (no credentials anywhere).
[[nodiscard]] LAKEFS_API ResolvedConfig resolve_config(const ClientOptions& options);

/// The connection to one lakeFS server, and where every handle (Repository, Branch, ...) starts. Cheap to copy:
/// copies share one connection pool, credentials and configuration. Thread-safe. Configured from ClientOptions,
/// the environment and the lakectl config file, field by field (see docs/client-and-configuration.md).
class LAKEFS_API Client {
 public:
  /// A client configured from the environment or ~/.lakectl.yaml.
  Client();
  /// A client from explicit options; empty fields are discovered.
  explicit Client(const ClientOptions& options);

  /// The server's version string, e.g. "1.84.0" (from GET /config).
  [[nodiscard]] std::string server_version(CallOptions call = {}) const;

  /// The server's configuration (GET /config): version and every block store.
  /// A server older than /config is asked its deprecated /config/version and
  /// /config/storage instead.
  [[nodiscard]] ServerConfiguration server_config(CallOptions call = {}) const;

  /// The server's (first) block store: type, pre-sign and import support.
  [[nodiscard]] ServerStorageConfiguration storage_config(CallOptions call = {}) const;
  /// The block store `storage_id` of a multi-storage server ("" on a server
  /// with one block store); InvalidArgumentError naming the ids the server has
  /// when it has no such one.
  [[nodiscard]] ServerStorageConfiguration storage_config(const std::string& storage_id, CallOptions call = {}) const;

  /// A handle to repository `id` on this client (sends nothing; include <lakefs/repository.hpp>).
  [[nodiscard]] Repository repository(std::string id) const;

  /// The generated API layer: one typed method per REST operation, for
  /// anything the high-level SDK does not wrap.
  /// The reference lives as long as this client (or any copy of it): calling
  /// api() on a temporary Client is a compile error, not a dangling reference.
  [[nodiscard]] api::Api& api() const&;
  /// Deleted: api() on a temporary Client would return a dangling reference.
  api::Api& api() const&& = delete;

  /// Sends a raw request (include <lakefs/http.hpp>) below the API root (e.g. path "/repositories/r")
  /// with the client's credentials, retry policy and logging, and returns the
  /// 2xx response or throws the matching error, like the generated API.
  [[nodiscard]] http::Response send(http::Request request) const;

  /// send() as a task (include <lakefs/http.hpp>): the request goes out on the client's asynchronous engine
  /// when the task is awaited, retries wait on the engine's timers, and the awaiting coroutine resumes on the
  /// engine thread with the 2xx response or the same exception send() would throw. See docs/async.md.
  [[nodiscard]] async::Task<http::Response> send_async(http::Request request) const;

  /// Replaces the credentials provider of this client and all its copies;
  /// requests already in flight finish with the old credentials.
  void set_credentials(std::shared_ptr<CredentialsProvider> provider) const;

  /// The transport options in effect (endpoint normalised to ".../api/v1").
  [[nodiscard]] const TransportOptions& options() const;

  /// The resolved configuration (no secrets).
  [[nodiscard]] const ResolvedConfig& config() const;

 private:
  friend struct detail::ClientAccess;
  struct State;
  std::shared_ptr<State> state_{};
};

/// The process-wide default client, created from the environment / config
/// file on first use (thread-safe). Throws if no configuration is found.
[[nodiscard]] LAKEFS_API Client default_client();

/// Replaces the process-wide default client (e.g. after changing credentials).
LAKEFS_API void set_default_client(Client client);

}  // namespace lakefs
