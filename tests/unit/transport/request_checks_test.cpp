// SPDX-License-Identifier: Apache-2.0
// Nothing a caller passes may become an extra header line or change a URL's target.
#include "transport/request_checks.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lakefs/errors.hpp"

namespace lakefs::detail {
namespace {

http::Request request_with_header(std::string name, std::string value) {
  http::Request r;
  r.path = "/repositories/r/branches/main";
  r.headers.emplace_back(std::move(name), std::move(value));
  return r;
}

std::string message_of(const http::Request& r) {
  try {
    check_request(r);
  } catch (const InvalidArgumentError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(RequestChecks, HeaderValuesWithLineBreaksOrNulAreRejectedWithoutEchoingThem) {
  for (const std::string& bad :
       std::vector<std::string>{"v\r\nX-Lakefs-Meta-Injected: evil", "v\nx", "v\rx", std::string("v\0x", 3), "v\x7f"}) {
    const auto text = message_of(request_with_header("X-Lakefs-Meta-k", bad));
    EXPECT_NE(text, "(accepted)");
    EXPECT_NE(text.find("X-Lakefs-Meta-k"), std::string::npos) << text;  // names the field
    EXPECT_EQ(text.find("Injected"), std::string::npos) << text;         // never the value
  }
  EXPECT_NO_THROW(check_request(request_with_header("X-Lakefs-Meta-k", "tab\tand spaces, ünïcode")));
}

TEST(RequestChecks, HeaderNamesMustBeTokens) {
  for (const std::string& bad : std::vector<std::string>{"", "a b", "a:b", "k\r\nX-Evil", "k(", "ключ"}) {
    EXPECT_THROW(check_request(request_with_header(bad, "v")), InvalidArgumentError) << bad;
  }
  EXPECT_NO_THROW(check_request(request_with_header("X-Lakefs-Meta-a.b_c~d!#$%&'*+^`|", "v")));
}

TEST(RequestChecks, ContentTypeIsAHeaderValue) {
  http::Request r;
  r.path = "/x";
  r.content_type = "text/plain\r\nX-Injected: 1";
  EXPECT_THROW(check_request(r), InvalidArgumentError);
  r.content_type = "text/csv; charset=utf-8";
  EXPECT_NO_THROW(check_request(r));
}

TEST(RequestChecks, DotAndEmptyPathSegmentsAreRejected) {
  for (const std::string& bad :
       std::vector<std::string>{"/repositories/r/branches/..", "/repositories/r/branches/.", "/repositories/../x",
                                "/repositories//branches", "/repositories/r/", "", "repositories"}) {
    http::Request r;
    r.path = bad;
    EXPECT_THROW(check_request(r), InvalidArgumentError) << bad;
  }
  for (const std::string& good :
       std::vector<std::string>{"/repositories/r/branches/a.b", "/repositories/r/refs/%2E%2E/x", "/healthcheck"}) {
    http::Request r;
    r.path = good;
    EXPECT_NO_THROW(check_request(r)) << good;
  }
}

TEST(RequestChecks, PreSignedUrlsHaveNoWhiteSpace) {
  http::Request r;
  r.path = "/presigned";
  r.absolute_url = "https://bucket.example.com/key?sig=1 HTTP/1.1\r\nHost: evil";
  EXPECT_THROW(check_request(r), InvalidArgumentError);
  r.absolute_url = "https://bucket.example.com/key?X-Amz-Signature=abc";
  EXPECT_NO_THROW(check_request(r));
}

}  // namespace
}  // namespace lakefs::detail
