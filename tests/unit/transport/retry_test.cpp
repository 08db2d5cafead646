// SPDX-License-Identifier: Apache-2.0
#include "transport/retry.hpp"

#include <gtest/gtest.h>

namespace {

using lakefs::detail::Outcome;
using lakefs::detail::should_retry;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Retry, NothingSentIsRetriedForEveryMethod) {
  EXPECT_TRUE(should_retry("POST", Outcome::cannot_connect, 0, 3, false));
  EXPECT_TRUE(should_retry("GET", Outcome::cannot_connect, 2, 3, false));
  EXPECT_FALSE(should_retry("GET", Outcome::cannot_connect, 3, 3, false));  // budget spent
}

TEST(Retry, OnlyIdempotentMethodsAfterTheServerMayHaveActed) {
  for (const auto outcome : {Outcome::connection_dropped, Outcome::timed_out, Outcome::retryable_status}) {
    EXPECT_TRUE(should_retry("GET", outcome, 0, 3, false));
    EXPECT_TRUE(should_retry("PUT", outcome, 0, 3, false));
    EXPECT_TRUE(should_retry("DELETE", outcome, 0, 3, false));
    EXPECT_FALSE(should_retry("POST", outcome, 0, 3, false));  // e.g. a commit must not happen twice
    EXPECT_FALSE(should_retry("PATCH", outcome, 0, 3, false));
  }
}

TEST(Retry, StreamedBodiesAreNeverReplayed) {
  EXPECT_FALSE(should_retry("GET", Outcome::connection_dropped, 0, 3, true));
  EXPECT_FALSE(should_retry("POST", Outcome::cannot_connect, 0, 3, true));
}

TEST(Retry, SuccessAndOtherStatusesAreFinal) {
  EXPECT_FALSE(should_retry("GET", Outcome::ok, 0, 3, false));
  EXPECT_EQ(lakefs::detail::outcome_of_status(200), Outcome::ok);
  EXPECT_EQ(lakefs::detail::outcome_of_status(404), Outcome::ok);
  EXPECT_EQ(lakefs::detail::outcome_of_status(500), Outcome::ok);
  for (const int s : {429, 502, 503, 504}) EXPECT_EQ(lakefs::detail::outcome_of_status(s), Outcome::retryable_status);
}

TEST(Retry, DisabledWithZeroRetries) { EXPECT_FALSE(should_retry("GET", Outcome::cannot_connect, 0, 0, false)); }

TEST(Retry, BackoffDoublesWithJitterAndIsCapped) {
  using lakefs::detail::retry_delay;
  const lakefs::RetryOptions policy;  // defaults: 100 ms doubling, capped at 2 s; Retry-After capped at 10 s
  EXPECT_EQ(retry_delay(0, policy, std::nullopt, 0.0), milliseconds(50));
  EXPECT_EQ(retry_delay(0, policy, std::nullopt, 0.999), milliseconds(99));
  EXPECT_EQ(retry_delay(2, policy, std::nullopt, 0.0), milliseconds(200));
  EXPECT_EQ(retry_delay(30, policy, std::nullopt, 0.0), milliseconds(1000));  // capped at 2 s, halved
  EXPECT_EQ(retry_delay(0, policy, seconds(3), 0.5), milliseconds(3000));     // Retry-After wins
  EXPECT_EQ(retry_delay(0, policy, seconds(60), 0.5), milliseconds(10000));   // ... capped
  const lakefs::RetryOptions custom{.initial_backoff = milliseconds(10), .max_backoff = milliseconds(40),
                                    .max_retry_after = milliseconds(1500)};
  EXPECT_EQ(retry_delay(1, custom, std::nullopt, 0.999), milliseconds(19));
  EXPECT_EQ(retry_delay(5, custom, std::nullopt, 0.0), milliseconds(20));  // capped at 40 ms, halved
  EXPECT_EQ(retry_delay(0, custom, seconds(60), 0.0), milliseconds(1500));
}

TEST(Retry, RetryAfterParsing) {
  EXPECT_EQ(lakefs::detail::parse_retry_after("5"), seconds(5));
  // An HTTP date, read by the SDK's date parser (util/date.hpp), relative to now; a past date is no wait at all.
  const auto now = std::chrono::system_clock::from_time_t(1445412470);  // 2015-10-21 07:27:50 UTC
  EXPECT_EQ(lakefs::detail::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), seconds(10));
  EXPECT_EQ(lakefs::detail::parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", now), seconds(10));
  EXPECT_EQ(lakefs::detail::parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), seconds(0));
  EXPECT_EQ(lakefs::detail::parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(lakefs::detail::parse_retry_after("-1"), std::nullopt);
  EXPECT_EQ(lakefs::detail::parse_retry_after(""), std::nullopt);
}

}  // namespace
