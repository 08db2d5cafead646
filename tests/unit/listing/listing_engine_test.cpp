// SPDX-License-Identifier: Apache-2.0
// detail::ListingEngine (src/listing/listing_engine.cpp), driven directly with
// a request function standing in for the server: the first page on the calling
// thread and the second ordered at once, at most one page fetched ahead,
// max_amount budgeting the read-ahead, and the page in flight cancelled (not
// waited for) when the engine is destroyed or the caller's token stops.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lakefs/errors.hpp"
#include "lakefs/listing.hpp"

namespace {

using lakefs::CallOptions;
using lakefs::detail::ListingEngine;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A listing of `total` items; the page after cursor "k" holds items k.., its cursor the index after its last item.
// Requests whose `after` is in `held` wait until their stop token fires (at most 10 s), then throw CancelledError.
class Server {
 public:
  explicit Server(std::size_t total, std::set<std::string> held = {}) : total_(total), held_(std::move(held)) {}

  ListingEngine::Request request() {
    return [this](const std::string& after, std::size_t amount, const CallOptions& call) {
      std::unique_lock lock(mutex_);
      sent_.push_back({after, amount, call.timeout});
      changed_.notify_all();
      if (held_.contains(after)) {
        ++in_flight_;
        changed_.notify_all();
        // Ends at the stop (or after 10 s: the test then fails on its time bound).
        (void)changed_.wait_for(lock, call.stop, 10s, [] { return false; });
        --in_flight_;
        if (call.stop.stop_requested()) ++cancelled_;
        changed_.notify_all();
        throw lakefs::CancelledError("held page: cancelled");
      }
      const std::size_t from = after.empty() ? 0 : std::stoul(after);
      const std::size_t to = std::min(total_, from + amount);
      ListingEngine::Fetched page;
      page.raw.body = std::to_string(from) + ".." + std::to_string(to);
      page.raw.results = to - from;
      if (to < total_) page.raw.next_after = std::to_string(to);
      return page;
    };
  }

  struct Sent {
    std::string after;
    std::size_t amount;
    std::optional<std::chrono::milliseconds> timeout;
  };
  std::vector<Sent> sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  // Waits (at most 5 s) until `n` requests were sent; returns how many were.
  std::size_t wait_sent(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 5s, [&] { return sent_.size() >= n; });
    return sent_.size();
  }
  // Waits (at most 5 s) until a held request is in flight.
  bool wait_held() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return in_flight_ > 0; });
  }
  int cancelled() {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::size_t total_;
  std::set<std::string> held_;
  std::vector<Sent> sent_;
  int in_flight_ = 0;
  int cancelled_ = 0;
};

TEST(ListingEngine, TheSecondPageIsOrderedWithTheFirstAndNoMoreUntilItIsTaken) {
  Server server(30);
  ListingEngine engine(server.request(), 10, {});
  const auto first = engine.first("", std::nullopt);
  EXPECT_EQ(first.raw.body, "0..10");
  EXPECT_EQ(first.raw.next_after, "10");
  ASSERT_EQ(server.wait_sent(2), 2u);
  EXPECT_EQ(server.sent()[1].after, "10");
  EXPECT_EQ(server.sent()[1].amount, 10u);
  // Page 2 is fetched and not taken: page 3 is not requested (two pages at most).
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(server.sent().size(), 2u);
  const auto second = engine.next(std::nullopt);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->raw.body, "10..20");
  ASSERT_EQ(server.wait_sent(3), 3u);
  EXPECT_EQ(server.sent()[2].after, "20");
  const auto third = engine.next(std::nullopt);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->raw.body, "20..30");
  EXPECT_TRUE(third->raw.next_after.empty());
  EXPECT_FALSE(engine.next(std::nullopt));
  EXPECT_EQ(server.sent().size(), 3u);
}

TEST(ListingEngine, MaxAmountAsksTheReadAheadForWhatIsLeftOnly) {
  Server server(100);
  ListingEngine engine(server.request(), 10, {});
  (void)engine.first("", 15);
  ASSERT_EQ(server.wait_sent(2), 2u);
  EXPECT_EQ(server.sent()[0].amount, 10u);
  EXPECT_EQ(server.sent()[1].amount, 5u);
  const auto second = engine.next(5);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->raw.body, "10..15");
  // Nothing is left: no request, no page.
  EXPECT_FALSE(engine.next(0));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(server.sent().size(), 2u);
}

TEST(ListingEngine, AFirstPageThatFillsMaxAmountOrdersNothing) {
  Server server(100);
  {
    ListingEngine engine(server.request(), 10, {});
    EXPECT_EQ(engine.first("40", 10).raw.body, "40..50");
    EXPECT_FALSE(engine.next(0));
  }
  const auto sent = server.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].after, "40");
}

TEST(ListingEngine, DestroyingTheEngineCancelsThePageInFlightAtOnce) {
  Server server(30, {"10"});
  auto engine = std::make_unique<ListingEngine>(server.request(), 10, CallOptions{});
  (void)engine->first("", std::nullopt);
  ASSERT_TRUE(server.wait_held()) << "the second page was never requested";
  const auto start = Clock::now();
  engine.reset();
  const auto took = Clock::now() - start;
  // The held request would take 10 s; its stop token ended it.
  EXPECT_LT(took, 1s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  EXPECT_EQ(server.cancelled(), 1);
  EXPECT_EQ(server.sent().size(), 2u);
}

TEST(ListingEngine, TheCallersStopCancelsThePageInFlightAndNextThrows) {
  Server server(30, {"10"});
  std::stop_source caller;
  ListingEngine engine(server.request(), 10, CallOptions{.timeout = 1234ms, .stop = caller.get_token()});
  (void)engine.first("", std::nullopt);
  ASSERT_TRUE(server.wait_held());
  caller.request_stop();
  const auto start = Clock::now();
  EXPECT_THROW((void)engine.next(std::nullopt), lakefs::CancelledError);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(server.cancelled(), 1);
  // Every request carries the caller's options (its own stop token stands in for the caller's).
  for (const auto& sent : server.sent()) EXPECT_EQ(sent.timeout, 1234ms);
}

TEST(ListingEngine, ACallersTokenAlreadyStoppedReachesTheFirstRequest) {
  std::stop_source caller;
  caller.request_stop();
  bool saw_stop = false;
  ListingEngine engine(
      [&](const std::string&, std::size_t, const CallOptions& call) {
        saw_stop = call.stop.stop_requested();
        return ListingEngine::Fetched{};
      },
      10, CallOptions{.stop = caller.get_token()});
  (void)engine.first("", std::nullopt);
  EXPECT_TRUE(saw_stop);
}

TEST(ListingEngine, AFailedReadAheadIsThrownByNextAndEndsTheListing) {
  int calls = 0;
  ListingEngine engine(
      [&](const std::string& after, std::size_t, const CallOptions&) {
        ++calls;
        if (!after.empty()) throw std::runtime_error("page 2: gone");
        ListingEngine::Fetched page;
        page.raw.next_after = "p1";
        page.raw.results = 1;
        return page;
      },
      10, {});
  (void)engine.first("", std::nullopt);
  EXPECT_THROW((void)engine.next(std::nullopt), std::runtime_error);
  EXPECT_FALSE(engine.next(std::nullopt));
  EXPECT_EQ(calls, 2);
}

}  // namespace
