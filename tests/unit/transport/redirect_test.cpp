// SPDX-License-Identifier: Apache-2.0
// Credentials never follow a redirect to another host. Two tiny HTTP servers
// on 127.0.0.1: A (the client's endpoint) redirects to B under another host
// name and port; B records what it received. Through a real Client with the
// default libcurl transport: A gets the Authorization header, B gets none,
// and the GET still reaches B. A POST is never redirected at all.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/http.hpp"
#include "transport/redaction.hpp"
#include "unit/transport/tiny_server.hpp"

namespace {

using lakefs::test::answer;
using lakefs::test::Received;
using lakefs::test::TinyServer;

// B: the other host, which must never see the client's credentials.
TinyServer other_host() {
  return TinyServer([](const Received&) { return answer("200 OK", "", "body from B"); });
}

// A: the client's endpoint, redirecting everything to B under the name "localhost" (not 127.0.0.1) and B's port.
TinyServer redirecting_to(const TinyServer& target) {
  const std::string location = "http://localhost:" + std::to_string(target.port()) + "/x";
  return TinyServer([location](const Received&) { return answer("302 Found", "Location: " + location + "\r\n", ""); });
}

lakefs::ClientOptions options_for(const TinyServer& endpoint) {
  lakefs::ClientOptions options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(endpoint.port());
  options.connect_timeout = std::chrono::seconds(5);
  options.request_timeout = std::chrono::seconds(20);
  options.retry = lakefs::RetryOptions{.max_retries = 0};
  options.explicit_only = true;
  return options;
}

// Sends a GET through `client` to A and checks it arrived at B without credentials; returns A's Authorization.
std::optional<std::string> get_through_redirect(const lakefs::Client& client, const TinyServer& a,
                                                const TinyServer& b) {
  const auto response = client.send(lakefs::http::Request{.method = "GET", .path = "/start"});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "body from B");  // the redirect was followed

  const auto at_a = a.requests();
  const auto at_b = b.requests();
  EXPECT_EQ(at_a.size(), 1U);
  EXPECT_EQ(at_b.size(), 1U);
  if (at_a.size() != 1 || at_b.size() != 1) return std::nullopt;
  EXPECT_EQ(at_a[0].target, "/api/v1/start");
  EXPECT_EQ(at_b[0].method, "GET");
  EXPECT_EQ(at_b[0].target, "/x");
  EXPECT_EQ(at_b[0].header("host").value_or(""), "localhost:" + std::to_string(b.port()));
  // No credentials of any form at the other host (the values are test constants, safe to print).
  EXPECT_FALSE(at_b[0].header("authorization").has_value()) << *at_b[0].header("authorization");
  EXPECT_FALSE(at_b[0].header("cookie").has_value());
  return at_a[0].header("authorization");
}

TEST(Redirect, KeyPairGoesToTheEndpointOnlyNotToAnotherHost) {
  const TinyServer b = other_host();
  const TinyServer a = redirecting_to(b);
  auto options = options_for(a);
  options.access_key_id = "AKIAREDIRECTTEST0001";
  options.secret_access_key = "redirect-test-secret-key";
  const lakefs::Client client(options);

  const auto authorization = get_through_redirect(client, a, b);
  ASSERT_TRUE(authorization.has_value()) << "the endpoint itself got no credentials";
  EXPECT_EQ(*authorization, "Basic " + lakefs::detail::base64("AKIAREDIRECTTEST0001:redirect-test-secret-key"));
}

TEST(Redirect, SessionTokenGoesToTheEndpointOnlyNotToAnotherHost) {
  const TinyServer b = other_host();
  const TinyServer a = redirecting_to(b);
  auto options = options_for(a);
  options.session_token = "redirect-test-session-token";
  const lakefs::Client client(options);

  const auto authorization = get_through_redirect(client, a, b);
  ASSERT_TRUE(authorization.has_value()) << "the endpoint itself got no credentials";
  EXPECT_EQ(*authorization, "Bearer redirect-test-session-token");
}

// Not about redirects, but these servers see the wire: the transport sends one Accept header, the request's own
// when it names one.
TEST(Redirect, OneAcceptHeaderOnTheWire) {
  const TinyServer server([](const Received&) { return answer("200 OK", "", "{}"); });
  auto options = options_for(server);
  options.access_key_id = "AKIAREDIRECTTEST0001";
  options.secret_access_key = "redirect-test-secret-key";
  const lakefs::Client client(options);
  (void)client.send(lakefs::http::Request{.method = "GET", .path = "/default"});
  (void)client.send(lakefs::http::Request{.method = "GET", .path = "/own", .headers = {{"ACCEPT", "text/plain"}}});
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2U);
  const auto accepts = [](const Received& r) {
    std::vector<std::string> values;
    for (const auto& [name, value] : r.headers) {
      if (name == "accept") values.push_back(value);
    }
    return values;
  };
  EXPECT_EQ(accepts(seen[0]), std::vector<std::string>{"application/json"});
  EXPECT_EQ(accepts(seen[1]), std::vector<std::string>{"text/plain"});
}

TEST(Redirect, PostIsNotRedirected) {
  const TinyServer b = other_host();
  const TinyServer a = redirecting_to(b);
  auto options = options_for(a);
  options.access_key_id = "AKIAREDIRECTTEST0001";
  options.secret_access_key = "redirect-test-secret-key";
  const lakefs::Client client(options);

  try {
    (void)client.send(lakefs::http::Request{
        .method = "POST", .path = "/start", .body = R"({"a":1})", .content_type = "application/json"});
    ADD_FAILURE() << "a 302 to a POST was taken as success";
  } catch (const lakefs::ServerError& e) {
    EXPECT_EQ(e.status(), 302);
    EXPECT_EQ(std::string(e.what()).find("redirect-test-secret-key"), std::string::npos);
  }
  const auto at_a = a.requests();
  ASSERT_EQ(at_a.size(), 1U);
  EXPECT_EQ(at_a[0].method, "POST");
  EXPECT_EQ(at_a[0].body, R"({"a":1})");
  EXPECT_TRUE(b.requests().empty()) << "the POST was redirected";
}

}  // namespace
