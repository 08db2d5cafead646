// SPDX-License-Identifier: Apache-2.0
// Cancellation (CallOptions::stop) and per-call deadlines and retry policies on
// the long operations, against the real server. Each test requests a stop from
// another thread while the work is in progress and checks that:
//   - lakefs::CancelledError arrives promptly: under a second (steady_clock,
//     from the moment request_stop() was called), whether bytes move, the SDK
//     waits by itself, or the server's answer is stalled (the transport's wait
//     is woken by the stop);
//   - nothing is left behind: no temporary file in the target directory, no
//     object staged for an upload that was aborted;
//   - the client keeps working.
// Transfers are held in flight either by the FaultProxy (a stalled answer) or
// by sheer size (a sparse file far larger than what moves in the test's time).
// A listing left early (no stop token) aborts the page it reads ahead as promptly.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <stop_token>
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

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// How long a stop may take to surface as CancelledError: while bytes move (uploads, writes), while the SDK itself
// waits (import polls, a writer waiting for the caller's bytes), and while a transfer waits for a stalled answer
// (the libcurl transport drives its transfers with a multi handle whose wait a stop wakes at once).
constexpr auto kPrompt = 1s;
// A stalled answer is held far longer than any test waits.
constexpr auto kStall = 20s;

std::string ms(Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

// Requests stop on its source from another thread once `ready()` holds (polled
// every 2 ms) and `delay` has passed after that, and remembers when. Destroyed,
// it gives up waiting and joins, so a failing test never leaves it running.
class Stopper {
 public:
  void stop_when(std::function<bool()> ready, Clock::duration delay = 0ms) {
    thread_ = std::jthread([this, ready = std::move(ready), delay](const std::stop_token& own) {
      const auto give_up = Clock::now() + 30s;
      while (!ready()) {
        if (own.stop_requested() || Clock::now() > give_up) return;
        std::this_thread::sleep_for(2ms);
      }
      std::this_thread::sleep_for(delay);
      requested_at_.store(Clock::now().time_since_epoch().count());
      source_.request_stop();
    });
  }
  [[nodiscard]] std::stop_token token() const { return source_.get_token(); }
  [[nodiscard]] bool requested() const { return source_.stop_requested(); }
  // Time since the stop was requested (zero before).
  [[nodiscard]] Clock::duration since_stop() const {
    const auto at = requested_at_.load();
    return at == 0 ? Clock::duration::zero() : Clock::now() - Clock::time_point(Clock::duration(at));
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::stop_source source_;
  std::atomic<Clock::rep> requested_at_{0};
  std::jthread thread_;  // last: joined before the rest is destroyed
};

// Runs `fn`, expecting CancelledError; returns the time from the stop request to
// the error reaching the caller (or a huge duration, after a test failure, when
// something else happened).
Clock::duration stop_latency(const Stopper& stopper, const std::function<void()>& fn,
                             std::optional<bool>* outcome_unknown = nullptr) {
  try {
    fn();
    ADD_FAILURE() << "the call returned normally; stop requested: " << stopper.requested();
  } catch (const CancelledError& e) {
    const auto latency = stopper.since_stop();
    if (outcome_unknown != nullptr) *outcome_unknown = e.outcome_unknown();
    EXPECT_TRUE(stopper.requested()) << "CancelledError without a stop request: " << e.what();
    return latency;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected CancelledError, got: " << e.what();
  }
  return 1h;
}

// Names of the entries in `dir` (recursive, relative, generic form).
std::set<std::string> entries_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    out.insert(entry.path().lexically_relative(dir).generic_string());
  }
  return out;
}

std::size_t temp_files_in(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& name : entries_in(dir)) n += name.ends_with(".tmp") ? 1 : 0;
  return n;
}

// Paths staged on the branch (uncommitted changes).
std::set<std::string> staged(const Branch& branch) {
  std::set<std::string> out;
  for (const auto& change : branch.uncommitted()) out.insert(change.path);
  return out;
}

