// SPDX-License-Identifier: Apache-2.0
// The libcurl transport keeps each pooled handle's options from one request to
// the next (no curl_easy_reset). Nothing one request set may leak into the
// next: a GET after a POST, a HEAD or a streamed PUT is a plain GET. Mixed
// sequences go through one transport (one pooled handle: the requests are
// sequential) to a keep-alive HTTP/1.1 server on 127.0.0.1 that records each
// request as it arrived, and the connection it came on: POST, PATCH and DELETE
// must still come on a connection of their own (at most once on the wire),
// GET, HEAD and PUT on a kept-alive one, and the handle holds one connection
// (a fresh one replaces the kept-alive one, which is closed).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lakefs/errors.hpp"
#include "lakefs/http.hpp"
#include "lakefs/transport.hpp"
#include "transport/redaction.hpp"
#include "unit/transport/loopback_listener.hpp"

namespace {

struct Arrived {
  int connection = 0;  // 1, 2, ... in the order the server accepted them
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  [[nodiscard]] std::optional<std::string> header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
};

// HTTP/1.1 with keep-alive: a thread per connection, any number of requests per connection (Content-Length or
// chunked bodies). Answers 200 with the body "ok:METHOD" (none to a HEAD) and a mixed-case header.
class KeepAliveServer {
 public:
  KeepAliveServer() {
    listener_ = lakefs::test::listen_on_loopback(16, port_);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~KeepAliveServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : connections_) t.join();
    ::close(listener_);
  }
  KeepAliveServer(const KeepAliveServer&) = delete;
  KeepAliveServer& operator=(const KeepAliveServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  /// Connections accepted so far, and those the client has closed since (or the server, when it stops).
  [[nodiscard]] int accepted() const { return accepted_; }
  [[nodiscard]] int closed() const { return closed_; }
  [[nodiscard]] std::vector<Arrived> arrived() const {
    std::lock_guard lock(mutex_);
    return arrived_;
  }

 private:
  void accept_loop() {
    int count = 0;
    while (!stop_) {
      pollfd waiting{.fd = listener_, .events = POLLIN, .revents = 0};
      if (::poll(&waiting, 1, 20) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      accepted_ = ++count;
      connections_.emplace_back([this, fd, id = count] {
        serve(fd, id);
        ::close(fd);
        ++closed_;
      });
    }
  }

  // Reads until `data` holds at least `n` bytes; false when the peer closed or the server stops.
  bool fill(int fd, std::string& data, std::size_t n) {
    char buffer[8192];
    while (data.size() < n) {
      pollfd waiting{.fd = fd, .events = POLLIN, .revents = 0};
      if (stop_) return false;
      if (::poll(&waiting, 1, 20) <= 0) continue;
      const auto got = ::recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) return false;
      data.append(buffer, static_cast<std::size_t>(got));
    }
    return true;
  }
  bool line(int fd, std::string& data, std::string& out) {
    std::size_t end = 0;
    while ((end = data.find("\r\n")) == std::string::npos) {
      if (!fill(fd, data, data.size() + 1)) return false;
    }
    out = data.substr(0, end);
    data.erase(0, end + 2);
    return true;
  }

  void serve(int fd, int id) {
    std::string data;
    for (;;) {
      Arrived request;
      request.connection = id;
      std::string request_line;
      if (!line(fd, data, request_line)) return;
      const auto first = request_line.find(' ');
      const auto second = request_line.find(' ', first + 1);
      request.method = request_line.substr(0, first);
      request.target = request_line.substr(first + 1, second - first - 1);
      std::string header;
      std::size_t content_length = 0;
      bool chunked = false;
      while (line(fd, data, header) && !header.empty()) {
        const auto colon = header.find(':');
        std::string name = header.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = colon == std::string::npos ? "" : header.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (name == "content-length") content_length = std::stoul(value);
        if (name == "transfer-encoding" && value == "chunked") chunked = true;
        request.headers.emplace_back(std::move(name), std::move(value));
      }
      if (chunked) {
        for (;;) {
          std::string size_line;
          if (!line(fd, data, size_line)) return;
          const std::size_t size = std::stoul(size_line, nullptr, 16);
          if (!fill(fd, data, size + 2)) return;
          request.body += data.substr(0, size);
          data.erase(0, size + 2);
          if (size == 0) break;
        }
      } else if (content_length > 0) {
        if (!fill(fd, data, content_length)) return;
        request.body = data.substr(0, content_length);
        data.erase(0, content_length);
      }
      const std::string body = "ok:" + request.method;
      std::string response =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Mixed-CASE: Some Value \r\n"
          "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n";
      if (request.method != "HEAD") response += body;
      {
        std::lock_guard lock(mutex_);
        arrived_.push_back(std::move(request));
      }
      for (std::size_t sent = 0; sent < response.size();) {
        const auto wrote = ::send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (wrote <= 0) return;
        sent += static_cast<std::size_t>(wrote);
      }
    }
  }

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> closed_{0};
  mutable std::mutex mutex_;
  std::vector<Arrived> arrived_;
  std::vector<std::thread> connections_;  // touched by the acceptor only, joined after it
  std::thread acceptor_;                  // last: started once everything it uses exists
};

lakefs::http::Authorization key_pair() {
  return {.scheme = lakefs::http::Authorization::Scheme::basic, .user = "AKIAREUSETEST", .secret = "reuse-secret"};
}

// A body source yielding `text` in pieces of at most 3 bytes.
std::function<std::size_t(char*, std::size_t)> source_of(std::string text) {
  auto rest = std::make_shared<std::string>(std::move(text));
  return [rest](char* buffer, std::size_t size) {
    const std::size_t n = std::min({size, rest->size(), std::size_t{3}});
    rest->copy(buffer, n);
    rest->erase(0, n);
    return n;
  };
}

class HandleReuse : public ::testing::Test {
 protected:
  KeepAliveServer server;
  std::shared_ptr<lakefs::Transport> transport = lakefs::make_curl_transport(lakefs::TransportOptions{
      .endpoint = "http://127.0.0.1:" + std::to_string(server.port()) + "/api/v1",
      .connect_timeout = std::chrono::seconds(5),
      .request_timeout = std::chrono::seconds(20),
      .max_connections = 1,
  });

