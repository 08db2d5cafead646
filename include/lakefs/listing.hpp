// Listing<T>: a lazy C++20 input range over a paginated lakeFS listing.
// Nothing is requested until iteration starts; each page is fetched when
// iteration reaches it, and the next page is requested in the background
// while the caller consumes the current one. At most two pages are held in
// memory, and `max_amount` stops without fetching beyond what is needed.
//
//   for (const auto& commit : branch.log({.max_amount = 10})) ...
//   auto names = repo.branches() | std::views::transform(&Branch::id);
#pragma once

#include <cstddef>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

namespace lakefs {

template <typename T>
struct Page {
  std::vector<T> items{};
  /// Cursor for the next page; empty when this is the last page.
  std::string next_after{};
};

template <typename T>
class Listing {
  // Declared before iterator names it: clang rejects the use otherwise.
  struct State;

 public:
  /// Fetches the page after `after` ("" = first) holding at most `amount` items.
  using Fetch = std::function<Page<T>(const std::string& after, std::size_t amount)>;

  Listing(Fetch fetch, std::optional<std::size_t> max_amount, std::size_t page_size = 1000)
      : state_(std::make_shared<State>(std::move(fetch), max_amount, page_size)) {}

  class iterator {
   public:
    using iterator_concept = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using reference = const T&;
    using pointer = const T*;

    iterator() = default;
    reference operator*() const { return state_->page.items[state_->index]; }
    pointer operator->() const { return &**this; }
    iterator& operator++() {
      state_->advance();
      return *this;
    }
    void operator++(int) { ++*this; }
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
  std::default_sentinel_t end() const noexcept { return {}; }

  /// Collects everything (bounded by max_amount) into a vector.
  std::vector<T> to_vector() {
    std::vector<T> out;
    for (auto& item : *this) out.push_back(item);
    return out;
  }

 private:
  struct State {
    State(Fetch f, std::optional<std::size_t> max, std::size_t size)
        : fetch(std::move(f)), remaining(max), page_size(size) {}
    ~State() {
      if (next.valid()) next.wait();  // never leave a request running against freed state
    }

    Fetch fetch{};
    std::optional<std::size_t> remaining;  // items still allowed by max_amount
    std::size_t page_size{};
    Page<T> page{};
    std::size_t index = 0;
    bool started = false;
    bool last = false;  // `page` is the final one
    std::future<Page<T>> next{};

    std::size_t amount() const { return remaining ? std::min(*remaining, page_size) : page_size; }

    void prefetch() {
      if (last || page.next_after.empty() || (remaining && *remaining == 0)) return;
      auto after = page.next_after;
      auto n = amount();
      next = std::async(std::launch::async, [this, after = std::move(after), n] { return fetch(after, n); });
    }

    void take(Page<T> p) {
      page = std::move(p);
      index = 0;
      if (remaining) {
        if (page.items.size() > *remaining) {
          page.items.erase(page.items.begin() + static_cast<std::ptrdiff_t>(*remaining), page.items.end());
        }
        *remaining -= page.items.size();
      }
      last = page.next_after.empty() || (remaining && *remaining == 0);
      prefetch();
      if (page.items.empty() && !last) advance_page();
    }

    void advance_page() {
      if (!next.valid()) {
        page.items.clear();
        last = true;
        return;
      }
      take(next.get());
    }

    void start() {
      if (started) return;
      started = true;
      if (remaining && *remaining == 0) {
        last = true;
        return;
      }
      take(fetch("", amount()));
    }

    void advance() {
      if (++index < page.items.size()) return;
      if (last) return;
      advance_page();
    }

    bool done() const { return index >= page.items.size() && last; }
  };

  std::shared_ptr<State> state_{};
};

}  // namespace lakefs
