// The transport-independent parts of the HTTP model: header lookup, percent
// encoding, and the blocking wait on a transport's completion.
#include "lakefs/http.hpp"

#include <cctype>
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
      same = key[i] == std::tolower(static_cast<unsigned char>(name[i]));
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

void append_encoded(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
}

}  // namespace http

http::Result Transport::perform(http::Request request) {
  struct Waiter {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<http::Result> result;
  };
  // Shared, so a transport that completes after a (buggy) early return cannot write into a dead frame.
  auto waiter = std::make_shared<Waiter>();
  start(std::move(request), [waiter](http::Result result) {
    std::lock_guard lock(waiter->mutex);
    waiter->result = std::move(result);
    waiter->done.notify_all();
  });
  std::unique_lock lock(waiter->mutex);
  waiter->done.wait(lock, [&] { return waiter->result.has_value(); });
  return std::move(*waiter->result);
}

}  // namespace lakefs
