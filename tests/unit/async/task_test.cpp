// SPDX-License-Identifier: Apache-2.0
// lakefs::async::Task and its adapters and combinators, without a server: tasks
// that end on another thread (a tiny executor of the test's own), so that every
// path where a result crosses threads runs.
#include "lakefs/async/task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/async/combinators.hpp"
#include "lakefs/errors.hpp"

namespace lakefs {
namespace {

using async::Task;

// One worker thread running posted functions in order.
class Worker {
 public:
  Worker() : thread_([this] { run(); }) {}
  ~Worker() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  void post(std::function<void()> f) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(f));
    }
    wake_.notify_one();
  }
  [[nodiscard]] std::thread::id id() const { return thread_.get_id(); }

 private:
  void run() {
    for (;;) {
      std::function<void()> f;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return done_ || !queue_.empty(); });
        if (queue_.empty()) return;
        f = std::move(queue_.front());
        queue_.pop_front();
      }
      f();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool done_ = false;
  std::thread thread_;
};

Worker& worker() {
  static Worker w;
  return w;
}

auto on_worker() {
  return async::resume_on([](std::function<void()> f) { worker().post(std::move(f)); });
}

Task<int> value_later(int v) {
  co_await on_worker();
  co_return v;
}

Task<int> fail_later(std::string message) {
  co_await on_worker();
  throw InvalidArgumentError(message);
}

Task<void> nothing_later() { co_await on_worker(); }