class Cancellation : public ProxiedRepoTest {
 protected:
  // Through the proxy; a long default timeout, so that only a stop (or a per-call timeout) ends a stall.
  ClientOptions proxied_options() {
    auto options = ProxiedRepoTest::proxied_options();
    options.request_timeout = 60s;
    options.retry = RetryOptions{.max_retries = 3, .initial_backoff = 10ms, .max_backoff = 50ms};
    return options;
  }
  Branch proxied_main() { return Branch(repo().id(), "main", Client(proxied_options())); }

  // Objects `prefix`<name> holding "content of <name>", committed on main.
  void seed(const std::string& prefix, const std::vector<std::string>& names) {
    auto main = main_branch();
    for (const auto& name : names) (void)main.object(prefix + name).upload("content of " + name);
    (void)main.commit("seed");
  }

  // True once the proxy has read `n` requests matching method and path.
  std::function<bool()> seen(std::string method, std::string path_contains, std::size_t n = 1) {
    return [this, method = std::move(method), path_contains = std::move(path_contains), n] {
      return proxy().requests(method, path_contains).size() >= n;
    };
  }
};

// ---------------------------------------------------------------- single calls

TEST_F(Cancellation, StalledGetIsCancelledAndLeavesNoTempFile) {
  seed("", {"one.txt"});
  auto main = proxied_main();
  proxy().add_rule(
      {.method = "GET", .path_contains = "/objects?path=one.txt", .fault = Fault::stall, .stall_for = kStall});
  TempDir target;
  Stopper stopper;
  // A stall holds the answer after the server sent it: the GET is in flight when the stop comes.
  stopper.stop_when(seen("GET", "/objects?path=one.txt"), 200ms);
  const auto latency = stop_latency(
      stopper, [&] { main.object("one.txt").download(target.path / "one.txt", {.call = {.stop = stopper.token()}}); });
  RecordProperty("stop_latency_ms", ms(latency));
  EXPECT_LT(latency, kPrompt) << ms(latency);
  EXPECT_TRUE(entries_in(target.path).empty()) << "a temporary or partial file was left behind";

  // The client works afterwards; a token that is already stopped sends nothing.
  main.object("one.txt").download(target.path / "one.txt");
  EXPECT_EQ(main.object("one.txt").read_all(), "content of one.txt");
  const auto gets = proxy().requests("GET", "/objects?path=one.txt").size();
  EXPECT_THROW(main.object("one.txt").download(target.path / "again.txt", {.call = {.stop = stopper.token()}}),
               CancelledError);
  EXPECT_EQ(proxy().requests("GET", "/objects?path=one.txt").size(), gets);
  EXPECT_EQ(entries_in(target.path), (std::set<std::string>{"one.txt"}));
}

TEST_F(Cancellation, PerCallTimeoutEndsAStalledGetWhileTheClientTimeoutIsLong) {
  seed("", {"slow.txt"});
  auto main = proxied_main();  // request_timeout 60 s, 3 retries
  proxy().add_rule({.method = "GET",
                    .path_contains = "/objects?path=slow.txt",
                    .fault = Fault::stall,
                    .times = 10,
                    .stall_for = kStall});
  TempDir target;
  const auto start = Clock::now();
  EXPECT_THROW(
      main.object("slow.txt")
          .download(target.path / "slow.txt", {.call = {.timeout = 300ms, .retry = RetryOptions{.max_retries = 0}}}),
      TimeoutError)
      << proxy().log();
  const auto elapsed = Clock::now() - start;
  RecordProperty("timeout_elapsed_ms", ms(elapsed));
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 1s) << ms(elapsed);
  EXPECT_EQ(proxy().requests("GET", "/objects?path=slow.txt").size(), 1u) << proxy().log();
  EXPECT_TRUE(entries_in(target.path).empty());
  proxy().clear_rules();
  EXPECT_EQ(main.object("slow.txt").read_all(), "content of slow.txt");
}

