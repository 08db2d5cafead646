// SPDX-License-Identifier: Apache-2.0
// The transport-independent parts of the HTTP model: header lookup, percent
// encoding, and the blocking wait on a transport's completion.
#include "lakefs/http.hpp"

#include <array>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "lakefs/transport.hpp"

namespace lakefs {
namespace http {

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < key.size() && same; ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      same = key[i] == c;
    }
    if (same) return value;
  }
  return std::nullopt;
}

std::string_view to_string(Failure failure) noexcept {
  switch (failure) {
    case Failure::none:
      return "no failure";
    case Failure::cannot_connect:
      return "cannot connect";
    case Failure::connection_dropped:
      return "connection dropped";
    case Failure::timed_out:
      return "timed out";
    case Failure::tls:
      return "TLS failure";
    case Failure::cancelled:
      return "cancelled";
    case Failure::other:
      return "failed";
  }
  return "failed";
}

namespace {

// RFC 3986's unreserved characters: ALPHA / DIGIT / "-" / "." / "_" / "~".
constexpr std::array<bool, 256> unreserved_table() {
  std::array<bool, 256> table{};
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (const char c : {'-', '.', '_', '~'}) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kUnreserved = unreserved_table();

}  // namespace

void append_encoded(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  // Runs of unreserved characters (most of a name) are appended whole.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (kUnreserved[c]) continue;
    out.append(text.data() + run, i - run);
    const char escaped[3] = {'%', hex[c >> 4U], hex[c & 0xFU]};
    out.append(escaped, 3);
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
}

}  // namespace http

http::Result Transport::perform(const http::Request& request) {
  struct Waiter {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<http::Result> result;
  };
  // Shared, so a transport that completes after a (buggy) early return cannot write into a dead frame.
  auto waiter = std::make_shared<Waiter>();
  start(request, [waiter](http::Result result) {
    std::lock_guard lock(waiter->mutex);
    waiter->result = std::move(result);
    waiter->done.notify_all();
  });
  std::unique_lock lock(waiter->mutex);
  waiter->done.wait(lock, [&] { return waiter->result.has_value(); });
  return std::move(*waiter->result);
}

}  // namespace lakefs
