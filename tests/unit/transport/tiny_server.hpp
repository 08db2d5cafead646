// SPDX-License-Identifier: Apache-2.0
// A blocking HTTP/1.1 server on 127.0.0.1 for the transport tests (redirects,
// proxies): records each request and answers with what a function returns.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "unit/transport/loopback_listener.hpp"

namespace lakefs::test {

// One request as a TinyServer received it; header names lower-cased.
struct Received {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  [[nodiscard]] std::optional<std::string> header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
};

// A blocking HTTP/1.1 server on 127.0.0.1 for one test: one connection at a
// time, one request per connection (it answers "Connection: close"). Records
// every request and answers with whatever `respond` returns. Stopped and
// joined by its destructor, also when the test fails.
class TinyServer {
 public:
  using Responder = std::function<std::string(const Received&)>;

  explicit TinyServer(Responder respond) : respond_(std::move(respond)) {
    listener_ = lakefs::test::listen_on_loopback(8, port_);
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  TinyServer(const TinyServer&) = delete;
  TinyServer& operator=(const TinyServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::vector<Received> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd waiting{.fd = listener_, .events = POLLIN, .revents = 0};
      if (::poll(&waiting, 1, 50) <= 0) continue;
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) continue;
      handle(connection);
      ::close(connection);
    }
  }

  void handle(int connection) {
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string data;
    std::size_t header_end = std::string::npos;
    char buffer[4096];
    while ((header_end = data.find("\r\n\r\n")) == std::string::npos && data.size() < 65536) {
      const auto got = ::recv(connection, buffer, sizeof buffer, 0);
      if (got <= 0) return;
      data.append(buffer, static_cast<std::size_t>(got));
    }
    if (header_end == std::string::npos) return;

    Received request;
    const std::string head = data.substr(0, header_end);
    std::size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const auto first_space = request_line.find(' ');
    const auto second_space = request_line.find(' ', first_space + 1);
    request.method = request_line.substr(0, first_space);
    request.target = request_line.substr(first_space + 1, second_space - first_space - 1);
    std::size_t content_length = 0;
    while (line_end != std::string::npos) {
      const std::size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") content_length = std::stoul(value);
      request.headers.emplace_back(std::move(name), std::move(value));
    }
    request.body = data.substr(header_end + 4);
    while (request.body.size() < content_length) {  // read the whole body: closing early could reset the answer
      const auto got = ::recv(connection, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      request.body.append(buffer, static_cast<std::size_t>(got));
    }
    const std::string response = respond_(request);
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(request));
    }
    for (std::size_t sent = 0; sent < response.size();) {
      const auto wrote = ::send(connection, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (wrote <= 0) return;
      sent += static_cast<std::size_t>(wrote);
    }
  }

  Responder respond_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<Received> requests_;
  std::thread thread_;  // last: started once everything it uses exists
};

inline std::string answer(const std::string& status_line, const std::string& extra_headers, const std::string& body) {
  return "HTTP/1.1 " + status_line + "\r\n" + extra_headers + "Content-Length: " + std::to_string(body.size()) +
         "\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace lakefs::test
