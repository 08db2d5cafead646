// SPDX-License-Identifier: Apache-2.0
// The asynchronous engine: one thread (or a few, TransportOptions::engine_threads)
// each owning one libcurl multi handle and every easy handle in it. Coroutines
// hand it a transfer (a request and where its result goes) or a timer and
// suspend; the engine resumes them on its thread when the transfer ends or the
// timer fires. Its loop, per turn: take the commands other threads queued
// (submit, cancel, unpause, completions of a custom transport), admit queued transfers
// up to max_in_flight, let libcurl act on the sockets found ready and on its
// own timer (curl_multi_socket_action), harvest the finished transfers, fire
// the due timers, and only then wait in epoll until a socket libcurl watches is
// ready, the nearest timer (the loop's or libcurl's) or a wake-up (an eventfd a
// submitting thread writes to). A turn costs the ready sockets, not every
// transfer in flight. Admission comes before the wait: queued work never waits
// for a poll to time out.
//
// Transfers waiting for admission are plain values in the engine's own queue,
// not in libcurl's (whose timeout would count the waiting). A transfer's or a
// timer's stop token cancels it: a queued transfer ends without reaching the
// wire, a running one is removed from the multi handle (its result says
// whether any of it was sent), a timer fires early reporting the stop.
//
// With a transport that is not libcurl's (a test double, a user's own), the
// engine hands each admitted transfer to Transport::start on its thread and
// takes the completion back through its command queue: the same admission,
// timers and threading, whatever the transport does.
#pragma once

#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <vector>

#include "lakefs/http.hpp"
#include "lakefs/transport.hpp"

namespace lakefs::detail {

struct EngineLimits {
  /// Engine threads (each with its own multi handle); at least 1.
  std::size_t threads = 1;
  /// Transfers running at once per engine thread; the rest wait in the engine's queue.
  std::size_t max_in_flight = 256;
  /// Transfers waiting for admission, per engine thread; one more is refused (InvalidStateError).
  std::size_t max_queued = 1'000'000;
};

class EngineLoop;

class Engine {
 public:
  using Clock = std::chrono::steady_clock;

  /// An engine over `transport`: libcurl's own (its setup is shared) or any other (driven through start()).
  Engine(std::shared_ptr<Transport> transport, EngineLimits limits);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Awaitable: runs one attempt of `request` and resumes the awaiting coroutine on the engine thread with its
  /// Result (never throws for a failed exchange, as Transport::perform). `request` must stay untouched until then.
  /// Cancelled by request.call.stop.
  // The awaiters have constructors: GCC 12 copies an aggregate temporary of a co_await expression into the
  // coroutine frame bitwise, which breaks the std::string members of a Result (docs/async.md, "GCC 12").
  struct Attempt {
    Attempt(Engine* e, const http::Request* r) noexcept : engine(e), request(r) {}
    Engine* engine;
    const http::Request* request;
    http::Result result{};
    [[nodiscard]] bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> waiter);
    http::Result await_resume() noexcept { return std::move(result); }
  };
  [[nodiscard]] Attempt attempt(const http::Request& request) noexcept { return Attempt(this, &request); }

  /// Awaitable: resumes the awaiting coroutine on the engine thread at `when`, or as soon as `stop` is
  /// requested; yields true when it was stopped.
  struct Sleep {
    Sleep(Engine* e, Clock::time_point w, std::stop_token s) noexcept : engine(e), when(w), stop(std::move(s)) {}
    Engine* engine;
    Clock::time_point when;
    std::stop_token stop;
    bool stopped = false;
    [[nodiscard]] bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> waiter);
    [[nodiscard]] bool await_resume() const noexcept { return stopped; }
  };
  [[nodiscard]] Sleep sleep_until(Clock::time_point when, std::stop_token stop) noexcept {
    return Sleep(this, when, std::move(stop));
  }

  /// Any thread: `waiter` (a suspended coroutine) continues on an engine thread, in the loop's next turn.
  void resume(std::coroutine_handle<> waiter);

 private:
  [[nodiscard]] EngineLoop& next_loop() noexcept;

  std::vector<std::shared_ptr<EngineLoop>> loops_;
  std::atomic<std::size_t> next_{0};  // round robin over loops_
};

}  // namespace lakefs::detail
