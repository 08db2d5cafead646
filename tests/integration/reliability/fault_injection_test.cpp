// SPDX-License-Identifier: Apache-2.0
// The SDK's guarantees when the network between it and lakeFS misbehaves,
// pinned down against the real server through a FaultProxy:
//   - idempotent reads survive dropped connections and 503s (and give up after max_retries);
//   - a POST (commit, merge) is sent at most once: when its answer is lost the
//     call says the outcome is unknown instead of silently sending it again;
//   - a DELETE whose answer was lost is retried, and the retry's 404 means success;
//   - truncated downloads fail loudly and leave no file; reads never return wrong bytes;
//   - stalls end in a timeout, quickly;
//   - credentials echoed back in an error page never reach an exception.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/fault_proxy.hpp"
#include "support/helpers.hpp"
#include "support/proxied_fixture.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

std::exception_ptr thrown_by(const std::function<void()>& fn) {
  try {
    fn();
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

std::string what_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "(not a std::exception)";
  }
}

// The at-most-once answer to a POST whose answer was lost: a TransportError that says the server may have applied it.
void expect_outcome_unknown(const std::exception_ptr& e, bool check_message = true) {
  ASSERT_TRUE(e) << "the call returned normally although the server's answer never reached the client";
  try {
    std::rethrow_exception(e);
  } catch (const TransportError& error) {
    EXPECT_TRUE(error.outcome_unknown()) << error.what();
    if (check_message) {
      EXPECT_THAT(error.what(), HasSubstr("may have been applied"));
    }
  } catch (const std::exception& other) {
    ADD_FAILURE() << "expected a TransportError with outcome_unknown(), got: " << other.what();
  }
}

