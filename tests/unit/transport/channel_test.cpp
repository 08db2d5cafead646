// SPDX-License-Identifier: Apache-2.0
// The client's request pipeline (src/transport/channel.cpp) on its failure
// paths, driven through lakefs::testing::FakeTransport: which failures are
// retried and how often, the at-most-once rule for POST, Retry-After, the
// total budget, DELETE's lost answer, credentials renewal after a 401,
// cancellation, per-call policies, the log lines, and the Authorization the
// transport is given. No sockets; timings are asserted only loosely.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/client.hpp"
#include "lakefs/credentials.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace lakefs {
namespace {

namespace fake = lakefs::testing;
using fake::Reply;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Distinctive dummy credentials: no log line or message may contain them.
constexpr const char* kKeyId = "AKIAQWERTYDUMMYKEYID7";
constexpr const char* kSecret = "dummy-SECRET-never-printed-41f9";
constexpr const char* kToken = "dummy-TOKEN-never-printed-7c2e";

constexpr const char* kRepositoryJson =
    R"({"id":"r","creation_date":1718000000,"default_branch":"main","storage_namespace":"mem://x"})";
constexpr const char* kCommitJson =
    R"({"id":"c1","parents":[],"committer":"me","message":"m","creation_date":1718000000,"meta_range_id":""})";
constexpr const char* kEmptyPage =
    R"({"pagination":{"has_more":false,"next_offset":"","results":0,"max_per_page":1000},"results":[]})";

RetryOptions fast_retries(int max_retries) {
  return {.max_retries = max_retries, .initial_backoff = milliseconds(1), .max_backoff = milliseconds(2)};
}

http::Request get(std::string path) {
  http::Request request;
  request.method = "GET";
  request.path = std::move(path);
  return request;
}

http::Request commit_request() {
  http::Request request;
  request.method = "POST";
  request.path = "/repositories/r/branches/main/commits";
  request.body = R"({"message":"m"})";
  request.content_type = "application/json";
  return request;
}

long long elapsed_ms(Clock::time_point since) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

// Collects a client's log lines (the handler may be called from any thread).
struct LogLines {
  std::mutex mutex;
  std::vector<std::pair<LogLevel, std::string>> lines;

  LoggingOptions options() {
    return {.level = LogLevel::debug, .handler = [this](LogLevel level, std::string_view line) {
              std::lock_guard lock(mutex);
              lines.emplace_back(level, std::string(line));
            }};
  }
  std::vector<std::string> at(LogLevel level) {
    std::lock_guard lock(mutex);
    std::vector<std::string> out;
    for (const auto& [l, text] : lines) {
      if (l == level) out.push_back(text);
    }
    return out;
  }
  std::vector<std::string> all() {
    std::lock_guard lock(mutex);
    std::vector<std::string> out;
    for (const auto& entry : lines) out.push_back(entry.second);
    return out;
  }
};

class ChannelTest : public ::testing::Test {
 protected:
  std::shared_ptr<fake::FakeTransport> transport = std::make_shared<fake::FakeTransport>();

