// SPDX-License-Identifier: Apache-2.0
// ClientOptions::request_hook (src/transport/channel.cpp) through lakefs::testing::FakeTransport: each attempt
// is seen before and after, retries as attempts of their own; headers the hook adds reach the transport for that
// attempt only and are checked like CallOptions::headers; an exception from the hook stops the call; and nothing
// the hook is given holds a credential (key pair, session token, pre-signed signature).
#include "lakefs/request_hook.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <any>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/http.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace lakefs {
namespace {

namespace fake = lakefs::testing;
using fake::Reply;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

// Distinctive dummy credentials: nothing the hook is given may contain them.
constexpr const char* kKeyId = "AKIAHOOKDUMMYKEYID42";
constexpr const char* kSecret = "hook-SECRET-never-shown-9d1e";
constexpr const char* kToken = "hook-TOKEN-never-shown-5b7a";
constexpr const char* kSignature = "hookSIGNATUREneverShown3f8c";

constexpr const char* kRepositoryJson =
    R"({"id":"r","creation_date":1718000000,"default_branch":"main","storage_namespace":"mem://x"})";

http::Request get(std::string path) {
  http::Request request;
  request.method = "GET";
  request.path = std::move(path);
  return request;
}

// Records what the hook is given; adds the headers `add` returns for an attempt. Thread-safe.
class Recorder final : public RequestHook {
 public:
  struct Seen {
    RequestAttempt attempt;  // as after_attempt() was given it
    AttemptResult result;
  };
  std::function<std::vector<http::Header>(const RequestAttempt&)> add{};

  void before_attempt(RequestAttempt& attempt) override {
    EXPECT_TRUE(attempt.headers.empty());
    EXPECT_FALSE(attempt.context.has_value());
    if (add) attempt.headers = add(attempt);
    std::lock_guard lock(mutex_);
    attempt.context = static_cast<int>(before_.size());  // carried to after_attempt()
    before_.push_back(attempt);
  }
  void after_attempt(RequestAttempt& attempt, const AttemptResult& result) override {
    std::lock_guard lock(mutex_);
    after_.push_back({attempt, result});
  }

  std::vector<RequestAttempt> before() const {
    std::lock_guard lock(mutex_);
    return before_;
  }
  std::vector<Seen> after() const {
    std::lock_guard lock(mutex_);
    return after_;
  }
  // Every string the hook was handed, in before and in after.
  std::vector<std::string> strings() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    const auto add_attempt = [&](const RequestAttempt& a) {
      out.push_back(a.method);
      out.push_back(a.target);
      for (const auto& [name, value] : a.headers) {
        out.push_back(name);
        out.push_back(value);
      }
    };
    for (const auto& a : before_) add_attempt(a);
    for (const auto& seen : after_) {
      add_attempt(seen.attempt);
      out.push_back(seen.result.request_id);
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<RequestAttempt> before_;
  std::vector<Seen> after_;
};

class RequestHookTest : public ::testing::Test {
 protected:
  std::shared_ptr<fake::FakeTransport> transport = std::make_shared<fake::FakeTransport>();
  std::shared_ptr<Recorder> hook = std::make_shared<Recorder>();

  // make_client's test key pair and quick retries (3, a few milliseconds apart) unless `options` say otherwise.
  Client client(ClientOptions options = {}) {
    options.request_hook = hook;
    return fake::make_client(transport, std::move(options));
  }
};

TEST_F(RequestHookTest, SeesARetriedGetAsTwoAttemptsWithTheirStatuses) {
  transport->on("GET", "/repositories/r")
      .reply(Reply::error(503, "slow down").with_header("X-Request-Id", "req-1"))
      .reply(Reply::json(200, kRepositoryJson).with_header("X-Request-Id", "req-2"));
  (void)client().send(get("/repositories/r"));

  const auto before = hook->before();
  ASSERT_EQ(before.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(before[i].method, "GET");
    EXPECT_EQ(before[i].target, "/repositories/r");
    EXPECT_EQ(before[i].attempt, i);
    EXPECT_FALSE(before[i].presigned);
  }
  const auto after = hook->after();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].attempt.attempt, 0);
  EXPECT_EQ(std::any_cast<int>(after[0].attempt.context), 0);  // the object before_attempt() filled
  EXPECT_EQ(after[0].result.status, 503);
  EXPECT_EQ(after[0].result.failure, http::Failure::none);
  EXPECT_EQ(after[0].result.request_id, "req-1");
  EXPECT_TRUE(after[0].result.will_retry);
  EXPECT_EQ(after[1].attempt.attempt, 1);
  EXPECT_EQ(std::any_cast<int>(after[1].attempt.context), 1);
  EXPECT_EQ(after[1].result.status, 200);
  EXPECT_EQ(after[1].result.request_id, "req-2");
  EXPECT_EQ(after[1].result.bytes_received, std::string(kRepositoryJson).size());
  EXPECT_FALSE(after[1].result.will_retry);
  EXPECT_GE(after[1].result.elapsed.count(), 0);
}

