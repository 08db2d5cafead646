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
//
// The fetching itself (the read-ahead thread, the two-page bound, the
// cancellation of a page in flight when a listing is left early) is compiled
// in the library: detail::ListingEngine, which deals in undecoded pages. Only
// the decoding into T and the item cursor are templates here.
#pragma once

#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lakefs/export.hpp"
#include "lakefs/policies.hpp"

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

namespace detail {

/// The page fetching behind every Listing<T>, whatever T: the first page on the calling thread, the next ones on
/// a read-ahead thread (each requested as soon as the previous page's cursor is known, at most one page fetched
/// ahead of the one handed out), and the cancellation of the page in flight when the engine is destroyed.
/// Not for direct use: Listing<T> drives it.
class LAKEFS_API ListingEngine {
 public:
  /// A fetched page: its body undecoded, or (a Listing built from a Fetch function) its items already decoded
  /// into `decoded`, a std::vector of the listing's item type.
  struct Fetched {
    /// The body (empty when decoded), the cursor of the next page and the number of results.
    RawPage raw{};
    /// The items of an already decoded page; null otherwise.
    std::shared_ptr<void> decoded{};
  };
  /// Fetches the page after `after` ("" = first) of at most `amount` items, sending with `call`: the listing's
  /// CallOptions, whose stop token is also triggered when the engine is destroyed.
  using Request = std::function<Fetched(const std::string& after, std::size_t amount, const CallOptions& call)>;

  /// Fetches pages of `page_size` with `request`; `call` is the listing's options (their stop token cancels too).
  ListingEngine(Request request, std::size_t page_size, CallOptions call);
  /// Cancels the page in flight (through its stop token) and waits for the read-ahead thread to notice.
  ~ListingEngine();
  ListingEngine(const ListingEngine&) = delete;
  ListingEngine& operator=(const ListingEngine&) = delete;

  /// Fetches the page after `after` on the calling thread, and orders the one after it before returning when
  /// there is one and `left` (what max_amount still allows; nullopt = no limit) is more than its results.
  [[nodiscard]] Fetched first(const std::string& after, std::optional<std::size_t> left);
  /// The page after the last one returned, waiting for it; std::nullopt when the server has no more or `left`
  /// is 0. Throws the error of its request.
  [[nodiscard]] std::optional<Fetched> next(std::optional<std::size_t> left);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace detail

/// A lazy, single-pass C++20 input range over a paginated lakeFS listing (branch.log(), repo.branches(),
/// ref.objects(), ...). Nothing is requested until begin(); the next page is requested while the current one is
/// decoded and consumed, and at most two pages are held in memory. Destroying the listing (leaving a loop
/// early) cancels the page being read ahead. resume_after() tells where a later listing can continue.
template <typename T>
class Listing {
  // Declared before iterator names it: clang rejects the use otherwise.
  struct State;
  using Fetched = detail::ListingEngine::Fetched;

 public:
  /// Fetches the page after `after` ("" = first) holding at most `amount` items.
  using Fetch = std::function<Page<T>(const std::string& after, std::size_t amount)>;
  /// Fetch with the options to send with: `call` is the listing's CallOptions, whose stop token is also
  /// triggered when the listing is destroyed, so that a page read ahead is cancelled when a loop is left.
  using CancellableFetch =
      std::function<Page<T>(const std::string& after, std::size_t amount, const CallOptions& call)>;
  /// Sends the request for the page after `after` ("" = first) of at most
  /// `amount` items and returns it undecoded, its cursor already read. Called
  /// on the iterating thread for the first page and on the listing's
  /// read-ahead thread for the others.
  using Request = std::function<RawPage(const std::string& after, std::size_t amount)>;
  /// Request with the options to send with, as CancellableFetch.
  using CancellableRequest =
      std::function<RawPage(const std::string& after, std::size_t amount, const CallOptions& call)>;
  /// Decodes a page's body, appending its items to `items`. Called on the
  /// iterating thread, once per page, never concurrently.
  using Decode = std::function<void(std::string_view body, std::vector<T>& items)>;
  /// An item's cursor: listing `after` it starts with the item that follows.
  using Key = std::function<std::string(const T&)>;

  /// `after` is where the first request starts ("" = the beginning); `key`
  /// gives an item's cursor, for resume_after(). A page in flight when the
  /// listing is destroyed is waited for (a CancellableFetch is cancelled).
  Listing(Fetch fetch, std::optional<std::size_t> max_amount, std::size_t page_size = 1000, std::string after = {},
          Key key = {})
      : Listing(CancellableFetch([fetch = std::move(fetch)](const std::string& after, std::size_t amount,
                                                            const CallOptions&) { return fetch(after, amount); }),
                max_amount, page_size, std::move(after), std::move(key)) {}

