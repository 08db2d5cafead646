// SPDX-License-Identifier: Apache-2.0
// lakefs::async::Task<T>: the result of every asynchronous call of the SDK. A
// task is lazy (nothing is sent until it is awaited or started), move-only, and
// awaitable from a C++20 coroutine; it ends with a value or with the same
// exception the synchronous call would throw. Callers without coroutines use
// sync_wait(), spawn() to a std::future, or spawn() with a callback.
//
// Where code runs: a task starts on the thread that awaits or spawns it and
// runs until its first request; it then resumes on the client's engine thread
// when the answer is in. Continuations therefore run on the engine thread:
// never block there (no sync_wait, no future.get(), no synchronous SDK call;
// those throw or stall every request of the client). Move work elsewhere with
// resume_on().
//
// Cancellation: a task inherits the stop token of the task that awaits it
// (unless it has one of its own), and every request it sends watches that
// token besides its CallOptions::stop. So one token stops a whole tree of
// tasks: see for_each() and when_all() in <lakefs/async/combinators.hpp>.
// See docs/async.md.
#pragma once

#include <atomic>
#include <concepts>
#include <condition_variable>
#include <coroutine>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>

#include "lakefs/export.hpp"

namespace lakefs::async {

template <class T = void>
class Task;

namespace detail {
struct TaskAccess;
}  // namespace detail

/// Whether the calling thread is one of the SDK's engine threads (where
/// continuations run). Blocking calls check it: sync_wait() there would wait
/// for the thread it blocks, and throws InvalidStateError instead.
[[nodiscard]] LAKEFS_API bool on_engine_thread() noexcept;

namespace detail {

/// Throws lakefs::InvalidStateError naming `what`, when called on an engine thread.
LAKEFS_API void check_not_on_engine_thread(const char* what);

/// What every task's promise has: the coroutine to resume at the end, the
/// stop token inherited from the awaiting task, and the failure.
class LAKEFS_API PromiseBase {
 public:
  struct FinalAwaiter {
    [[nodiscard]] bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept {
      return self.promise().pass_on();
    }
    void await_resume() const noexcept {}
  };

  [[nodiscard]] std::suspend_always initial_suspend() const noexcept { return {}; }
  [[nodiscard]] FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { error_ = std::current_exception(); }

  /// The token this task and the requests it sends watch (empty: none).
  [[nodiscard]] const std::stop_token& stop_token() const noexcept { return stop_; }
  void set_stop_token(std::stop_token token) noexcept { stop_ = std::move(token); }
  void set_continuation(std::coroutine_handle<> continuation) noexcept { continuation_ = continuation; }

  /// Where an ended task goes on: the coroutine that awaits it, or, for a failure that this task's awaiter
  /// passes on unhandled (propagate(), fail_with()), the first one up the chain that takes it. The tasks in
  /// between stay suspended, their frames destroyed by their owners as usual: no exception is thrown through them.
  std::coroutine_handle<> pass_on() noexcept {
    PromiseBase* at = this;
    while (at->error_ && at->fail_into_ != nullptr) {
      at->fail_into_->error_ = std::move(at->error_);
      at = at->fail_into_;
    }
    return at->continuation_;
  }
  /// Ends this task with `error` (fail_with()).
  void fail(std::exception_ptr error) noexcept { error_ = std::move(error); }
  /// A failure of this task becomes `awaiter`'s without resuming it (propagate()).
  void pass_failures_to(PromiseBase* awaiter) noexcept { fail_into_ = awaiter; }
  /// The failure, taken without rethrowing it (null after a success).
  [[nodiscard]] std::exception_ptr take_error() noexcept { return std::move(error_); }

 protected:
  void rethrow_if_failed() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::coroutine_handle<> continuation_ = std::noop_coroutine();
  std::stop_token stop_{};
  std::exception_ptr error_{};
  PromiseBase* fail_into_ = nullptr;
};

template <class T>
class Promise final : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  template <class U>
  requires std::convertible_to<U&&, T>
  void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    value_.emplace(std::forward<U>(value));
  }
  T take() {
    rethrow_if_failed();
    return std::move(*value_);
  }

 private:
  std::optional<T> value_{};
};

template <>
class Promise<void> final : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const { rethrow_if_failed(); }
};

}  // namespace detail

/// An asynchronous computation ending in a T (or an exception). Lazy and
/// move-only: `co_await std::move(task)` (or `co_await sdk_call_async(...)`)
/// runs it and resumes the awaiting coroutine with its result; destroying a
/// task that never ran sends nothing. A task is awaited (or spawned) once.
template <class T>
class [[nodiscard]] Task {
 public:
  /// The coroutine machinery (C++20's name for it).
  using promise_type = detail::Promise<T>;
  /// What the task ends with.
  using value_type = T;

