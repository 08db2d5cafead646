// SPDX-License-Identifier: Apache-2.0
// lakefs::testing::FakeTransport: a scripted, in-memory Transport for unit
// tests of code built on lakefs-cpp. Nothing goes over the network: a test
// says what the "server" answers to each request (statuses, JSON, object
// bytes, headers, dropped connections), runs its code through a Client that
// sends through the fake, then asserts what was sent.
//
//   auto fake = std::make_shared<lakefs::testing::FakeTransport>();
//   fake->on("GET", "/repositories/repo").reply(Reply::error(503, "busy")).reply(Reply::json(200, repo_json));
//   lakefs::Client client = lakefs::testing::make_client(fake);
//   ... code under test ...
//   EXPECT_EQ(fake->count("GET", "/repositories/repo"), 2);
//
// The client around the fake still does everything it does against a real
// server (validation, credentials, retries, logging, error mapping): the fake
// only stands in for the wire. Link the CMake target lakefs::testing.
// In GoogleTest files, alias the namespace (namespace lt = lakefs::testing;):
// inside namespace lakefs, a bare `testing::` means this one, not GoogleTest's.
// See docs/testing-your-code.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakefs/client.hpp"
#include "lakefs/export.hpp"
#include "lakefs/http.hpp"
#include "lakefs/transport.hpp"

namespace lakefs::testing {

/// One scripted answer (or failure) of the fake server. An aggregate: build it
/// with the named constructors below or with designated initialisers.
struct LAKEFS_API Reply {
  /// HTTP status of the answer (ignored when `failure` is set).
  int status = 200;
  /// Response body. A 2xx answer to a request with a body sink is streamed to
  /// the sink; any other is returned in Response::body. A HEAD request gets none.
  std::string body{};
  /// Response headers; names are lower-cased when delivered, as a real transport does.
  std::vector<http::Header> headers{};
  /// Not Failure::none: the attempt gets no answer but this failure (a dropped
  /// connection, a timeout, ...). A non-empty `body` is delivered to the
  /// request's sink first: a download cut off part-way.
  http::Failure failure = http::Failure::none;
  /// With a failure: whether the request reached the server (so it may have
  /// been applied). Cannot be false when a body is delivered.
  bool request_sent = false;
  /// With a failure: the transport's description, as Result::failure_message.
  std::string failure_message{};
  /// Wait this long before answering. The wait ends early with
  /// Failure::cancelled when the request's stop token is triggered, and with
  /// Failure::timed_out when it exceeds the request's CallOptions::timeout.
  std::chrono::milliseconds delay{0};
  /// Size of the pieces a streamed body is handed to the sink in.
  std::size_t chunk_size = 16 * 1024;

  /// A JSON answer: `status`, `json` as body, Content-Type application/json.
  /// Build bodies from models with lakefs::api::to_json().
  [[nodiscard]] static Reply json(int status, std::string json);
  /// An answer with `bytes` as body (object content), Content-Type `content_type`
  /// and its Content-Length.
  [[nodiscard]] static Reply content(int status, std::string bytes,
                                     std::string content_type = "application/octet-stream");
  /// An answer without a body, e.g. 204, 201 or 503.
  [[nodiscard]] static Reply empty(int status);
  /// A lakeFS error answer: `status` with the body {"message": "<message>"},
  /// which the client turns into the matching ServerError subclass.
  [[nodiscard]] static Reply error(int status, std::string_view message);
  /// No answer at all: `failure` (e.g. Failure::connection_dropped), having
  /// (`request_sent` = true) or not having reached the server.
  [[nodiscard]] static Reply fail(http::Failure failure, bool request_sent);

  /// Adds a response header (e.g. "Retry-After", "ETag"), for chaining.
  Reply& with_header(std::string name, std::string value) &;
  /// Adds a response header (e.g. "Retry-After", "ETag"), for chaining.
  [[nodiscard]] Reply&& with_header(std::string name, std::string value) &&;
};

/// One attempt the fake received, as the client handed it to the transport.
struct LAKEFS_API RecordedRequest {
  /// "GET", "POST", ...
  std::string method{};
  /// Path below the API root, percent-encoded as sent (e.g. "/repositories/my%2Frepo").
  std::string path{};
  /// Encoded query string without '?', as sent (e.g. "path=data%2Fa.csv&presign=false").
  std::string query{};
  /// The pre-signed URL of a request sent to one instead of the API (may hold a signature).
  std::string absolute_url{};
  /// Request headers as the client set them (not the Authorization, see below).
  std::vector<http::Header> headers{};
  /// Content-Type of the body; empty when none.
  std::string content_type{};
  /// The body: the in-memory one, or every byte the fake drained from a streaming source.
  std::string body{};
  /// The body came from a streaming source (body_source).
  bool streamed = false;
  /// The streaming body's declared length, when the request gave one.
  std::optional<std::uint64_t> body_length{};
  /// The credentials the client attached: scheme, key id and secret (Basic) or
  /// token (Bearer). Held so tests can check them; describe() never shows them.
  http::Authorization authorization{};
  /// The request asked to be sent without credentials (health check, login).
  bool anonymous = false;
  /// False when no script matched and the fake gave its default 404 answer.
  bool scripted = true;
  /// The call's options as the request carried them to the transport (its
  /// timeout as the client cut it to a deadline, its stop token, its extra
  /// headers, which are also in `headers` for a request to lakeFS).
  CallOptions call{};
  /// Whether the request's stop token could stop it when the fake received it. Check this rather than
  /// call.stop.stop_possible() afterwards: an asynchronous call (and a batch, which runs on the engine) hands the
  /// transport a token that joins the caller's with its task's, and that one ends with the call.
  bool stoppable = false;

