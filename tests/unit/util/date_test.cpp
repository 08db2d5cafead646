// SPDX-License-Identifier: Apache-2.0
// The SDK's one date reader (src/util/date.cpp) on every layout it is given: lakeFS's RFC 3339 timestamps, HTTP
// dates (Retry-After), SigV4's X-Amz-Date and a transaction branch's stamp; and what each refuses.
#include "util/date.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string_view>

namespace {

using lakefs::detail::DateFormat;
using lakefs::detail::parse_date;
using std::chrono::seconds;
using std::chrono::sys_seconds;

constexpr sys_seconds at(long long s) { return sys_seconds(seconds(s)); }

TEST(ParseDate, Rfc3339WithAndWithoutFractionAndOffsets) {
  EXPECT_EQ(parse_date("1970-01-01T00:00:00Z", DateFormat::rfc3339), at(0));
  EXPECT_EQ(parse_date("2024-05-01T12:34:56Z", DateFormat::rfc3339), at(1714566896));
  EXPECT_EQ(parse_date("2024-05-01t12:34:56z", DateFormat::rfc3339), at(1714566896));
  EXPECT_EQ(parse_date("2024-05-01T12:34:56.123456789Z", DateFormat::rfc3339), at(1714566896));  // fraction dropped
  EXPECT_EQ(parse_date("2024-05-01T12:34:56.Z", DateFormat::rfc3339), at(1714566896));
  EXPECT_EQ(parse_date("2024-05-01T14:34:56+02:00", DateFormat::rfc3339), at(1714566896));
  EXPECT_EQ(parse_date("2024-05-01T07:04:56.5-05:30", DateFormat::rfc3339), at(1714566896));
  EXPECT_EQ(parse_date("2000-02-29T00:00:00Z", DateFormat::rfc3339), at(951782400));   // leap day
  EXPECT_EQ(parse_date("2016-12-31T23:59:60Z", DateFormat::rfc3339), at(1483228800));  // leap second
  for (const std::string_view text :
       {"", "2024-05-01", "2024-05-01T12:34:56", "2024-05-01 12:34:56Z", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
        "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01T12:34:61Z", "2024-05-01T12:34:56+0200",
        "2024-05-01T12:34:56+02", "2024-05-01T12:34:56Zjunk", "24-05-01T12:34:56Z", "2024-5-01T12:34:56Z",
        "2024-05-01T12:34:56GMT"}) {
    EXPECT_EQ(parse_date(text, DateFormat::rfc3339), std::nullopt) << text;
  }
}

TEST(ParseDate, HttpDateInItsThreeForms) {
  const auto expected = at(1445412480);                                                    // 2015-10-21 07:28:00 UTC
  EXPECT_EQ(parse_date("Wed, 21 Oct 2015 07:28:00 GMT", DateFormat::http), expected);      // IMF-fixdate
  EXPECT_EQ(parse_date("Wednesday, 21-Oct-15 07:28:00 GMT", DateFormat::http), expected);  // RFC 850
  EXPECT_EQ(parse_date("Wed Oct 21 07:28:00 2015", DateFormat::http), expected);           // asctime
  EXPECT_EQ(parse_date("Sun Nov  6 08:49:37 1994", DateFormat::http), at(784111777));      // asctime, one digit
  EXPECT_EQ(parse_date("Sun, 06 Nov 1994 08:49:37 GMT", DateFormat::http), at(784111777));
  EXPECT_EQ(parse_date("Sunday, 06-Nov-94 08:49:37 GMT", DateFormat::http), at(784111777));  // 94: 1994
  EXPECT_EQ(parse_date("sun, 06 nov 1994 08:49:37 gmt", DateFormat::http), at(784111777));   // any case
  EXPECT_EQ(parse_date("Sun, 6 Nov 1994 08:49:37 GMT", DateFormat::http), at(784111777));    // a one-digit day
  for (const std::string_view text :
       {"", "soon", "21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00", "Wed, 21 Oct 2015 07:28:00 UTC",
        "Wed, 31 Feb 2015 07:28:00 GMT", "Wed, 21 Foo 2015 07:28:00 GMT", "Xyz, 21 Oct 2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 25:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT ", "Wed, 123 Oct 2015 07:28:00 GMT",
        "2015-10-21T07:28:00Z"}) {
    EXPECT_EQ(parse_date(text, DateFormat::http), std::nullopt) << text;
  }
}

TEST(ParseDate, Iso8601BasicAsInXAmzDate) {
  EXPECT_EQ(parse_date("20261130T054523Z", DateFormat::iso8601_basic), at(1796017523));
  for (const std::string_view text : {"", "20261130T054523", "20261130-054523Z", "20261131T054523Z", "20261130T244523Z",
                                      "2026113OT054523Z", "20261130T054523Z0"}) {
    EXPECT_EQ(parse_date(text, DateFormat::iso8601_basic), std::nullopt) << text;
  }
}

TEST(ParseDate, TransactionStampWithoutLeapSecond) {
  EXPECT_EQ(parse_date("20261130-011930", DateFormat::transaction_stamp), at(1796001570));
  for (const std::string_view text :
       {"", "20261130T011930", "20261130-011960", "20260230-011930", "20261130-0119", "20261130-011930-"}) {
    EXPECT_EQ(parse_date(text, DateFormat::transaction_stamp), std::nullopt) << text;
  }
}

}  // namespace