  /// An empty task (valid() is false), to assign one to later.
  Task() noexcept = default;
  /// Takes over `other`'s computation; `other` becomes empty.
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  /// Drops this task's computation (if it never ran, nothing is sent) and takes over `other`'s.
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  /// Whether this task can still be awaited (false once moved from).
  [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(handle_); }

  /// Gives the task a stop token of its own, instead of inheriting the
  /// awaiting task's. Returns the task, to chain: `spawn(std::move(t).with_stop(token))`.
  Task&& with_stop(std::stop_token token) && noexcept {
    if (handle_) handle_.promise().set_stop_token(std::move(token));
    return std::move(*this);
  }

  /// What `co_await task` works through (C++20's awaiter protocol); not used directly.
  struct Awaiter {
    /// The task's coroutine.
    std::coroutine_handle<promise_type> handle;
    /// Never ready until run (an empty task is: await_resume then throws std::future_error).
    [[nodiscard]] bool await_ready() const noexcept { return !handle; }
    /// Runs the task, to resume `parent` when it ends; the task inherits `parent`'s stop token unless it has one.
    template <class Parent>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Parent> parent) noexcept {
      auto& promise = handle.promise();
      promise.set_continuation(parent);
      if constexpr (std::is_base_of_v<detail::PromiseBase, Parent>) {
        if (!promise.stop_token().stop_possible()) promise.set_stop_token(parent.promise().stop_token());
      }
      return handle;
    }
    /// The task's value, or its exception rethrown.
    T await_resume() {
      if (!handle) throw std::future_error(std::future_errc::no_state);
      return handle.promise().take();
    }
  };
  /// Runs the task; the awaiting coroutine resumes with its result.
  Awaiter operator co_await() && noexcept { return Awaiter{handle_}; }
  /// The same on an lvalue (`co_await task;`): the task is consumed either way.
  Awaiter operator co_await() & noexcept { return Awaiter{handle_}; }

 private:
  friend class detail::Promise<T>;
  friend struct detail::TaskAccess;
  explicit Task(std::coroutine_handle<promise_type> handle) noexcept : handle_(handle) {}
  std::coroutine_handle<promise_type> handle_{};
};

namespace detail {

template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

}  // namespace detail

/// `co_await current_stop_token()` inside a Task: the token the task watches
/// (its own, or the one it inherited from the task awaiting it).
struct LAKEFS_API current_stop_token {
  // Not an aggregate: GCC 12 copies an aggregate temporary of a co_await expression bitwise (docs/async.md).
  current_stop_token() noexcept {}  // NOLINT(modernize-use-equals-default): = default would keep it an aggregate
  /// The token read (filled in by await_suspend).
  std::stop_token token{};
  /// Not ready: await_suspend reads the awaiting task's token.
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  /// Reads the token of the task `self` and resumes it at once.
  template <class Promise>
  requires std::is_base_of_v<detail::PromiseBase, Promise>
  bool await_suspend(std::coroutine_handle<Promise> self) noexcept {
    token = self.promise().stop_token();
    return false;  // resume at once
  }
  /// The token the task watches.
  [[nodiscard]] std::stop_token await_resume() noexcept { return std::move(token); }
};

/// A task that ends with `error` (for a function returning a Task that fails
/// before it can start one).
template <class T = void>
Task<T> failed(std::exception_ptr error) {
  co_await std::suspend_never{};  // a coroutine: the exception is the task's, thrown where it is awaited
  std::rethrow_exception(std::move(error));
}

/// How a spawned task ended: its value, or the exception it threw.
template <class T>
class Outcome {
 public:
  /// No value and no error (a placeholder to assign to).
  Outcome() = default;
  /// A failure: `error` is the exception the task ended with.
  explicit Outcome(std::exception_ptr error) noexcept : error_(std::move(error)) {}
  /// A success: the value made from `args`.
  template <class... Args>
  explicit Outcome(std::in_place_t, Args&&... args) : value_(std::in_place, std::forward<Args>(args)...) {}

  /// Whether the task ended with a value.
  [[nodiscard]] bool has_value() const noexcept { return !error_; }
  /// The exception the task ended with; null when it succeeded.
  [[nodiscard]] const std::exception_ptr& error() const noexcept { return error_; }
  /// The value, or rethrows the task's exception.
  T& value() & {
    if (error_) std::rethrow_exception(error_);
    return *value_;
  }
  /// The value, moved out, or rethrows the task's exception.
  T&& value() && {
    if (error_) std::rethrow_exception(error_);
    return std::move(*value_);
  }

 private:
  std::optional<T> value_{};
  std::exception_ptr error_{};
};

