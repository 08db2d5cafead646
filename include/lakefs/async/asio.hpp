// SPDX-License-Identifier: Apache-2.0
// Optional, header-only: lakefs::async tasks as Asio asynchronous operations
// (standalone Asio, <asio.hpp>: Debian's libasio-dev; not needed by anything
// else in the SDK). async_run(task, token) takes any completion token, so an
// Asio program awaits an SDK call with asio::use_awaitable, gets a std::future
// with asio::use_future, or passes a callback:
//
//   asio::awaitable<void> handler(lakefs::StoredObject object) {
//     lakefs::ObjectInfo info = co_await lakefs::async::async_run(object.stat_async(), asio::use_awaitable);
//     ...
//   }
//
// The completion handler runs on its associated executor (the io_context of an
// asio::awaitable), never on the SDK's engine thread; the task's exception
// arrives as the handler's first argument (use_awaitable and use_future
// rethrow it). See docs/async.md.
#pragma once

#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <exception>
#include <type_traits>
#include <utility>

#include "lakefs/async/task.hpp"

namespace lakefs::async {

namespace detail {

template <class T>
struct AsioSignature {
  using type = void(std::exception_ptr, T);
};
template <>
struct AsioSignature<void> {
  using type = void(std::exception_ptr);
};

}  // namespace detail

/// Starts `task` and completes `token` with its outcome: the completion
/// signature is `void(std::exception_ptr, T)` (`void(std::exception_ptr)` for a
/// Task<void>); on failure the value is a default-constructed T. The handler
/// is posted to its associated executor, which is kept busy (a work guard)
/// until then.
template <class T, class CompletionToken>
auto async_run(Task<T> task, CompletionToken&& token) {
  using Signature = typename detail::AsioSignature<T>::type;
  return asio::async_initiate<CompletionToken, Signature>(
      [](auto handler, Task<T> started) {
        auto work = asio::make_work_guard(asio::get_associated_executor(handler));
        spawn(std::move(started), [handler = std::move(handler), work = std::move(work)](Outcome<T> outcome) mutable {
          auto executor = work.get_executor();
          asio::post(executor, [handler = std::move(handler), outcome = std::move(outcome)]() mutable {
            if constexpr (std::is_void_v<T>) {
              std::move(handler)(outcome.error());
            } else if (outcome.has_value()) {
              std::move(handler)(std::exception_ptr(), std::move(outcome).value());
            } else {
              std::move(handler)(outcome.error(), T{});
            }
          });
          work.reset();
        });
      },
      token, std::move(task));
}

}  // namespace lakefs::async
