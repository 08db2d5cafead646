// SPDX-License-Identifier: Apache-2.0
// ClientOptions::max_connections bounds the connections a Client holds open to a server: at most
// max_connections idle ones, plus one per request in flight. Each test counts the TCP sockets its own process
// holds to the real server (its socket descriptors whose peer is the server's address), on a sampling thread
// every millisecond and after each call.
#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

using namespace std::chrono_literals;

/// The port of an endpoint "http://127.0.0.1:PORT[/...]".
int port_of(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("no port in " + endpoint);
  return std::stoi(endpoint.substr(colon + 1));
}

/// The sockets this process holds open whose peer is 127.0.0.1:`port`, in any state: an idle connection the
/// server has closed (CLOSE_WAIT) is still held open here. Each descriptor of /proc/self/fd is asked for its peer.
int sockets_to(int port) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) throw std::runtime_error("cannot read /proc/self/fd");
  const int own = ::dirfd(dir);
  int count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    const int fd = std::atoi(entry->d_name);
    struct stat st {};
    if (fd == own || ::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0 || peer.ss_family != AF_INET) continue;
    const auto& in = reinterpret_cast<const sockaddr_in&>(peer);
    if (ntohs(in.sin_port) == port && ntohl(in.sin_addr.s_addr) == INADDR_LOOPBACK) ++count;
  }
  ::closedir(dir);
  return count;
}

/// Samples sockets_to(port) on a thread of its own every millisecond until destroyed; peak() is the most seen.
class SocketSampler {
 public:
  explicit SocketSampler(int port) : port_(port), thread_([this] { run(); }) {}
  ~SocketSampler() {
    stop_ = true;
    thread_.join();
  }
  SocketSampler(const SocketSampler&) = delete;
  SocketSampler& operator=(const SocketSampler&) = delete;

  /// Counts now, from the calling thread, as well.
  void sample() { record(sockets_to(port_)); }
  [[nodiscard]] int peak() const { return peak_; }
  [[nodiscard]] long samples() const { return samples_; }

 private:
  void record(int n) {
    int seen = peak_.load();
    while (n > seen && !peak_.compare_exchange_weak(seen, n)) {
    }
    ++samples_;
  }
  void run() {
    while (!stop_) {
      record(sockets_to(port_));
      std::this_thread::sleep_for(1ms);
    }
  }

  int port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> peak_{0};
  std::atomic<long> samples_{0};
  std::thread thread_;
};

/// The test's own repository on a client that is the only one of the process: the sockets counted are all its.
class ConnectionBoundTest : public RepoTest {};

/// As ConnectionBoundTest, on a client with max_connections = 8.
class ConnectionBoundEightTest : public RepoTest {
 protected:
  static constexpr std::size_t kMaxConnections = 8;
  [[nodiscard]] ClientOptions test_client_options() const override {
    auto options = client_options();
    options.max_connections = kMaxConnections;
    return options;
  }
};

// One thread: an upload (a POST on the quickstart server), a stat (GET) and a commit (POST, on a fresh
// connection so that it is never re-sent) per round. The commit's fresh connection replaces the kept-alive one:
// never more than the one in use plus one.
TEST_F(ConnectionBoundTest, OneThreadHoldsAtMostTwoConnections) {
  auto branch = main_branch();
  const int port = port_of(server().endpoint);
  std::optional<SocketSampler> s3_sampler;  // s3 topology: the object store the data goes to, pre-signed
  if (server().s3()) s3_sampler.emplace(port_of(server().s3_endpoint));
  {
    SocketSampler sampler(port);
    for (int i = 0; i < 100; ++i) {
      const std::string path = "data/file-" + std::to_string(i);
      const std::string round = "round " + std::to_string(i);
      branch.object(path).upload(round);
      sampler.sample();
      EXPECT_EQ(branch.object(path).stat().size_bytes, static_cast<std::int64_t>(round.size()));
      sampler.sample();
      const auto commit = branch.commit(round);
      EXPECT_FALSE(commit.id.empty());
      sampler.sample();
    }
    std::cout << "peak " << sampler.peak() << " sockets in " << sampler.samples() << " samples\n";
    EXPECT_GT(sampler.samples(), 300);
    EXPECT_GE(sampler.peak(), 1);
    EXPECT_LE(sampler.peak(), 2) << "sockets held to the lakeFS server by one thread";
  }
  if (s3_sampler) {
    std::cout << "object store: peak " << s3_sampler->peak() << " sockets in " << s3_sampler->samples()
              << " samples\n";
    EXPECT_GE(s3_sampler->peak(), 1) << "the uploads went to the object store, pre-signed";
    EXPECT_LE(s3_sampler->peak(), 2) << "sockets held to the object store by one thread";
  }
}

// 16 threads on one Client with max_connections = 8, each making one call at a time (uploads, stats, existence
// checks, reads, listings read to their end, commits, branch creation and removal, log), for 30 s: never more
// than 8 idle connections plus the 16 in use.
TEST_F(ConnectionBoundEightTest, SixteenThreadsStayWithinMaxConnectionsPlusThoseInFlight) {
  constexpr int kThreads = 16;
  const auto seconds = std::chrono::seconds(30);
  const Repository& repo = this->repo();
  const int port = port_of(server().endpoint);

  std::atomic<long> operations{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  SocketSampler sampler(port);
  const auto deadline = std::chrono::steady_clock::now() + seconds;
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      try {
        auto branch = repo.branch("w" + std::to_string(t)).create("main");
        std::string uploaded;
        for (long i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
          const std::string path = "w/" + std::to_string(i % 20);
          const std::string data = "worker " + std::to_string(t) + " round " + std::to_string(i);
          switch (i % 8) {
            case 0:
            case 4:
              branch.object(path).upload(data);
              uploaded = path;
              break;
            case 1:
              if (!branch.object(uploaded).exists()) throw std::runtime_error("uploaded object missing: " + uploaded);
              break;
            case 2: {
              auto count = 0;
              for (const auto& entry : branch.objects({.prefix = "w/"})) {
                (void)entry;
                ++count;
              }
              if (count == 0) throw std::runtime_error("empty listing");
              break;
            }
            case 3:
              (void)branch.object("w/0").read_all();
              break;
            case 5:
              (void)branch.commit("round " + std::to_string(i));
              break;
            case 6: {
              auto side = repo.branch("w" + std::to_string(t) + "-side").create(branch);
              side.remove();
              break;
            }
            case 7:
              for (const auto& commit : branch.log({.max_amount = 5})) (void)commit;
              break;
          }
          ++operations;
          if (t == 0) sampler.sample();
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(failures_mutex);
        failures.push_back("worker " + std::to_string(t) + ": " + e.what());
      }
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  std::cout << operations.load() << " operations; peak " << sampler.peak() << " sockets in " << sampler.samples()
            << " samples\n";
  EXPECT_GT(operations.load(), 1000);
  EXPECT_GT(sampler.samples(), 1000);
  EXPECT_GE(sampler.peak(), 2);
  EXPECT_LE(sampler.peak(), static_cast<int>(kMaxConnections) + kThreads)
      << "sockets held to the lakeFS server by 16 threads with max_connections = 8";
  // Idle, the client holds at most max_connections.
  EXPECT_LE(sockets_to(port), static_cast<int>(kMaxConnections));
}

}  // namespace
}  // namespace lakefs::test