TEST_F(RequestHookTest, ReportsAFailureWithoutStatusAndTheLastAttemptAsNotRetried) {
  transport->on("GET", "/repositories/r").always(Reply::fail(http::Failure::connection_dropped, true));
  EXPECT_THROW((void)client({.retry = RetryOptions{.max_retries = 1, .initial_backoff = milliseconds(1)}})
                   .send(get("/repositories/r")),
               TransportError);
  const auto after = hook->after();
  ASSERT_EQ(after.size(), 2u);
  for (const auto& seen : after) {
    EXPECT_EQ(seen.result.failure, http::Failure::connection_dropped);
    EXPECT_EQ(seen.result.status, 0);
    EXPECT_EQ(seen.result.request_id, "");
  }
  EXPECT_TRUE(after[0].result.will_retry);
  EXPECT_FALSE(after[1].result.will_retry);
}

TEST_F(RequestHookTest, HeadersAddedBeforeAnAttemptAreSentWithThatAttemptOnly) {
  transport->on("GET", "/repositories/r").reply(Reply::error(503, "busy")).reply(Reply::json(200, kRepositoryJson));
  transport->on("GET", "http://store.test/bucket/key").reply(Reply::content(200, "abc"));
  hook->add = [](const RequestAttempt& attempt) {
    return std::vector<http::Header>{{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-00000000000000" +
                                                         std::to_string(10 + attempt.attempt) + "-01"}};
  };
  const auto c = client();
  http::Request request = get("/repositories/r");
  request.call.headers = {{"X-Call", "kept"}};
  (void)c.send(request);
  http::Request presigned = get("/bucket/key");
  presigned.absolute_url = std::string("http://store.test/bucket/key?X-Amz-Signature=") + kSignature;
  (void)c.send(presigned);

  const auto sent = transport->requests();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].header("traceparent"), "00-0af7651916cd43dd8448eb211c80319c-0000000000000010-01");
  EXPECT_EQ(sent[1].header("traceparent"), "00-0af7651916cd43dd8448eb211c80319c-0000000000000011-01");
  // One traceparent per attempt, never the previous attempt's as well.
  for (int i = 0; i < 2; ++i) {
    int count = 0;
    for (const auto& [name, value] : sent[i].headers) count += name == "traceparent" ? 1 : 0;
    EXPECT_EQ(count, 1) << i;
    EXPECT_EQ(sent[i].header("X-Call"), "kept");
  }
  // The hook's headers go to a pre-signed URL too (it is told `presigned` and may add none).
  EXPECT_EQ(sent[2].header("traceparent"), "00-0af7651916cd43dd8448eb211c80319c-0000000000000010-01");
  EXPECT_TRUE(hook->before().back().presigned);
}

TEST_F(RequestHookTest, InvalidOrReservedHeadersFromTheHookAreRefusedBeforeSending) {
  const auto c = client();
  for (const auto& header : std::vector<http::Header>{{"traceparent", "00-1\r\nX-Injected: 1"},
                                                      {"Bad Name", "v"},
                                                      {"Authorization", "Bearer x"},
                                                      {"host", "evil.test"},
                                                      {"Content-Length", "0"},
                                                      {"Transfer-Encoding", "chunked"}}) {
    hook->add = [&](const RequestAttempt&) { return std::vector<http::Header>{header}; };
    try {
      (void)c.send(get("/repositories/r"));
      ADD_FAILURE() << "no error for " << header.first;
    } catch (const InvalidArgumentError& e) {
      EXPECT_THAT(e.what(), Not(HasSubstr("X-Injected"))) << header.first;
    }
  }
  EXPECT_EQ(transport->count(), 0u);
  EXPECT_TRUE(hook->after().empty());  // nothing was sent, so nothing completed
}

