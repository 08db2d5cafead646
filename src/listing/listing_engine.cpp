// SPDX-License-Identifier: Apache-2.0
// detail::ListingEngine (lakefs/listing.hpp): the page fetching of every
// Listing<T>, whatever its item type. The first page is fetched on the
// iterating thread; each next one on a read-ahead thread, ordered as soon as
// the previous page's cursor is known. Two pages at most exist at a time: the
// read-ahead thread orders page k+2 only once page k+1 has been taken, or the
// iterating side has released page k and waits. Destroying the engine
// triggers the stop token every request is sent with, so the page in flight
// is aborted by the transport rather than waited for.
#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>

#include "lakefs/listing.hpp"

namespace lakefs::detail {

namespace {

// Forwards the caller's stop request to the engine's own stop source.
struct ForwardStop {
  std::stop_source target;
  void operator()() noexcept { target.request_stop(); }
};

}  // namespace

struct ListingEngine::Impl {
  Impl(Request r, std::size_t size, CallOptions options)
      : request(std::move(r)),
        page_size(size),
        forward(std::in_place, options.stop, ForwardStop{cancel}),
        call(std::move(options)) {
    call.stop = cancel.get_token();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    // A request in flight sees its stop token and ends at once (CancelledError), so the join is prompt. A
    // request that ignores the token (a Listing built from a two-argument Fetch or Request) is waited for.
    cancel.request_stop();
    wake.notify_all();
    if (worker.joinable()) worker.join();
  }

  Request request;
  std::size_t page_size;
  std::stop_source cancel;  // triggered by destruction or by the caller's token
  std::optional<std::stop_callback<ForwardStop>> forward;
  CallOptions call;  // the caller's options, with `cancel`'s token

  // The iterating side's.
  std::string cursor{};  // next_after of the page handed out last
  bool more = false;     // the server has pages after it

  // Shared with the read-ahead thread, under `mutex`.
  struct Order {
    std::string after;
    std::size_t amount;
  };
  std::mutex mutex{};
  std::condition_variable wake{};
  std::thread worker{};
  bool stopping = false;
  std::optional<Order> order{};         // the next page to fetch
  bool busy = false;                    // an order is pending or in flight
  bool waiting = false;                 // the iterating side waits, its page released
  std::optional<Fetched> ready{};       // fetched, not taken yet
  std::exception_ptr error{};           // the read-ahead failed
  std::optional<std::size_t> budget{};  // max_amount minus the results fetched so far

  std::size_t amount_for(const std::optional<std::size_t>& left) const {
    return left ? std::min(*left, page_size) : page_size;
  }

  // The read-ahead thread: fetches the ordered page, and as soon as its
  // cursor is known orders the next one itself, once the iterating side has
  // taken the previous page or released its own (two pages at most).
  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return stopping || order.has_value(); });
      if (stopping) return;
      auto current = std::move(*order);
      order.reset();
      lock.unlock();
      std::optional<Fetched> fetched;
      std::exception_ptr failure;
      try {
        fetched = request(current.after, current.amount, call);
      } catch (...) {
        failure = std::current_exception();
      }
      lock.lock();
      wake.wait(lock, [&] { return stopping || !ready.has_value(); });
      if (stopping) return;
      if (failure) {
        error = failure;
        busy = false;
        wake.notify_all();
        continue;
      }
      std::optional<Order> next;
      if (!fetched->raw.next_after.empty()) {
        if (budget) *budget -= std::min(*budget, fetched->raw.results);
        if (!budget || *budget > 0) next = Order{fetched->raw.next_after, amount_for(budget)};
      }
      ready = std::move(fetched);
      if (!next) busy = false;
      wake.notify_all();
      if (!next) continue;
      wake.wait(lock, [&] { return stopping || !ready.has_value() || waiting; });
      if (stopping) return;
      order = std::move(next);
    }
  }

  // Orders the page after `cursor` from the read-ahead thread (started on
  // first use); `left` is what max_amount still allows. Called under `mutex`.
  void order_next(std::optional<std::size_t> left) {
    budget = left;
    order = Order{cursor, amount_for(left)};
    busy = true;
    if (!worker.joinable()) {
      worker = std::thread([this] { run(); });
    } else {
      wake.notify_all();
    }
  }

  // The page handed out is `fetched`: its cursor is where the next one starts.
  void handed_out(const Fetched& fetched) {
    cursor = fetched.raw.next_after;
    more = !cursor.empty();
  }
};

ListingEngine::ListingEngine(Request request, std::size_t page_size, CallOptions call)
    : impl_(std::make_unique<Impl>(std::move(request), page_size, std::move(call))) {}

ListingEngine::~ListingEngine() = default;

ListingEngine::Fetched ListingEngine::first(const std::string& after, std::optional<std::size_t> left) {
  auto& s = *impl_;
  auto fetched = s.request(after, s.amount_for(left), s.call);
  s.handed_out(fetched);
  if (s.more && (!left || fetched.raw.results < *left)) {
    // The cursor is known: the second page is requested before the first is decoded.
    std::lock_guard lock(s.mutex);
    s.order_next(left ? std::optional(*left - fetched.raw.results) : std::nullopt);
  }
  return fetched;
}

std::optional<ListingEngine::Fetched> ListingEngine::next(std::optional<std::size_t> left) {
  auto& s = *impl_;
  std::optional<Fetched> fetched;
  {
    std::unique_lock lock(s.mutex);
    if (!s.ready && !s.error && !s.busy) {
      // The read-ahead stopped (max_amount counted results that were
      // filtered out): order the next page if one is still needed.
      if (!s.more || (left && *left == 0)) return std::nullopt;
      s.order_next(left);
    }
    s.waiting = true;
    s.wake.notify_all();
    s.wake.wait(lock, [&] { return s.ready.has_value() || s.error; });
    s.waiting = false;
    if (s.error) {
      s.more = false;
      std::rethrow_exception(std::exchange(s.error, nullptr));
    }
    fetched = std::move(s.ready);
    s.ready.reset();
  }
  s.wake.notify_all();
  s.handed_out(*fetched);
  return fetched;
}

}  // namespace lakefs::detail