// A failed download or read: the SDK's transport or protocol error, never success or a foreign exception.
void expect_transfer_failure(const std::exception_ptr& e) {
  ASSERT_TRUE(e) << "a truncated transfer was reported as success";
  try {
    std::rethrow_exception(e);
  } catch (const TransportError&) {
  } catch (const ProtocolError&) {
  } catch (const std::exception& other) {
    ADD_FAILURE() << "expected a TransportError or ProtocolError, got: " << other.what();
  }
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class FaultInjection : public ProxiedRepoTest {
 protected:
  Repository proxied_repo(const ClientOptions& options) { return Repository(repo().id(), Client(options)); }
  Repository proxied_repo() { return proxied_repo(proxied_options()); }

  std::string head_of(const std::string& branch) { return repo().branch(branch).head().id(); }

  // Commits the branch's first-parent line gained since `old_head`, read directly (not through the proxy).
  std::size_t commits_since(const std::string& branch, const std::string& old_head) {
    std::size_t count = 0;
    for (auto id = head_of(branch); id != old_head; ++count) {
      if (count > 20) return count;
      const auto commit = repo().commit(id).get_commit();
      if (commit.parents.empty()) return 1000;  // old_head is not on the line at all
      id = commit.parents.front();
    }
    return count;
  }
};

// ---------------------------------------------------------------- GET retries

TEST_F(FaultInjection, GetCommitResetBeforeForwardIsRetried) {
  auto main = proxied_repo().branch("main");
  const auto expected = repo().branch("main").get_commit();
  (void)main.head();  // a kept-alive connection for the faulted request
  proxy().add_rule({.method = "GET", .path_contains = "/commits/main", .fault = Fault::reset_before_forward});

  std::optional<Commit> got;
  ASSERT_NO_THROW(got = main.get_commit()) << proxy().log();
  EXPECT_EQ(got->id, expected.id);
  const auto seen = proxy().requests("GET", "/commits/main");
  ASSERT_EQ(seen.size(), 2u) << proxy().log();
  EXPECT_FALSE(seen[0].forwarded);
  EXPECT_TRUE(seen[1].forwarded);
}

TEST_F(FaultInjection, BranchHeadCloseAfterForwardIsRetried) {
  auto main = proxied_repo().branch("main");
  const auto expected = head_of("main");
  (void)main.get_commit();
  proxy().add_rule({.method = "GET", .path_contains = "/branches/main", .fault = Fault::close_after_forward});

  std::string got;
  ASSERT_NO_THROW(got = main.head().id()) << proxy().log();
  EXPECT_EQ(got, expected);
  const auto seen = proxy().requests("GET", "/branches/main");
  ASSERT_EQ(seen.size(), 2u) << proxy().log();
  EXPECT_EQ(seen[0].fault, Fault::close_after_forward);
  EXPECT_EQ(seen[0].upstream_status, 200);
}

TEST_F(FaultInjection, ObjectReadsSurviveDroppedConnections) {
  const auto content = random_bytes(100 * 1024, 1);
  repo().branch("main").object("data/blob.bin").upload(content);
  auto object = proxied_repo().branch("main").object("data/blob.bin");
  (void)object.stat();

  // Two faults in a row: well within the default three retries.
  proxy().add_rule({.method = "GET", .path_contains = "/objects?path=", .fault = Fault::reset_before_forward});
  proxy().add_rule({.method = "GET", .path_contains = "/objects?path=", .fault = Fault::close_after_forward});
  std::string got;
  ASSERT_NO_THROW(got = object.read_all()) << proxy().log();
  EXPECT_TRUE(got == content) << "read_all returned " << got.size() << " bytes that differ from the object";
  EXPECT_EQ(proxy().requests("GET", "/objects?path=").size(), 3u) << proxy().log();

  proxy().add_rule({.method = "GET", .path_contains = "/objects?path=", .fault = Fault::close_after_forward});
  std::string streamed;
  const auto e = thrown_by([&] {
    auto in = object.reader({.block_size = 32 * 1024, .pre_sign = false});
    streamed.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  });
  ASSERT_FALSE(e) << what_of(e) << "\n" << proxy().log();
  EXPECT_TRUE(streamed == content) << "the reader returned " << streamed.size() << " bytes that differ from the object";
}

TEST_F(FaultInjection, ServiceUnavailableWithRetryAfterIsRetriedAfterTheDelay) {
  auto main = proxied_repo().branch("main");
  const auto expected = head_of("main");
  (void)main.get_commit();
  proxy().add_rule({.method = "GET",
                    .path_contains = "/branches/main",
                    .fault = Fault::respond,
                    .status = 503,
                    .headers = {{"Retry-After", "1"}, {"Content-Type", "text/plain"}},
                    .body = "busy, come back in a second"});

  const auto start = Clock::now();
  std::string got;
  ASSERT_NO_THROW(got = main.head().id()) << proxy().log();
  const auto elapsed = Clock::now() - start;
  EXPECT_EQ(got, expected);
  EXPECT_GE(elapsed, 900ms) << "Retry-After: 1 was not honoured";
  EXPECT_LT(elapsed, 5s);
  const auto seen = proxy().requests("GET", "/branches/main");
  ASSERT_EQ(seen.size(), 2u) << proxy().log();
  EXPECT_FALSE(seen[0].forwarded);
  EXPECT_TRUE(seen[1].forwarded);
}

TEST_F(FaultInjection, GetGivesUpAfterMaxRetries) {
  auto options = proxied_options();
  options.retry = RetryOptions{.max_retries = 2};
  // Each faulted attempt loses its connection, so every attempt of a fresh client opens a new one: the proxy's
  // count is exactly the SDK's number of attempts.
  {
    proxy().add_rule(
        {.method = "GET", .path_contains = "/branches/main", .fault = Fault::reset_before_forward, .times = 3});
    auto main = proxied_repo(options).branch("main");
    EXPECT_THROW((void)main.head(), TransportError) << proxy().log();
    EXPECT_EQ(proxy().requests("GET", "/branches/main").size(), 3u) << proxy().log();
  }
  {
    proxy().add_rule({.method = "GET", .path_contains = "/commits/main", .fault = Fault::respond, .times = 3});
    auto main = proxied_repo(options).branch("main");
    try {
      (void)main.get_commit();
      ADD_FAILURE() << "get_commit() succeeded through three 503s with max_retries = 2";
    } catch (const ServerError& e) {
      EXPECT_EQ(e.status(), 503) << e.what();
    }
    EXPECT_EQ(proxy().requests("GET", "/commits/main").size(), 3u) << proxy().log();
  }
  {  // one fault fewer than the attempts: the last retry gets through
    const auto before = proxy().requests("GET", "/objects/stat").size();
    repo().branch("main").object("x.txt").upload("x");
    proxy().add_rule(
        {.method = "GET", .path_contains = "/objects/stat", .fault = Fault::reset_before_forward, .times = 2});
    auto object = proxied_repo(options).branch("main").object("x.txt");
    EXPECT_NO_THROW((void)object.stat()) << proxy().log();
    EXPECT_EQ(proxy().requests("GET", "/objects/stat").size() - before, 3u) << proxy().log();
  }
}

// ---------------------------------------------------------------- at-most-once POSTs

TEST_F(FaultInjection, EmptyCommitWhoseAnswerWasLostIsSentOnce) {
  const auto before = head_of("main");
  auto main = proxied_repo().branch("main");
  // A connection libcurl keeps alive: on it, a lost answer used to make libcurl re-send the commit by itself.
  (void)main.head();
  proxy().add_rule({.method = "POST", .path_contains = "/branches/main/commits", .fault = Fault::reset_after_forward});

  expect_outcome_unknown(thrown_by([&] { (void)main.commit("lost answer", {.allow_empty = true}); }));

  EXPECT_EQ(commits_since("main", before), 1u);
  const auto commits = proxy().requests("POST", "/branches/main/commits");
  EXPECT_EQ(commits.size(), 1u) << "the commit was sent more than once\n" << proxy().log();
  EXPECT_EQ(proxy().forwarded("POST", "/branches/main/commits"), 1u);
}

TEST_F(FaultInjection, CommitOfStagedChangesWhoseAnswerWasLostIsSentOnce) {
  const auto before = head_of("main");
  auto main = proxied_repo().branch("main");
  main.object("data/staged.txt").upload("staged", {.pre_sign = false});
  proxy().add_rule({.method = "POST", .path_contains = "/branches/main/commits", .fault = Fault::reset_after_forward});

  expect_outcome_unknown(thrown_by([&] { (void)main.commit("lost answer"); }));

  EXPECT_EQ(commits_since("main", before), 1u);
  EXPECT_EQ(proxy().requests("POST", "/branches/main/commits").size(), 1u) << "the commit was sent more than once\n"
                                                                           << proxy().log();
  auto direct = repo().branch("main");
  EXPECT_TRUE(direct.uncommitted().to_vector().empty());
  EXPECT_EQ(repo().commit(direct.head().id()).object("data/staged.txt").read_all(), "staged");
}

TEST_F(FaultInjection, MergeWhoseAnswerWasLostIsSentOnce) {
  auto feature = repo().branch("feature").create("main");
  feature.object("data/feature.txt").upload("from feature");
  (void)feature.commit("feature change");
  const auto before = head_of("main");

  auto proxied = proxied_repo();
  (void)proxied.branch("main").head();
  proxy().add_rule(
      {.method = "POST", .path_contains = "/refs/feature/merge/main", .fault = Fault::reset_after_forward});

  expect_outcome_unknown(thrown_by([&] { (void)proxied.branch("feature").merge_into(proxied.branch("main")); }));

  EXPECT_EQ(commits_since("main", before), 1u);
  EXPECT_EQ(proxy().requests("POST", "/merge/").size(), 1u) << "the merge was sent more than once\n" << proxy().log();
  EXPECT_EQ(repo().branch("main").object("data/feature.txt").read_all(), "from feature");
}

TEST_F(FaultInjection, TransactionMergeWhoseAnswerWasLostIsNotReportedAsUntouched) {
  const auto before = head_of("main");
  auto main = proxied_repo().branch("main");
  proxy().add_rule({.method = "POST", .path_contains = "/merge/", .fault = Fault::reset_after_forward});

  const auto e = thrown_by([&] {
    (void)main.transact([](Transaction& tx) { tx.object("tx/data.txt").upload("from the transaction"); },
                        {.commit_message = "transaction whose merge answer is lost"});
  });
  ASSERT_TRUE(e) << "the transaction returned normally although its merge's answer was lost\n" << proxy().log();
  try {
    std::rethrow_exception(e);
  } catch (const TransactionError& error) {
    EXPECT_THAT(error.what(), Not(HasSubstr("source branch untouched")));
    expect_outcome_unknown(error.cause());
  } catch (const std::exception& other) {
    ADD_FAILURE() << "expected a TransactionError, got: " << other.what();
  }

  EXPECT_EQ(commits_since("main", before), 1u);
  EXPECT_EQ(proxy().requests("POST", "/merge/").size(), 1u) << "the merge was sent more than once\n" << proxy().log();
  EXPECT_EQ(repo().branch("main").object("tx/data.txt").read_all(), "from the transaction");
}

TEST_F(FaultInjection, CommitResetBeforeForwardIsATransportErrorAndCommitsNothing) {
  const auto before = head_of("main");
  auto main = proxied_repo().branch("main");
  (void)main.head();
  proxy().add_rule({.method = "POST", .path_contains = "/branches/main/commits", .fault = Fault::reset_before_forward});

  EXPECT_THROW((void)main.commit("never arrives", {.allow_empty = true}), TransportError) << proxy().log();

  EXPECT_EQ(commits_since("main", before), 0u);
  EXPECT_EQ(proxy().requests("POST", "/branches/main/commits").size(), 1u) << "the commit was re-sent\n"
                                                                           << proxy().log();
  EXPECT_EQ(proxy().forwarded("POST", "/branches/main/commits"), 0u);
}

// ---------------------------------------------------------------- retried DELETEs

TEST_F(FaultInjection, BranchDeleteWhoseAnswerWasLostSucceeds) {
  (void)repo().branch("doomed").create("main");
  auto proxied = proxied_repo();
  (void)proxied.branch("main").head();
  proxy().add_rule({.method = "DELETE", .path_contains = "/branches/doomed", .fault = Fault::reset_after_forward});

  const auto e = thrown_by([&] { proxied.branch("doomed").remove(); });
  EXPECT_FALSE(e) << "remove() threw: " << what_of(e) << "\n" << proxy().log();

  EXPECT_THROW((void)repo().branch("doomed").head(), NotFoundError);
  const auto deletes = proxy().requests("DELETE", "/branches/doomed");
  ASSERT_EQ(deletes.size(), 2u) << proxy().log();
  EXPECT_EQ(deletes[0].upstream_status, 204);
  EXPECT_EQ(deletes[1].upstream_status, 404);
}

TEST_F(FaultInjection, ObjectDeleteWhoseAnswerWasLostSucceeds) {
  auto direct = repo().branch("main");
  direct.object("data/committed.txt").upload("committed");
  (void)direct.commit("an object to delete");
  direct.object("data/staged.txt").upload("staged only");

  auto main = proxied_repo().branch("main");
  (void)main.head();
  for (const std::string path : {"data/committed.txt", "data/staged.txt"}) {
    SCOPED_TRACE(path);
    const auto before = proxy().requests("DELETE", "/objects?path=").size();
    proxy().add_rule({.method = "DELETE", .path_contains = "/objects?path=", .fault = Fault::reset_after_forward});

    const auto e = thrown_by([&] { main.object(path).remove(); });
    EXPECT_FALSE(e) << "remove() threw: " << what_of(e) << "\n" << proxy().log();

    EXPECT_FALSE(direct.object(path).exists());
    EXPECT_EQ(proxy().requests("DELETE", "/objects?path=").size() - before, 2u) << proxy().log();
  }
}

// ---------------------------------------------------------------- truncated downloads

TEST_F(FaultInjection, TruncatedDownloadThrowsAndLeavesNoFile) {
  const auto content = random_bytes(300 * 1024, 2);
  repo().branch("main").object("data/big.bin").upload(content);
  auto object = proxied_repo().ref("main").object("data/big.bin");
  proxy().add_rule({.method = "GET",
                    .path_contains = "/objects?path=",
                    .fault = Fault::truncate_response,
                    .times = 100,
                    .body_bytes = 1000});

  TempDir dir;
  const auto out_dir = dir.path / "out";
  std::filesystem::create_directories(out_dir);
  const auto target = out_dir / "big.bin";
  const auto entries = [&] {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(out_dir)) names.push_back(entry.path().filename());
    return names;
  };

  expect_transfer_failure(thrown_by([&] { object.download(target, {.pre_sign = false}); }));
  EXPECT_THAT(entries(), ::testing::IsEmpty()) << "a failed download left files behind";

  {  // an existing file stays as it was
    std::ofstream(target, std::ios::binary) << "the previous content";
  }
  expect_transfer_failure(thrown_by([&] { object.download(target, {.pre_sign = false}); }));
  EXPECT_THAT(entries(), ::testing::ElementsAre("big.bin"));
  std::ifstream in(target, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()), "the previous content");
  EXPECT_GE(proxy().requests("GET", "/objects?path=").size(), 2u) << proxy().log();
}