  Client client(RetryOptions retry, ClientOptions options = {}) {
    options.retry = retry;
    if (!options.credentials && options.session_token.empty()) {
      options.access_key_id = kKeyId;
      options.secret_access_key = kSecret;
    }
    return fake::make_client(transport, std::move(options));
  }
};

// ---------------------------------------------------------------- what is retried

TEST_F(ChannelTest, GetIsRetriedAfter503AndDroppedConnectionThenSucceeds) {
  transport->on("GET", "/repositories/r")
      .reply(Reply::error(503, "slow down"))
      .reply(Reply::fail(http::Failure::connection_dropped, true))
      .reply(Reply::json(200, kRepositoryJson));
  const http::Response response = client(fast_retries(3)).send(get("/repositories/r"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(transport->count("GET", "/repositories/r"), 3u);
}

TEST_F(ChannelTest, MaxRetriesIsRespected) {
  transport->on("GET", "/repositories/r").always(Reply::error(503, "unavailable"));
  try {
    (void)client(fast_retries(2)).send(get("/repositories/r"));
    FAIL() << "no exception";
  } catch (const ServerError& e) {
    EXPECT_EQ(e.status(), 503);
  }
  EXPECT_EQ(transport->count(), 3u);  // the first attempt and 2 retries

  transport->clear_requests();
  EXPECT_THROW((void)client(fast_retries(0)).send(get("/repositories/r")), ServerError);
  EXPECT_EQ(transport->count(), 1u);
}

TEST_F(ChannelTest, GetTimedOutIsRetried) {
  transport->on("GET", "/repositories/r")
      .reply(Reply{.status = 200, .body = kRepositoryJson, .delay = milliseconds(5'000)})
      .reply(Reply::json(200, kRepositoryJson));
  http::Request request = get("/repositories/r");
  request.call.timeout = milliseconds(20);
  const auto started = Clock::now();
  EXPECT_EQ(client(fast_retries(3)).send(request).status, 200);
  EXPECT_LT(elapsed_ms(started), 1'000);
  EXPECT_EQ(transport->count(), 2u);
}

TEST_F(ChannelTest, PostDroppedAfterSendingIsNeverRepeatedAndItsOutcomeIsUnknown) {
  transport->on("POST", "/repositories/r/branches/main/commits")
      .reply(Reply::fail(http::Failure::connection_dropped, true))
      .reply(Reply::json(201, kCommitJson));
  try {
    (void)client(fast_retries(3)).send(commit_request());
    FAIL() << "no exception";
  } catch (const TransportError& e) {
    EXPECT_TRUE(e.outcome_unknown());
    EXPECT_THAT(e.what(), HasSubstr("may have been applied"));
  }
  EXPECT_EQ(transport->count(), 1u);
  EXPECT_EQ(transport->remaining(), 1u);  // the 201 was never asked for
}

TEST_F(ChannelTest, APullRequestMergeIsAPutSentAtMostOnce) {
  // PUT is idempotent by method, but merging a pull request is not: marked by the generated API, it is not
  // repeated after a dropped connection, and the error says the merge may have happened.
  const std::string merge = "/repositories/r/pulls/p1/merge";
  transport->on("PUT", merge)
      .reply(Reply::fail(http::Failure::connection_dropped, true))
      .reply(Reply::json(200, R"({"reference":"c1"})"));
  const auto c = client(fast_retries(3));
  try {
    (void)c.api().pulls.merge_pull_request({.repository = "r", .pull_request = "p1"});
    FAIL() << "no exception";
  } catch (const TransportError& e) {
    EXPECT_TRUE(e.outcome_unknown());
  }
  EXPECT_EQ(transport->count("PUT", merge), 1u);
  // Another PUT (a branch reset) is still retried.
  transport->on("PUT", "/repositories/r/branches/main")
      .reply(Reply::fail(http::Failure::connection_dropped, true))
      .reply(Reply{.status = 204});
  c.api().branches.reset_branch(
      {.repository = "r", .branch = "main", .body = {.type = api::ResetCreationType::object, .path = "a"}});
  EXPECT_EQ(transport->count("PUT", "/repositories/r/branches/main"), 2u);
}

TEST_F(ChannelTest, PostTimedOutAfterSendingIsNotRepeated) {
  transport->on("POST", "/repositories/r/branches/main/commits")
      .reply(Reply{.status = 201, .body = kCommitJson, .delay = milliseconds(5'000)});
  http::Request request = commit_request();
  request.call.timeout = milliseconds(20);
  try {
    (void)client(fast_retries(3)).send(request);
    FAIL() << "no exception";
  } catch (const TimeoutError& e) {
    EXPECT_TRUE(e.outcome_unknown());
  }
  EXPECT_EQ(transport->count(), 1u);
}

TEST_F(ChannelTest, PostThatCouldNotConnectIsRetried) {
  transport->on("POST", "/repositories/r/branches/main/commits")
      .reply(Reply::fail(http::Failure::cannot_connect, false))
      .reply(Reply::json(201, kCommitJson));
  EXPECT_EQ(client(fast_retries(3)).send(commit_request()).status, 201);
  EXPECT_EQ(transport->count(), 2u);
}

TEST_F(ChannelTest, PostThatNeverConnectedFailsWithAKnownOutcome) {
  transport->on("POST", "/repositories/r/branches/main/commits")
      .always(Reply::fail(http::Failure::cannot_connect, false));
  try {
    (void)client(fast_retries(1)).send(commit_request());
    FAIL() << "no exception";
  } catch (const ConnectionError& e) {
    EXPECT_FALSE(e.outcome_unknown());
  }
  EXPECT_EQ(transport->count(), 2u);
}

TEST_F(ChannelTest, PostAnswered503IsNotRetried) {
  transport->on("POST", "/repositories/r/branches/main/commits").always(Reply::error(503, "busy"));
  EXPECT_THROW((void)client(fast_retries(3)).send(commit_request()), ServerError);
  EXPECT_EQ(transport->count(), 1u);
}

TEST_F(ChannelTest, DownloadCutOffPartWayIsNotRetried) {
  // Bytes already reached the caller's sink: a repeat would hand them over twice.
  transport->on("GET", "/repositories/r/refs/main/objects")
      .reply(Reply{.status = 200,
                   .body = "first half",
                   .failure = http::Failure::connection_dropped,
                   .request_sent = true,
                   .chunk_size = 5})
      .reply(Reply::content(200, "first half, second half"));
  std::string received;
  const Client c = client(fast_retries(3));
  EXPECT_THROW((void)c.api().objects.get_object({.repository = "r", .ref = "main", .path = "f"},
                                                [&](std::string_view chunk) { received.append(chunk); }),
               TransportError);
  EXPECT_EQ(received, "first half");
  EXPECT_EQ(transport->count(), 1u);
}

// ---------------------------------------------------------------- Retry-After and the budget

TEST_F(ChannelTest, RetryAfterInSecondsIsHonouredUpToItsCap) {
  LogLines log;
  // Back-off would be seconds: a quick retry shows Retry-After (1 s, capped at 50 ms) was used instead.
  const RetryOptions retry{.max_retries = 1,
                           .initial_backoff = milliseconds(5'000),
                           .max_backoff = milliseconds(5'000),
                           .max_retry_after = milliseconds(50)};
  transport->on("GET", "/repositories/r")
      .reply(Reply::error(503, "later").with_header("Retry-After", "1"))
      .reply(Reply::json(200, kRepositoryJson));
  const auto started = Clock::now();
  EXPECT_EQ(client(retry, {.log = log.options()}).send(get("/repositories/r")).status, 200);
  const auto ms = elapsed_ms(started);
  EXPECT_GE(ms, 45);
  EXPECT_LT(ms, 1'000);
  const auto info = log.at(LogLevel::info);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_THAT(info[0], HasSubstr("in 50 ms: HTTP 503 (Retry-After)"));
}

TEST_F(ChannelTest, RetryAfterAsAnHttpDateIsHonouredUpToItsCap) {
  LogLines log;
  const std::time_t soon = std::time(nullptr) + 4;
  std::tm parts{};
  gmtime_r(&soon, &parts);
  char date[64];
  ASSERT_GT(std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &parts), 0u);
  const RetryOptions retry{.max_retries = 1,
                           .initial_backoff = milliseconds(5'000),
                           .max_backoff = milliseconds(5'000),
                           .max_retry_after = milliseconds(60)};
  transport->on("GET", "/repositories/r")
      .reply(Reply::error(429, "too many").with_header("Retry-After", date))
      .reply(Reply::json(200, kRepositoryJson));
  const auto started = Clock::now();
  EXPECT_EQ(client(retry, {.log = log.options()}).send(get("/repositories/r")).status, 200);
  const auto ms = elapsed_ms(started);
  EXPECT_GE(ms, 55);  // the date is seconds ahead: the whole cap is waited, not zero
  EXPECT_LT(ms, 1'000);
  const auto info = log.at(LogLevel::info);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_THAT(info[0], HasSubstr("in 60 ms: HTTP 429 (Retry-After)"));
}

TEST_F(ChannelTest, AHugeRetryAfterIsCappedWithoutOverflow) {
  // A broken or hostile server's Retry-After must neither overflow the delay arithmetic nor stall the client.
  for (const char* value : {"9223372036854775807", "99999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"}) {
    transport->on("GET", "/repositories/r")
        .reply(Reply::error(503, "later").with_header("Retry-After", value))
        .reply(Reply::json(200, kRepositoryJson));
    const auto started = Clock::now();
    EXPECT_EQ(client({.max_retries = 1, .max_retry_after = milliseconds(20)}).send(get("/repositories/r")).status, 200)
        << value;
    EXPECT_LT(elapsed_ms(started), 1'000) << value;
  }
}

TEST_F(ChannelTest, TotalBudgetStopsRetrying) {
  transport->on("GET", "/repositories/r").always(Reply::error(503, "unavailable"));
  const RetryOptions retry{.max_retries = 1'000,
                           .initial_backoff = milliseconds(20),
                           .max_backoff = milliseconds(20),
                           .total_budget = milliseconds(150)};
  const auto started = Clock::now();
  EXPECT_THROW((void)client(retry).send(get("/repositories/r")), ServerError);
  EXPECT_LT(elapsed_ms(started), 1'000);
  EXPECT_GE(transport->count(), 2u);
  EXPECT_LE(transport->count(), 30u);  // 10-20 ms apart within 150 ms: far fewer than max_retries
}

// ---------------------------------------------------------------- DELETE whose answer was lost

TEST_F(ChannelTest, DeleteDroppedAfterSendingThen404IsSuccess) {
  transport->on("DELETE", "/repositories/r/branches/b")
      .reply(Reply::fail(http::Failure::connection_dropped, true))
      .reply(Reply::error(404, "branch not found"));
  const Client c = client(fast_retries(3));
  EXPECT_NO_THROW(c.api().branches.delete_branch({.repository = "r", .branch = "b"}));
  EXPECT_EQ(transport->count("DELETE", "/repositories/r/branches/b"), 2u);
}

TEST_F(ChannelTest, DeleteAnswered503Then404IsNotFound) {
  // A 503 is an answer: the first DELETE was not applied, so the 404 is real.
  transport->on("DELETE", "/repositories/r/branches/b")
      .reply(Reply::error(503, "busy"))
      .reply(Reply::error(404, "branch not found"));
  const Client c = client(fast_retries(3));
  EXPECT_THROW(c.api().branches.delete_branch({.repository = "r", .branch = "b"}), NotFoundError);
  EXPECT_EQ(transport->count(), 2u);
}

// ---------------------------------------------------------------- credentials

// Hands out a new token on every fetch and counts the fetches.
class CountingTokens final : public CredentialsProvider {
 public:
  Credentials fetch(CredentialsContext&, bool rejected) override {
    const int n = ++fetches;
    if (rejected) ++rejections;
    return {.session_token = std::string(kToken) + "-" + std::to_string(n)};
  }
  std::string describe() const override { return "counting tokens"; }

  std::atomic<int> fetches{0};
  std::atomic<int> rejections{0};
};

TEST_F(ChannelTest, Unauthorized401WithARenewingProviderRetriesOnceWithNewCredentials) {
  LogLines log;
  auto provider = std::make_shared<CountingTokens>();
  transport->on("POST", "/repositories/r/branches/main/commits")
      .reply(Reply::error(401, "token expired"))
      .reply(Reply::json(201, kCommitJson));
  // Even a POST goes again: a 401 is answered before anything is applied.
  EXPECT_EQ(client(fast_retries(0), {.log = log.options(), .credentials = provider}).send(commit_request()).status,
            201);
  EXPECT_EQ(provider->fetches, 2);
  EXPECT_EQ(provider->rejections, 1);
  const auto requests = transport->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].authorization.scheme, http::Authorization::Scheme::bearer);
  EXPECT_EQ(requests[0].authorization.secret, std::string(kToken) + "-1");
  EXPECT_EQ(requests[1].authorization.secret, std::string(kToken) + "-2");
  const auto info = log.at(LogLevel::info);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_THAT(info[0], HasSubstr("HTTP 401, retrying with renewed credentials"));
  for (const auto& line : log.all()) EXPECT_THAT(line, Not(HasSubstr(kToken)));
}

TEST_F(ChannelTest, Unauthorized401IsRenewedOnlyOnce) {
  auto provider = std::make_shared<CountingTokens>();
  transport->on("GET", "/repositories/r").always(Reply::error(401, "no"));
  EXPECT_THROW((void)client(fast_retries(3), {.credentials = provider}).send(get("/repositories/r")),
               UnauthorizedError);
  EXPECT_EQ(transport->count(), 2u);
  EXPECT_EQ(provider->fetches, 2);
}

TEST_F(ChannelTest, Unauthorized401WithStaticCredentialsFailsAfterOneAttempt) {
  transport->on("GET", "/repositories/r").always(Reply::error(401, "authentication failed"));
  try {
    (void)client(fast_retries(3)).send(get("/repositories/r"));
    FAIL() << "no exception";
  } catch (const UnauthorizedError& e) {
    EXPECT_EQ(e.status(), 401);
    EXPECT_THAT(e.what(), Not(HasSubstr(kSecret)));
  }
  EXPECT_EQ(transport->count(), 1u);
}

class InjectingToken final : public CredentialsProvider {
 public:
  Credentials fetch(CredentialsContext&, bool) override { return {.session_token = "tok\r\nX-Evil: 1"}; }
  std::string describe() const override { return "injecting"; }
};

TEST_F(ChannelTest, ATokenWithALineBreakIsRefusedBeforeAnythingIsSent) {
  // The token travels verbatim in the Authorization header: a CR/LF in it would add header lines.
  try {
    (void)client(fast_retries(0), {.credentials = std::make_shared<InjectingToken>()}).send(get("/repositories/r"));
    FAIL() << "no exception";
  } catch (const ConfigurationError& e) {
    EXPECT_THAT(e.what(), HasSubstr("control character"));
    EXPECT_THAT(e.what(), Not(HasSubstr("X-Evil")));
  }
  EXPECT_EQ(transport->count(), 0u);
}

TEST_F(ChannelTest, CredentialsEchoedInAnErrorBodyAreRedacted) {
  transport->on("GET", "/repositories/r")
      .reply(Reply::error(400, std::string("bad request from ") + kKeyId + ":" + kSecret));
  try {
    (void)client(fast_retries(0)).send(get("/repositories/r"));
    FAIL() << "no exception";
  } catch (const ServerError& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr(kSecret)));
    EXPECT_THAT(e.body(), Not(HasSubstr(kSecret)));
    EXPECT_THAT(e.what(), HasSubstr("[REDACTED]"));
  }
}

TEST_F(ChannelTest, TransportGetsBasicForAKeyPairAndBearerForAToken) {
  transport->on("GET", "/repositories/r").always(Reply::json(200, kRepositoryJson));
  (void)client(fast_retries(0)).send(get("/repositories/r"));
  const http::Authorization basic = transport->last().authorization;
  EXPECT_EQ(basic.scheme, http::Authorization::Scheme::basic);
  EXPECT_EQ(basic.user, kKeyId);
  EXPECT_EQ(basic.secret, kSecret);

  (void)client(fast_retries(0), {.session_token = kToken}).send(get("/repositories/r"));
  const http::Authorization bearer = transport->last().authorization;
  EXPECT_EQ(bearer.scheme, http::Authorization::Scheme::bearer);
  EXPECT_EQ(bearer.secret, kToken);
  EXPECT_TRUE(bearer.user.empty());

  http::Request anonymous = get("/repositories/r");
  anonymous.anonymous = true;
  (void)client(fast_retries(0)).send(anonymous);
  EXPECT_EQ(transport->last().authorization.scheme, http::Authorization::Scheme::none);
  EXPECT_TRUE(transport->last().authorization.secret.empty());
}

// ---------------------------------------------------------------- cancellation and per-call policy

TEST_F(ChannelTest, StopRequestedDuringBackOffCancelsPromptly) {
  transport->on("GET", "/repositories/r").always(Reply::error(503, "unavailable"));
  const RetryOptions slow{
      .max_retries = 5, .initial_backoff = milliseconds(10'000), .max_backoff = milliseconds(10'000)};
  std::stop_source stop;
  std::jthread canceller([&] {
    while (transport->count() == 0) std::this_thread::sleep_for(milliseconds(1));
    std::this_thread::sleep_for(milliseconds(20));  // well into the back-off of 5-10 s
    stop.request_stop();
  });
  http::Request request = get("/repositories/r");
  request.call.stop = stop.get_token();
  const auto started = Clock::now();
  EXPECT_THROW((void)client(slow).send(request), CancelledError);
  EXPECT_LT(elapsed_ms(started), 500);
  EXPECT_EQ(transport->count(), 1u);
}

TEST_F(ChannelTest, StopRequestedDuringTheTransferCancelsIt) {
  transport->on("GET", "/repositories/r").always(Reply{.body = kRepositoryJson, .delay = milliseconds(10'000)});
  std::stop_source stop;
  std::jthread canceller([&] {
    while (transport->count() == 0) std::this_thread::sleep_for(milliseconds(1));
    std::this_thread::sleep_for(milliseconds(20));
    stop.request_stop();
  });
  http::Request request = get("/repositories/r");
  request.call.stop = stop.get_token();
  const auto started = Clock::now();
  EXPECT_THROW((void)client(fast_retries(3)).send(request), CancelledError);
  EXPECT_LT(elapsed_ms(started), 500);
  EXPECT_EQ(transport->count(), 1u);  // a cancelled attempt is not retried
}

TEST_F(ChannelTest, StopRequestedBeforeSendingSendsNothing) {
  transport->on("GET", "/repositories/r").always(Reply::json(200, kRepositoryJson));
  std::stop_source stop;
  stop.request_stop();
  const Client c = client(fast_retries(3));
  EXPECT_THROW((void)c.api().repositories.get_repository({.repository = "r", .call = {.stop = stop.get_token()}}),
               CancelledError);
  EXPECT_EQ(transport->count(), 0u);
}

TEST_F(ChannelTest, PerCallRetryPolicyOverridesTheClients) {
  transport->on("GET", "/repositories/r").always(Reply::error(503, "unavailable"));
  const Client c = client(fast_retries(0));
  EXPECT_THROW((void)c.api().repositories.get_repository({.repository = "r"}), ServerError);
  EXPECT_EQ(transport->count(), 1u);

  transport->clear_requests();
  EXPECT_THROW((void)c.api().repositories.get_repository({.repository = "r", .call = {.retry = fast_retries(2)}}),
               ServerError);
  EXPECT_EQ(transport->count(), 3u);

  // And the other way round: a client that retries, a call that must not.
  transport->clear_requests();
  const Client retrying = client(fast_retries(3));
  EXPECT_THROW((void)retrying.api().repositories.get_repository(
                   {.repository = "r", .call = {.retry = RetryOptions{.max_retries = 0}}}),
               ServerError);
  EXPECT_EQ(transport->count(), 1u);
}

// ---------------------------------------------------------------- logging

TEST_F(ChannelTest, LogsOneDebugLinePerAttemptAndAnInfoLinePerRetryWithoutSecrets) {
  LogLines log;
  transport->on("GET", "/repositories/r/refs/main/objects/ls")
      .reply(Reply::error(503, "unavailable"))
      .reply(Reply::json(200, kEmptyPage).with_header("X-Request-ID", "req-77"));
  const Client c = client(fast_retries(3), {.log = log.options()});
  (void)c.api().objects.list_objects({.repository = "r", .ref = "main", .amount = 10, .prefix = "private/prefix"});

  std::vector<std::string> attempts;
  for (const auto& line : log.at(LogLevel::debug)) {
    if (line.starts_with("GET /repositories/r/refs/main/objects/ls")) attempts.push_back(line);
  }
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_THAT(attempts[0],
              HasSubstr("GET /repositories/r/refs/main/objects/ls?amount=<redacted>&prefix=<redacted> 503"));
  EXPECT_THAT(attempts[1],
              HasSubstr("GET /repositories/r/refs/main/objects/ls?amount=<redacted>&prefix=<redacted> 200"));
  EXPECT_THAT(attempts[1], HasSubstr("request id req-77"));
  const auto info = log.at(LogLevel::info);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_THAT(info[0], HasSubstr("retry 1/3 of GET /repositories/r/refs/main/objects/ls?amount=<redacted>"));
  EXPECT_THAT(info[0], HasSubstr("HTTP 503"));
  for (const auto& line : log.all()) {
    EXPECT_THAT(line, Not(HasSubstr(kKeyId)));
    EXPECT_THAT(line, Not(HasSubstr(kSecret)));
    EXPECT_THAT(line, Not(HasSubstr("private/prefix")));
    EXPECT_THAT(line, Not(HasSubstr("private%2Fprefix")));
  }
}

TEST_F(ChannelTest, LogsNoTokenAndNamesFailures) {
  LogLines log;
  transport->on("GET", "/repositories/r")
      .reply(Reply::fail(http::Failure::connection_dropped, true))
      .reply(Reply::json(200, kRepositoryJson));
  (void)client(fast_retries(3), {.session_token = kToken, .log = log.options()}).send(get("/repositories/r"));
  const auto debug = log.at(LogLevel::debug);
  EXPECT_TRUE(std::any_of(debug.begin(), debug.end(), [](const std::string& line) {
    return line.starts_with("GET /repositories/r connection dropped");
  }));
  const auto info = log.at(LogLevel::info);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_THAT(info[0], HasSubstr(": connection dropped"));
  for (const auto& line : log.all()) EXPECT_THAT(line, Not(HasSubstr(kToken)));
}

// ---------------------------------------------------------------- CallOptions: headers, deadline, idempotency

TEST_F(ChannelTest, CallHeadersGoToLakeFSButNotToAPreSignedUrl) {
  transport->on("GET", "/repositories/r").reply(Reply::json(200, kRepositoryJson));
  transport->on("GET", "http://store.test/bucket/key").reply(Reply::content(200, "abc"));
  const auto c = client(fast_retries(0));
  http::Request request = get("/repositories/r");
  request.call.headers = {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}};
  (void)c.send(request);
  http::Request presigned = get("/bucket/key");
  presigned.absolute_url = "http://store.test/bucket/key?X-Amz-Signature=s";
  presigned.call.headers = request.call.headers;
  (void)c.send(presigned);
  const auto sent = transport->requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].header("traceparent"), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_EQ(sent[1].header("traceparent"), std::nullopt);
}

TEST_F(ChannelTest, CallHeadersThatWouldInjectOrOverrideAreRefusedBeforeSending) {
  const auto c = client(fast_retries(0));
  for (const auto& header : std::vector<std::pair<std::string, std::string>>{{"X-Ok", "a\r\nX-Injected: 1"},
                                                                             {"Bad Name", "v"},
                                                                             {"authorization", "Bearer x"},
                                                                             {"Host", "evil.test"},
                                                                             {"Content-Length", "0"},
                                                                             {"TRANSFER-ENCODING", "chunked"}}) {
    http::Request request = get("/repositories/r");
    request.call.headers = {header};
    EXPECT_THROW((void)c.send(request), InvalidArgumentError) << header.first;
  }
  EXPECT_EQ(transport->count(), 0u);
}

TEST_F(ChannelTest, APassedDeadlineSendsNothing) {
  http::Request request = get("/repositories/r");
  request.call.deadline = Clock::now() - milliseconds(1);
  EXPECT_THROW((void)client(fast_retries(3)).send(request), TimeoutError);
  EXPECT_EQ(transport->count(), 0u);
}

TEST_F(ChannelTest, ADeadlineCutsTheAttemptAndStopsRetrying) {
  transport->on("GET", "/repositories/r")
      .reply(Reply{.status = 200, .body = kRepositoryJson, .delay = milliseconds(5'000)})
      .reply(Reply::json(200, kRepositoryJson));
  http::Request request = get("/repositories/r");
  request.call.timeout = milliseconds(60'000);
  request.call.deadline = Clock::now() + milliseconds(100);
  const auto started = Clock::now();
  EXPECT_THROW((void)client(fast_retries(3)).send(request), TimeoutError);
  EXPECT_LT(elapsed_ms(started), 2'000);
  // The timed-out GET would be retried, but not past the deadline.
  EXPECT_EQ(transport->count(), 1u);
}

TEST_F(ChannelTest, ACallMarkedIdempotentRepeatsAPostAndOneMarkedNotIdempotentNeverRepeatsAGet) {
  transport->on("POST", "/repositories/r/branches/main/commits")
      .reply(Reply::fail(http::Failure::connection_dropped, true))
      .reply(Reply::json(201, kCommitJson));
  const auto c = client(fast_retries(3));
  http::Request post = commit_request();
  post.call.idempotent = true;
  EXPECT_EQ(c.send(post).status, 201);
  EXPECT_EQ(transport->count("POST", "/repositories/r/branches/main/commits"), 2u);

  transport->on("GET", "/repositories/r")
      .reply(Reply::fail(http::Failure::connection_dropped, true))
      .reply(Reply::json(200, kRepositoryJson));
  http::Request request = get("/repositories/r");
  request.call.idempotent = false;
  try {
    (void)c.send(request);
    FAIL() << "no exception";
  } catch (const TransportError& e) {
    EXPECT_TRUE(e.outcome_unknown());
  }
  EXPECT_EQ(transport->count("GET", "/repositories/r"), 1u);
}

}  // namespace
}  // namespace lakefs
