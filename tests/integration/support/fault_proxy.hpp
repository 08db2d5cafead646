// SPDX-License-Identifier: Apache-2.0
// FaultProxy: an in-process HTTP/1.1 proxy on 127.0.0.1 that sits between a
// Client and the real lakeFS server and breaks chosen requests on purpose
// (connection resets before or after the server applied them, stalls,
// truncated bodies, canned error answers), so tests can pin down what the SDK
// guarantees when the network misbehaves.
//
// It frames HTTP/1.1 messages itself and keeps client connections alive
// across requests exactly like a real server does, with one upstream
// connection per client connection: the failures that matter most only happen
// on a connection libcurl reuses.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace lakefs::test {

enum class Fault {
  /// Forwarded untouched.
  none,
  /// Read the request, then reset the client connection (RST): the server never sees it.
  reset_before_forward,
  /// Forward, wait for the server's complete answer, then reset the client
  /// connection without sending any of it: the server DID apply the request.
  reset_after_forward,
  /// As reset_after_forward, but a clean close (FIN).
  close_after_forward,
  /// Forward, then hold the answer for FaultRule::stall_for before sending it.
  stall,
  /// Send the answer's headers and only the first FaultRule::body_bytes bytes of its body, then close.
  truncate_response,
  /// Do not forward: answer with FaultRule::status, headers and body.
  respond,
};

const char* to_string(Fault fault) noexcept;

/// Breaks the next `times` requests whose method is `method` (empty: any) and
/// whose path and query contain `path_contains` (empty: any).
struct FaultRule {
  std::string method{};
  std::string path_contains{};
  Fault fault = Fault::none;
  int times = 1;
  /// stall: how long the answer is held; unset holds it until the proxy stops.
  std::optional<std::chrono::milliseconds> stall_for{};
  /// truncate_response: body bytes (as on the wire) sent before the close.
  std::size_t body_bytes = 0;
  /// respond: the answer. Content-Length is added.
  int status = 503;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
};

/// One request the proxy read from a client.
struct SeenRequest {
  std::string method{};
  /// Path and query, as sent (e.g. "/api/v1/repositories/r/branches/main/commits").
  std::string target{};
  /// Which client connection carried it (1-based, in accept order).
  std::size_t connection = 0;
  /// Its position on that connection (1-based): above 1 means the client reused a kept-alive connection.
  std::size_t index_on_connection = 0;
  Fault fault = Fault::none;
  /// The whole request reached the upstream server.
  bool forwarded = false;
  /// The upstream's status (0 when it gave none).
  int upstream_status = 0;

  [[nodiscard]] bool reused_connection() const noexcept { return index_on_connection > 1; }
};

class FaultProxy {
 public:
  /// Listens on 127.0.0.1:<free port> and forwards to `upstream_endpoint`,
  /// "http://127.0.0.1:PORT" (anything after the port is ignored).
  explicit FaultProxy(const std::string& upstream_endpoint);
  /// Stops: wakes every wait, joins every thread, closes every socket.
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  /// "http://127.0.0.1:PORT": use as ClientOptions::endpoint.
  [[nodiscard]] std::string endpoint() const;

  /// Rules are tried in the order they were added; the first that matches and has uses left applies.
  void add_rule(FaultRule rule);
  void clear_rules();

  /// Every request read so far, in arrival order.
  [[nodiscard]] std::vector<SeenRequest> requests() const;
  /// Requests read so far that match `method` (empty: any) and `path_contains`.
  [[nodiscard]] std::vector<SeenRequest> requests(const std::string& method, const std::string& path_contains) const;
  /// How many of those reached the upstream server.
  [[nodiscard]] std::size_t forwarded(const std::string& method, const std::string& path_contains) const;
  [[nodiscard]] std::size_t connections_accepted() const;
  /// Requests read and not yet answered (or dropped) right now.
  [[nodiscard]] std::size_t in_flight() const noexcept { return in_flight_.load(); }
  /// The most requests that were in flight at once since the proxy started (or reset_peak()).
  [[nodiscard]] std::size_t peak_in_flight() const noexcept { return peak_in_flight_.load(); }
  void reset_peak() noexcept { peak_in_flight_.store(in_flight_.load()); }
  /// Bytes of forwarded response bodies written to clients' connections so far (as on the wire: chunked framing
  /// included). Written means handed to the kernel: a client that stops reading holds this back once the
  /// connection's socket buffers are full.
  [[nodiscard]] std::uint64_t body_bytes_to_clients() const noexcept { return body_bytes_to_clients_.load(); }
  /// Every request seen, one per line, for failure messages.
  [[nodiscard]] std::string log() const;

  /// Stops now (idempotent; the destructor calls it).
  void stop();

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  void accept_loop();
  void serve(int client_fd, std::size_t connection_id);
  /// The rule for this request, if any (uses one of its `times`).
  std::optional<FaultRule> take_rule(const std::string& method, const std::string& target);
  std::size_t record(SeenRequest request);
  void update(std::size_t index, bool forwarded, int upstream_status);
  void reap_finished_workers();

  std::uint16_t upstream_port_ = 0;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  /// Written once by stop(), never read: every poll() includes it, so every wait wakes.
  int stop_pipe_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::uint64_t> body_bytes_to_clients_{0};
  std::atomic<std::size_t> peak_in_flight_{0};

  mutable std::mutex mutex_;  // guards rules_, seen_
  std::vector<FaultRule> rules_;
  std::vector<SeenRequest> seen_;

  std::mutex workers_mutex_;
  std::list<Worker> workers_;
  std::thread acceptor_;
};

}  // namespace lakefs::test
