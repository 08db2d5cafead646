// SPDX-License-Identifier: Apache-2.0
// Admission of the object tasks (StoredObject::stat_async, read_all_async, upload_async, ...): at most a limit of
// them build their requests at once (max_in_flight per engine thread); the rest wait, each as its own small
// coroutine frame holding only the call's arguments, before anything of the request is made. So a program that
// starts 100,000 tasks at once (when_all, a loop of spawn) pays for 100,000 argument sets, not for 100,000 request
// chains (the frames of the request, its decoding and its retries, several KiB each): docs/async.md, "Admission".
//
// The waiters form an intrusive list of their awaiters (no allocation); a waiter is resumed on an engine thread when
// a slot is handed to it or when its stop token fires. One task holds one slot from admission to its end, whatever
// it sends meanwhile; its requests then go through the engine's own admission (max_in_flight transfers). Tasks the
// SDK runs inside an admitted one do not come here (they call the unadmitted forms), so a full gate cannot wait on
// itself.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>

#include "async/engine.hpp"
#include "lakefs/async/task.hpp"

namespace lakefs::detail {

class Admission {
 public:
  /// `limit` tasks past the gate at once; `max_waiting` more may wait (the next is refused: InvalidStateError).
  /// Waiters resume on `engine`'s threads.
  Admission(Engine& engine, std::size_t limit, std::size_t max_waiting) noexcept
      : engine_(engine), limit_(limit), max_waiting_(max_waiting) {}
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  /// Awaitable: passes at once while fewer than the limit are past the gate, else waits for a slot, or for `call`
  /// or the awaiting task's stop token. Yields null when admitted, else the failure (CancelledError: stopped while
  /// waiting, nothing sent; InvalidStateError: too many waiting), not thrown. Admitted: leave() once, at the end.
  class Enter {
   public:
    Enter(Admission* gate, std::stop_token call) noexcept : gate_(gate), call_(std::move(call)) {}
    Enter(const Enter&) = delete;
    Enter& operator=(const Enter&) = delete;
    ~Enter();
    [[nodiscard]] bool await_ready() const noexcept { return false; }
    template <class Promise>
    requires std::is_base_of_v<async::detail::PromiseBase, Promise>
    bool await_suspend(std::coroutine_handle<Promise> self) { return suspend(self, self.promise().stop_token()); }
    [[nodiscard]] std::exception_ptr await_resume() const;

   private:
    friend class Admission;
    enum class State : unsigned char { idle, waiting, admitted, stopped, refused };
    struct OnStop {
      Enter* enter;
      void operator()() const noexcept { enter->gate_->stop(enter); }
    };
    bool suspend(std::coroutine_handle<> self, const std::stop_token& inherited);

    Admission* gate_;
    std::stop_token call_;
    std::coroutine_handle<> self_{};
    Enter* next_ = nullptr;
    Enter* prev_ = nullptr;
    State state_ = State::idle;
    bool stop_seen_ = false;  // a stop came before the waiter was in the list
    // One token watched in place; when the call and the task both have one, the second is allocated (the rare
    // case), so that a waiting task's frame stays small.
    std::optional<std::stop_callback<OnStop>> on_stop_{};
    std::unique_ptr<std::stop_callback<OnStop>> on_other_stop_{};
  };
  [[nodiscard]] Enter enter(std::stop_token call) noexcept { return Enter(this, std::move(call)); }

  /// An admitted task ended: its slot goes to the first waiter (resumed on an engine thread), or is free.
  void leave() noexcept;

  /// An admitted task's slot, left by leave() or at the latest when it is destroyed.
  class Slot {
   public:
    explicit Slot(Admission* gate) noexcept : gate_(gate) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { leave(); }
    void leave() noexcept {
      if (gate_ != nullptr) std::exchange(gate_, nullptr)->leave();
    }

   private:
    Admission* gate_;
  };

 private:
  void stop(Enter* waiter) noexcept;
  bool take_free_slot() noexcept;       // under mutex_
  void unlink(Enter* waiter) noexcept;  // under mutex_

  Engine& engine_;
  const std::size_t limit_;
  const std::size_t max_waiting_;
  std::mutex mutex_;
  std::size_t admitted_ = 0;
  std::size_t waiting_ = 0;
  Enter* head_ = nullptr;
  Enter* tail_ = nullptr;
};

/// The task an object member returns: waits for admission through `channel`'s gate, then runs the task `start()` makes
/// and hands its result up; the slot is left as soon as that task ends. `start` holds the call's arguments (and the
/// client, which keeps `gate` alive); the request chain is made only once admitted.
template <class T, class Gatekeeper, class Start>
async::Task<T> admitted(const Gatekeeper& channel, std::stop_token call, Start start) {
  Admission& gate = channel.admission();  // here, not at the call: the engine starts with the task
  std::exception_ptr refused = co_await gate.enter(std::move(call));
  if (refused) co_await async::detail::fail_with(std::move(refused));  // never resumes
  Admission::Slot slot(&gate);                                         // left also when start() throws
  async::Task<T> task = start();
  co_await async::detail::Run<T>(task);
  slot.leave();
  auto handle = async::detail::TaskAccess::handle(task);
  if (std::exception_ptr error = handle.promise().take_error()) co_await async::detail::fail_with(std::move(error));
  if constexpr (!std::is_void_v<T>) co_return handle.promise().take();
}

}  // namespace lakefs::detail