TEST_F(Cancellation, PerCallRetryOverrideAppliesToThatCallOnly) {
  seed("", {"flaky.txt"});
  auto main = proxied_main();  // 3 retries, 10 ms back-off
  proxy().add_rule({.method = "GET",
                    .path_contains = "/objects?path=flaky.txt",
                    .fault = Fault::respond,
                    .times = 100,
                    .status = 503,
                    .body = R"({"message":"try later"})"});
  TempDir target;
  EXPECT_THROW(
      main.object("flaky.txt").download(target.path / "f.txt", {.call = {.retry = RetryOptions{.max_retries = 0}}}),
      ServerError);
  EXPECT_EQ(proxy().requests("GET", "/objects?path=flaky.txt").size(), 1u) << proxy().log();
  // Without the override the client's policy applies: the first attempt and 3 retries.
  EXPECT_THROW(main.object("flaky.txt").download(target.path / "f.txt"), ServerError);
  EXPECT_EQ(proxy().requests("GET", "/objects?path=flaky.txt").size(), 5u) << proxy().log();
  EXPECT_TRUE(entries_in(target.path).empty());
}

// ---------------------------------------------------------------- streams

TEST_F(Cancellation, ObjectReaderStopsItsStream) {
  constexpr std::size_t kBlock = 64 * 1024;
  const std::string data(4 * kBlock, 's');
  (void)main_branch().object("big.bin").upload(data);
  auto main = proxied_main();
  // The stream's GET stalls: the reader waits in its constructor for the answer's head.
  proxy().add_rule({.method = "GET",
                    .path_contains = "/objects?path=big.bin",
                    .fault = Fault::stall,
                    .times = 10,
                    .stall_for = kStall});
  Stopper stopper;
  stopper.stop_when(seen("GET", "/objects?path=big.bin", 1), 200ms);
  std::optional<ObjectReader> reader;
  const auto latency = stop_latency(stopper, [&] {
    reader.emplace(main.object("big.bin").reader({.block_size = kBlock, .call = {.stop = stopper.token()}}));
  });
  RecordProperty("stop_latency_ms", ms(latency));
  EXPECT_LT(latency, kPrompt) << ms(latency);
  EXPECT_FALSE(reader.has_value());
  proxy().clear_rules();
  EXPECT_EQ(main.object("big.bin").read_all(), data);
}

TEST_F(Cancellation, ObjectReaderStopsItsReadAhead) {
  constexpr std::size_t kBlock = 64 * 1024;
  const std::string data(4 * kBlock, 'r');
  (void)main_branch().object("big.bin").upload(data);
  auto main = proxied_main();
  // The stream and, after the seek back, the first range arrive; the read-ahead of the next range stalls.
  proxy().add_rule({.method = "GET", .path_contains = "/objects?path=big.bin", .fault = Fault::none, .times = 2});
  proxy().add_rule({.method = "GET",
                    .path_contains = "/objects?path=big.bin",
                    .fault = Fault::stall,
                    .times = 10,
                    .stall_for = kStall});
  Stopper stopper;
  std::optional<ObjectReader> reader;
  reader.emplace(main.object("big.bin").reader({.block_size = kBlock, .call = {.stop = stopper.token()}}));
  std::string block(kBlock, '\0');
  reader->read(block.data(), static_cast<std::streamsize>(block.size()));
  ASSERT_EQ(block, data.substr(0, kBlock));
  reader->seekg(0);  // backwards: the stream cannot serve it, so the reader reads ranges from here on
  reader->read(block.data(), static_cast<std::streamsize>(block.size()));
  ASSERT_EQ(block, data.substr(0, kBlock));

  stopper.stop_when(seen("GET", "/objects?path=big.bin", 3), 200ms);
  const auto latency = stop_latency(stopper, [&] { reader->read(block.data(), static_cast<std::streamsize>(kBlock)); });
  RecordProperty("stop_latency_ms", ms(latency));
  EXPECT_LT(latency, kPrompt) << ms(latency);
  const auto before_close = Clock::now();
  reader.reset();  // nothing left running: the read-ahead was aborted
  EXPECT_LT(Clock::now() - before_close, 100ms);
  proxy().clear_rules();
  EXPECT_EQ(main.object("big.bin").read_all(), data);
}