  lakefs::http::Response send(lakefs::http::Request request) {
    if (request.authorization.scheme == lakefs::http::Authorization::Scheme::none && !request.anonymous) {
      request.authorization = key_pair();
    }
    auto result = transport->perform(std::move(request));
    EXPECT_EQ(result.failure, lakefs::http::Failure::none) << result.failure_message;
    return std::move(result.response);
  }
};

// A request that went out as a plain GET: no body, no body headers, on a kept-alive connection.
void expect_plain_get(const Arrived& r, const std::string& target) {
  EXPECT_EQ(r.method, "GET") << target;
  EXPECT_EQ(r.target, target);
  EXPECT_EQ(r.body, "") << target;
  EXPECT_FALSE(r.header("content-length").has_value()) << target;
  EXPECT_FALSE(r.header("transfer-encoding").has_value()) << target;
  EXPECT_FALSE(r.header("content-type").has_value()) << target;
  EXPECT_FALSE(r.header("expect").has_value()) << target;
  EXPECT_EQ(r.header("accept").value_or(""), "application/json") << target;
}

TEST_F(HandleReuse, MixedSequenceArrivesAsSentEachTime) {
  using lakefs::http::Request;
  send(Request{.method = "POST", .path = "/a", .body = R"({"x":1})", .content_type = "application/json"});
  const auto got = send(Request{.method = "GET", .path = "/b", .query = "q=1"});
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "ok:GET");
  const auto head = send(Request{.method = "HEAD", .path = "/c"});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  send(Request{.method = "PUT",
               .path = "/d",
               .content_type = "application/octet-stream",
               .body_source = source_of("streamed put body"),
               .body_length = 17});
  send(Request{.method = "DELETE", .path = "/e"});
  send(Request{.method = "GET", .path = "/f"});
  send(Request{.method = "PATCH",
               .path = "/g",
               .content_type = "application/json",
               .body_source = source_of(R"({"chunked":true})")});
  send(Request{.method = "GET", .path = "/h"});
  send(Request{.method = "PUT", .path = "/i", .body = "in memory", .content_type = "text/plain"});
  send(Request{.method = "HEAD", .path = "/j"});
  send(Request{.method = "POST", .path = "/k"});  // a POST without a body
  send(Request{.method = "GET", .path = "/l"});
  // The same URL again, after a POST to it: the handle keeps the URL, not the method.
  send(Request{.method = "POST", .path = "/l", .body = "again", .content_type = "text/plain"});
  send(Request{.method = "GET", .path = "/l"});