/// How a spawned Task<void> ended: successfully, or with the exception it threw.
template <>
class Outcome<void> {
 public:
  /// A success.
  Outcome() = default;
  /// A failure: `error` is the exception the task ended with.
  explicit Outcome(std::exception_ptr error) noexcept : error_(std::move(error)) {}
  /// Whether the task succeeded.
  [[nodiscard]] bool has_value() const noexcept { return !error_; }
  /// The exception the task ended with; null when it succeeded.
  [[nodiscard]] const std::exception_ptr& error() const noexcept { return error_; }
  /// Returns, or rethrows the task's exception.
  void value() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::exception_ptr error_{};
};

namespace detail {

struct LAKEFS_API TaskAccess {
  /// The coroutine of `task` (null when it is empty).
  template <class T>
  static std::coroutine_handle<Promise<T>> handle(const Task<T>& task) noexcept {
    return task.handle_;
  }
  /// How the ended `task` ended, its value or failure moved out (an empty task: std::future_error).
  template <class T>
  static Outcome<T> outcome(Task<T>& task) {
    auto handle = task.handle_;
    if (!handle) return Outcome<T>(std::make_exception_ptr(std::future_error(std::future_errc::no_state)));
    if (std::exception_ptr error = handle.promise().take_error()) return Outcome<T>(std::move(error));
    if constexpr (std::is_void_v<T>) {
      return Outcome<T>();
    } else {
      return Outcome<T>(std::in_place, handle.promise().take());
    }
  }
  /// The same, and `task`'s frame destroyed before this returns.
  template <class T>
  static Outcome<T> take_outcome(Task<T>& task) {
    Outcome<T> ended = outcome(task);
    task = Task<T>();
    return ended;
  }
  /// Gives `task` the token `stop` unless it has a token of its own.
  template <class T>
  static void inherit_stop(Task<T>& task, const std::stop_token& stop) noexcept {
    if (task.handle_ && !task.handle_.promise().stop_token().stop_possible()) {
      task.handle_.promise().set_stop_token(stop);
    }
  }
};

/// `co_await settle(std::move(task))`: runs `task` and yields its Outcome: a failure is handed over as an
/// exception_ptr, never rethrown.
template <class T>
class Settle {
 public:
  explicit Settle(Task<T> task) noexcept : task_(std::move(task)) {}  // not an aggregate: see current_stop_token
  [[nodiscard]] bool await_ready() const noexcept { return awaiter().await_ready(); }
  template <class Parent>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<Parent> parent) noexcept {
    return awaiter().await_suspend(parent);
  }
  Outcome<T> await_resume() { return TaskAccess::outcome(task_); }

 private:
  [[nodiscard]] typename Task<T>::Awaiter awaiter() const noexcept { return {TaskAccess::handle(task_)}; }
  Task<T> task_;
};
template <class T>
Settle<T> settle(Task<T> task) noexcept {
  return Settle<T>(std::move(task));
}

/// `co_await Run<T>(task)`: runs `task`, which the awaiting coroutine keeps, to its end (a failure is not
/// rethrown); read how it ended afterwards with TaskAccess::outcome(). The awaiter holds no result: in a coroutine
/// frame it costs a pointer, where an Outcome<T> would cost a T.
template <class T>
class Run {
 public:
  explicit Run(const Task<T>& task) noexcept : handle_(TaskAccess::handle(task)) {}  // not an aggregate (GCC 12)
  [[nodiscard]] bool await_ready() const noexcept { return !handle_; }
  template <class Parent>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<Parent> parent) noexcept {
    return typename Task<T>::Awaiter{handle_}.await_suspend(parent);
  }
  void await_resume() const noexcept {}

 private:
  std::coroutine_handle<Promise<T>> handle_;
};

/// `co_await propagate(std::move(task))` in a task: as `co_await task`, but a failure ends the awaiting task too
/// without being rethrown in it (its frame is not unwound; its locals are destroyed with the frame). Only for a
/// co_await no handler of the awaiting task surrounds.
template <class T>
class Propagate {
 public:
  explicit Propagate(Task<T> task) noexcept : task_(std::move(task)) {}  // not an aggregate: see current_stop_token
  [[nodiscard]] bool await_ready() const noexcept { return awaiter().await_ready(); }
  template <class Parent>
  requires std::is_base_of_v<PromiseBase, Parent> std::coroutine_handle<> await_suspend(
      std::coroutine_handle<Parent> parent)
  noexcept {
    TaskAccess::handle(task_).promise().pass_failures_to(&parent.promise());
    return awaiter().await_suspend(parent);
  }
  T await_resume() { return awaiter().await_resume(); }  // after a success (an empty task throws)

 private:
  [[nodiscard]] typename Task<T>::Awaiter awaiter() const noexcept { return {TaskAccess::handle(task_)}; }
  Task<T> task_;
};
template <class T>
Propagate<T> propagate(Task<T> task) noexcept {
  return Propagate<T>(std::move(task));
}

