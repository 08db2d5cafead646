// SPDX-License-Identifier: Apache-2.0
// The asynchronous engine behind Client::send_async, on the fake transport:
// the same retry, error and cancellation rules as the blocking path, back-off
// on engine timers, admission up to max_in_flight, the queue's bound, and the
// rule that nothing blocks on an engine thread. (Against the real server:
// tests/integration/async/.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/async/combinators.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/http.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace lakefs {
namespace {

namespace lt = lakefs::testing;
using async::Task;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

http::Request get(std::string path) {
  http::Request request;
  request.method = "GET";
  request.path = std::move(path);
  return request;
}

ClientOptions fast_retries(std::size_t max_in_flight = 256) {
  ClientOptions options;
  options.retry = RetryOptions{.max_retries = 3, .initial_backoff = 20ms, .max_backoff = 40ms};
  options.max_in_flight = max_in_flight;
  return options;
}

TEST(AsyncEngine, SendAsyncReturnsTheAnswerOnTheEngineThread) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/repositories/r").reply(lt::Reply::json(200, R"({"id":"r"})"));
  Client client = lt::make_client(fake);
  auto call = [&]() -> Task<std::pair<std::string, bool>> {
    http::Response response = co_await client.send_async(get("/repositories/r"));
    co_return std::pair{response.body, async::on_engine_thread()};
  };
  const auto [body, on_engine] = async::sync_wait(call());
  EXPECT_EQ(body, R"({"id":"r"})");
  EXPECT_TRUE(on_engine);
  EXPECT_FALSE(async::on_engine_thread());
}

TEST(AsyncEngine, ServerErrorsBecomeTheSameExceptionsAsSend) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/repositories/missing").reply(lt::Reply::error(404, "repository not found"));
  Client client = lt::make_client(fake);
  EXPECT_THROW((void)client.send(get("/repositories/missing")), NotFoundError);
  EXPECT_THROW((void)async::sync_wait(client.send_async(get("/repositories/missing"))), NotFoundError);
}

TEST(AsyncEngine, RetriesWaitOnEngineTimers) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/repositories/r")
      .reply(lt::Reply::error(503, "busy"))
      .reply(lt::Reply::error(503, "busy"))
      .reply(lt::Reply::json(200, "{}"));
  Client client = lt::make_client(fake, fast_retries());
  const auto started = Clock::now();
  const http::Response response = async::sync_wait(client.send_async(get("/repositories/r")));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(fake->count("GET", "/repositories/r"), 3u);
  EXPECT_GE(Clock::now() - started, 20ms);  // two back-offs of at least half the initial one each
}

TEST(AsyncEngine, APostWhoseAnswerWasLostIsNotSentAgainAndSaysSo) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("POST", "/repositories/r/branches/main/commits")
      .reply(lt::Reply::fail(http::Failure::connection_dropped, /*request_sent=*/true));
  Client client = lt::make_client(fake, fast_retries());
  http::Request commit;
  commit.method = "POST";
  commit.path = "/repositories/r/branches/main/commits";
  commit.body = R"({"message":"m"})";
  commit.content_type = "application/json";
  try {
    (void)async::sync_wait(client.send_async(commit));
    FAIL() << "no exception";
  } catch (const TransportError& e) {
    EXPECT_TRUE(e.outcome_unknown());
  }
  EXPECT_EQ(fake->count("POST", "/repositories/r/branches/main/commits"), 1u);
}

TEST(AsyncEngine, AStopDuringTheBackOffEndsTheCallAtOnce) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/repositories/r").reply(lt::Reply::error(503, "busy")).reply(lt::Reply::json(200, "{}"));
  ClientOptions options;
  options.retry = RetryOptions{.max_retries = 3, .initial_backoff = 5s, .max_backoff = 5s};
  Client client = lt::make_client(fake, options);
  std::stop_source stop;
  http::Request request = get("/repositories/r");
  request.call.stop = stop.get_token();
  std::future<http::Response> future = async::spawn(client.send_async(request));
  while (fake->count("GET", "/repositories/r") == 0) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  const auto stopped_at = Clock::now();
  stop.request_stop();
  EXPECT_THROW((void)future.get(), CancelledError);
  EXPECT_LT(Clock::now() - stopped_at, 1s);
  EXPECT_EQ(fake->count("GET", "/repositories/r"), 1u);
}

TEST(AsyncEngine, TheInheritedStopTokenCancelsRequests) {
  auto fake = std::make_shared<lt::FakeTransport>();
  Client client = lt::make_client(fake);
  std::stop_source stop;
  stop.request_stop();
  // The request's own CallOptions have no token; the task's does.
  EXPECT_THROW((void)async::sync_wait(client.send_async(get("/repositories/r")).with_stop(stop.get_token())),
               CancelledError);
  EXPECT_EQ(fake->count("GET", "/repositories/r"), 0u);
}

