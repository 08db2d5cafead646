// SPDX-License-Identifier: Apache-2.0
// Listing<T>: a lazy C++20 input range over a paginated lakeFS listing.
// Nothing is requested until iteration starts. The request for the next page
// goes out as soon as the current page's cursor is known, which lakeFS writes
// before the page's items: page k+1 is on the wire while page k is decoded
// and consumed. At most two pages are held in memory (the one being
// consumed, the one being fetched), and `max_amount` stops without fetching
// beyond what is needed.
//
//   for (const auto& commit : branch.log({.max_amount = 10})) ...
//   auto names = repo.branches() | std::views::transform(&Branch::id);
//
// A listing can be resumed: resume_after() is the cursor that continues right
// after the item it is at, which a later listing takes as its `after` option
// (after a crash, or to page through a UI).
#pragma once

#include "lakefs/export.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace lakefs {

/// One page of a listing, decoded: what a Listing's Fetch function returns.
template <typename T>
struct Page {
  /// The page's items, in the server's order.
  std::vector<T> items{};
  /// Cursor for the next page; empty when this is the last page.
  std::string next_after{};
};

/// A page as it came from the server, not decoded yet: its cursor is read
/// first (lakeFS sends `pagination` before `results`), so the next request can
/// start while this body is decoded.
struct LAKEFS_API RawPage {
  /// The response body.
  std::string body{};
  /// Cursor for the next page; empty when this is the last page.
  std::string next_after{};
  /// How many results the body holds (pagination.results).
  std::size_t results = 0;
};

/// A lazy, single-pass C++20 input range over a paginated lakeFS listing (branch.log(), repo.branches(),
/// ref.objects(), ...). Nothing is requested until begin(); the next page is requested while the current one is
/// decoded and consumed, and at most two pages are held in memory. resume_after() tells where a later listing
/// can continue.
template <typename T>
class Listing {
  // Declared before iterator names it: clang rejects the use otherwise.
  struct State;

 public:
  /// Fetches the page after `after` ("" = first) holding at most `amount` items.
  using Fetch = std::function<Page<T>(const std::string& after, std::size_t amount)>;
  /// Sends the request for the page after `after` ("" = first) of at most
  /// `amount` items and returns it undecoded, its cursor already read. Called
  /// on the iterating thread for the first page and on the listing's
  /// read-ahead thread for the others.
  using Request = std::function<RawPage(const std::string& after, std::size_t amount)>;
  /// Decodes a page's body, appending its items to `items`. Called on the
  /// iterating thread, once per page, never concurrently.
  using Decode = std::function<void(std::string_view body, std::vector<T>& items)>;
  /// An item's cursor: listing `after` it starts with the item that follows.
  using Key = std::function<std::string(const T&)>;

  /// `after` is where the first request starts ("" = the beginning); `key`
  /// gives an item's cursor, for resume_after().
  Listing(Fetch fetch, std::optional<std::size_t> max_amount, std::size_t page_size = 1000, std::string after = {},
          Key key = {})
      : state_(std::make_shared<State>(
            [fetch = std::move(fetch)](const std::string& after, std::size_t amount) {
              auto page = fetch(after, amount);
              Pending p;
              p.results = page.items.size();
              p.items = std::move(page.items);
              p.next_after = std::move(page.next_after);
              p.decoded = true;
              return p;
            },
            Decode{}, max_amount, page_size, std::move(after), std::move(key))) {}

  /// The read-ahead form: `request` sends a page's request and returns its body undecoded, `decode` turns
  /// the body into items on the iterating thread, so the next page is on the wire while this one is decoded.
  Listing(Request request, Decode decode, std::optional<std::size_t> max_amount, std::size_t page_size = 1000,
          std::string after = {}, Key key = {})
      : state_(std::make_shared<State>(
            [request = std::move(request)](const std::string& after, std::size_t amount) {
              auto raw = request(after, amount);
              Pending p;
              p.body = std::move(raw.body);
              p.next_after = std::move(raw.next_after);
              p.results = raw.results;
              return p;
            },
            std::move(decode), max_amount, page_size, std::move(after), std::move(key))) {}

