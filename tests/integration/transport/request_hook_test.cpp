// SPDX-License-Identifier: Apache-2.0
// ClientOptions::request_hook against the real server: the hook sees every attempt of real calls (the login
// exchange included) with lakeFS's request id and the bytes moved, and the traceparent it adds reaches the wire
// (recorded by a HookedTransport under the client, which sees what libcurl is handed).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <any>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/hooked_transport.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

// Adds a traceparent whose parent id is the attempt's sequence number; records what it is given.
class Tracing final : public RequestHook {
 public:
  struct Seen {
    RequestAttempt attempt;
    AttemptResult result;
  };

  void before_attempt(RequestAttempt& attempt) override {
    std::lock_guard lock(mutex_);
    char parent[17];
    std::snprintf(parent, sizeof parent, "%016x", ++sequence_);
    attempt.headers.emplace_back("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-" + std::string(parent) + "-01");
    attempt.context = attempt.headers.back().second;
  }
  void after_attempt(RequestAttempt& attempt, const AttemptResult& result) override {
    std::lock_guard lock(mutex_);
    seen_.push_back({attempt, result});
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;
  unsigned sequence_ = 0;
  std::vector<Seen> seen_;
};

class RequestHookTest : public RepoTest {};

TEST_F(RequestHookTest, SeesRealRequestsWithRequestIdsAndAddsATraceparent) {
  auto transport = std::make_shared<HookedTransport>();
  auto hook = std::make_shared<Tracing>();
  auto options = hooked_client_options(transport);
  options.request_hook = hook;
  options.login = true;  // the credentials exchange is an attempt the hook sees too
  const Client client(options);
  const std::string data = "hello, traced world";
  auto object = client.repository(repo().id()).branch("main").object("traced.txt");
  object.upload(data);
  EXPECT_EQ(object.read_all(), data);

  const auto seen = hook->seen();
  const auto sent = transport->attempts();
  ASSERT_EQ(seen.size(), sent.size());
  ASSERT_GE(seen.size(), 3u);  // login, upload, read at least
  EXPECT_EQ(seen.front().attempt.method, "POST");
  EXPECT_EQ(seen.front().attempt.target, "/auth/login");
  bool saw_upload = false;
  bool saw_read = false;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const auto& [attempt, result] = seen[i];
    SCOPED_TRACE(attempt.method + " " + attempt.target);
    EXPECT_EQ(result.failure, http::Failure::none);
    EXPECT_GE(result.status, 200);
    EXPECT_LT(result.status, 300);
    EXPECT_FALSE(result.request_id.empty());  // lakeFS answers every request with X-Request-Id
    EXPECT_FALSE(result.will_retry);
    EXPECT_EQ(attempt.attempt, 0);
    // The traceparent the hook added is the one that went out with this attempt, and only one did.
    EXPECT_EQ(sent[i].header("traceparent"), std::any_cast<std::string>(attempt.context));
    int traceparents = 0;
    for (const auto& header : sent[i].headers) traceparents += header.first == "traceparent" ? 1 : 0;
    EXPECT_EQ(traceparents, 1);
    if (attempt.method == "POST" && attempt.target.find("/objects?path=<redacted>") != std::string::npos) {
      saw_upload = true;
      EXPECT_GE(result.bytes_sent, data.size());
    }
    if (attempt.method == "GET" && attempt.target.find("/objects?path=<redacted>") != std::string::npos) {
      saw_read = true;
      EXPECT_EQ(result.bytes_received, data.size());
    }
    // Nothing the hook is shown holds the key pair.
    for (const std::string* text : {&attempt.method, &attempt.target, &result.request_id}) {
      EXPECT_THAT(*text, ::testing::Not(::testing::HasSubstr(server().access_key_id)));
      EXPECT_THAT(*text, ::testing::Not(::testing::HasSubstr(server().secret_access_key)));
    }
  }
  EXPECT_TRUE(saw_upload);
  EXPECT_TRUE(saw_read);
}

}  // namespace
}  // namespace lakefs::test