  const auto seen = server.arrived();
  ASSERT_EQ(seen.size(), 14U);
  // POST with an in-memory body.
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/api/v1/a");
  EXPECT_EQ(seen[0].body, R"({"x":1})");
  EXPECT_EQ(seen[0].header("content-type").value_or(""), "application/json");
  EXPECT_EQ(seen[0].header("content-length").value_or(""), "7");
  EXPECT_FALSE(seen[0].header("expect").has_value());
  expect_plain_get(seen[1], "/api/v1/b?q=1");
  // HEAD.
  EXPECT_EQ(seen[2].method, "HEAD");
  EXPECT_EQ(seen[2].target, "/api/v1/c");
  EXPECT_EQ(seen[2].body, "");
  // PUT streamed with a known length.
  EXPECT_EQ(seen[3].method, "PUT");
  EXPECT_EQ(seen[3].body, "streamed put body");
  EXPECT_EQ(seen[3].header("content-length").value_or(""), "17");
  EXPECT_EQ(seen[3].header("content-type").value_or(""), "application/octet-stream");
  EXPECT_FALSE(seen[3].header("expect").has_value());
  // DELETE without a body.
  EXPECT_EQ(seen[4].method, "DELETE");
  EXPECT_EQ(seen[4].target, "/api/v1/e");
  EXPECT_EQ(seen[4].body, "");
  EXPECT_FALSE(seen[4].header("content-length").has_value());
  EXPECT_FALSE(seen[4].header("content-type").has_value());
  expect_plain_get(seen[5], "/api/v1/f");
  // PATCH streamed, unknown length: chunked.
  EXPECT_EQ(seen[6].method, "PATCH");
  EXPECT_EQ(seen[6].body, R"({"chunked":true})");
  EXPECT_EQ(seen[6].header("transfer-encoding").value_or(""), "chunked");
  EXPECT_FALSE(seen[6].header("content-length").has_value());
  expect_plain_get(seen[7], "/api/v1/h");
  // PUT with an in-memory body.
  EXPECT_EQ(seen[8].method, "PUT");
  EXPECT_EQ(seen[8].body, "in memory");
  EXPECT_EQ(seen[8].header("content-type").value_or(""), "text/plain");
  EXPECT_EQ(seen[9].method, "HEAD");
  // POST without a body.
  EXPECT_EQ(seen[10].method, "POST");
  EXPECT_EQ(seen[10].body, "");
  EXPECT_EQ(seen[10].header("content-length").value_or(""), "0");
  expect_plain_get(seen[11], "/api/v1/l");
  EXPECT_EQ(seen[12].method, "POST");
  EXPECT_EQ(seen[12].target, "/api/v1/l");
  EXPECT_EQ(seen[12].body, "again");
  expect_plain_get(seen[13], "/api/v1/l");

  // At most once: POST, DELETE, PATCH each on a connection never used before; GET, HEAD, PUT on one that was.
  std::vector<int> used;
  for (const auto& r : seen) {
    const bool is_new = std::find(used.begin(), used.end(), r.connection) == used.end();
    if (r.method == "POST" || r.method == "DELETE" || r.method == "PATCH") {
      EXPECT_TRUE(is_new) << r.method << ' ' << r.target << " reused a connection";
    } else {
      EXPECT_FALSE(is_new) << r.method << ' ' << r.target << " opened a new connection";
    }
    used.push_back(r.connection);
  }
  // One connection per handle: a request that opened a fresh one replaced the kept-alive one, which the client
  // closed; the requests that follow reuse the fresh one.
  for (std::size_t i = 1; i < seen.size(); ++i) {
    if (seen[i].method == "GET" || seen[i].method == "HEAD" || seen[i].method == "PUT") {
      EXPECT_EQ(seen[i].connection, seen[i - 1].connection) << seen[i].method << ' ' << seen[i].target;
    }
  }
  for (int waited = 0; server.closed() < server.accepted() - 1 && waited < 200; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server.accepted(), 5);  // the first POST, then the DELETE, the PATCH and the two later POSTs
  EXPECT_EQ(server.closed(), server.accepted() - 1) << "connections the client left open besides the last one";
  // Every request carried the key pair.
  for (const auto& r : seen) {
    EXPECT_EQ(r.header("authorization").value_or(""), "Basic " + lakefs::detail::base64("AKIAREUSETEST:reuse-secret"))
        << r.method << ' ' << r.target;
  }
}

