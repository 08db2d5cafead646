// Tests of the generated operation classes through the real lakefs::Transport
// against a tiny in-process HTTP/1.1 server that records each request and
// answers with a canned response: paths, query strings, headers, JSON bodies,
// anonymous operations and the streaming upload/download operations.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"

namespace lakefs::api {
namespace {

using ::testing::HasSubstr;

struct Recorded {
  std::string method;
  std::string target;                                        // path?query
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  [[nodiscard]] std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return "<absent>";
  }
  [[nodiscard]] bool has_header(const std::string& name) const { return header(name) != "<absent>"; }
};

struct Canned {
  int status = 200;
  std::string headers;  // extra "Name: value\r\n" lines
  std::string body;
};

/// Serves one request per connection on 127.0.0.1, answering from a queue.
class FakeServer {
 public:
  FakeServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 8) != 0) {
      throw std::runtime_error("FakeServer: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }

  [[nodiscard]] std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/v1"; }

  void respond(Canned canned) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(canned));
  }

  [[nodiscard]] Recorded last() {
    std::lock_guard lock(mu_);
    return requests_.empty() ? Recorded{} : requests_.back();
  }

 private:
  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  void serve() {
    for (;;) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      handle(fd);
      ::close(fd);
    }
  }

  static bool read_more(int fd, std::string& buffer) {
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  void handle(int fd) {
    std::string buffer;
    std::size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more(fd, buffer)) return;
    }
    Recorded rec;
    const std::string head = buffer.substr(0, head_end);
    std::size_t pos = head.find("\r\n");
    const std::string request_line = head.substr(0, pos);
    const auto sp1 = request_line.find(' ');
    const auto sp2 = request_line.rfind(' ');
    rec.method = request_line.substr(0, sp1);
    rec.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    while (pos != std::string::npos && pos < head.size()) {
      const auto next = head.find("\r\n", pos + 2);
      const std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        rec.headers.emplace_back(lower(line.substr(0, colon)), value);
      }
      pos = next;
    }
    std::string rest = buffer.substr(head_end + 4);
    if (rec.has_header("content-length")) {
      const auto length = std::stoull(rec.header("content-length"));
      while (rest.size() < length && read_more(fd, rest)) {
      }
      rec.body = rest.substr(0, length);
    } else if (lower(rec.header("transfer-encoding")) == "chunked") {
      std::size_t at = 0;
      for (;;) {
        std::size_t eol;
        while ((eol = rest.find("\r\n", at)) == std::string::npos) {
          if (!read_more(fd, rest)) return;
        }
        const auto size = std::stoull(rest.substr(at, eol - at), nullptr, 16);
        while (rest.size() < eol + 2 + size + 2) {
          if (!read_more(fd, rest)) return;
        }
        rec.body += rest.substr(eol + 2, size);
        at = eol + 2 + size + 2;
        if (size == 0) break;
      }
    }
    Canned canned;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(rec);
      if (!queue_.empty()) {
        canned = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    std::string reply = "HTTP/1.1 " + std::to_string(canned.status) + " X\r\nConnection: close\r\n" + canned.headers;
    if (rec.method != "HEAD" || canned.body.empty()) {
      reply += "Content-Length: " + std::to_string(canned.body.size()) + "\r\n\r\n";
      if (rec.method != "HEAD") reply += canned.body;
    } else {
      reply += "Content-Length: " + std::to_string(canned.body.size()) + "\r\n\r\n";
    }
    std::size_t sent = 0;
    while (sent < reply.size()) {
      const ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::deque<Canned> queue_;
  std::vector<Recorded> requests_;
};

TransportOptions options_for(const FakeServer& server) {
  TransportOptions options;
  options.endpoint = server.endpoint();
  options.access_key_id = "AKIAEXAMPLE";
  options.secret_access_key = "secret";
  options.max_connections = 2;
  return options;
}

constexpr const char* kRepositoryJson =
    R"({"id":"my/repo ü","creation_date":1718000000,"default_branch":"main","storage_namespace":"mem://x"})";

class ApiRequests : public ::testing::Test {
 protected:
  FakeServer server;
  Transport transport{options_for(server)};
  Api api{transport};
};

TEST_F(ApiRequests, GetRepositoryEncodesPathSegment) {
  server.respond({200, "Content-Type: application/json\r\n", kRepositoryJson});
  const Repository repo = api.repositories.get_repository({.repository = "my/repo ü"});
  EXPECT_EQ(repo.id, "my/repo ü");
  EXPECT_EQ(repo.creation_date, 1718000000);
  const Recorded r = server.last();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/api/v1/repositories/my%2Frepo%20%C3%BC");
  EXPECT_THAT(r.header("authorization"), HasSubstr("Basic "));
}

TEST_F(ApiRequests, CreateRepositorySendsJsonBodyAndQuery) {
  server.respond({201, "Content-Type: application/json\r\n", kRepositoryJson});
  (void)api.repositories.create_repository(
      {.body = {.name = "r", .storage_namespace = "mem://r", .default_branch = "main"}, .bare = true});
  const Recorded r = server.last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/v1/repositories?bare=true");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, R"({"name":"r","storage_namespace":"mem://r","default_branch":"main"})");
}

TEST_F(ApiRequests, ListObjectsQueryString) {
  server.respond(
      {200, "", R"({"pagination":{"has_more":false,"next_offset":"","results":0,"max_per_page":1000},"results":[]})"});
  const ObjectStatsList page = api.objects.list_objects(
      {.repository = "r", .ref = "feature/x", .presign = false, .after = "a b", .amount = 1000, .prefix = "data/"});
  EXPECT_TRUE(page.results.empty());
  EXPECT_EQ(server.last().target,
            "/api/v1/repositories/r/refs/feature%2Fx/objects/ls?presign=false&after=a%20b&amount=1000&prefix=data%2F");
}

TEST_F(ApiRequests, ArrayQueryParametersRepeatTheKey) {
  server.respond(
      {200, "", R"({"pagination":{"has_more":false,"next_offset":"","results":0,"max_per_page":100},"results":[]})"});
  (void)api.refs.log_commits({.repository = "r", .ref = "main", .objects = {"a", "b/c"}, .prefixes = {"p"}});
  EXPECT_THAT(server.last().target, HasSubstr("objects=a&objects=b%2Fc&prefixes=p"));
}

TEST_F(ApiRequests, HealthCheckIsAnonymousAndVoid) {
  server.respond({204, "", ""});
  api.health_check.health_check();
  const Recorded r = server.last();
  EXPECT_EQ(r.target, "/api/v1/healthcheck");
  EXPECT_FALSE(r.has_header("authorization"));
}

TEST_F(ApiRequests, DeleteBranchVoidWithQuery) {
  server.respond({204, "", ""});
  api.branches.delete_branch({.repository = "r", .branch = "b", .force = true});
  const Recorded r = server.last();
  EXPECT_EQ(r.method, "DELETE");
  EXPECT_EQ(r.target, "/api/v1/repositories/r/branches/b?force=true");
}

TEST_F(ApiRequests, GetObjectStreamsToSink) {
  std::string content(200000, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7);
  server.respond({206, "ETag: \"abc\"\r\nContent-Range: bytes 0-199999/500000\r\n", content});
  std::string received;
  std::size_t chunks = 0;
  const http::Response response =
      api.objects.get_object({.repository = "r", .ref = "main", .path = "dir/file.bin", .range = "bytes=0-199999"},
                             [&](std::string_view chunk) {
                               received.append(chunk);
                               ++chunks;
                             });
  EXPECT_EQ(received, content);
  EXPECT_GE(chunks, 1u);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.header("etag").value_or(""), "\"abc\"");
  EXPECT_EQ(response.header("content-range").value_or(""), "bytes 0-199999/500000");
  const Recorded r = server.last();
  EXPECT_EQ(r.target, "/api/v1/repositories/r/refs/main/objects?path=dir%2Ffile.bin");
  EXPECT_EQ(r.header("range"), "bytes=0-199999");
}