  /// The listing's input iterator; compared with std::default_sentinel (end()) to detect the end. Every
  /// iterator of a listing shares its position.
  class iterator {
   public:
    /// A single-pass input iterator.
    using iterator_concept = std::input_iterator_tag;
    /// The item type.
    using value_type = T;
    /// Required of an iterator (a listing never measures distances).
    using difference_type = std::ptrdiff_t;
    /// Items are handed out as const references.
    using reference = const T&;
    /// A pointer to the current item.
    using pointer = const T*;

    /// A singular iterator, not attached to a listing.
    iterator() = default;
    /// The current item; valid until the iterator is advanced.
    reference operator*() const { return state_->page[state_->index]; }
    /// The current item's members.
    pointer operator->() const { return &**this; }
    /// Moves to the next item; may wait for the next page (and throws the error of a failed request).
    iterator& operator++() {
      state_->advance();
      return *this;
    }
    /// Moves to the next item (as ++it; returns nothing, as an input iterator may).
    void operator++(int) { ++*this; }
    /// True when the listing has ended.
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return it.state_->done(); }

   private:
    friend class Listing;
    explicit iterator(std::shared_ptr<typename Listing::State> state) : state_(std::move(state)) {}
    std::shared_ptr<typename Listing::State> state_{};
  };

  /// Starts the listing (once: a Listing is a single-pass input range).
  iterator begin() {
    state_->start();
    return iterator(state_);
  }
  /// The end: an iterator equals it once the listing has ended.
  std::default_sentinel_t end() const noexcept { return {}; }

  /// Collects everything (bounded by max_amount) into a vector.
  std::vector<T> to_vector() {
    std::vector<T> out;
    auto& s = *state_;
    s.start();
    while (!s.done()) {
      // Single pass: the items are moved out of the page rather than copied.
      auto& items = s.page;
      s.note_end();
      out.insert(out.end(), std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(s.index)),
                 std::make_move_iterator(items.end()));
      s.index = items.size();
      if (s.last) break;
      s.advance_page();
    }
    return out;
  }

  /// Where to resume: the `after` cursor that continues right after the item
  /// the listing is at (the one an iterator points to, i.e. the last handed
  /// out), or after the last item once the listing has ended at `max_amount`.
  /// Before iteration starts it is the listing's own `after` ("" = the
  /// beginning). std::nullopt once the server has nothing more after the
  /// last item. Call it on the iterating thread.
  ///
  ///   auto list = branch.objects({.max_amount = 100, .after = saved});
  ///   for (const auto& entry : list) ...
  ///   saved = list.resume_after().value_or("");  // the next 100 start here
  std::optional<std::string> resume_after() const {
    const auto& s = *state_;
    if (!s.started) return s.start_after;
    if (s.index < s.page.size()) return s.key_of(s.page[s.index]);
    if (!s.done()) return s.last_key;  // between pages (an empty page after filtering)
    if (!s.more && !s.truncated) return std::nullopt;
    return s.last_key;
  }

 private:
  // A fetched page on its way from the read-ahead thread to the iterating one.
  struct Pending {
    std::string body{};
    std::vector<T> items{};  // already decoded (the Fetch form)
    std::string next_after{};
    std::size_t results = 0;
    bool decoded = false;
  };
  using Get = std::function<Pending(const std::string& after, std::size_t amount)>;

  struct State {
    State(Get g, Decode d, std::optional<std::size_t> max, std::size_t size, std::string after, Key k)
        : get(std::move(g)),
          decode(std::move(d)),
          key(std::move(k)),
          start_after(std::move(after)),
          last_key(start_after),
          remaining(max),
          page_size(size) {}
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
      {
        std::lock_guard lock(mutex);
        stopping = true;
      }
      wake.notify_all();
      // Never leave a request running against freed state: a read-ahead in
      // flight finishes (or is cancelled by its CallOptions) before we return.
      if (worker.joinable()) worker.join();
    }

    Get get{};
    Decode decode{};
    Key key{};
    std::string start_after{};  // where the first page starts
    std::string last_key{};     // the cursor after the last item of the pages passed
    bool truncated = false;     // max_amount cut items off the final page

    std::string key_of(const T& item) const {
      if (!key) throw std::logic_error("this Listing was built without a key: it cannot tell where it stopped");
      return key(item);
    }
    // The current page is used up: remember the cursor after its last item.
    void note_end() {
      if (!page.empty() && key) last_key = key(page.back());
    }

    // The iterating side.
    std::optional<std::size_t> remaining;  // items still allowed by max_amount
    std::size_t page_size{};
    std::vector<T> page{};
    std::size_t index = 0;
    bool started = false;
    bool last = false;     // `page` is the final one
    std::string cursor{};  // next_after of the page taken last
    bool more = false;     // the server has pages after it

    // Shared with the read-ahead thread, under `mutex`.
    std::mutex mutex{};
    std::condition_variable wake{};
    std::thread worker{};
    bool stopping = false;
    struct Order {
      std::string after;
      std::size_t amount;
    };
    std::optional<Order> order{};         // the next page to fetch
    bool busy = false;                    // an order is pending or in flight
    bool waiting = false;                 // the iterating side waits, its page released
    std::optional<Pending> ready{};       // fetched, not taken yet
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
        std::optional<Pending> fetched;
        std::exception_ptr failure;
        try {
          fetched = get(current.after, current.amount);
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
        if (!fetched->next_after.empty()) {
          if (budget) *budget -= std::min(*budget, fetched->results);
          if (!budget || *budget > 0) next = Order{fetched->next_after, amount_for(budget)};
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

    // Makes `p` the current page: decodes it (while the next one is fetched)
    // and applies max_amount.
    void take(Pending p) {
      page.clear();
      index = 0;
      if (p.decoded) {
        page = std::move(p.items);
      } else {
        try {
          decode(p.body, page);
        } catch (...) {
          page.clear();
          last = true;
          more = false;
          throw;
        }
      }
      if (remaining) {
        if (page.size() > *remaining) truncated = true;
        if (page.size() > *remaining) page.erase(page.begin() + static_cast<std::ptrdiff_t>(*remaining), page.end());
        *remaining -= page.size();
      }
      last = !more || (remaining && *remaining == 0);
    }

    // The first page is fetched on the iterating thread; the read-ahead thread
    // is started only when there is a second one to fetch.
    void start() {
      if (started) return;
      started = true;
      if (remaining && *remaining == 0) {
        last = true;
        return;
      }
      last = true;  // until the first page is here: a failed begin() leaves an ended listing
      auto first = get(start_after, amount_for(remaining));
      cursor = first.next_after;
      more = !cursor.empty();
      if (more && (!remaining || first.results < *remaining)) {
        // The cursor is known: the second page is requested before the first is decoded.
        std::lock_guard lock(mutex);
        order_next(remaining ? std::optional(*remaining - first.results) : std::nullopt);
      }
      take(std::move(first));
      if (page.empty() && !last) advance_page();
    }

    void advance_page() {
      for (;;) {
        page.clear();  // released before waiting: at most two pages in memory
        index = 0;
        Pending p;
        {
          std::unique_lock lock(mutex);
          if (!ready && !error && !busy) {
            // The read-ahead stopped (max_amount counted results that were
            // filtered out): order the next page if one is still needed.
            if (!more || (remaining && *remaining == 0)) {
              last = true;
              return;
            }
            order_next(remaining);
          }
          waiting = true;
          wake.notify_all();
          wake.wait(lock, [&] { return ready.has_value() || error; });
          waiting = false;
          if (error) {
            last = true;
            more = false;
            std::rethrow_exception(std::exchange(error, nullptr));
          }
          p = std::move(*ready);
          ready.reset();
        }
        wake.notify_all();
        cursor = p.next_after;
        more = !cursor.empty();
        take(std::move(p));
        if (!page.empty() || last) return;
      }
    }

    void advance() {
      if (++index < page.size()) return;
      note_end();
      if (last) return;
      advance_page();
    }

    bool done() const { return index >= page.size() && last; }
  };

  std::shared_ptr<State> state_{};
};

}  // namespace lakefs
