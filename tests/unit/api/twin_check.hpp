// SPDX-License-Identifier: Apache-2.0
// expect_twins_agree: runs an operation of the generated API layer and then its
// asynchronous twin (x and x_async) over lakefs::testing::FakeTransport, and
// checks that both sent the same requests and ended the same way. Used by the
// generated tests/unit/api/generated_async_twins_test.cpp (every operation) and
// by tests/unit/api/async_twins_test.cpp.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/client.hpp"
#include "lakefs/http.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace lakefs::api::twins {

/// What the fake received of one attempt, comparable as a whole.
struct Sent {
  std::string method{};
  std::string path{};
  std::string query{};
  std::string absolute_url{};
  std::vector<http::Header> headers{};
  std::string content_type{};
  std::string body{};
  bool streamed = false;
  std::optional<std::uint64_t> body_length{};
  http::Authorization::Scheme scheme = http::Authorization::Scheme::none;
  std::string user{};
  bool anonymous = false;
  bool scripted = true;

  bool operator==(const Sent&) const = default;
};

inline Sent sent(const lakefs::testing::RecordedRequest& r) {
  return Sent{.method = r.method,
              .path = r.path,
              .query = r.query,
              .absolute_url = r.absolute_url,
              .headers = r.headers,
              .content_type = r.content_type,
              .body = r.body,
              .streamed = r.streamed,
              .body_length = r.body_length,
              .scheme = r.authorization.scheme,
              .user = r.authorization.user,
              .anonymous = r.anonymous,
              .scripted = r.scripted};
}

/// The attempts recorded after the first `from`.
inline std::vector<Sent> sent_since(const lakefs::testing::FakeTransport& transport, std::size_t from) {
  std::vector<Sent> out;
  const std::vector<lakefs::testing::RecordedRequest> all = transport.requests();
  for (std::size_t i = from; i < all.size(); ++i) out.push_back(sent(all[i]));
  return out;
}

inline void expect_same_requests(const std::vector<Sent>& sync, const std::vector<Sent>& twin) {
  ASSERT_EQ(sync.size(), twin.size());
  ASSERT_FALSE(sync.empty()) << "the operation sent nothing";
  for (std::size_t i = 0; i < sync.size(); ++i) {
    EXPECT_EQ(sync[i].method, twin[i].method);
    EXPECT_EQ(sync[i].path, twin[i].path);
    EXPECT_EQ(sync[i].query, twin[i].query);
    EXPECT_EQ(sync[i].headers, twin[i].headers);
    EXPECT_EQ(sync[i].body, twin[i].body);
    EXPECT_TRUE(sync[i] == twin[i]) << "request " << i << " differs (content type, length, credentials, ...)";
    EXPECT_TRUE(sync[i].scripted) << sync[i].method << " " << sync[i].path << " was not scripted";
  }
}

/// Both ended with an exception: the same type and message.
inline void expect_same_error(const std::exception_ptr& sync, const std::exception_ptr& twin) {
  auto describe = [](const std::exception_ptr& error) -> std::pair<const std::type_info*, std::string> {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      return {&typeid(e), e.what()};
    } catch (...) {
      return {&typeid(void), "not a std::exception"};
    }
  };
  const auto [sync_type, sync_what] = describe(sync);
  const auto [twin_type, twin_what] = describe(twin);
  EXPECT_EQ(*sync_type, *twin_type) << sync_type->name() << " vs " << twin_type->name();
  EXPECT_EQ(sync_what, twin_what);
}

template <class T>
void expect_same_result(const T& sync, const T& twin) {
  EXPECT_TRUE(sync == twin);
}

inline void expect_same_result(const http::Response& sync, const http::Response& twin) {
  EXPECT_EQ(sync.status, twin.status);
  EXPECT_EQ(sync.body, twin.body);
  EXPECT_EQ(sync.headers, twin.headers);
}

