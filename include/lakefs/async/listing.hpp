// SPDX-License-Identifier: Apache-2.0
// AsyncListing<T>: a paginated lakeFS listing whose pages are awaited, one
// request each on the client's engine (Listing<T>, its synchronous form, reads
// the next page ahead on a thread of its own instead). Nothing is sent until
// the first next_page() is awaited.
//
//   auto listing = branch.objects_async({.prefix = "data/"});
//   for (;;) {
//     std::vector<lakefs::ObjectEntry> page = co_await listing.next_page();
//     if (page.empty()) break;
//     ...
//   }
//
// See docs/async.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lakefs/async/task.hpp"
#include "lakefs/listing.hpp"

namespace lakefs {

/// A listing whose pages are awaited. Copies share one cursor; await one
/// next_page() at a time. A page's task holds the listing's state, so the
/// listing may go first.
template <typename T>
class AsyncListing {
 public:
  /// Fetches the page after `after` ("" = first) of at most `amount` items.
  using Fetch = std::function<async::Task<Page<T>>(std::string after, std::size_t amount)>;

  /// Pages of `page_size` items from after `after`, at most `max_amount` in all (unset: every item).
  AsyncListing(Fetch fetch, std::optional<std::size_t> max_amount, std::size_t page_size, std::string after = {})
      : state_(std::make_shared<State>(State{std::move(fetch), max_amount, page_size, std::move(after), false})) {}

  /// The next page's items, in the server's order; an empty vector once the
  /// listing is exhausted (or max_amount reached). Errors as the listing's
  /// synchronous form.
  [[nodiscard]] async::Task<std::vector<T>> next_page() { return next_page_of(state_); }

  /// True once an empty page would come next.
  [[nodiscard]] bool done() const noexcept { return state_->done; }

  /// Every remaining item, page by page.
  [[nodiscard]] async::Task<std::vector<T>> to_vector() { return to_vector_of(state_); }

 private:
  struct State {
    Fetch fetch;
    std::optional<std::size_t> remaining;
    std::size_t page_size;
    std::string after;
    bool done;
  };

  static async::Task<std::vector<T>> next_page_of(std::shared_ptr<State> state) {
    const std::size_t amount = state->remaining ? std::min(state->page_size, *state->remaining) : state->page_size;
    if (state->done || amount == 0) {
      state->done = true;
      co_return std::vector<T>();
    }
    for (;;) {
      Page<T> page = co_await state->fetch(state->after, amount);
      if (page.items.size() > amount) {
        page.items.erase(page.items.begin() + static_cast<std::ptrdiff_t>(amount), page.items.end());
      }
      if (state->remaining) *state->remaining -= page.items.size();
      state->done = page.next_after.empty() || (state->remaining && *state->remaining == 0);
      state->after = std::move(page.next_after);
      // A page the listing filtered to nothing (a log's `until`) is not the end while the server has more.
      if (!page.items.empty() || state->done) {
        state->done = state->done || page.items.empty();
        co_return std::move(page.items);
      }
    }
  }

  static async::Task<std::vector<T>> to_vector_of(std::shared_ptr<State> state) {
    std::vector<T> all;
    while (!state->done) {
      std::vector<T> page = co_await next_page_of(state);
      all.insert(all.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
    }
    co_return all;
  }

  std::shared_ptr<State> state_;
};

}  // namespace lakefs
