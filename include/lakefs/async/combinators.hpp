// SPDX-License-Identifier: Apache-2.0
// Running many tasks at once: when_all() (a known set, all at once) and
// for_each() (a range of any length, at most N at a time, pulled lazily so
// 100,000 items cost the memory of N). Both follow one failure rule: the first
// failure stops the rest (their stop token is triggered, no new item starts),
// the tasks already running are waited for, and then that first exception is
// rethrown. A stop request from outside ends them the same way, with
// lakefs::CancelledError (from the tasks it cut short, or for_each's own when
// it came between items): they end normally only when every item ran. See docs/async.md.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>
#include <vector>

#include "lakefs/async/task.hpp"
#include "lakefs/export.hpp"

namespace lakefs::async {

/// Options of for_each().
struct LAKEFS_API ForEachOptions {
  /// Items in progress at once (at least 1).
  std::size_t concurrency = 64;
  /// Stops the iteration: no new item starts and the running ones see the
  /// request (an SDK call in flight ends with CancelledError). Combined with
  /// the token for_each's own task inherits.
  std::stop_token stop{};
};

namespace detail {

/// Throws lakefs::InvalidArgumentError: for_each's concurrency is 0.
[[noreturn]] LAKEFS_API void throw_zero_concurrency();
/// Throws lakefs::CancelledError: for_each was stopped before every item started.
[[noreturn]] LAKEFS_API void throw_for_each_stopped();

/// The stop source of a group of tasks: stopped by the group's first failure,
/// or by any of the tokens it watches.
class LAKEFS_API GroupStop {
 public:
  explicit GroupStop(const std::stop_token& a, const std::stop_token& b = {}) {
    if (a.stop_possible()) on_a_.emplace(a, Forward{&source_});
    if (b.stop_possible()) on_b_.emplace(b, Forward{&source_});
  }
  [[nodiscard]] std::stop_token token() const noexcept { return source_.get_token(); }
  void request_stop() noexcept { source_.request_stop(); }

 private:
  struct Forward {
    std::stop_source* source;
    void operator()() const noexcept { source->request_stop(); }
  };
  std::stop_source source_{};
  std::optional<std::stop_callback<Forward>> on_a_{};
  std::optional<std::stop_callback<Forward>> on_b_{};
};

/// Counts running tasks down to zero and resumes the coroutine waiting for them.
class LAKEFS_API Join {
 public:
  explicit Join(std::size_t tasks) noexcept : pending_(tasks + 1) {}  // +1: the waiter's own arrival

  /// One task ended; the last one resumes the waiter.
  void arrive() noexcept {
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) waiter_.resume();
  }
  void fail(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(error);
  }
  void rethrow_if_failed() const {
    if (error_) std::rethrow_exception(error_);
  }

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> waiter) noexcept {
    waiter_ = waiter;
    return pending_.fetch_sub(1, std::memory_order_acq_rel) != 1;  // all ended already: do not suspend
  }
  void await_resume() const noexcept {}

 private:
  std::atomic<std::size_t> pending_;
  std::coroutine_handle<> waiter_{};
  std::mutex mutex_;
  std::exception_ptr error_{};
};

/// Where when_all keeps one task's value until all have ended: in place when it is small, else allocated when it
/// arrives, so that tasks still waiting cost a pointer each rather than their value's size.
template <class T>
struct SlotOf {
  using type = std::conditional_t<(sizeof(T) <= 2 * sizeof(void*)), std::optional<T>, std::unique_ptr<T>>;
};
template <>
struct SlotOf<void> {
  using type = char;
};
template <class T>
using Slot = typename SlotOf<T>::type;
template <class T>
void fill(std::optional<T>& slot, T&& value) {
  slot.emplace(std::move(value));
}
template <class T>
void fill(std::unique_ptr<T>& slot, T&& value) {
  slot = std::make_unique<T>(std::move(value));
}

/// What for_each iterates: anything with begin() and end() (a container, a view, a generator-like range of your
/// own). Spelled with std::begin rather than std::ranges concepts, which clang 14 cannot check on libstdc++ 12.
template <class Range>
concept Iterable = requires(Range& range) {
  std::begin(range) != std::end(range);
  *std::begin(range);
};

}  // namespace detail