  /// As the Fetch form; every request is sent with `call` (its stop token triggered when the listing is
  /// destroyed as well), so leaving a loop early cancels the page being read ahead.
  Listing(CancellableFetch fetch, std::optional<std::size_t> max_amount, std::size_t page_size = 1000,
          std::string after = {}, Key key = {}, CallOptions call = {})
      : state_(std::make_shared<State>(
            [fetch = std::move(fetch)](const std::string& after, std::size_t amount, const CallOptions& call) {
              auto page = fetch(after, amount, call);
              Fetched fetched;
              fetched.raw.next_after = std::move(page.next_after);
              fetched.raw.results = page.items.size();
              fetched.decoded = std::make_shared<std::vector<T>>(std::move(page.items));
              return fetched;
            },
            Decode{}, max_amount, page_size, std::move(after), std::move(key), std::move(call))) {}

  /// The read-ahead form: `request` sends a page's request and returns its body undecoded, `decode` turns
  /// the body into items on the iterating thread, so the next page is on the wire while this one is decoded.
  Listing(Request request, Decode decode, std::optional<std::size_t> max_amount, std::size_t page_size = 1000,
          std::string after = {}, Key key = {})
      : Listing(
            CancellableRequest([request = std::move(request)](const std::string& after, std::size_t amount,
                                                              const CallOptions&) { return request(after, amount); }),
            std::move(decode), max_amount, page_size, std::move(after), std::move(key)) {}

  /// The read-ahead form, every request sent with `call` (as the CancellableFetch form).
  Listing(CancellableRequest request, Decode decode, std::optional<std::size_t> max_amount,
          std::size_t page_size = 1000, std::string after = {}, Key key = {}, CallOptions call = {})
      : state_(std::make_shared<State>(
            [request = std::move(request)](const std::string& after, std::size_t amount, const CallOptions& call) {
              return Fetched{request(after, amount, call), nullptr};
            },
            std::move(decode), max_amount, page_size, std::move(after), std::move(key), std::move(call))) {}

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
  // The iterating side: the current page, decoded, and the position in it. The fetching is the engine's.
  struct State {
    State(detail::ListingEngine::Request request, Decode d, std::optional<std::size_t> max, std::size_t size,
          std::string after, Key k, CallOptions call)
        : engine(std::move(request), size, std::move(call)),
          decode(std::move(d)),
          key(std::move(k)),
          start_after(std::move(after)),
          last_key(start_after),
          remaining(max) {}

    detail::ListingEngine engine;
    Decode decode{};
    Key key{};
    std::string start_after{};  // where the first page starts
    std::string last_key{};     // the cursor after the last item of the pages passed
    bool truncated = false;     // max_amount cut items off the final page

    std::optional<std::size_t> remaining;  // items still allowed by max_amount
    std::vector<T> page{};
    std::size_t index = 0;
    bool started = false;
    bool last = false;  // `page` is the final one
    bool more = false;  // the server has pages after it

    std::string key_of(const T& item) const {
      if (!key) throw std::logic_error("this Listing was built without a key: it cannot tell where it stopped");
      return key(item);
    }
    // The current page is used up: remember the cursor after its last item.
    void note_end() {
      if (!page.empty() && key) last_key = key(page.back());
    }

    // Makes `fetched` the current page: decodes it (while the next one is
    // fetched) and applies max_amount.
    void take(Fetched fetched) {
      more = !fetched.raw.next_after.empty();
      page.clear();
      index = 0;
      if (fetched.decoded) {
        page = std::move(*std::static_pointer_cast<std::vector<T>>(fetched.decoded));
      } else {
        try {
          decode(fetched.raw.body, page);
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

    void start() {
      if (started) return;
      started = true;
      last = true;  // until the first page is here: a failed begin() leaves an ended listing
      if (remaining && *remaining == 0) return;
      take(engine.first(start_after, remaining));
      if (page.empty() && !last) advance_page();
    }

    void advance_page() {
      for (;;) {
        page.clear();  // released before waiting: at most two pages in memory
        index = 0;
        std::optional<Fetched> fetched;
        try {
          fetched = engine.next(remaining);
        } catch (...) {
          last = true;
          more = false;
          throw;
        }
        if (!fetched) {
          last = true;
          return;
        }
        take(std::move(*fetched));
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