TEST_F(FaultInjection, TruncatedReadsNeverReturnWrongBytes) {
  const auto content = random_bytes(300 * 1024, 3);
  repo().branch("main").object("data/big.bin").upload(content);
  auto object = proxied_repo().ref("main").object("data/big.bin");

  // Reads everything; whatever arrived before a failure must be the object's own first bytes.
  const auto read_through_reader = [&](std::string& got) {
    return thrown_by([&] {
      auto in = object.reader({.block_size = 64 * 1024, .pre_sign = false});
      char buf[4096];
      while (in.read(buf, sizeof buf) || in.gcount() > 0) got.append(buf, static_cast<std::size_t>(in.gcount()));
    });
  };

  {  // every body cut short
    proxy().add_rule({.method = "GET",
                      .path_contains = "/objects?path=",
                      .fault = Fault::truncate_response,
                      .times = 1000,
                      .body_bytes = 1000});
    std::string got;
    expect_transfer_failure(read_through_reader(got));
    EXPECT_TRUE(content.starts_with(got)) << "the reader returned " << got.size() << " bytes that are not the object's";
    expect_transfer_failure(thrown_by([&] { (void)object.read_all(); }));
    proxy().clear_rules();
  }
  for (const std::size_t cut : {0UL, 1000UL, 64UL * 1024 - 1}) {  // one body cut short: fail, or recover exactly
    SCOPED_TRACE("truncated after " + std::to_string(cut) + " body bytes");
    proxy().add_rule(
        {.method = "GET", .path_contains = "/objects?path=", .fault = Fault::truncate_response, .body_bytes = cut});
    std::string got;
    const auto e = read_through_reader(got);
    if (e) {
      expect_transfer_failure(e);
      EXPECT_TRUE(content.starts_with(got))
          << "the reader returned " << got.size() << " bytes that are not the object's";
    } else {
      EXPECT_TRUE(got == content) << "the reader returned " << got.size() << " bytes that differ from the object";
    }
    proxy().clear_rules();
  }
}

