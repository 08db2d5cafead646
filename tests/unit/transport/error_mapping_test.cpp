// SPDX-License-Identifier: Apache-2.0
#include "transport/error_mapping.hpp"

#include <gtest/gtest.h>

#include "lakefs/errors.hpp"

namespace {

lakefs::http::Response response(int status, std::string body) {
  lakefs::http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("x-request-id", "req-123");
  return r;
}

template <typename E>
E thrown(int status, std::string body = R"({"message":"it went wrong"})") {
  try {
    lakefs::detail::throw_server_error(response(status, std::move(body)), "GET", "/repositories/r");
  } catch (const E& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "status " << status << " threw the wrong type: " << e.what();
  }
  throw std::logic_error("not thrown");
}

TEST(ErrorMapping, StatusesMapToTypedErrors) {
  EXPECT_EQ(thrown<lakefs::BadRequestError>(400).status(), 400);
  EXPECT_EQ(thrown<lakefs::UnauthorizedError>(401).status(), 401);
  EXPECT_EQ(thrown<lakefs::ForbiddenError>(403).status(), 403);
  EXPECT_EQ(thrown<lakefs::NotFoundError>(404).status(), 404);
  EXPECT_EQ(thrown<lakefs::MethodNotAllowedError>(405).status(), 405);
  EXPECT_EQ(thrown<lakefs::ConflictError>(409).status(), 409);
  EXPECT_EQ(thrown<lakefs::PreconditionFailedError>(412).status(), 412);
  EXPECT_EQ(thrown<lakefs::InvalidRangeError>(416).status(), 416);
  EXPECT_EQ(thrown<lakefs::TooManyRequestsError>(429).status(), 429);
  EXPECT_EQ(thrown<lakefs::NotImplementedError>(501).status(), 501);
  EXPECT_EQ(thrown<lakefs::ServerError>(503).status(), 503);
}

TEST(ErrorMapping, CarriesMessageRequestIdMethodAndPath) {
  const auto e = thrown<lakefs::RepositoryNotFoundError>(404, R"({"message":"repository not found"})");
  EXPECT_EQ(e.server_message(), "repository not found");
  EXPECT_EQ(e.request_id(), "req-123");
  EXPECT_EQ(e.method(), "GET");
  EXPECT_EQ(e.path(), "/repositories/r");
  EXPECT_STREQ(e.what(), "GET /repositories/r: HTTP 404: repository not found (request id req-123)");
}

TEST(ErrorMapping, OnlyLakeFSsRepositoryMessageMakesARepositoryNotFoundError) {
  for (const char* body : {R"({"message":"not found"})", R"({"message":"branch not found"})", ""}) {
    try {
      lakefs::detail::throw_server_error(response(404, body), "GET", "/repositories/r");
    } catch (const lakefs::RepositoryNotFoundError&) {
      ADD_FAILURE() << body;
    } catch (const lakefs::NotFoundError& e) {
      EXPECT_EQ(e.status(), 404);
    }
  }
}

TEST(ErrorMapping, AFailedHookIsAHookFailedErrorNamingItsRun) {
  try {
    lakefs::detail::throw_server_error(
        response(412, R"({"message":"pre-commit hook aborted, run id '4ojhk': 1 error occurred:\n\t* hook run id '0000_0000' failed"})"),
        "POST", "/repositories/r/branches/main/commits");
    FAIL() << "not thrown";
  } catch (const lakefs::HookFailedError& e) {
    EXPECT_EQ(e.run_id(), "4ojhk");
    EXPECT_EQ(e.status(), 412);
  }
  // Another 412 stays a plain precondition failure.
  try {
    lakefs::detail::throw_server_error(response(412, R"({"message":"precondition failed"})"), "PUT", "/x");
  } catch (const lakefs::HookFailedError&) {
    ADD_FAILURE() << "a hook error for a plain 412";
  } catch (const lakefs::PreconditionFailedError& e) {
    EXPECT_EQ(e.status(), 412);
  }
}

TEST(ErrorMapping, NonJsonBodyKeptAsText) {
  const auto e = thrown<lakefs::ServerError>(502, "<html>bad gateway</html>\n");
  EXPECT_EQ(e.server_message(), "<html>bad gateway</html>");
}

TEST(ErrorMapping, EmptyBody) {
  const auto e = thrown<lakefs::ServerError>(500, "");
  EXPECT_EQ(e.server_message(), "");
}

TEST(ErrorMapping, AllServerErrorsAreLakefsErrors) {
  try {
    lakefs::detail::throw_server_error(response(409, "{}"), "POST", "/x");
  } catch (const lakefs::Error& e) {
    SUCCEED();
    return;
  }
  FAIL();
}

TEST(ErrorMapping, TransportErrorsByFailure) {
  EXPECT_THROW(lakefs::detail::throw_transport_error(lakefs::http::Failure::cannot_connect, "refused", "GET", "/x",
                                                     "http://h:1"),
               lakefs::ConnectionError);
  EXPECT_THROW(lakefs::detail::throw_transport_error(lakefs::http::Failure::timed_out, "", "GET", "/x", "http://h:1"),
               lakefs::TimeoutError);
  EXPECT_THROW(lakefs::detail::throw_transport_error(lakefs::http::Failure::tls, "", "GET", "/x", "https://h"),
               lakefs::TlsError);
  EXPECT_THROW(
      lakefs::detail::throw_transport_error(lakefs::http::Failure::connection_dropped, "", "GET", "/x", "http://h:1"),
      lakefs::TransportError);
}

TEST(Encoding, PercentEncodesEverythingButUnreserved) {
  std::string out;
  lakefs::http::append_encoded(out, "a-b_c.d~e/f g?h&i=j%ü");
  EXPECT_EQ(out, "a-b_c.d~e%2Ff%20g%3Fh%26i%3Dj%25%C3%BC");
}

}  // namespace