  /// Value of the first request header named `name` (case-insensitive);
  /// "Content-Type" also finds `content_type`.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
  /// Percent-decoded value of the first query parameter `name`, if present.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
  /// A one-line summary for failure messages, e.g. "POST /repositories/r/branches/main/commits (basic auth,
  /// 52 B body)". Never shows credentials, nor a pre-signed URL's query.
  [[nodiscard]] std::string describe() const;
};

/// Prints describe(), so test frameworks show recorded requests readably.
LAKEFS_API std::ostream& operator<<(std::ostream& out, const RecordedRequest& request);

/// A Transport that answers from scripts and records every attempt.
///
/// Scripts are attached to routes: a method and an exact path below the API
/// root, percent-encoded as the client sends it ("/repositories/my%2Frepo"),
/// optionally narrowed by query parameters. Each route holds a queue of
/// replies used once each, in order ("503, then 200"), and optionally a reply
/// for every request after the queue runs out. A request no route answers
/// gets the default: 404 with a lakeFS error body naming the request, so the
/// failure says what was not scripted (and RecordedRequest::scripted is false).
/// One exception: an unscripted GET /config (which the client asks once
/// before its first transfer, to know whether it can pre-sign) is answered
/// with a local block store's config (no pre-signed URLs), as a quickstart
/// server's; script that route to test code on an object store (and
/// GET /config/storage, the deprecated form, likewise).
///
/// Streaming works as on the wire: a request's body source is drained (and
/// recorded) unless the reply is a failure that never reached the server; a
/// 2xx body goes to the request's body sink in chunks of Reply::chunk_size.
/// A request whose stop token is already triggered is recorded and ends with
/// Failure::cancelled.
///
/// Thread-safe: scripts may be added and requests sent from any threads.
/// Blocking: start() completes on the calling thread before it returns.
class LAKEFS_API FakeTransport final : public Transport {
 public:
  /// The replies of one route; returned by on(), valid as long as the FakeTransport.
  class Script {
   public:
    /// Queues `reply` to answer one request, after those queued before it.
    Script& reply(Reply reply);
    /// Answers every request once the queued replies are used up.
    Script& always(Reply reply);

   private:
    friend class FakeTransport;
    Script(FakeTransport* owner, std::size_t route) : owner_(owner), route_(route) {}
    FakeTransport* owner_;
    std::size_t route_;
  };

  /// A fake with no scripts: every request gets the default 404 until scripted.
  FakeTransport();
  ~FakeTransport() override;
  FakeTransport(const FakeTransport&) = delete;
  FakeTransport& operator=(const FakeTransport&) = delete;

  /// The script of requests `method` `path` (exact, encoded, without query).
  /// With a non-empty `query` ("name=value&name2=value2"), only requests
  /// carrying every one of those parameters match (values compared
  /// percent-decoded; other parameters may be present). Routes with a query
  /// are tried before routes without, each group in the order it was created;
  /// a route whose replies are used up lets the next one answer. Calling on()
  /// again with the same arguments returns the same script. For a request to a
  /// pre-signed URL, `path` is the URL up to '?'.
  Script on(std::string_view method, std::string_view path, std::string_view query = {});

  /// Every attempt received so far, in order.
  [[nodiscard]] std::vector<RecordedRequest> requests() const;
  /// The most recent attempt; throws std::logic_error when there is none.
  [[nodiscard]] RecordedRequest last() const;
  /// Number of attempts received.
  [[nodiscard]] std::size_t count() const;
  /// Number of attempts with this method and exact path (any query).
  [[nodiscard]] std::size_t count(std::string_view method, std::string_view path) const;
  /// The attempts no script answered (given the default 404).
  [[nodiscard]] std::vector<RecordedRequest> unscripted() const;
  /// Queued replies not used yet, over all routes (always() replies not counted).
  [[nodiscard]] std::size_t remaining() const;
  /// Forgets the recorded attempts; scripts are kept.
  void clear_requests();

  /// Answers one attempt from the scripts and records it (see the class comment).
  void start(http::Request request, http::Completion done) override;

 private:
  struct Route;
  struct Chosen;
  [[nodiscard]] Chosen choose(const http::Request& request);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Route>> routes_;  // in creation order; Script holds an index
  std::vector<RecordedRequest> requests_;
};

/// Endpoint of clients made by make_client(): never resolved, nothing listens there.
inline constexpr std::string_view test_endpoint = "http://lakefs.test";
/// Access key id make_client() gives a client that has no credentials of its own.
inline constexpr std::string_view test_access_key_id = "AKIAFAKETESTKEYID";
/// Secret access key make_client() gives a client that has no credentials of its own.
inline constexpr std::string_view test_secret_access_key = "fake-secret-access-key-for-tests";

/// A Client that sends through `transport`, for tests. Always sets
/// options.transport and options.explicit_only (no environment or
/// ~/.lakectl.yaml); fills in what `options` leave unset: test_endpoint, the
/// test key pair (unless a key pair, token or provider is set), and a retry
/// policy with back-off of a few milliseconds (3 retries, Retry-After capped
/// at 20 ms) so retried requests do not slow tests down.
[[nodiscard]] LAKEFS_API Client make_client(std::shared_ptr<FakeTransport> transport, ClientOptions options = {});

}  // namespace lakefs::testing
