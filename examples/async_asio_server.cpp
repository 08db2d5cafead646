// SPDX-License-Identifier: Apache-2.0
// An Asio server whose handlers call lakeFS without blocking: a line-based TCP service on 127.0.0.1 answers
// "SIZE <path>" with the object's size on main, awaiting the SDK's stat with asio::use_awaitable
// (<lakefs/async/asio.hpp>). The io_context thread never waits for lakeFS: the request runs on the SDK's engine
// and the handler resumes on the io_context when the answer is in. The example then connects to itself, asks
// for three paths (one missing), prints the answers and stops.
//
// The client finds the server and credentials in the environment or in ~/.lakectl.yaml, as in quickstart.cpp.
// Needs standalone Asio (Debian: libasio-dev).
// Asio 1.22 (Debian 12's) enables co_await for clang only with the Coroutines TS; clang 14's C++20 coroutines work
// once told.
#if defined(__clang__) && !defined(ASIO_HAS_CO_AWAIT)
#define ASIO_HAS_CO_AWAIT 1
#endif
#include <asio.hpp>
#include <future>
#include <iostream>
#include <lakefs/async/asio.hpp>
#include <lakefs/lakefs.hpp>
#include <string>
#include <vector>

#include "support/example_env.hpp"

namespace {

using asio::ip::tcp;

// One connection: a request per line, an answer per line.
asio::awaitable<void> serve(tcp::socket socket, const lakefs::Client& client, std::string repository) {
  std::string buffer;
  for (;;) {
    const std::size_t n =
        co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), '\n', asio::use_awaitable);
    std::string line = buffer.substr(0, n - 1);
    buffer.erase(0, n);
    std::string answer;
    if (line == "QUIT") co_return;
    if (line.rfind("SIZE ", 0) != 0) {
      answer = "ERR unknown command\n";
    } else {
      lakefs::api::StatObjectRequest request{.repository = repository, .ref = "main", .path = line.substr(5)};
      try {
        const lakefs::api::ObjectStats stats = co_await lakefs::async::async_run(
            client.api().objects.stat_object_async(std::move(request)), asio::use_awaitable);
        answer = "OK " + std::to_string(stats.size_bytes.value_or(0)) + "\n";
      } catch (const lakefs::NotFoundError&) {
        answer = "ERR not found\n";
      }
    }
    co_await asio::async_write(socket, asio::buffer(answer), asio::use_awaitable);
  }
}

asio::awaitable<void> accept_one(tcp::acceptor& acceptor, const lakefs::Client& client, std::string repository) {
  tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
  co_await serve(std::move(socket), client, std::move(repository));
}

// The client side of the demonstration: plain blocking Asio on its own thread.
std::vector<std::string> ask(unsigned short port, const std::vector<std::string>& lines) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  std::vector<std::string> answers;
  std::string buffer;
  for (const auto& line : lines) {
    asio::write(socket, asio::buffer(line + "\n"));
    const std::size_t n = asio::read_until(socket, asio::dynamic_buffer(buffer), '\n');
    answers.push_back(buffer.substr(0, n - 1));
    buffer.erase(0, n);
  }
  asio::write(socket, asio::buffer(std::string("QUIT\n")));
  return answers;
}

}  // namespace

int main() try {
  const lakefs::Client client;
  const example::ScratchRepository scratch(client, "async-asio");
  auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
  repo.branch("main").object("tables/a.csv").upload("id,value\n1,42\n");
  repo.branch("main").object("tables/b.csv").upload("id,value\n1,42\n2,43\n");

  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const unsigned short port = acceptor.local_endpoint().port();
  asio::co_spawn(io, accept_one(acceptor, client, repo.id()), [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
  });
  auto answers = std::async(std::launch::async, ask, port,
                            std::vector<std::string>{"SIZE tables/a.csv", "SIZE tables/b.csv", "SIZE tables/c.csv"});
  io.run();  // until the connection is served
  const std::vector<std::string> got = answers.get();
  for (const auto& a : got) std::cout << a << "\n";
  return got == std::vector<std::string>{"OK 14", "OK 19", "ERR not found"} ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
