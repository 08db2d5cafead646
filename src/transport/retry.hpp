// SPDX-License-Identifier: Apache-2.0
// When a failed exchange is worth trying again, and how long to wait first.
// Pure logic, kept apart from libcurl so unit tests can check every case.
#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string_view>

#include "lakefs/policies.hpp"
#include "util/sleep.hpp"  // sleep_unless_stopped, the back-off's pause

namespace lakefs::detail {

/// How an attempt ended, as far as retrying is concerned.
enum class Outcome {
  ok,                  // 2xx, or a status that is never retried
  cannot_connect,      // nothing was sent: refused, unresolvable host
  connection_dropped,  // the connection broke mid-exchange
  timed_out,
  retryable_status,  // 429, 502, 503, 504
};

/// GET, HEAD, PUT, DELETE, OPTIONS: repeating them has the effect of sending
/// them once. POST and PATCH (commit, merge, create, ...) are not.
[[nodiscard]] bool is_idempotent(std::string_view method) noexcept;

/// Whether attempt number `attempt` (0-based) that ended with `outcome` may be
/// repeated. `streamed` means a streaming body was already (partly) read or
/// delivered, so a repeat could not reproduce it.
[[nodiscard]] bool should_retry(std::string_view method, Outcome outcome, int attempt, int max_retries,
                                bool streamed) noexcept;

/// Delay before retry `attempt` (0-based): the server's Retry-After when given
/// (capped at policy.max_retry_after), else policy.initial_backoff doubled per
/// attempt, capped at policy.max_backoff, with `jitter` in [0, 1) scaling it
/// between 50% and 100%.
[[nodiscard]] std::chrono::milliseconds retry_delay(int attempt, const RetryOptions& policy,
                                                    std::optional<std::chrono::seconds> retry_after,
                                                    double jitter) noexcept;

/// The status's outcome: retryable_status for 429/502/503/504, else ok.
[[nodiscard]] Outcome outcome_of_status(int status) noexcept;

/// Parses a Retry-After header: delay-seconds, or an HTTP date (read by
/// the SDK's date parser, util/date.hpp) taken relative to `now`; a date in the past is zero.
[[nodiscard]] std::optional<std::chrono::seconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace lakefs::detail