template <class F>
auto outcome_of(F&& call) {
  using T = std::invoke_result_t<F&>;
  try {
    if constexpr (std::is_void_v<T>) {
      call();
      return async::Outcome<void>();
    } else {
      return async::Outcome<T>(std::in_place, call());
    }
  } catch (...) {
    return async::Outcome<T>(std::current_exception());
  }
}

/// Calls `sync()`, then runs the task `twin()` returns with sync_wait: both must send the same requests and end
/// alike (equal results, or exceptions of one type and message). Returns whether the calls succeeded.
template <class Sync, class Twin>
bool expect_twins_agree(lakefs::testing::FakeTransport& transport, Sync sync, Twin twin) {
  const std::size_t before = transport.count();
  auto from_sync = outcome_of(sync);
  const std::size_t between = transport.count();
  auto from_twin = outcome_of([&] { return async::sync_wait(twin()); });
  const std::vector<Sent> all = sent_since(transport, before);
  const auto middle = all.begin() + static_cast<std::ptrdiff_t>(between - before);
  expect_same_requests({all.begin(), middle}, {middle, all.end()});
  EXPECT_EQ(from_sync.has_value(), from_twin.has_value());
  if (!from_sync.has_value() || !from_twin.has_value()) {
    if (!from_sync.has_value() && !from_twin.has_value()) expect_same_error(from_sync.error(), from_twin.error());
    return false;
  }
  if constexpr (!std::is_void_v<decltype(sync())>) expect_same_result(from_sync.value(), from_twin.value());
  return true;
}

/// Queues `ok` for both calls and checks that they agree and succeed; then queues a lakeFS 409 for both and checks
/// that they agree and fail (with ConflictError). `script` is the route the operation's request goes to.
template <class Sync, class Twin>
void expect_twins_agree_on(lakefs::testing::FakeTransport& transport, lakefs::testing::FakeTransport::Script script,
                           const lakefs::testing::Reply& ok, Sync sync, Twin twin) {
  script.reply(ok).reply(ok);
  EXPECT_TRUE(expect_twins_agree(transport, sync, twin)) << "answered " << ok.status;
  const auto refused = lakefs::testing::Reply::error(409, "refused by the test");
  script.reply(refused).reply(refused);
  EXPECT_FALSE(expect_twins_agree(transport, sync, twin)) << "answered 409";
  EXPECT_EQ(transport.remaining(), 0u) << "a call did not send its request";
}

/// A request body source giving `text`. Its position is held in the function, so each copy of a request gives the
/// whole text again.
inline std::function<std::size_t(char* buf, std::size_t size)> body_source(std::string text) {
  return [text = std::move(text), at = std::size_t{0}](char* buf, std::size_t size) mutable {
    const std::size_t n = std::min(size, text.size() - at);
    text.copy(buf, n, at);
    at += n;
    return n;
  };
}

/// Calls `start(sink)` (a streaming operation) and returns its response with the bytes the sink received as body.
template <class Start>
http::Response streamed(Start start) {
  std::string received;
  http::Response response = start([&received](std::string_view chunk) { received.append(chunk); });
  response.body = std::move(received);
  return response;
}

/// The same for the twin: `start(sink)` returns the operation's task.
template <class Start>
async::Task<http::Response> streamed_async(Start start) {
  std::string received;
  auto sink = [&received](std::string_view chunk) { received.append(chunk); };
  // Named: GCC 12 mishandles some temporaries of a co_await expression (see docs/api-layer.md).
  http::Response response = co_await start(std::move(sink));
  response.body = std::move(received);
  co_return std::move(response);
}

/// A client over a fake transport, for the twin tests.
class AsyncTwins : public ::testing::Test {
 protected:
  std::shared_ptr<lakefs::testing::FakeTransport> transport = std::make_shared<lakefs::testing::FakeTransport>();
  Client client = lakefs::testing::make_client(transport);
  Api& api = client.api();
};

}  // namespace lakefs::api::twins