// Waits until its stop token is triggered (checked on the worker), then throws CancelledError.
Task<void> until_stopped(std::atomic<int>& started) {
  ++started;
  for (;;) {
    co_await on_worker();
    const std::stop_token stop = co_await async::current_stop_token{};
    if (stop.stop_requested()) throw CancelledError("stopped");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// 0, 1, 2, ... up to `end` (or without end), counting how many items were taken: an input range that is not a
// container (std::views is out of reach of clang 14 on libstdc++ 12).
class Counter {
 public:
  struct End {};
  class Iterator {
   public:
    Iterator(int value, std::atomic<int>* taken) : value_(value), taken_(taken) {}
    int operator*() const {
      if (taken_ != nullptr) ++*taken_;
      return value_;
    }
    Iterator& operator++() {
      ++value_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return value_ != other.value_; }

   private:
    int value_;
    std::atomic<int>* taken_;
  };
  explicit Counter(int end, std::atomic<int>* taken = nullptr) : end_(end), taken_(taken) {}
  [[nodiscard]] Iterator begin() const { return {0, taken_}; }
  [[nodiscard]] Iterator end() const { return {end_, nullptr}; }

 private:
  int end_;
  std::atomic<int>* taken_;
};

TEST(AsyncTask, SyncWaitReturnsTheValueAndRethrowsTheError) {
  EXPECT_EQ(async::sync_wait(value_later(7)), 7);
  EXPECT_THROW((void)async::sync_wait(fail_later("gone")), InvalidArgumentError);
  EXPECT_NO_THROW(async::sync_wait(nothing_later()));
}

TEST(AsyncTask, IsLazyAndDestroyingItUnstartedRunsNothing) {
  std::atomic<bool> ran{false};
  {
    auto task = [](std::atomic<bool>& flag) -> Task<void> {
      flag = true;
      co_return;
    }(ran);
    EXPECT_TRUE(task.valid());
  }
  EXPECT_FALSE(ran.load());
}

TEST(AsyncTask, CoAwaitChainsAndResumesWhereTheAwaitedTaskEnded) {
  auto outer = []() -> Task<std::thread::id> {
    const int a = co_await value_later(1);
    const int b = co_await value_later(2);
    EXPECT_EQ(a + b, 3);
    co_return std::this_thread::get_id();
  };
  EXPECT_EQ(async::sync_wait(outer()), worker().id());
}

TEST(AsyncTask, SpawnToAFutureAndToACallback) {
  std::future<int> future = async::spawn(value_later(5));
  EXPECT_EQ(future.get(), 5);
  std::future<int> failing = async::spawn(fail_later("x"));
  EXPECT_THROW((void)failing.get(), InvalidArgumentError);

  std::promise<std::string> seen;
  async::spawn(fail_later("y"), [&](async::Outcome<int> outcome) {
    try {
      (void)outcome.value();
      seen.set_value("value");
    } catch (const InvalidArgumentError& e) {
      seen.set_value(e.what());
    }
  });
  EXPECT_NE(seen.get_future().get().find('y'), std::string::npos);
}

TEST(AsyncTask, FailedEndsWithItsException) {
  EXPECT_THROW((void)async::sync_wait(async::failed<int>(std::make_exception_ptr(InvalidStateError("c")))),
               InvalidStateError);
}

TEST(AsyncTask, StopTokenIsInheritedByAwaitedTasksUnlessTheyHaveTheirOwn) {
  std::stop_source source;
  auto inner = []() -> Task<bool> { co_return (co_await async::current_stop_token{}).stop_possible(); };
  auto outer = [&]() -> Task<std::pair<bool, bool>> {
    const bool inherited = co_await inner();
    std::stop_source own;
    const bool own_kept = co_await [](std::stop_token expected) -> Task<bool> {
      co_return (co_await async::current_stop_token{}) == expected;
    }(own.get_token())
                                                                       .with_stop(own.get_token());
    co_return std::pair{inherited, own_kept};
  };
  const auto [inherited, own_kept] = async::sync_wait(outer().with_stop(source.get_token()));
  EXPECT_TRUE(inherited);
  EXPECT_TRUE(own_kept);
}

// Counts its destructions: a frame's local, to see when a frame that passed a failure on is destroyed.
struct Tracked {
  explicit Tracked(std::atomic<int>* destroyed) : destroyed_(destroyed) {}
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
  ~Tracked() { ++*destroyed_; }

 private:
  std::atomic<int>* destroyed_;
};

// Awaits `inner` through propagate(): `after` counts the times the code after the co_await ran.
Task<int> passing_on(Task<int> inner, std::atomic<int>* destroyed, std::atomic<int>* after) {
  const Tracked local(destroyed);
  const int value = co_await async::detail::propagate(std::move(inner));
  ++*after;
  co_return value + 1;
}

Task<int> failing_with(std::exception_ptr error, std::atomic<int>* after) {
  co_await on_worker();
  co_await async::detail::fail_with(std::move(error));
  ++*after;  // never runs
  co_return 0;
}

TEST(AsyncTask, PropagatePassesAFailureUpWithoutResumingTheFramesBetween) {
  std::atomic<int> destroyed{0};
  std::atomic<int> after{0};
  // Success: the value goes through, the code after the co_await runs.
  EXPECT_EQ(async::sync_wait(passing_on(value_later(41), &destroyed, &after)), 42);
  EXPECT_EQ(after.load(), 1);
  EXPECT_EQ(destroyed.load(), 1);

  // A failure two levels down reaches the outer awaiter as the same exception object; neither frame between
  // runs on, and both are destroyed by their owners all the same.
  const std::exception_ptr error = std::make_exception_ptr(CancelledError("stopped"));
  after = 0;
  destroyed = 0;
  auto outer = [&]() -> Task<std::string> {
    try {
      (void)co_await passing_on(passing_on(failing_with(error, &after), &destroyed, &after), &destroyed, &after);
    } catch (const CancelledError& e) {
      co_return std::string(e.what());
    }
    co_return std::string("no failure");
  };
  EXPECT_EQ(async::sync_wait(outer()), "stopped");
  EXPECT_EQ(after.load(), 0);
  EXPECT_EQ(destroyed.load(), 2);

  // The exception object itself is handed on (not a copy).
  after = 0;
  destroyed = 0;
  std::future<int> future = async::spawn(passing_on(failing_with(error, &after), &destroyed, &after));
  try {
    (void)future.get();
    ADD_FAILURE() << "no failure";
  } catch (const CancelledError& e) {
    try {
      std::rethrow_exception(error);
    } catch (const CancelledError& original) {
      EXPECT_EQ(&e, &original);
    }
  }
  EXPECT_EQ(after.load(), 0);
  EXPECT_EQ(destroyed.load(), 1);
}

TEST(AsyncTask, SettleHandsTheOutcomeOverWithoutRethrowing) {
  auto settled = [](Task<int> task) -> Task<std::string> {
    async::Outcome<int> outcome = co_await async::detail::settle(std::move(task));
    if (outcome.has_value()) co_return std::to_string(outcome.value());
    co_return std::string(outcome.error() ? "failed" : "empty");
  };
  EXPECT_EQ(async::sync_wait(settled(value_later(7))), "7");
  EXPECT_EQ(async::sync_wait(settled(fail_later("no"))), "failed");
  EXPECT_EQ(async::sync_wait(settled(Task<int>())), "failed");  // an empty task: future_error
}

TEST(AsyncWhenAll, ReturnsValuesInOrder) {
  std::vector<Task<int>> tasks;
  for (int i = 0; i < 50; ++i) tasks.push_back(value_later(i));
  const std::vector<int> values = async::sync_wait(async::when_all(std::move(tasks)));
  ASSERT_EQ(values.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(values[static_cast<std::size_t>(i)], i);
  EXPECT_TRUE(async::sync_wait(async::when_all(std::vector<Task<int>>{})).empty());
}

TEST(AsyncWhenAll, FirstFailureStopsTheOthersAndIsRethrownAfterAllEnded) {
  std::atomic<int> started{0};
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 5; ++i) tasks.push_back(until_stopped(started));
  tasks.push_back([]() -> Task<void> {
    co_await on_worker();
    throw InvalidStateError("first");
  }());
  try {
    async::sync_wait(async::when_all(std::move(tasks)));
    FAIL() << "no exception";
  } catch (const InvalidStateError& e) {
    EXPECT_NE(std::string(e.what()).find("first"), std::string::npos);
  }
  EXPECT_EQ(started.load(), 5);
}

TEST(AsyncForEach, VisitsEveryItemWithBoundedConcurrency) {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::atomic<int> sum{0};
  auto visit = [&](int i) -> Task<void> {
    const int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    co_await on_worker();
    sum += i;
    --running;
  };
  async::sync_wait(async::for_each(Counter(1001), visit, {.concurrency = 8}));
  EXPECT_EQ(sum.load(), 500500);  // 0 + 1 + ... + 1000
  EXPECT_LE(peak.load(), 8);
  EXPECT_GE(peak.load(), 1);
}

TEST(AsyncForEach, PullsLazilyFromAnEndlessRange) {
  std::atomic<int> pulled{0};
  Counter items(-1, &pulled);  // never reaches its end
  std::stop_source stop;
  auto visit = [&](int i) -> Task<void> {
    co_await on_worker();
    if (i == 99) stop.request_stop();
  };
  // Stopped before the range's end, with no item cut short to say so: for_each's own CancelledError.
  EXPECT_THROW(async::sync_wait(async::for_each(items, visit, {.concurrency = 4, .stop = stop.get_token()})),
               CancelledError);
  // Stopped at item 99 with at most 4 in progress: at most a few more items were taken.
  EXPECT_GE(pulled.load(), 100);
  EXPECT_LE(pulled.load(), 104);
}

TEST(AsyncForEach, AFailureStopsNewItemsAndIsRethrown) {
  std::atomic<int> started{0};
  auto visit = [&](int i) -> Task<void> {
    ++started;
    co_await on_worker();
    if (i == 10) throw InvalidStateError("item 10");
  };
  EXPECT_THROW(async::sync_wait(async::for_each(Counter(10000), visit, {.concurrency = 2})), InvalidStateError);
  EXPECT_LT(started.load(), 20);
}

TEST(AsyncForEach, ItemsEndingAtOnceDoNotRecurse) {
  // Tasks that end without suspending: 200,000 of them must not grow the stack.
  int count = 0;
  auto visit = [&](int) -> Task<void> {
    ++count;
    co_return;
  };
  async::sync_wait(async::for_each(Counter(200000), visit, {.concurrency = 16}));
  EXPECT_EQ(count, 200000);
}

TEST(AsyncForEach, ZeroConcurrencyIsAnInvalidArgument) {
  auto visit = [](int) -> Task<void> { co_return; };
  EXPECT_THROW(async::sync_wait(async::for_each(std::vector<int>{1, 2, 3}, visit, {.concurrency = 0})),
               InvalidArgumentError);
}

}  // namespace
}  // namespace lakefs