// ---------------------------------------------------------------- stalls

TEST_F(FaultInjection, StalledGetTimesOutQuickly) {
  auto options = proxied_options();
  options.request_timeout = 1s;
  options.retry = RetryOptions{.max_retries = 0};  // one attempt: the time measured is the timeout itself
  auto main = proxied_repo(options).branch("main");
  proxy().add_rule(
      {.method = "GET", .path_contains = "/branches/main", .fault = Fault::stall, .times = 100, .stall_for = 5s});

  const auto start = Clock::now();
  EXPECT_THROW((void)main.head(), TimeoutError) << proxy().log();
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST_F(FaultInjection, StalledGetHitsTheLowSpeedTimeout) {
  auto options = proxied_options();
  options.low_speed_timeout = 1s;
  options.retry = RetryOptions{.max_retries = 0};
  auto main = proxied_repo(options).branch("main");
  proxy().add_rule(
      {.method = "GET", .path_contains = "/branches/main", .fault = Fault::stall, .times = 100, .stall_for = 5s});

  const auto start = Clock::now();
  EXPECT_THROW((void)main.head(), TimeoutError) << proxy().log();
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST_F(FaultInjection, StalledCommitTimesOutWithOutcomeUnknownAndCommitsOnce) {
  const auto before = head_of("main");
  auto options = proxied_options();
  options.request_timeout = 1s;
  auto main = proxied_repo(options).branch("main");
  (void)main.head();
  proxy().add_rule(
      {.method = "POST", .path_contains = "/branches/main/commits", .fault = Fault::stall, .stall_for = 5s});

  const auto start = Clock::now();
  expect_outcome_unknown(thrown_by([&] { (void)main.commit("stalled", {.allow_empty = true}); }),
                         /*check_message=*/false);
  EXPECT_LT(Clock::now() - start, 3s);

  // The proxy holds the server's answer: once it has it, the commit is done on the server.
  EXPECT_TRUE(eventually([&] {
    const auto commits = proxy().requests("POST", "/branches/main/commits");
    return !commits.empty() && commits[0].upstream_status != 0;
  })) << proxy().log();
  EXPECT_EQ(commits_since("main", before), 1u);
  const auto commits = proxy().requests("POST", "/branches/main/commits");
  ASSERT_EQ(commits.size(), 1u) << "the commit was sent more than once\n" << proxy().log();
  EXPECT_EQ(commits[0].upstream_status, 201);
}

// ---------------------------------------------------------------- credential scrubbing

TEST_F(FaultInjection, CredentialsEchoedInAnErrorPageAreScrubbed) {
  const auto& s = server();
  const std::string basic = base64(s.access_key_id + ":" + s.secret_access_key);
  const std::vector<std::string> secrets = {s.access_key_id, s.secret_access_key, basic};
  // What a gateway or WAF that echoes the rejected request shows.
  const std::string page =
      "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>"
      "<p>upstream refused the request</p><pre>Authorization: Basic " +
      basic + "\naccess_key_id=" + s.access_key_id + "\nsecret_access_key=" + s.secret_access_key +
      "</pre></body></html>\n";
  proxy().add_rule({.fault = Fault::respond,
                    .times = 1000,
                    .status = 502,
                    .headers = {{"Content-Type", "text/html"}},
                    .body = page});
  auto options = proxied_options();
  options.retry = RetryOptions{.max_retries = 1};
  auto main = proxied_repo(options).branch("main");

  const auto check = [&](const std::function<void()>& call) {
    try {
      call();
      ADD_FAILURE() << "the call succeeded through a 502 page";
    } catch (const ServerError& e) {
      EXPECT_EQ(e.status(), 502);
      for (const auto& secret : secrets) {
        EXPECT_THAT(e.what(), Not(HasSubstr(secret)));
        EXPECT_THAT(e.server_message(), Not(HasSubstr(secret)));
      }
    } catch (const std::exception& other) {
      ADD_FAILURE() << "expected a ServerError, got: " << other.what();
    }
  };
  {
    SCOPED_TRACE("GET");
    check([&] { (void)main.get_commit(); });
  }
  {
    SCOPED_TRACE("POST");
    check([&] { (void)main.commit("never", {.allow_empty = true}); });
  }
}

}  // namespace
}  // namespace lakefs::test
