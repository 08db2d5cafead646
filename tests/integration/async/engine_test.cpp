// SPDX-License-Identifier: Apache-2.0
// The asynchronous engine against the real server: every adapter gets the
// server's answer, when_all and for_each under failures, admission control
// seen from a proxy that records the peak of concurrent requests, the
// at-most-once rule for a POST whose answer is lost, and stopping 1,000
// requests in flight.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/async/combinators.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/http.hpp"
#include "lakefs/lakefs.hpp"
#include "support/proxied_fixture.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

using async::Task;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// GET .../objects/stat for `path`: built in a plain function (see docs/async.md, "GCC 12").
http::Request stat_request(const std::string& repo, const std::string& path) {
  http::Request request;
  request.method = "GET";
  request.path = "/repositories/";
  http::append_encoded(request.path, repo);
  request.path += "/refs/main/objects/stat";
  request.query = "path=";
  http::append_encoded(request.query, path);
  return request;
}

// 1,000 connections through an in-process proxy take three descriptors each.
void allow_many_descriptors() {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < 8192 && limit.rlim_max > limit.rlim_cur) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 8192);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  }
}

class AsyncEngineTest : public RepoTest {
 protected:
  void upload(const std::string& path, const std::string& data) { main_branch().object(path).upload(data); }
};

TEST_F(AsyncEngineTest, EveryAdapterGetsTheServersAnswer) {
  upload("a.txt", "alpha");
  const Client& client = lakefs_client();
  const std::string id = repo().id();

  const http::Response direct = async::sync_wait(client.send_async(stat_request(id, "a.txt")));
  EXPECT_NE(direct.body.find("\"path\":\"a.txt\""), std::string::npos) << direct.body;

  std::future<http::Response> future = async::spawn(client.send_async(stat_request(id, "a.txt")));
  EXPECT_EQ(future.get().body, direct.body);

  std::promise<std::string> called_back;
  async::spawn(client.send_async(stat_request(id, "a.txt")), [&](async::Outcome<http::Response> outcome) {
    called_back.set_value(outcome.has_value() ? std::move(outcome).value().body : "failed");
  });
  EXPECT_EQ(called_back.get_future().get(), direct.body);

  auto chain = [&]() -> Task<int> {
    int found = 0;
    for (int i = 0; i < 3; ++i) {
      http::Request request = stat_request(id, "a.txt");
      const http::Response response = co_await client.send_async(std::move(request));
      found += response.status == 200 ? 1 : 0;
    }
    co_return found;
  };
  EXPECT_EQ(async::sync_wait(chain()), 3);

  EXPECT_THROW((void)async::sync_wait(client.send_async(stat_request(id, "missing.txt"))), NotFoundError);
}

TEST_F(AsyncEngineTest, WhenAllReturnsEveryAnswerOrTheFirstFailure) {
  for (int i = 0; i < 5; ++i) upload("f" + std::to_string(i), std::string(static_cast<std::size_t>(i + 1), 'x'));
  const Client& client = lakefs_client();
  std::vector<Task<http::Response>> tasks;
  for (int i = 0; i < 5; ++i) tasks.push_back(client.send_async(stat_request(repo().id(), "f" + std::to_string(i))));
  const std::vector<http::Response> answers = async::sync_wait(async::when_all(std::move(tasks)));
  ASSERT_EQ(answers.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NE(answers[static_cast<std::size_t>(i)].body.find("\"path\":\"f" + std::to_string(i) + "\""),
              std::string::npos);
  }

  std::vector<Task<http::Response>> with_a_gap;
  for (int i = 0; i < 8; ++i)
    with_a_gap.push_back(client.send_async(stat_request(repo().id(), "f" + std::to_string(i))));
  EXPECT_THROW((void)async::sync_wait(async::when_all(std::move(with_a_gap))), NotFoundError);
}

TEST_F(AsyncEngineTest, ForEachStatsEveryItemAndStopsAtTheFirstFailure) {
  for (int i = 0; i < 40; ++i) upload("g/" + std::to_string(i), "data");
  const Client& client = lakefs_client();
  const std::string id = repo().id();
  std::vector<std::string> paths;
  for (int i = 0; i < 40; ++i) paths.push_back("g/" + std::to_string(i));

  std::atomic<int> ok{0};
  auto stat = [&](std::string path) -> Task<void> {
    http::Request request = stat_request(id, path);
    const http::Response response = co_await client.send_async(std::move(request));
    if (response.status == 200) ++ok;
  };
  async::sync_wait(async::for_each(paths, stat, {.concurrency = 8}));
  EXPECT_EQ(ok.load(), 40);

  ok = 0;
  paths.insert(paths.begin() + 10, "g/missing");
  EXPECT_THROW(async::sync_wait(async::for_each(paths, stat, {.concurrency = 4})), NotFoundError);
  EXPECT_LT(ok.load(), 40);  // no item started after the failure
}

class AsyncProxiedTest : public ProxiedRepoTest {
 protected:
  ClientOptions engine_options(std::size_t max_in_flight) {
    ClientOptions options = proxied_options();
    options.max_in_flight = max_in_flight;
    return options;
  }
  // Every stat held `stall` by the proxy, so that requests overlap.
  void hold_stats(std::optional<std::chrono::milliseconds> stall, int times) {
    proxy().add_rule(FaultRule{
        .method = "GET", .path_contains = "/objects/stat", .fault = Fault::stall, .times = times, .stall_for = stall});
  }
};