TEST_F(Cancellation, ObjectWriterWriteIsCancelledAndStagesNothing) {
  auto main = main_branch();
  std::atomic<std::size_t> written{0};
  Stopper stopper;  // after what it reads: joined first
  stopper.stop_when([&] { return written.load() >= (4u << 20); });
  auto writer = main.object("written.bin").writer({.call = {.stop = stopper.token()}});
  const std::string chunk(64 * 1024, 'w');
  const auto latency = stop_latency(stopper, [&] {
    // Bounded: the writer fails at the latest after 1 GiB.
    for (int i = 0; i < 16384; ++i) {
      writer.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      written.fetch_add(chunk.size());
    }
  });
  RecordProperty("stop_latency_ms", ms(latency));
  RecordProperty("bytes_written_before_stop", std::to_string(written.load()));
  EXPECT_LT(latency, kPrompt) << ms(latency);
  writer.clear();
  EXPECT_THROW((void)writer.close(), CancelledError);
  EXPECT_FALSE(writer.is_open());
  EXPECT_FALSE(main.object("written.bin").exists());
  EXPECT_TRUE(staged(main).empty());
  EXPECT_EQ(main.object("after.txt").upload("fine").read_all(), "fine");
}

TEST_F(Cancellation, IdleObjectWriterIsWokenByTheStop) {
  auto main = main_branch();
  std::stop_source source;
  auto writer = main.object("idle.bin").writer({.buffer_size = 64 * 1024, .call = {.stop = source.get_token()}});
  const std::string chunk(3 * 64 * 1024 + 10, 'i');
  writer.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  std::this_thread::sleep_for(200ms);  // the upload thread now waits for the caller's next bytes
  const auto stopped = Clock::now();
  source.request_stop();
  // The stop itself ends the upload (no write or close() needed): flush() reports the finished upload's error.
  std::optional<Clock::duration> latency;
  while (!latency && Clock::now() - stopped < 5s) {
    try {
      writer.flush();
      std::this_thread::sleep_for(1ms);
    } catch (const CancelledError&) {
      latency = Clock::now() - stopped;
    }
  }
  ASSERT_TRUE(latency) << "the upload did not end after the stop";
  RecordProperty("stop_latency_ms", ms(*latency));
  EXPECT_LT(*latency, kPrompt) << ms(*latency);
  writer.clear();
  EXPECT_THROW((void)writer.close(), CancelledError);
  EXPECT_FALSE(main.object("idle.bin").exists());
  EXPECT_TRUE(staged(main).empty());

  // A writer whose token is already stopped does not start.
  EXPECT_THROW((void)main.object("never.bin").writer({.call = {.stop = source.get_token()}}), CancelledError);
  EXPECT_FALSE(main.object("never.bin").exists());
}

// ---------------------------------------------------------------- batches

