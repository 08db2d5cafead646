// SPDX-License-Identifier: Apache-2.0
// One transfer, two ways to run it. The object transfers (upload, read into memory, download) are written once, as
// coroutines that take a Via: with Via::engine they are the asynchronous API's tasks (every request on the client's
// engine); with Via::caller every request they await is a blocking one on the calling thread, made when the task
// awaits it, so the synchronous API runs the same code (run_on_caller) with no hop to another thread and the
// blocking pool's connections, as before. Only a batch inside a transfer (the parts of a multipart upload, the ranges
// of a parallel download) goes to the engine either way (detail::run_batch).
#pragma once

#include <type_traits>
#include <utility>

#include "client_state.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/client.hpp"
#include "lakefs/http.hpp"

namespace lakefs::detail {

enum class Via {
  caller,  // blocking requests on the calling thread: the synchronous API
  engine,  // tasks on the client's engine: the asynchronous API
};

/// A task that runs `f()` on the thread that awaits it. `f` may hold references: await the task at once.
template <class F>
auto run_when_awaited(F f) -> async::Task<std::invoke_result_t<F&>> {
  if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
    f();
    co_return;
  } else {
    co_return f();
  }
}

/// `blocking()` when awaited (Via::caller), or the task `on_engine()` makes (Via::engine). Both must give the same
/// type; the lambdas may hold references: await the task at once.
template <class Blocking, class OnEngine>
auto call_via(Via via, Blocking blocking, OnEngine on_engine) -> decltype(on_engine()) {
  if (via == Via::engine) return on_engine();
  return run_when_awaited(std::move(blocking));
}

/// Runs a task made with Via::caller on this thread to its end and returns its value (or rethrows).
template <class T>
T run_on_caller(async::Task<T> task) {
  return async::detail::wait_for(std::move(task));
}

/// Sends `request` through the client's channel (retried, mapped to the SDK's errors) the Via way.
inline async::Task<http::Response> send_via(Via via, Client client, http::Request request) {
  if (via == Via::engine) co_return co_await channel_of(client).send_async(std::move(request));
  co_return channel_of(client).send(std::move(request));
}

}  // namespace lakefs::detail
