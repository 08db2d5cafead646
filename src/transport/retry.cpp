#include "transport/retry.hpp"

#include <algorithm>
#include <charconv>

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

std::chrono::milliseconds retry_delay(int attempt, std::chrono::milliseconds base,
                                      std::optional<std::chrono::seconds> retry_after, double jitter) noexcept {
  using std::chrono::milliseconds;
  if (retry_after) return std::min<milliseconds>(*retry_after, milliseconds(10'000));
  const auto grown = base * (1LL << std::min(attempt, 20));
  const auto capped = std::min<milliseconds>(grown, milliseconds(2'000));
  return milliseconds(static_cast<long long>(static_cast<double>(capped.count()) * (0.5 + 0.5 * jitter)));
}

Outcome outcome_of_status(int status) noexcept {
  return (status == 429 || status == 502 || status == 503 || status == 504) ? Outcome::retryable_status : Outcome::ok;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) noexcept {
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

}  // namespace lakefs::detail