TEST_F(Cancellation, UploadDirectoryStopsAndStagesOnlyCompleteFiles) {
  TempDir local;
  std::vector<std::string> small;
  for (int i = 0; i < 8; ++i) {
    const std::string name = "a-" + std::to_string(i) + ".txt";
    std::ofstream(local.path / name, std::ios::binary) << "small file " << i;
    small.push_back(name);
  }
  // Sorted last, so it starts after the small ones. Sparse: it costs no disk, and it is far larger than what
  // moves before the stop, so its upload is cut off mid-body.
  const auto big = local.path / "z-big.bin";
  std::ofstream(big, std::ios::binary).close();
  fs::resize_file(big, 1ull << 30);

  auto main = main_branch();
  std::atomic<std::size_t> done{0};
  Stopper stopper;
  stopper.stop_when([&] { return done.load() >= small.size(); }, 150ms);
  const auto latency = stop_latency(stopper, [&] {
    (void)main.upload_directory(local.path, "up",
                                {.concurrency = 1,
                                 .on_progress = [&](const TransferProgress& p) { done.store(p.objects_done); },
                                 .call = {.stop = stopper.token()}});
  });
  RecordProperty("stop_latency_ms", ms(latency));
  EXPECT_LT(latency, kPrompt) << ms(latency);

  // The small files are staged whole; the big one, aborted mid-body, not at all.
  std::set<std::string> expected;
  for (const auto& name : small) expected.insert("up/" + name);
  EXPECT_EQ(staged(main), expected);
  for (std::size_t i = 0; i < small.size(); ++i) {
    EXPECT_EQ(main.object("up/" + small[i]).read_all(), "small file " + std::to_string(i));
  }
  EXPECT_FALSE(main.object("up/z-big.bin").exists());
}

TEST_F(Cancellation, DownloadPrefixStopsAndLeavesNoTempFiles) {
  seed("dl/", {"a-0.txt", "a-1.txt", "a-2.txt", "z-stalled.txt"});
  auto main = proxied_main();
  proxy().add_rule({.method = "GET", .path_contains = "z-stalled.txt", .fault = Fault::stall, .stall_for = kStall});
  TempDir target;
  Stopper stopper;
  stopper.stop_when(seen("GET", "z-stalled.txt"), 200ms);
  const auto latency = stop_latency(stopper, [&] {
    (void)main.download_prefix("dl/", target.path, {.concurrency = 1, .call = {.stop = stopper.token()}});
  });
  RecordProperty("stop_latency_ms", ms(latency));
  EXPECT_LT(latency, kPrompt) << ms(latency);
  // The files completed before the stop, whole; the stalled one's temporary file removed.
  EXPECT_EQ(entries_in(target.path), (std::set<std::string>{"a-0.txt", "a-1.txt", "a-2.txt"}));
  EXPECT_EQ(temp_files_in(target.path), 0u);
  std::ifstream in(target.path / "a-1.txt", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "content of a-1.txt");

  proxy().clear_rules();
  const auto summary = main.download_prefix("dl/", target.path);
  EXPECT_TRUE(summary.ok());
  EXPECT_EQ(summary.objects, 4u);
}

TEST_F(Cancellation, RemoveObjectsStartsNoRequestAfterTheStop) {
  // Three delete requests (1000 paths each): the first goes through, the second stalls, the third must never be
  // sent. The last chunk names real objects, which must survive.
  seed("keep/", {"k-0.txt", "k-1.txt"});
  std::vector<std::string> paths;
  for (int i = 0; i < 2000; ++i) paths.push_back("gone/" + std::to_string(100000 + i));
  paths.push_back("keep/k-0.txt");
  paths.push_back("keep/k-1.txt");
  auto main = proxied_main();
  proxy().add_rule({.method = "POST", .path_contains = "/objects/delete", .fault = Fault::none});
  proxy().add_rule({.method = "POST", .path_contains = "/objects/delete", .fault = Fault::stall, .stall_for = kStall});
  Stopper stopper;
  stopper.stop_when(seen("POST", "/objects/delete", 2), 200ms);
  std::optional<bool> outcome_unknown;
  const auto latency = stop_latency(
      stopper, [&] { main.remove_objects(paths, {.concurrency = 1, .call = {.stop = stopper.token()}}); },
      &outcome_unknown);
  RecordProperty("stop_latency_ms", ms(latency));
  EXPECT_LT(latency, kPrompt) << ms(latency);
  // The stalled request reached the server: it may have been applied.
  EXPECT_EQ(outcome_unknown, std::optional<bool>(true));
  EXPECT_EQ(proxy().requests("POST", "/objects/delete").size(), 2u) << proxy().log();
  EXPECT_TRUE(main_branch().object("keep/k-0.txt").exists());
  EXPECT_TRUE(main_branch().object("keep/k-1.txt").exists());
  EXPECT_TRUE(staged(main_branch()).empty());
  proxy().clear_rules();
  EXPECT_EQ(paths_at(main), (std::set<std::string>{"keep/k-0.txt", "keep/k-1.txt"}));
}