/// `co_await fail_with(error)` in a task: ends it with `error` without throwing it; the task does not resume.
class LAKEFS_API FailWith {
 public:
  explicit FailWith(std::exception_ptr error) noexcept : error_(std::move(error)) {}
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  template <class Promise>
  requires std::is_base_of_v<PromiseBase, Promise> std::coroutine_handle<> await_suspend(
      std::coroutine_handle<Promise> self)
  noexcept {
    self.promise().fail(std::move(error_));
    return self.promise().pass_on();
  }
  [[noreturn]] void await_resume() const noexcept { std::terminate(); }  // never resumed

 private:
  std::exception_ptr error_;
};
inline FailWith fail_with(std::exception_ptr error) noexcept { return FailWith(std::move(error)); }

/// An eager, self-destroying coroutine: the root that runs a task to its end
/// and hands its Outcome to a function. The only coroutine the adapters need.
struct LAKEFS_API Detached {
  struct promise_type {
    Detached get_return_object() const noexcept { return {}; }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    [[noreturn]] void unhandled_exception() const noexcept { std::terminate(); }
  };
};

/// Runs `task` (with its own stop token, else `stop`) and calls `done(Outcome<T>)` on the thread it ends on.
template <class T, class Done>
Detached run_detached(Task<T> task, Done done, std::stop_token stop = {}) {
  if (stop.stop_possible()) TaskAccess::inherit_stop(task, stop);
  co_await Run<T>(task);
  // The task's frame (and the reference its promise holds to a failure) is gone before `done` runs, and the
  // failure is moved on, not copied: nothing of the outcome stays on this thread once `done` wakes another.
  // (libstdc++ counts exception_ptr references in uninstrumented code, so ThreadSanitizer could not see a
  // reference dropped here after the waiter freed the exception as ordered.) The Outcome is a temporary of a
  // statement without co_await: on the stack, not in this frame, which a queued task keeps (docs/async.md).
  done(TaskAccess::take_outcome(task));
}

/// sync_wait() without its check: for the SDK's synchronous calls, whose tasks never wait for the engine (they
/// end before run_detached returns, and the wait below is not entered).
template <class T>
T wait_for(Task<T> task) {
  std::mutex mutex;
  std::condition_variable ended;
  std::optional<Outcome<T>> outcome;
  detail::run_detached(std::move(task), [&](Outcome<T> result) {
    std::lock_guard lock(mutex);
    outcome.emplace(std::move(result));
    ended.notify_one();  // under the lock: the waiter cannot return and destroy `ended` first
  });
  std::unique_lock lock(mutex);
  ended.wait(lock, [&] { return outcome.has_value(); });
  if constexpr (std::is_void_v<T>) {
    outcome->value();
  } else {
    return std::move(*outcome).value();
  }
}

}  // namespace detail

/// Runs `task` and blocks the calling thread until it ends: its value, or its
/// exception rethrown. Throws InvalidStateError on an engine thread (inside a
/// continuation), where waiting would stall the engine that must finish it.
template <class T>
T sync_wait(Task<T> task) {
  detail::check_not_on_engine_thread("sync_wait");
  return detail::wait_for(std::move(task));
}

/// Starts `task` now, without waiting: its result arrives in the returned
/// future (get() rethrows its exception). Do not call get() on an engine thread.
template <class T>
std::future<T> spawn(Task<T> task) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  detail::run_detached(std::move(task), [promise](Outcome<T> result) {
    if (!result.has_value()) {
      promise->set_exception(result.error());
    } else if constexpr (std::is_void_v<T>) {
      promise->set_value();
    } else {
      promise->set_value(std::move(result).value());
    }
  });
  return future;
}

/// Starts `task` now and calls `callback(Outcome<T>)` when it ends, on the
/// thread it ends on (an engine thread, unless it ended before its first
/// request). The callback must not throw; an exception from it terminates.
template <class T, class Callback>
requires std::invocable<Callback&, Outcome<T>>
void spawn(Task<T> task, Callback callback) { detail::run_detached(std::move(task), std::move(callback)); }

/// `co_await resume_on(post)`: continues the coroutine wherever `post` runs
/// the function it is given, e.g. a thread pool of your own:
/// `co_await lakefs::async::resume_on([&](std::function<void()> f) { pool.submit(std::move(f)); });`
template <class Post>
requires std::invocable<Post&, std::function<void()>>
auto resume_on(Post post) {
  struct Awaiter {
    explicit Awaiter(Post p) : post(std::move(p)) {}  // not an aggregate: see current_stop_token
    Post post;
    [[nodiscard]] bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> self) {
      post(std::function<void()>([self] { self.resume(); }));
    }
    void await_resume() const noexcept {}
  };
  return Awaiter(std::move(post));
}

}  // namespace lakefs::async