TEST_F(ApiRequests, UploadObjectStreamsOctetStream) {
  server.respond(
      {201, "",
       R"({"path":"a.bin","path_type":"object","physical_address":"mem://x","checksum":"c","mtime":5,"size_bytes":100000})"});
  std::size_t produced = 0;
  const std::size_t total = 100000;
  const ObjectStats stats = api.objects.upload_object({
      .repository = "r",
      .branch = "main",
      .body_source =
          [&](char* buf, std::size_t size) {
            const std::size_t n = std::min(size, total - produced);
            for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<char>('a' + (produced + i) % 26);
            produced += n;
            return n;
          },
      .body_length = total,
      .path = "a.bin",
      .if_none_match = "*",
  });
  EXPECT_EQ(stats.size_bytes, std::optional<std::int64_t>(100000));
  const Recorded r = server.last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/v1/repositories/r/branches/main/objects?path=a.bin");
  EXPECT_EQ(r.header("content-type"), "application/octet-stream");
  EXPECT_EQ(r.header("if-none-match"), "*");
  ASSERT_EQ(r.body.size(), total);
  EXPECT_EQ(r.body[26], 'a');
}

TEST_F(ApiRequests, ArrayBodyAndArrayResponse) {
  server.respond({204, "", ""});
  api.repositories.set_branch_protection_rules(
      {.repository = "r", .body = {{.pattern = "main"}, {.pattern = "rel/*"}}});
  EXPECT_EQ(server.last().body, R"([{"pattern":"main"},{"pattern":"rel/*"}])");
  server.respond({200, "", R"([{"pattern":"main"}])"});
  const auto rules = api.repositories.get_branch_protection_rules({.repository = "r"});
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].pattern, "main");
}

TEST_F(ApiRequests, MultiTagOperationAvailableOnEveryTag) {
  server.respond({201, "", ""});
  api.external.create_user_external_principal({.user_id = "u", .principal_id = "arn:x"});
  EXPECT_EQ(server.last().target, "/api/v1/auth/users/u/external/principals?principalId=arn%3Ax");
  server.respond({201, "", ""});
  api.experimental.create_user_external_principal({.user_id = "u", .principal_id = "p"});
  EXPECT_EQ(server.last().method, "POST");
}

TEST_F(ApiRequests, UndecodableResponseIsProtocolError) {
  server.respond({200, "", R"({"id":"r"})"});
  EXPECT_THROW((void)api.repositories.get_repository({.repository = "r"}), ProtocolError);
}

TEST_F(ApiRequests, ServerErrorsPropagate) {
  server.respond({404, "Content-Type: application/json\r\n", R"({"message":"repository not found"})"});
  EXPECT_THROW((void)api.repositories.get_repository({.repository = "nope"}), NotFoundError);
}

}  // namespace
}  // namespace lakefs::api