// ---------------------------------------------------------------- listings

TEST_F(Cancellation, ListingPageFetchIsCancelled) {
  seed("ls/", {"x.txt", "y.txt"});
  auto main = proxied_main();
  proxy().add_rule({.method = "GET", .path_contains = "/objects/ls", .fault = Fault::stall, .stall_for = kStall});
  Stopper stopper;
  stopper.stop_when(seen("GET", "/objects/ls"), 200ms);
  auto listing = main.objects({.prefix = "ls/", .call = {.stop = stopper.token()}});
  const auto latency = stop_latency(stopper, [&] { (void)listing.begin(); });
  RecordProperty("stop_latency_ms", ms(latency));
  EXPECT_LT(latency, kPrompt) << ms(latency);

  // A listing whose token is already stopped sends nothing; the others still work.
  const auto lists = proxy().requests("GET", "/objects/ls").size();
  EXPECT_THROW((void)main.log({.call = {.stop = stopper.token()}}).to_vector(), CancelledError);
  EXPECT_THROW((void)repo().branches({.call = {.stop = stopper.token()}}).to_vector(), CancelledError);
  EXPECT_THROW((void)main.uncommitted({.call = {.stop = stopper.token()}}).to_vector(), CancelledError);
  EXPECT_EQ(proxy().requests("GET", "/objects/ls").size(), lists);
  EXPECT_EQ(paths_at(main), (std::set<std::string>{"ls/x.txt", "ls/y.txt"}));
}

TEST_F(Cancellation, LeavingAListingLoopEarlyCancelsThePageReadAhead) {
  // Pages of one object: while the loop is at ls/a.txt, page 2 (after ls/a.txt) is read ahead, and its answer is
  // stalled. Leaving the loop destroys the listing, whose stop token aborts that request instead of waiting.
  seed("ls/", {"a.txt", "b.txt", "c.txt"});
  auto main = proxied_main();
  proxy().add_rule({.method = "GET", .path_contains = "after=ls", .fault = Fault::stall, .stall_for = kStall});
  Clock::time_point left;
  {
    auto listing = main.objects({.page_size = 1, .prefix = "ls/"});
    for (const auto& entry : listing) {
      EXPECT_EQ(entry.path(), "ls/a.txt");
      const auto give_up = Clock::now() + 10s;
      while (!seen("GET", "after=ls")() && Clock::now() < give_up) std::this_thread::sleep_for(2ms);
      ASSERT_TRUE(seen("GET", "after=ls")()) << "page 2 was never requested\n" << proxy().log();
      std::this_thread::sleep_for(200ms);  // the stalled answer is awaited
      left = Clock::now();
      break;
    }
  }
  const auto latency = Clock::now() - left;
  RecordProperty("leave_latency_ms", ms(latency));
  EXPECT_LT(latency, kPrompt) << ms(latency);
  // Aborted, not retried; the client keeps working.
  EXPECT_EQ(proxy().requests("GET", "after=ls").size(), 1u) << proxy().log();
  EXPECT_EQ(paths_at(main), (std::set<std::string>{"ls/a.txt", "ls/b.txt", "ls/c.txt"}));
}

// ---------------------------------------------------------------- imports

class ImportCancellation : public Cancellation {
 protected:
  void SetUp() override {
    Cancellation::SetUp();
    source_ = fs::path(server().import_dir) / repo().id();
    for (int i = 0; i < 3000; ++i) {
      const auto file = source_ / ("d" + std::to_string(i % 30)) / ("f" + std::to_string(i) + ".txt");
      fs::create_directories(file.parent_path());
      std::ofstream(file, std::ios::binary) << "row " << i << "\n";
    }
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(source_, ignored);
    Cancellation::TearDown();
  }
  [[nodiscard]] std::string uri() const { return "local://" + source_.string() + "/"; }

