// SPDX-License-Identifier: Apache-2.0
// The time and ETag conversions shared by the handles.
#include "model/convert.hpp"

#include <gtest/gtest.h>

namespace {

using lakefs::Timestamp;
using lakefs::detail::parse_rfc3339;
using lakefs::detail::to_rfc3339;
using std::chrono::seconds;

TEST(Rfc3339, ParsesWhatLakefsWrites) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), Timestamp(seconds(0)));
  EXPECT_EQ(parse_rfc3339("2024-05-01T12:34:56.123456789Z"), Timestamp(seconds(1714566896)));
  EXPECT_EQ(parse_rfc3339("2024-05-01T14:34:56+02:00"), Timestamp(seconds(1714566896)));
  EXPECT_EQ(parse_rfc3339("2024-05-01T07:04:56.5-05:30"), Timestamp(seconds(1714566896)));
  EXPECT_EQ(parse_rfc3339("2000-02-29T00:00:00Z"), Timestamp(seconds(951782400)));  // leap day
}

TEST(Rfc3339, RoundTripsWithToRfc3339) {
  for (const long long t : {0LL, 951782400LL, 1714566896LL, 4102444799LL}) {
    const Timestamp stamp{seconds(t)};
    EXPECT_EQ(parse_rfc3339(to_rfc3339(stamp)), stamp) << to_rfc3339(stamp);
  }
}

TEST(Rfc3339, RejectsWhatIsNotADateTime) {
  for (const char* text : {"", "2024-05-01", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-05-01T25:00:00Z",
                           "2024-05-01T12:34:56", "2024-05-01T12:34:56Zjunk", "2024-05-01T12:34:56+0200",
                           "yyyy-05-01T12:34:56Z"}) {
    EXPECT_EQ(parse_rfc3339(text), std::nullopt) << text;
  }
}

TEST(ETag, QuotesAreRemovedOnce) {
  EXPECT_EQ(lakefs::detail::unquote_etag("\"abc\""), "abc");
  EXPECT_EQ(lakefs::detail::unquote_etag("abc"), "abc");
  EXPECT_EQ(lakefs::detail::unquote_etag("\""), "\"");
  EXPECT_EQ(lakefs::detail::unquote_etag(""), "");
}

}  // namespace
