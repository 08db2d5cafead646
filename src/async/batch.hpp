// SPDX-License-Identifier: Apache-2.0
// The SDK's batches (remove_objects, annotate, the parts of a multipart upload, the ranges of a parallel download,
// upload_directory, download_prefix) behind their synchronous signatures: every one is an async::for_each over the
// indices of its items on the client's engine, so none runs threads of its own and all follow for_each's one
// failure rule (the first failure stops the rest, the running items are waited for, that failure is rethrown; a
// stop request starts no new item and cuts the running ones short with CancelledError).
#pragma once

#include <cstddef>
#include <stop_token>
#include <utility>

#include "async/via.hpp"
#include "lakefs/async/combinators.hpp"
#include "lakefs/async/task.hpp"

namespace lakefs::detail {

/// 0, 1, ..., n - 1: what a batch's for_each iterates (an input range, not a container).
class IndexRange {
 public:
  class Iterator {
   public:
    explicit Iterator(std::size_t value) noexcept : value_(value) {}
    std::size_t operator*() const noexcept { return value_; }
    Iterator& operator++() noexcept {
      ++value_;
      return *this;
    }
    bool operator!=(const Iterator& other) const noexcept { return value_ != other.value_; }

   private:
    std::size_t value_;
  };
  explicit IndexRange(std::size_t n) noexcept : n_(n) {}
  [[nodiscard]] Iterator begin() const noexcept { return Iterator(0); }
  [[nodiscard]] Iterator end() const noexcept { return Iterator(n_); }

 private:
  std::size_t n_;
};

/// Runs the task `item(i)` for every i below `n`, at most `concurrency` at once (at least 1), on the engine of the
/// clients the tasks use, and waits for them on the calling thread. `stop` stops the batch (no new item starts).
/// Refused on an engine thread (InvalidStateError naming `what`): the batch would wait for the thread it blocks.
template <class Item>
void run_batch(const char* what, std::size_t n, std::size_t concurrency, const std::stop_token& stop, Item item) {
  async::detail::check_not_on_engine_thread(what);
  if (n == 0) return;
  async::sync_wait(async::for_each(IndexRange(n), std::move(item),
                                   {.concurrency = concurrency == 0 ? 1 : concurrency, .stop = stop}));
}

/// run_batch() inside a transfer that runs the Via way: with Via::caller the calling thread blocks in run_batch()
/// (its items are on the engine); with Via::engine the batch is awaited.
template <class Item>
async::Task<void> batch(Via via, const char* what, std::size_t n, std::size_t concurrency, std::stop_token stop,
                        Item item) {
  if (via == Via::caller) {
    run_batch(what, n, concurrency, stop, std::move(item));
    co_return;
  }
  if (n == 0) co_return;
  const async::ForEachOptions options{.concurrency = concurrency == 0 ? 1 : concurrency, .stop = std::move(stop)};
  co_await async::for_each(IndexRange(n), std::move(item), options);
}

}  // namespace lakefs::detail
