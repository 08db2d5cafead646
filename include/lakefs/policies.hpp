// SPDX-License-Identifier: Apache-2.0
// Retry policy and per-call options. RetryOptions set in ClientOptions apply
// to every request of a client; CallOptions, carried by the options structs of
// the long-running calls (transfers, listings, imports) and by every generated
// request, override them for one call and add cancellation.
#pragma once

#include "lakefs/export.hpp"

#include <chrono>
#include <optional>
#include <stop_token>

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

/// Options of one call.
struct LAKEFS_API CallOptions {
  /// Whole-request timeout of each attempt (zero: none); unset = the client's request_timeout.
  std::optional<std::chrono::milliseconds> timeout{};
  /// Retry policy of this call; unset = the client's.
  std::optional<RetryOptions> retry{};
  /// Cancels the call: a stop request aborts the transfer in flight or the
  /// back-off sleep and throws lakefs::CancelledError.
  std::stop_token stop{};
};

}  // namespace lakefs