// Throws from before_attempt() or after_attempt() as told.
class Throwing final : public RequestHook {
 public:
  bool in_before = false;
  void before_attempt(RequestAttempt&) override {
    if (in_before) throw std::runtime_error("from before");
  }
  void after_attempt(RequestAttempt&, const AttemptResult&) override {
    if (!in_before) throw std::runtime_error("from after");
  }
};

TEST_F(RequestHookTest, AnExceptionFromTheHookPropagatesAndNothingMoreIsSent) {
  transport->on("GET", "/repositories/r").always(Reply::error(503, "busy"));
  auto throwing = std::make_shared<Throwing>();
  const auto c = fake::make_client(transport, {.request_hook = throwing});
  // From after_attempt(): the 503 is not retried.
  EXPECT_THROW((void)c.send(get("/repositories/r")), std::runtime_error);
  EXPECT_EQ(transport->count(), 1u);
  // From before_attempt(): the attempt is not sent.
  throwing->in_before = true;
  EXPECT_THROW((void)c.send(get("/repositories/r")), std::runtime_error);
  EXPECT_EQ(transport->count(), 1u);
}

TEST_F(RequestHookTest, NeverSeesAKeyPairASessionTokenOrASignature) {
  // login: the key pair is exchanged for a token, which then authenticates; a 401 renews it (a second login, a
  // new token).
  transport->on("POST", "/auth/login")
      .reply(Reply::json(200, std::string(R"({"token":")") + kToken + R"(-1"})"))
      .reply(Reply::json(200, std::string(R"({"token":")") + kToken + R"(-2"})"));
  transport->on("GET", "/repositories/r").reply(Reply::error(401, "expired")).reply(Reply::json(200, kRepositoryJson));
  // A path that names the key id, as lakeFS's credentials routes do.
  transport->on("DELETE", std::string("/auth/users/u/credentials/") + kKeyId).reply(Reply::empty(204));
  transport->on("GET", "http://store.test/bucket/key").reply(Reply::content(200, "abc"));
  const auto c = client({.access_key_id = kKeyId, .secret_access_key = kSecret, .login = true});
  (void)c.send(get("/repositories/r"));
  http::Request remove;
  remove.method = "DELETE";
  remove.path = std::string("/auth/users/u/credentials/") + kKeyId;
  (void)c.send(remove);
  http::Request presigned = get("/bucket/key");
  presigned.absolute_url = std::string("http://store.test/bucket/key?X-Amz-Signature=") + kSignature;
  (void)c.send(presigned);

  // Every attempt was seen: login, the 401, login again, the repeat, the DELETE and the pre-signed GET.
  const auto before = hook->before();
  ASSERT_EQ(before.size(), 6u) << transport->requests().size();
  EXPECT_EQ(before[0].target, "/auth/login");
  EXPECT_EQ(before[1].target, "/repositories/r");
  EXPECT_EQ(before[1].attempt, 0);
  EXPECT_EQ(before[3].target, "/repositories/r");
  EXPECT_EQ(before[3].attempt, 1);
  EXPECT_EQ(before[4].target, "/auth/users/u/credentials/[REDACTED]");
  EXPECT_TRUE(before[5].presigned);
  EXPECT_EQ(before[5].target, "/bucket/key");
  EXPECT_EQ(hook->after().size(), 6u);

  const auto strings = hook->strings();
  ASSERT_FALSE(strings.empty());
  for (const auto& text : strings) {
    for (const char* secret : {kKeyId, kSecret, kToken, kSignature, "X-Amz-Signature", "store.test"}) {
      EXPECT_THAT(text, Not(HasSubstr(secret)));
    }
    EXPECT_THAT(text, Not(HasSubstr("Basic "))) << "an Authorization value";
    EXPECT_THAT(text, Not(HasSubstr("Bearer ")));
  }
  for (const auto& a : before) {
    for (const auto& [name, value] : a.headers) EXPECT_NE(name, "Authorization");
  }
}

}  // namespace
}  // namespace lakefs
