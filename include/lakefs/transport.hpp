// SPDX-License-Identifier: Apache-2.0
// The transport: what moves one HTTP exchange over the wire. The client puts
// everything else around it (validation, credentials, retries, logging, error
// mapping), so a transport only performs single attempts and reports how each
// ended. The default is libcurl with a connection pool (make_curl_transport);
// tests substitute lakefs::testing::FakeTransport (<lakefs/testing/fake_transport.hpp>),
// and a user may plug in their own through ClientOptions::transport.
#pragma once

#include <memory>

#include "lakefs/export.hpp"
#include "lakefs/http.hpp"
#include "lakefs/transport_options.hpp"

namespace lakefs {

/// Performs single HTTP attempts. Implementations must be thread-safe: a
/// client calls start() from any number of threads at once.
///
/// The contract is completion-based so that a non-blocking engine (many
/// requests in flight on one thread) fits it as well as a blocking one:
/// start() takes the request by value (it owns its body source and sink) and
/// calls `done` exactly once, with the attempt's Result, on any thread, before
/// or after start() returns. A blocking implementation simply calls `done`
/// before returning. The body source and sink are called only before `done`.
/// With a body sink, a 2xx answer's head (status and headers) goes to the
/// request's `body_start` hook, when set, before the first chunk reaches the
/// sink (or before `done`, for an empty body): the SDK's readers size their
/// buffers and check the object's version there.
///
/// An answer of any status is a Result with Failure::none: mapping statuses to
/// exceptions, retrying and authentication belong to the client, not here.
/// A transport never throws from start() for a failed exchange; it reports it.
class LAKEFS_API Transport {
 public:
  virtual ~Transport() = default;

  /// Sends one attempt of `request` to `endpoint` + request.path (or to
  /// request.absolute_url) and reports its Result to `done`.
  virtual void start(http::Request request, http::Completion done) = 0;

  /// Sends one attempt and waits for its Result: what the client calls for
  /// every request it sends today. The default copies `request` into start()
  /// and blocks until `done`; a transport that completes on the calling thread
  /// overrides it to run the attempt on `request` itself, without the copy
  /// (the libcurl transport does). Same contract as start(): never throws for
  /// a failed exchange.
  [[nodiscard]] virtual http::Result perform(const http::Request& request);
};

/// The default transport: libcurl easy handles over a shared pool of kept-alive
/// connections (DNS cache and TLS sessions shared). Blocking: each start()
/// completes on the calling thread. Non-idempotent requests (POST, PATCH) and
/// DELETE go out on a fresh connection, so libcurl never re-sends one on its
/// own after a dead kept-alive connection.
[[nodiscard]] LAKEFS_API std::shared_ptr<Transport> make_curl_transport(TransportOptions options);

}  // namespace lakefs