TEST_F(AsyncProxiedTest, NeverMoreRequestsInFlightThanMaxInFlight) {
  main_branch().object("x").upload("x");
  for (const std::size_t limit : {8u, 64u}) {
    Client client(engine_options(limit));
    hold_stats(50ms, 1000);
    proxy().reset_peak();
    std::vector<Task<http::Response>> tasks;
    for (std::size_t i = 0; i < 4 * limit; ++i) tasks.push_back(client.send_async(stat_request(repo().id(), "x")));
    EXPECT_EQ(async::sync_wait(async::when_all(std::move(tasks))).size(), 4 * limit);
    // Never above the limit; and near it, or the test would not show admission at work (a slow build, e.g. under
    // ThreadSanitizer, may end some requests before the last of the first wave is sent).
    EXPECT_LE(proxy().peak_in_flight(), limit) << "with max_in_flight = " << limit;
    EXPECT_GE(proxy().peak_in_flight(), limit / 2) << "with max_in_flight = " << limit;
    proxy().clear_rules();
  }
}

TEST_F(AsyncProxiedTest, RetriesAfterA503WaitOnTheEngineAndSucceed) {
  main_branch().object("x").upload("x");
  proxy().add_rule(FaultRule{.method = "GET",
                             .path_contains = "/objects/stat",
                             .fault = Fault::respond,
                             .times = 2,
                             .status = 503,
                             .headers = {{"Retry-After", "0"}},
                             .body = R"({"message":"busy"})"});
  ClientOptions options = proxied_options();
  options.retry = RetryOptions{.max_retries = 3, .initial_backoff = 10ms, .max_backoff = 20ms};
  Client client(options);
  EXPECT_EQ(async::sync_wait(client.send_async(stat_request(repo().id(), "x"))).status, 200);
  EXPECT_EQ(proxy().requests("GET", "/objects/stat").size(), 3u);
}

TEST_F(AsyncProxiedTest, APostWhoseAnswerIsLostReachesTheServerOnceAndSaysSo) {
  main_branch().object("x").upload("x");
  proxy().add_rule(FaultRule{.method = "POST", .path_contains = "/commits", .fault = Fault::reset_after_forward});
  Client client(proxied_options());
  http::Request commit;
  commit.method = "POST";
  commit.path = "/repositories/" + repo().id() + "/branches/main/commits";
  commit.body = R"({"message":"async commit"})";
  commit.content_type = "application/json";
  try {
    (void)async::sync_wait(client.send_async(std::move(commit)));
    FAIL() << "no exception";
  } catch (const TransportError& e) {
    EXPECT_TRUE(e.outcome_unknown()) << e.what();
  }
  EXPECT_EQ(proxy().forwarded("POST", "/commits"), 1u);
  std::vector<std::string> messages;
  for (const Commit& c : main_branch().log()) messages.push_back(c.message);
  EXPECT_EQ(messages, (std::vector<std::string>{"async commit", "Repository created"}));  // applied, once
}

TEST_F(AsyncProxiedTest, StoppingAThousandRequestsInFlightEndsThemAll) {
  allow_many_descriptors();
  main_branch().object("x").upload("x");
  constexpr std::size_t kTasks = 1000;
  hold_stats(std::nullopt, static_cast<int>(kTasks));  // held until the client gives up
  ClientOptions options = engine_options(kTasks);
  options.request_timeout = 120s;
  Client client(options);
  std::stop_source stop;
  std::vector<Task<http::Response>> tasks;
  for (std::size_t i = 0; i < kTasks; ++i) tasks.push_back(client.send_async(stat_request(repo().id(), "x")));
  auto all = async::spawn(async::when_all(std::move(tasks)).with_stop(stop.get_token()));

  const auto deadline = Clock::now() + 60s;
  while (proxy().in_flight() < kTasks && Clock::now() < deadline && all.wait_for(0s) != std::future_status::ready) {
    std::this_thread::sleep_for(5ms);
  }
  if (all.wait_for(0s) == std::future_status::ready) {
    try {
      (void)all.get();
      FAIL() << "the requests ended before the stop";
    } catch (const std::exception& e) {
      FAIL() << "the requests failed before the stop: " << e.what() << "; the proxy saw " << proxy().requests().size()
             << " requests, forwarded " << proxy().forwarded("GET", "/objects/stat") << ", accepted "
             << proxy().connections_accepted() << " connections";
    }
  }
  ASSERT_EQ(proxy().in_flight(), kTasks) << "not every request reached the proxy";

  const auto stopped_at = Clock::now();
  stop.request_stop();
  EXPECT_THROW((void)all.get(), CancelledError);
  const auto took = Clock::now() - stopped_at;
  // The bound is the bench's (bench/async); here only that it ends promptly rather than at a timeout.
  EXPECT_LT(took, 10s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  // The client closed its connections: the proxy's held requests end.
  while (proxy().in_flight() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(proxy().in_flight(), 0u);
}

}  // namespace
}  // namespace lakefs::test
