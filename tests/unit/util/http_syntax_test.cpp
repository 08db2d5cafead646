// SPDX-License-Identifier: Apache-2.0
// The HTTP grammar checks of src/util/http_syntax: header names and values,
// the origin of a URL, and decimal numbers of headers.
#include "util/http_syntax.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace lakefs::detail;

TEST(HttpSyntax, HeaderNamesAreTokens) {
  EXPECT_TRUE(is_header_name("X-Request-Id"));
  EXPECT_TRUE(is_header_name("traceparent"));
  for (const char* bad : {"", "X Id", "X:Id", "X\r\nHost", "Ünicode"}) EXPECT_FALSE(is_header_name(bad)) << bad;
}

TEST(HttpSyntax, HeaderValuesHoldNoControlCharacters) {
  EXPECT_TRUE(is_header_value("00-abc-01"));
  EXPECT_TRUE(is_header_value("a\tb"));
  EXPECT_FALSE(is_header_value("a\r\nHost: evil"));
  EXPECT_FALSE(is_header_value(std::string("a\0b", 3)));
}

TEST(HttpSyntax, OriginIsEverythingBeforeThePath) {
  EXPECT_EQ(origin_of("https://store.example:9000/bucket/key?X-Amz-Signature=s"), "https://store.example:9000");
  EXPECT_EQ(origin_of("http://127.0.0.1:8000"), "http://127.0.0.1:8000");
}

TEST(HttpSyntax, DecimalsAreAllDigitsAndFitSixtyFourBits) {
  EXPECT_EQ(parse_decimal("0"), 0u);
  EXPECT_EQ(parse_decimal("18446744073709551615"), 18446744073709551615ull);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1a", "0x10", "18446744073709551616"}) {
    EXPECT_EQ(parse_decimal(bad), std::nullopt) << bad;
  }
}

}  // namespace
