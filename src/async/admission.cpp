// SPDX-License-Identifier: Apache-2.0
#include "async/admission.hpp"

#include <string>

#include "lakefs/errors.hpp"

namespace lakefs::detail {

Admission::Enter::~Enter() {
  // The stop callbacks go first: one running on another thread is waited for, and none runs after this.
  on_stop_.reset();
  on_other_stop_.reset();
  if (state_ == State::waiting) {  // a frame destroyed while it waited (its owner gave up on it)
    std::lock_guard lock(gate_->mutex_);
    if (state_ == State::waiting) gate_->unlink(this);
  }
}

bool Admission::Enter::suspend(std::coroutine_handle<> self, const std::stop_token& inherited) {
  self_ = self;
  {
    std::lock_guard lock(gate_->mutex_);
    if (gate_->take_free_slot()) {
      state_ = State::admitted;
      return false;
    }
  }
  if (call_.stop_requested() || inherited.stop_requested()) {
    state_ = State::stopped;
    return false;
  }
  // The callbacks are registered before the waiter is in the list: one that fires now only notes the stop (below),
  // and once the waiter is listed, nothing here touches it again (another thread may resume it at once).
  if (call_.stop_possible()) on_stop_.emplace(call_, OnStop{this});
  if (inherited.stop_possible()) {
    if (on_stop_) {
      on_other_stop_ = std::make_unique<std::stop_callback<OnStop>>(inherited, OnStop{this});
    } else {
      on_stop_.emplace(inherited, OnStop{this});
    }
  }
  std::lock_guard lock(gate_->mutex_);
  if (stop_seen_) {
    state_ = State::stopped;
    return false;
  }
  if (gate_->take_free_slot()) {  // a slot was left meanwhile
    state_ = State::admitted;
    return false;
  }
  if (gate_->waiting_ >= gate_->max_waiting_) {
    state_ = State::refused;
    return false;
  }
  state_ = State::waiting;
  ++gate_->waiting_;
  prev_ = gate_->tail_;
  if (gate_->tail_ != nullptr) {
    gate_->tail_->next_ = this;
  } else {
    gate_->head_ = this;
  }
  gate_->tail_ = this;
  return true;
}

std::exception_ptr Admission::Enter::await_resume() const {
  switch (state_) {
    case State::admitted:
      return nullptr;
    case State::refused:
      return std::make_exception_ptr(InvalidStateError(
          "the asynchronous engine's queue is full (max_queued_requests = " + std::to_string(gate_->max_waiting_) +
          " tasks waiting for admission)"));
    default:
      return std::make_exception_ptr(CancelledError(
          "cancelled before it started: it was waiting for admission (max_in_flight), nothing was sent"));
  }
}

bool Admission::take_free_slot() noexcept {
  if (admitted_ >= limit_ || head_ != nullptr) return false;  // none free, or owed to the first waiter
  ++admitted_;
  return true;
}

void Admission::unlink(Enter* waiter) noexcept {
  if (waiter->prev_ != nullptr) {
    waiter->prev_->next_ = waiter->next_;
  } else {
    head_ = waiter->next_;
  }
  if (waiter->next_ != nullptr) {
    waiter->next_->prev_ = waiter->prev_;
  } else {
    tail_ = waiter->prev_;
  }
  waiter->next_ = waiter->prev_ = nullptr;
  --waiting_;
}

void Admission::stop(Enter* waiter) noexcept {
  std::coroutine_handle<> resume;
  {
    std::lock_guard lock(mutex_);
    if (waiter->state_ == Enter::State::idle) {
      waiter->stop_seen_ = true;  // not listed yet: suspend() sees it
      return;
    }
    if (waiter->state_ != Enter::State::waiting) return;  // admitted meanwhile, or already stopped
    unlink(waiter);
    waiter->state_ = Enter::State::stopped;
    resume = waiter->self_;
  }
  engine_.resume(resume);
}

void Admission::leave() noexcept {
  std::coroutine_handle<> resume;
  {
    std::lock_guard lock(mutex_);
    Enter* next = head_;
    if (next == nullptr) {
      --admitted_;
      return;
    }
    unlink(next);  // the slot passes to it: admitted_ stays
    next->state_ = Enter::State::admitted;
    resume = next->self_;
  }
  engine_.resume(resume);
}

}  // namespace lakefs::detail