TEST_F(HandleReuse, HeadersFollowEachRequest) {
  using lakefs::http::Request;
  using Scheme = lakefs::http::Authorization::Scheme;
  send(Request{.method = "GET", .path = "/1"});
  send(Request{.method = "GET", .path = "/2", .headers = {{"Accept", "text/plain"}, {"X-Extra", "one"}}});
  send(Request{.method = "GET", .path = "/3"});
  // Credentials change between requests: the Authorization line follows them.
  send(Request{.method = "GET", .path = "/4", .authorization = {.scheme = Scheme::bearer, .secret = "token-one"}});
  send(Request{.method = "GET", .path = "/5", .authorization = {.scheme = Scheme::bearer, .secret = "token-two"}});
  send(Request{.method = "GET",
               .path = "/6",
               .authorization = {.scheme = Scheme::basic, .user = "AKIAOTHERUSER", .secret = "reuse-secret"}});
  send(Request{.method = "GET", .path = "/7", .anonymous = true});
  send(Request{.method = "GET", .path = "/8"});

  const auto seen = server.arrived();
  ASSERT_EQ(seen.size(), 8U);
  const std::string pair = "Basic " + lakefs::detail::base64("AKIAREUSETEST:reuse-secret");
  EXPECT_EQ(seen[0].header("authorization").value_or(""), pair);
  EXPECT_EQ(seen[1].header("accept").value_or(""), "text/plain");
  EXPECT_EQ(seen[1].header("x-extra").value_or(""), "one");
  EXPECT_EQ(seen[1].header("authorization").value_or(""), pair);
  EXPECT_EQ(seen[2].header("accept").value_or(""), "application/json");
  EXPECT_FALSE(seen[2].header("x-extra").has_value());
  EXPECT_EQ(seen[3].header("authorization").value_or(""), "Bearer token-one");
  EXPECT_EQ(seen[4].header("authorization").value_or(""), "Bearer token-two");
  EXPECT_EQ(seen[5].header("authorization").value_or(""),
            "Basic " + lakefs::detail::base64("AKIAOTHERUSER:reuse-secret"));
  EXPECT_FALSE(seen[6].header("authorization").has_value());
  EXPECT_EQ(seen[7].header("authorization").value_or(""), pair);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (i != 1) expect_plain_get(seen[i], seen[i].target);  // /2 named its own Accept
  }
}

TEST_F(HandleReuse, ResponseHeadersAreLowerCasedAndTrimmed) {
  const auto response = send(lakefs::http::Request{.method = "GET", .path = "/x"});
  EXPECT_EQ(response.header("x-mixed-case").value_or(""), "Some Value");
  bool found = false;
  for (const auto& [name, value] : response.headers) {
    if (name == "x-mixed-case") found = true;
    EXPECT_EQ(name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos) << name;
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(response.header("content-length").value_or(""), "6");
}

TEST(TransportOptionsCheck, ReceiveBufferSizeWithinLibcurlsLimits) {
  const auto with = [](std::size_t size) {
    return lakefs::make_curl_transport(
        lakefs::TransportOptions{.endpoint = "http://127.0.0.1:1/api/v1", .receive_buffer_size = size});
  };
  EXPECT_THROW((void)with(1023), lakefs::ConfigurationError);
  EXPECT_THROW((void)with(10 * 1024 * 1024 + 1), lakefs::ConfigurationError);
  EXPECT_NO_THROW((void)with(1024));
  EXPECT_NO_THROW((void)with(10 * 1024 * 1024));
}

}  // namespace
