// SPDX-License-Identifier: Apache-2.0
// Credentials echoed in an error body never reach what() or a log line.
#include "transport/redaction.hpp"

#include <gtest/gtest.h>

#include "lakefs/errors.hpp"
#include "transport/error_mapping.hpp"

namespace lakefs::detail {
namespace {

constexpr const char* kKey = "AKIAJEXAMPLEKEY01";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET+01";

TEST(Redaction, Base64MatchesRfc4648) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(Redaction, EveryFormOfTheCredentialsIsReplaced) {
  const Redactor redactor(kKey, kSecret, "");
  const std::string basic = base64(std::string(kKey) + ":" + kSecret);
  std::string encoded_secret;
  http::append_encoded(encoded_secret, kSecret);
  const std::string page = std::string("<pre>Authorization: Basic ") + basic + "\nkey=" + kKey + " secret=" + kSecret +
                           " query=" + encoded_secret + "</pre>";
  const auto scrubbed = redactor.scrub(page);
  EXPECT_EQ(scrubbed.find(kKey), std::string::npos) << scrubbed;
  EXPECT_EQ(scrubbed.find(kSecret), std::string::npos) << scrubbed;
  EXPECT_EQ(scrubbed.find(basic), std::string::npos) << scrubbed;
  EXPECT_EQ(scrubbed.find(encoded_secret), std::string::npos) << scrubbed;
  EXPECT_NE(scrubbed.find("[REDACTED]"), std::string::npos);
  EXPECT_NE(scrubbed.find("Authorization: Basic"), std::string::npos);  // the rest stays readable
}

TEST(Redaction, SessionTokens) {
  const Redactor redactor("", "", "eyJhbGciOiJIUzI1NiJ9.payload.signature");
  EXPECT_EQ(redactor.scrub("Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature!"), "Bearer [REDACTED]!");
}

TEST(Redaction, RenewedTokensAreAddedAndOnlyTheLatestAreKept) {
  Redactor redactor("AKIAEXAMPLEKEY", "example/secret+key", "");
  const auto token = [](std::size_t i) { return "token-number-" + std::to_string(i) + "/x"; };
  const std::size_t total = Redactor::kMaxTokens + 5;
  for (std::size_t i = 0; i < total; ++i) redactor.add("", "", token(i));
  // The latest kMaxTokens tokens, plain and percent-encoded, and the key pair (never dropped) are redacted.
  for (std::size_t i = total - Redactor::kMaxTokens; i < total; ++i) {
    std::string encoded;
    lakefs::http::append_encoded(encoded, token(i));
    EXPECT_EQ(redactor.scrub("a " + token(i) + " b " + encoded), "a [REDACTED] b [REDACTED]") << i;
  }
  EXPECT_EQ(redactor.scrub("AKIAEXAMPLEKEY example/secret+key"), "[REDACTED] [REDACTED]");
  // The oldest tokens were dropped: the list stays bounded however often a token is renewed.
  EXPECT_EQ(redactor.scrub(token(0)), token(0));
  // Adding a token twice does not push out another.
  redactor.add("", "", token(total - 1));
  EXPECT_EQ(redactor.scrub(token(total - Redactor::kMaxTokens)), "[REDACTED]");
}

TEST(Redaction, ServerErrorsAreScrubbed) {
  http::Response response;
  response.status = 502;
  response.body = std::string("<html>bad gateway for request with Authorization: Basic ") +
                  base64(std::string(kKey) + ":" + kSecret) + " key " + kKey + "</html>";
  try {
    throw_server_error(response, "GET", "/repositories", Redactor(kKey, kSecret, ""));
  } catch (const ServerError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find(kKey), std::string::npos) << what;
    EXPECT_EQ(e.server_message().find(kKey), std::string::npos);
    EXPECT_EQ(what.find(base64(std::string(kKey) + ":" + kSecret)), std::string::npos) << what;
    EXPECT_EQ(e.status(), 502);
    return;
  }
  FAIL() << "not thrown";
}

TEST(Redaction, JsonMessagesAreScrubbedToo) {
  http::Response response;
  response.status = 400;
  response.body = std::string(R"({"message":"bad key )") + kKey + "\"}";
  try {
    throw_server_error(response, "GET", "/x", Redactor(kKey, kSecret, ""));
  } catch (const BadRequestError& e) {
    EXPECT_EQ(e.server_message(), "bad key [REDACTED]");
    return;
  }
  FAIL() << "not thrown";
}

TEST(ErrorMappingOutcome, UnansweredNonIdempotentRequestsSaySoAndAreFlagged) {
  try {
    throw_transport_error(lakefs::http::Failure::connection_dropped, "Empty reply from server", "POST", "/repositories/r/branches/b/commits",
                          "http://127.0.0.1:1", true);
  } catch (const TransportError& e) {
    EXPECT_TRUE(e.outcome_unknown());
    EXPECT_NE(std::string(e.what()).find("may have been applied"), std::string::npos) << e.what();
  }
  try {
    throw_transport_error(lakefs::http::Failure::timed_out, "", "POST", "/x", "http://127.0.0.1:1", true);
  } catch (const TimeoutError& e) {
    EXPECT_TRUE(e.outcome_unknown());
  }
  try {
    throw_transport_error(lakefs::http::Failure::cannot_connect, "", "POST", "/x", "http://127.0.0.1:1", false);
  } catch (const ConnectionError& e) {
    EXPECT_FALSE(e.outcome_unknown());
    EXPECT_EQ(std::string(e.what()).find("may have been applied"), std::string::npos);
  }
}

}  // namespace
}  // namespace lakefs::detail