  // After a stopped wait: the server reports the import cancelled.
  void expect_cancelled_on_server(const ImportManager& import) {
    ASSERT_FALSE(import.import_id().empty());
    const auto status = import.status();
    EXPECT_FALSE(status.commit);
    ASSERT_TRUE(status.error) << status;
    EXPECT_NE(status.error->find("Canceled"), std::string::npos) << *status.error;
  }

  // Objects on main under `prefix`.
  std::size_t count_under(const std::string& prefix) {
    std::size_t n = 0;
    for (const auto& entry : main_branch().objects({.prefix = prefix})) n += entry.is_object();
    return n;
  }

  fs::path source_;
};

TEST_F(ImportCancellation, RunAndWaitCancelTheImportOnTheServer) {
  auto main = main_branch();

  // run(): the stop comes during the sleep between two polls.
  {
    auto import = main.import_data({.commit_message = "to be stopped"}).prefix(uri(), "run/");
    std::atomic<bool> running{false};
    Stopper stopper;
    stopper.stop_when([&] { return running.load(); }, 50ms);
    std::optional<bool> outcome_unknown;
    const auto latency = stop_latency(
        stopper,
        [&] {
          (void)import.run({.on_progress = [&](const ImportStatus& s) { running.store(!s.completed); },
                            .poll_interval = 500ms,
                            .call = {.stop = stopper.token()}});
        },
        &outcome_unknown);
    RecordProperty("run_stop_latency_ms", ms(latency));
    EXPECT_LT(latency, kPrompt) << ms(latency);
    // lakeFS may have committed the import before it noticed the cancellation: the SDK says so.
    EXPECT_EQ(outcome_unknown, std::optional<bool>(true));
    expect_cancelled_on_server(import);
  }

  // start() + wait(): the same, with a token that is already stopped when wait() begins.
  {
    auto import = main.import_data({.commit_message = "to be stopped"}).prefix(uri(), "wait/");
    (void)import.start();
    std::stop_source source;
    source.request_stop();
    const auto start = Clock::now();
    try {
      (void)import.wait({.call = {.stop = source.get_token()}});
      ADD_FAILURE() << "wait() with a stopped token returned";
    } catch (const CancelledError& e) {
      EXPECT_TRUE(e.outcome_unknown()) << e.what();
    }
    EXPECT_LT(Clock::now() - start, kPrompt);
    expect_cancelled_on_server(import);
    // A stopped token never starts an import.
    auto never = main.import_data().prefix(uri(), "never/");
    EXPECT_THROW((void)never.start({.call = {.stop = source.get_token()}}), CancelledError);
    EXPECT_TRUE(never.import_id().empty());
  }
  const auto last_cancel = Clock::now();

  // The client still imports fine.
  const auto status = main.import_data().prefix(uri(), "ok/").run({.poll_interval = 200ms});
  EXPECT_TRUE(status.completed);
  EXPECT_EQ(status.ingested_objects, 3000);

  // Nothing half-done. lakeFS stops a cancelled import's work at its next status refresh (a second at most); an
  // import that reached its commit before that is committed whole (with 3000 local files it always is, here: the
  // commit comes within a fraction of a second). So each destination holds nothing or everything.
  std::this_thread::sleep_until(last_cancel + 1500ms);
  for (const std::string prefix : {"run/", "wait/"}) {
    const auto n = count_under(prefix);
    EXPECT_TRUE(n == 0 || n == 3000) << prefix << ": " << n << " objects";
    RecordProperty("objects_under_" + prefix.substr(0, prefix.size() - 1), std::to_string(n));
  }
  EXPECT_EQ(count_under("never/"), 0u);
  EXPECT_EQ(count_under("ok/"), 3000u);
}

}  // namespace
}  // namespace lakefs::test