/// Runs every task at once and ends when all have ended: their values in the
/// order of `tasks`, or the first failure's exception (the others are stopped
/// and waited for first).
template <class T>
Task<std::conditional_t<std::is_void_v<T>, void, std::vector<T>>> when_all(std::vector<Task<T>> tasks) {
  const std::stop_token inherited = co_await current_stop_token{};
  detail::GroupStop stop(inherited);
  detail::Join join(tasks.size());
  std::vector<detail::Slot<T>> slots(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    detail::run_detached(
        std::move(tasks[i]),
        [&join, &stop, &slots, i](Outcome<T> outcome) {
          if (!outcome.has_value()) {
            join.fail(outcome.error());
            stop.request_stop();
          } else if constexpr (!std::is_void_v<T>) {
            detail::fill(slots[i], std::move(outcome).value());
          }
          join.arrive();
        },
        stop.token());
  }
  co_await join;
  join.rethrow_if_failed();
  if constexpr (!std::is_void_v<T>) {
    std::vector<T> values;
    values.reserve(slots.size());
    for (auto& slot : slots) values.push_back(std::move(*slot));
    co_return values;
  }
}

namespace detail {

/// The state of one for_each: the range's iterator, the tasks in progress and the first failure.
template <class Range, class Fn>
class ForEach {
 public:
  ForEach(Range& range, Fn& fn, const ForEachOptions& options, const std::stop_token& inherited)
      : it_(std::begin(range)),
        end_(std::end(range)),
        fn_(fn),
        limit_(options.concurrency),
        stop_(options.stop, inherited) {}

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> waiter) {
    {
      std::lock_guard lock(mutex_);
      waiter_ = waiter;
    }
    return !pump(/*may_resume=*/false);
  }
  void await_resume() const {
    if (error_) std::rethrow_exception(error_);
    if (it_ != end_) throw_for_each_stopped();  // stopped while no item was running to report it
  }

 private:
  // Starts items while there is room. Only one thread pumps at a time; a call that finds another pumping leaves
  // it a note to look again, so items ending inside a start do not recurse. Returns whether everything has
  // ended; then resumes the waiter, unless called from await_suspend (`may_resume` false).
  bool pump(bool may_resume) {
    std::unique_lock lock(mutex_);
    if (pumping_) {
      again_ = true;
      return false;
    }
    pumping_ = true;
    do {
      again_ = false;
      while (active_ < limit_ && !error_ && it_ != end_ && !stop_.token().stop_requested()) {
        std::optional<decltype(fn_(*it_))> task;
        try {
          task.emplace(fn_(*it_));
          ++it_;
        } catch (...) {
          error_ = std::current_exception();
          stop_.request_stop();
          break;
        }
        ++active_;
        lock.unlock();
        run_detached(
            std::move(*task), [this](auto outcome) { ended(outcome.error()); }, stop_.token());
        lock.lock();
      }
    } while (again_);
    pumping_ = false;
    const bool finished = active_ == 0 && waiter_ && (error_ || !(it_ != end_) || stop_.token().stop_requested());
    if (!finished) return false;
    const std::coroutine_handle<> waiter = std::exchange(waiter_, {});
    lock.unlock();
    if (may_resume) waiter.resume();
    return true;
  }

  void ended(const std::exception_ptr& error) {
    {
      std::lock_guard lock(mutex_);
      --active_;
      if (error && !error_) {
        error_ = error;
        stop_.request_stop();
      }
    }
    pump(/*may_resume=*/true);
  }

  decltype(std::begin(std::declval<Range&>())) it_;
  decltype(std::end(std::declval<Range&>())) end_;
  Fn& fn_;
  std::size_t limit_;
  GroupStop stop_;
  std::mutex mutex_;
  std::size_t active_ = 0;
  bool pumping_ = false;
  bool again_ = false;
  std::coroutine_handle<> waiter_{};
  std::exception_ptr error_{};
};

}  // namespace detail

/// Calls `fn(item)` for each item of `range`, which returns a Task (of any
/// value, which is dropped), and runs at most `options.concurrency` of them at
/// once, taking the next item only when one ends. `range` is moved into the
/// task (pass std::views::all(v) or a std::ref_view to iterate a container you
/// keep); `fn` must take the item by value, as its task runs after the
/// iterator moved on. Ends when every item is done, or with the first
/// failure's exception once the running tasks ended (no new item starts after
/// a failure or a stop request; a stop that left items unstarted and cut no
/// task short is CancelledError).
template <detail::Iterable Range, class Fn>
Task<void> for_each(Range range, Fn fn, ForEachOptions options = {}) {
  if (options.concurrency == 0) detail::throw_zero_concurrency();
  const std::stop_token inherited = co_await current_stop_token{};
  detail::ForEach<Range, Fn> state(range, fn, options, inherited);
  co_await state;
}

}  // namespace lakefs::async
