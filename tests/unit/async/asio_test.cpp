// SPDX-License-Identifier: Apache-2.0
// The optional Asio adapter (<lakefs/async/asio.hpp>): one SDK task completes
// an asio::use_awaitable coroutine, a std::future (asio::use_future) and a
// plain callback, each on its own executor, never on the engine thread, with
// the task's exception where Asio puts errors. Built where Asio is found.
#include "lakefs/async/asio.hpp"

#include <gtest/gtest.h>

// Asio 1.22 (Debian 12's) enables co_await for clang only with the Coroutines TS; clang 14's C++20 coroutines work
// once told.
#if defined(__clang__) && !defined(ASIO_HAS_CO_AWAIT)
#define ASIO_HAS_CO_AWAIT 1
#endif
#include <asio/bind_executor.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <memory>
#include <string>
#include <thread>

#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/http.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace lakefs {
namespace {

namespace lt = lakefs::testing;

http::Request get(std::string path) {
  http::Request request;
  request.path = std::move(path);
  return request;
}

class AsioAdapter : public ::testing::Test {
 protected:
  void SetUp() override {
    fake->on("GET", "/a").always(lt::Reply::json(200, R"({"a":1})"));
    fake->on("GET", "/missing").always(lt::Reply::error(404, "not found"));
  }
  std::shared_ptr<lt::FakeTransport> fake = std::make_shared<lt::FakeTransport>();
  Client client = lt::make_client(fake);
};

TEST_F(AsioAdapter, UseAwaitableResumesOnTheIoContextWithTheValueOrTheException) {
  asio::io_context io;
  std::string body;
  bool engine_thread = true;
  bool threw_not_found = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const http::Response response = co_await async::async_run(client.send_async(get("/a")), asio::use_awaitable);
        body = response.body;
        engine_thread = async::on_engine_thread();
        try {
          (void)co_await async::async_run(client.send_async(get("/missing")), asio::use_awaitable);
        } catch (const NotFoundError&) {
          threw_not_found = true;
        }
      },
      asio::detached);
  io.run();  // returns once the coroutine ended: the adapter keeps the context busy while a task runs
  EXPECT_EQ(body, R"({"a":1})");
  EXPECT_FALSE(engine_thread);
  EXPECT_TRUE(threw_not_found);
}

TEST_F(AsioAdapter, UseFutureAndACallback) {
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  std::future<http::Response> future = async::async_run(client.send_async(get("/a")), asio::use_future);
  EXPECT_EQ(future.get().body, R"({"a":1})");
  std::future<http::Response> failing = async::async_run(client.send_async(get("/missing")), asio::use_future);
  EXPECT_THROW((void)failing.get(), NotFoundError);

  std::promise<std::thread::id> called_on;
  async::async_run(client.send_async(get("/missing")),
                   asio::bind_executor(io, [&](std::exception_ptr error, const http::Response&) {
                     EXPECT_TRUE(error);
                     called_on.set_value(std::this_thread::get_id());
                   }));
  EXPECT_EQ(called_on.get_future().get(), runner.get_id());
  work.reset();
  runner.join();
}

}  // namespace
}  // namespace lakefs