TEST(AsyncEngine, AdmitsAtMostMaxInFlightAndCancelsQueuedRequestsBeforeTheWire) {
  auto fake = std::make_shared<lt::FakeTransport>();
  lt::Reply slow = lt::Reply::json(200, "{}");
  slow.delay = 30ms;
  fake->on("GET", "/slow").always(slow);
  Client client = lt::make_client(fake, fast_retries(/*max_in_flight=*/1));
  std::stop_source stop;
  std::vector<Task<http::Response>> tasks;
  for (int i = 0; i < 20; ++i) tasks.push_back(client.send_async(get("/slow")));
  std::future<std::vector<http::Response>> all =
      async::spawn(async::when_all(std::move(tasks)).with_stop(stop.get_token()));
  while (fake->count("GET", "/slow") == 0) std::this_thread::sleep_for(1ms);
  const std::size_t before = fake->count("GET", "/slow");  // one at a time, however slow this machine is
  stop.request_stop();
  EXPECT_THROW((void)all.get(), CancelledError);
  const std::size_t sent = fake->count("GET", "/slow");
  EXPECT_LE(sent, before + 1);  // at most one admitted while the stop was on its way
  EXPECT_LT(sent, 20u);         // the queued ones never reached the transport
}

TEST(AsyncEngine, AFullQueueRefusesTheNextRequest) {
  auto fake = std::make_shared<lt::FakeTransport>();
  lt::Reply slow = lt::Reply::json(200, "{}");
  slow.delay = 50ms;
  fake->on("GET", "/slow").always(slow);
  ClientOptions options = fast_retries(1);
  options.max_queued_requests = 2;
  Client client = lt::make_client(fake, options);
  std::vector<Task<http::Response>> tasks;
  for (int i = 0; i < 6; ++i) tasks.push_back(client.send_async(get("/slow")));
  EXPECT_THROW((void)async::sync_wait(async::when_all(std::move(tasks))), InvalidStateError);
}

TEST(AsyncEngine, BlockingOnTheEngineThreadIsRefused) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/a").always(lt::Reply::json(200, "{}"));
  Client client = lt::make_client(fake);
  auto call = [&]() -> Task<void> {
    (void)co_await client.send_async(get("/a"));
    (void)async::sync_wait(client.send_async(get("/a")));  // in a continuation: refused
  };
  EXPECT_THROW(async::sync_wait(call()), InvalidStateError);
}

TEST(AsyncEngine, ATaskKeepsItsClientAlive) {
  auto fake = std::make_shared<lt::FakeTransport>();
  lt::Reply slow = lt::Reply::json(200, R"({"ok":true})");
  slow.delay = 30ms;
  fake->on("GET", "/a").reply(slow);
  std::future<http::Response> future;
  {
    Client client = lt::make_client(fake);
    future = async::spawn(client.send_async(get("/a")));
  }  // the last handle to the client is gone; its task still runs
  EXPECT_EQ(future.get().body, R"({"ok":true})");
}

TEST(AsyncEngine, ATaskNotYetStartedKeepsItsClientAliveToo) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/a").always(lt::Reply::json(200, R"({"ok":true})"));
  fake->on("GET", "/repositories/r")
      .always(lt::Reply::json(
          200, R"({"id":"r","creation_date":1,"default_branch":"main","storage_namespace":"local://r"})"));
  std::optional<Task<http::Response>> raw;
  std::optional<Task<api::Repository>> twin;
  {
    Client client = lt::make_client(fake);
    raw.emplace(client.send_async(get("/a")));
    api::GetRepositoryRequest request{.repository = "r"};
    twin.emplace(client.api().repositories.get_repository_async(std::move(request)));
  }  // every Client is gone before either task starts
  EXPECT_EQ(async::sync_wait(std::move(*raw)).body, R"({"ok":true})");
  EXPECT_EQ(async::sync_wait(std::move(*twin)).id, "r");
}

TEST(AsyncEngine, ZeroEngineThreadsOrInFlightIsAConfigurationError) {
  auto fake = std::make_shared<lt::FakeTransport>();
  ClientOptions options;
  options.engine_threads = 0;
  EXPECT_THROW((void)lt::make_client(fake, options), ConfigurationError);
  options.engine_threads = 2;
  options.max_in_flight = 0;
  EXPECT_THROW((void)lt::make_client(fake, options), ConfigurationError);
}

TEST(AsyncEngine, SeveralEngineThreadsShareTheWork) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/a").always(lt::Reply::json(200, "{}"));
  ClientOptions options;
  options.engine_threads = 3;
  Client client = lt::make_client(fake, options);
  std::vector<Task<http::Response>> tasks;
  for (int i = 0; i < 64; ++i) tasks.push_back(client.send_async(get("/a")));
  EXPECT_EQ(async::sync_wait(async::when_all(std::move(tasks))).size(), 64u);
  EXPECT_EQ(fake->count("GET", "/a"), 64u);
}

}  // namespace
}  // namespace lakefs
