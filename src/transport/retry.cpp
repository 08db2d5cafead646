// SPDX-License-Identifier: Apache-2.0
#include "transport/retry.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "util/date.hpp"

namespace lakefs::detail {

bool is_idempotent(std::string_view method) noexcept {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

bool should_retry(std::string_view method, Outcome outcome, int attempt, int max_retries, bool streamed) noexcept {
  if (attempt >= max_retries || streamed) return false;
  switch (outcome) {
    case Outcome::ok:
      return false;
    case Outcome::cannot_connect:
      return true;  // the server never saw the request
    case Outcome::connection_dropped:
    case Outcome::timed_out:
    case Outcome::retryable_status:
      return is_idempotent(method);
  }
  return false;
}

std::chrono::milliseconds retry_delay(int attempt, const RetryOptions& policy,
                                      std::optional<std::chrono::seconds> retry_after, double jitter) noexcept {
  using std::chrono::milliseconds;
  if (retry_after) {
    // Compared in seconds: converting a huge Retry-After to milliseconds would overflow.
    if (*retry_after >= std::chrono::ceil<std::chrono::seconds>(policy.max_retry_after)) return policy.max_retry_after;
    return std::min<milliseconds>(*retry_after, policy.max_retry_after);
  }
  const auto grown = policy.initial_backoff * (1LL << std::min(attempt, 20));
  const auto capped = std::min<milliseconds>(grown, policy.max_backoff);
  return milliseconds(static_cast<long long>(static_cast<double>(capped.count()) * (0.5 + 0.5 * jitter)));
}

Outcome outcome_of_status(int status) noexcept {
  return (status == 429 || status == 502 || status == 503 || status == 504) ? Outcome::retryable_status : Outcome::ok;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  if (value.front() >= '0' && value.front() <= '9' && value.size() < 12) return std::nullopt;  // "12abc", not a date
  // An HTTP date (RFC 9110: IMF-fixdate, or the obsolete RFC 850 and asctime forms).
  const auto when = parse_date(value, DateFormat::http);
  if (!when) return std::nullopt;
  // In whole seconds: a far-future date does not fit system_clock's (nanosecond) time_point.
  const auto current = std::chrono::time_point_cast<std::chrono::seconds>(now);
  return *when > current ? *when - current : std::chrono::seconds(0);
}

}  // namespace lakefs::detail
