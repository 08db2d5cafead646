// Credentials never follow a redirect to another host. Two tiny HTTP servers
// on 127.0.0.1: A (the client's endpoint) redirects to B under another host
// name and port; B records what it received. Through a real Client with the
// default libcurl transport: A gets the Authorization header, B gets none,
// and the GET still reaches B. A POST is never redirected at all.
#include <arpa/inet.h>
#include <gtest/gtest.h>
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

#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/http.hpp"
#include "transport/redaction.hpp"
#include "unit/transport/loopback_listener.hpp"

namespace {

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

std::string answer(const std::string& status_line, const std::string& extra_headers, const std::string& body) {
  return "HTTP/1.1 " + status_line + "\r\n" + extra_headers + "Content-Length: " + std::to_string(body.size()) +
         "\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + body;
}

// B: the other host, which must never see the client's credentials.
TinyServer other_host() {
  return TinyServer([](const Received&) { return answer("200 OK", "", "body from B"); });
}

// A: the client's endpoint, redirecting everything to B under the name "localhost" (not 127.0.0.1) and B's port.
TinyServer redirecting_to(const TinyServer& target) {
  const std::string location = "http://localhost:" + std::to_string(target.port()) + "/x";
  return TinyServer([location](const Received&) { return answer("302 Found", "Location: " + location + "\r\n", ""); });
}

lakefs::ClientOptions options_for(const TinyServer& endpoint) {
  lakefs::ClientOptions options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(endpoint.port());
  options.connect_timeout = std::chrono::seconds(5);
  options.request_timeout = std::chrono::seconds(20);
  options.retry = lakefs::RetryOptions{.max_retries = 0};
  options.explicit_only = true;
  return options;
}

// Sends a GET through `client` to A and checks it arrived at B without credentials; returns A's Authorization.
std::optional<std::string> get_through_redirect(const lakefs::Client& client, const TinyServer& a,
                                                const TinyServer& b) {
  const auto response = client.send(lakefs::http::Request{.method = "GET", .path = "/start"});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "body from B");  // the redirect was followed

  const auto at_a = a.requests();
  const auto at_b = b.requests();
  EXPECT_EQ(at_a.size(), 1U);
  EXPECT_EQ(at_b.size(), 1U);
  if (at_a.size() != 1 || at_b.size() != 1) return std::nullopt;
  EXPECT_EQ(at_a[0].target, "/api/v1/start");
  EXPECT_EQ(at_b[0].method, "GET");
  EXPECT_EQ(at_b[0].target, "/x");
  EXPECT_EQ(at_b[0].header("host").value_or(""), "localhost:" + std::to_string(b.port()));
  // No credentials of any form at the other host (the values are test constants, safe to print).
  EXPECT_FALSE(at_b[0].header("authorization").has_value()) << *at_b[0].header("authorization");
  EXPECT_FALSE(at_b[0].header("cookie").has_value());
  return at_a[0].header("authorization");
}

TEST(Redirect, KeyPairGoesToTheEndpointOnlyNotToAnotherHost) {
  const TinyServer b = other_host();
  const TinyServer a = redirecting_to(b);
  auto options = options_for(a);
  options.access_key_id = "AKIAREDIRECTTEST0001";
  options.secret_access_key = "redirect-test-secret-key";
  const lakefs::Client client(options);

  const auto authorization = get_through_redirect(client, a, b);
  ASSERT_TRUE(authorization.has_value()) << "the endpoint itself got no credentials";
  EXPECT_EQ(*authorization, "Basic " + lakefs::detail::base64("AKIAREDIRECTTEST0001:redirect-test-secret-key"));
}

TEST(Redirect, SessionTokenGoesToTheEndpointOnlyNotToAnotherHost) {
  const TinyServer b = other_host();
  const TinyServer a = redirecting_to(b);
  auto options = options_for(a);
  options.session_token = "redirect-test-session-token";
  const lakefs::Client client(options);

  const auto authorization = get_through_redirect(client, a, b);
  ASSERT_TRUE(authorization.has_value()) << "the endpoint itself got no credentials";
  EXPECT_EQ(*authorization, "Bearer redirect-test-session-token");
}

// Not about redirects, but these servers see the wire: the transport sends one Accept header, the request's own
// when it names one.
TEST(Redirect, OneAcceptHeaderOnTheWire) {
  const TinyServer server([](const Received&) { return answer("200 OK", "", "{}"); });
  auto options = options_for(server);
  options.access_key_id = "AKIAREDIRECTTEST0001";
  options.secret_access_key = "redirect-test-secret-key";
  const lakefs::Client client(options);
  (void)client.send(lakefs::http::Request{.method = "GET", .path = "/default"});
  (void)client.send(lakefs::http::Request{.method = "GET", .path = "/own", .headers = {{"ACCEPT", "text/plain"}}});
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2U);
  const auto accepts = [](const Received& r) {
    std::vector<std::string> values;
    for (const auto& [name, value] : r.headers) {
      if (name == "accept") values.push_back(value);
    }
    return values;
  };
  EXPECT_EQ(accepts(seen[0]), std::vector<std::string>{"application/json"});
  EXPECT_EQ(accepts(seen[1]), std::vector<std::string>{"text/plain"});
}

TEST(Redirect, PostIsNotRedirected) {
  const TinyServer b = other_host();
  const TinyServer a = redirecting_to(b);
  auto options = options_for(a);
  options.access_key_id = "AKIAREDIRECTTEST0001";
  options.secret_access_key = "redirect-test-secret-key";
  const lakefs::Client client(options);

  try {
    (void)client.send(lakefs::http::Request{
        .method = "POST", .path = "/start", .body = R"({"a":1})", .content_type = "application/json"});
    ADD_FAILURE() << "a 302 to a POST was taken as success";
  } catch (const lakefs::ServerError& e) {
    EXPECT_EQ(e.status(), 302);
    EXPECT_EQ(std::string(e.what()).find("redirect-test-secret-key"), std::string::npos);
  }
  const auto at_a = a.requests();
  ASSERT_EQ(at_a.size(), 1U);
  EXPECT_EQ(at_a[0].method, "POST");
  EXPECT_EQ(at_a[0].body, R"({"a":1})");
  EXPECT_TRUE(b.requests().empty()) << "the POST was redirected";
}

}  // namespace
