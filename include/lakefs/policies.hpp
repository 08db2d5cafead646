// SPDX-License-Identifier: Apache-2.0
// Retry policy and per-call options. RetryOptions set in ClientOptions apply
// to every request of a client; CallOptions override them for one call and
// add cancellation, a deadline and extra headers.
//
// Every method that sends a request takes its options last, by value: the
// operation's own options struct (which holds a `CallOptions call`) or, for
// an operation with nothing of its own to set, CallOptions itself:
//
//   branch.commit("nightly", {.call = {.timeout = 30s, .stop = token}});
//   object.exists({.stop = token});
//
// By value, so an asynchronous call can keep its options without anything
// dangling; a CallOptions is cheap to copy.
#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "lakefs/export.hpp"

namespace lakefs {

/// When and how often a failed request is tried again.
///
/// Retried: a request that could not connect (any method), and an idempotent
/// request (GET, HEAD, PUT, DELETE) that met a dropped connection, a timeout or
/// HTTP 429/502/503/504. A POST or PATCH that was sent is never repeated (see
/// TransportError::outcome_unknown). A streaming body is retried only while
/// none of it was sent or received.
struct LAKEFS_API RetryOptions {
  /// Retries after the first attempt; 0 disables retrying.
  int max_retries = 3;
  /// Back-off before the first retry; doubled per retry, with jitter (50-100%).
  std::chrono::milliseconds initial_backoff{100};
  /// Upper bound of the doubled back-off.
  std::chrono::milliseconds max_backoff{2'000};
  /// Upper bound on a server's Retry-After (seconds or an HTTP date).
  std::chrono::milliseconds max_retry_after{10'000};
  /// No retry starts once this much time has passed since the first attempt
  /// (and no back-off sleeps past it); zero means no budget.
  std::chrono::milliseconds total_budget{0};
};

/// Options of one call: every request the call sends (all its attempts, all
/// pages of a listing, all parts of a transfer) is sent with them.
struct LAKEFS_API CallOptions {
  /// Whole-request timeout of each attempt (zero: none); unset = the client's request_timeout.
  std::optional<std::chrono::milliseconds> timeout{};
  /// The call ends by this time: each attempt's timeout is cut to the time
  /// left, no retry starts after it, and a request that would start after it
  /// throws TimeoutError without being sent. Unset: no deadline.
  std::optional<std::chrono::steady_clock::time_point> deadline{};
  /// Retry policy of this call; unset = the client's.
  std::optional<RetryOptions> retry{};
  /// Cancels the call: a stop request aborts the transfer in flight or the
  /// back-off sleep and throws lakefs::CancelledError.
  std::stop_token stop{};
  /// Extra headers sent with each request of the call to lakeFS (not with
  /// pre-signed requests to the object store, whose signature may cover
  /// headers): a correlation id, a tracing header. Names and values are
  /// checked before anything is sent (InvalidArgumentError); Authorization,
  /// Host, Content-Length and Transfer-Encoding are refused.
  std::vector<std::pair<std::string, std::string>> headers{};
  /// Whether an attempt that reached the server may be repeated. Unset: by
  /// method (GET, HEAD, PUT and DELETE yes; POST, PATCH and lakeFS's
  /// pull-request merge no: they reach the wire at most once, and when the
  /// outcome is unknown the error says so). true: repeating this call is
  /// harmless to you (e.g. you treat "already exists" as success). false:
  /// never repeat a request that was sent, whatever its method.
  std::optional<bool> idempotent{};
};

}  // namespace lakefs
