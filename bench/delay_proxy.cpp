// SPDX-License-Identifier: Apache-2.0
// A loopback TCP proxy that adds latency: bench/scenarios/70-async.sh puts it
// between the benchmark programs and the local lakeFS to stand for a server
// across a region. It forwards every byte from the client to the server at
// once and holds every chunk coming back from the server for --delay-ms
// before passing it on, so each request/response exchange on a kept-alive
// connection takes that much longer; connecting is not delayed.
//
//   delay_proxy --upstream http://127.0.0.1:8000 [--delay-ms 50] [--port 0]
//
// Prints the port it listens on (127.0.0.1; --port 0 picks a free one) as one
// line on stdout once it accepts connections, then runs until SIGTERM or
// SIGINT, when it prints what it forwarded on stderr. Single-threaded (one
// epoll loop, level-triggered); a connection costs two descriptors, so it
// raises RLIMIT_NOFILE to the hard limit. Only 127.0.0.1 on either side.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t stopping = 0;
void on_signal(int /*signal*/) { stopping = 1; }

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

void no_delay(int fd) {
  const int one = 1;
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/// One proxied connection: the client's socket and ours to the server.
struct Connection {
  int client = -1;
  int server = -1;
  std::uint64_t generation = 0;  // tells held chunks of an earlier connection in the same slot apart
  bool connected = false;        // the connection to the server is established
  bool server_done = false;      // the server ended its stream (its socket is no longer watched)
  bool close_when_flushed = false;
  std::string to_server;  // bytes from the client the server's socket did not take yet
  std::string to_client;  // released bytes the client's socket did not take yet
};

/// A chunk from the server, held until `due`; an empty one with `eof` is the server's end of stream.
struct Held {
  Clock::time_point due;
  std::size_t slot;
  std::uint64_t generation;
  std::string bytes;
  bool eof;
};

class Proxy {
 public:
  Proxy(sockaddr_in upstream, std::chrono::milliseconds delay, std::uint16_t port)
      : upstream_(upstream), delay_(delay) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) fail("epoll_create1");
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener_ < 0) fail("socket");
    const int one = 1;
    (void)setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0) fail("bind");
    if (listen(listener_, 4096) < 0) fail("listen");
    socklen_t length = sizeof address;
    if (getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) < 0) fail("getsockname");
    port_ = ntohs(address.sin_port);
    watch(listener_, EPOLL_CTL_ADD, EPOLLIN, kListener);
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }

  void run() {
    std::vector<epoll_event> events(1024);
    while (!stopping) {
      const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), timeout_ms());
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("epoll_wait");
      }
      for (int i = 0; i < n; ++i) dispatch(events[static_cast<std::size_t>(i)]);
      release_due();
    }
    std::cerr << "delay_proxy: " << accepted_ << " connections, " << bytes_up_ << " bytes to the server, "
              << bytes_down_ << " bytes back in " << chunks_ << " chunks held " << delay_.count()
              << " ms each; at most " << max_held_ << " chunks held at once\n";
  }

 private:
  static constexpr std::uint64_t kListener = ~std::uint64_t{0};

  // epoll's data: the slot shifted left once, the low bit telling the server's socket from the client's.
  void watch(int fd, int op, std::uint32_t events, std::uint64_t data) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = data;
    if (epoll_ctl(epoll_, op, fd, &event) < 0) fail("epoll_ctl");
  }

  [[nodiscard]] int timeout_ms() const {
    if (held_.empty()) return -1;
    const auto left = held_.front().due - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    // Rounded up: a chunk is never released early.
    return static_cast<int>((std::chrono::duration_cast<std::chrono::microseconds>(left).count() + 999) / 1000);
  }

  void dispatch(const epoll_event& event) {
    if (event.data.u64 == kListener) {
      accept_all();
      return;
    }
    const std::size_t slot = event.data.u64 >> 1;
    const bool from_server = (event.data.u64 & 1) != 0;
    if (slot >= slots_.size() || !slots_[slot]) return;  // closed by an earlier event of this batch
    Connection& c = *slots_[slot];
    if (from_server) {
      if ((event.events & EPOLLOUT) != 0 || !c.connected) server_writable(slot, c);
      if (slots_[slot] && (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) server_readable(slot, c);
    } else {
      if ((event.events & EPOLLOUT) != 0) client_writable(slot, c);
      if (slots_[slot] && (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) client_readable(slot, c);
    }
  }

  void accept_all() {
    for (;;) {
      const int client = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (client < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE) {
          std::cerr << "delay_proxy: out of file descriptors\n";
          return;
        }
        fail("accept4");
      }
      const int server = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (server < 0) {
        close(client);
        std::cerr << "delay_proxy: socket: " << std::strerror(errno) << "\n";
        continue;
      }
      no_delay(client);
      no_delay(server);
      if (connect(server, reinterpret_cast<const sockaddr*>(&upstream_), sizeof upstream_) < 0 &&
          errno != EINPROGRESS) {
        std::cerr << "delay_proxy: connect: " << std::strerror(errno) << "\n";
        close(client);
        close(server);
        continue;
      }
      std::size_t slot;
      if (!free_.empty()) {
        slot = free_.back();
        free_.pop_back();
      } else {
        slot = slots_.size();
        slots_.emplace_back();
      }
      slots_[slot] = std::make_unique<Connection>();
      Connection& c = *slots_[slot];
      c.client = client;
      c.server = server;
      c.generation = ++generation_;
      ++accepted_;
      watch(client, EPOLL_CTL_ADD, EPOLLIN, slot << 1);
      watch(server, EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT, (slot << 1) | 1);  // EPOLLOUT: the connect completed
    }
  }

  void close_connection(std::size_t slot) {
    Connection& c = *slots_[slot];
    close(c.client);  // also removes both from the epoll set
    close(c.server);
    slots_[slot].reset();
    free_.push_back(slot);
  }

  // Sends what `c` holds for the server; watches for room when some is left.
  void server_writable(std::size_t slot, Connection& c) {
    if (c.server_done) return;
    if (!c.connected) {
      int error = 0;
      socklen_t length = sizeof error;
      if (getsockopt(c.server, SOL_SOCKET, SO_ERROR, &error, &length) < 0 || error != 0) {
        std::cerr << "delay_proxy: connecting to the server: " << std::strerror(error) << "\n";
        close_connection(slot);
        return;
      }
      c.connected = true;
    }
    if (!flush(c.server, c.to_server)) {
      close_connection(slot);
      return;
    }
    watch(c.server, EPOLL_CTL_MOD, c.to_server.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT, (slot << 1) | 1);
  }

  void client_writable(std::size_t slot, Connection& c) {
    if (!flush(c.client, c.to_client)) {
      close_connection(slot);
      return;
    }
    if (c.to_client.empty()) {
      if (c.close_when_flushed) {
        close_connection(slot);
        return;
      }
      watch(c.client, EPOLL_CTL_MOD, EPOLLIN, slot << 1);
    }
  }

  // Writes as much of `pending` as the socket takes; false on a broken connection.
  static bool flush(int fd, std::string& pending) {
    std::size_t sent = 0;
    while (sent < pending.size()) {
      const ssize_t n = send(fd, pending.data() + sent, pending.size() - sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return false;
      }
      sent += static_cast<std::size_t>(n);
    }
    pending.erase(0, sent);
    return true;
  }

  // The client's bytes go to the server at once (the delay is on the way back).
  void client_readable(std::size_t slot, Connection& c) {
    const ssize_t n = recv(c.client, buffer_, sizeof buffer_, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) {  // the client closed (or broke) the connection: nothing more is owed to it
      close_connection(slot);
      return;
    }
    bytes_up_ += static_cast<std::uint64_t>(n);
    if (c.server_done) return;  // the server closed: nothing will answer these bytes (the close follows them)
    const bool was_empty = c.to_server.empty();
    c.to_server.append(buffer_, static_cast<std::size_t>(n));
    if (!c.connected || !was_empty) return;  // the server's socket is watched for room already
    if (!flush(c.server, c.to_server)) {
      close_connection(slot);
      return;
    }
    if (!c.to_server.empty()) watch(c.server, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT, (slot << 1) | 1);
  }

  // The server's bytes (and its end of stream) are held for the delay.
  void server_readable(std::size_t slot, Connection& c) {
    const ssize_t n = recv(c.server, buffer_, sizeof buffer_, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    const bool eof = n <= 0;
    if (eof) {
      // Nothing more will come from the server: stop watching its socket (level-triggered, it would stay
      // readable, and a hang-up is reported whatever the mask).
      if (epoll_ctl(epoll_, EPOLL_CTL_DEL, c.server, nullptr) < 0) fail("epoll_ctl");
      c.server_done = true;
    } else {
      bytes_down_ += static_cast<std::uint64_t>(n);
      ++chunks_;
    }
    held_.push_back(Held{Clock::now() + delay_, slot, c.generation,
                         eof ? std::string() : std::string(buffer_, static_cast<std::size_t>(n)), eof});
    if (held_.size() > max_held_) max_held_ = held_.size();
  }

  // Passes on every chunk whose time has come (all are held equally long, so the queue is in due order).
  void release_due() {
    const auto now = Clock::now();
    while (!held_.empty() && held_.front().due <= now) {
      Held held = std::move(held_.front());
      held_.pop_front();
      if (held.slot >= slots_.size() || !slots_[held.slot] || slots_[held.slot]->generation != held.generation) {
        continue;  // its connection is gone
      }
      Connection& c = *slots_[held.slot];
      if (held.eof) {
        if (c.to_client.empty()) {
          close_connection(held.slot);
        } else {
          c.close_when_flushed = true;
        }
        continue;
      }
      const bool was_empty = c.to_client.empty();
      c.to_client += held.bytes;
      if (!was_empty) continue;  // the client's socket is watched for room already
      if (!flush(c.client, c.to_client)) {
        close_connection(held.slot);
        continue;
      }
      if (!c.to_client.empty()) watch(c.client, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT, held.slot << 1);
    }
  }

  sockaddr_in upstream_;
  std::chrono::milliseconds delay_;
  int epoll_ = -1;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::vector<std::unique_ptr<Connection>> slots_;
  std::vector<std::size_t> free_;
  std::deque<Held> held_;
  std::uint64_t generation_ = 0;
  std::uint64_t accepted_ = 0, bytes_up_ = 0, bytes_down_ = 0, chunks_ = 0;
  std::size_t max_held_ = 0;
  char buffer_[64 * 1024]{};
};

/// "http://127.0.0.1:8000", "127.0.0.1:8000/api/v1" or "localhost:8000": the loopback address and port.
sockaddr_in parse_upstream(std::string text) {
  if (const auto scheme = text.find("://"); scheme != std::string::npos) {
    if (text.substr(0, scheme) != "http") throw std::runtime_error("upstream must be plain http: " + text);
    text.erase(0, scheme + 3);
  }
  if (const auto path = text.find('/'); path != std::string::npos) text.erase(path);
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("upstream needs a port: " + text);
  const std::string host = text.substr(0, colon);
  if (host != "127.0.0.1" && host != "localhost") {
    throw std::runtime_error("upstream must be 127.0.0.1 (loopback only): " + host);
  }
  const unsigned long port = std::stoul(text.substr(colon + 1));
  if (port == 0 || port > 65535) throw std::runtime_error("bad upstream port: " + text);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  return address;
}

void raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) try {
  std::string upstream;
  long delay_ms = 50;
  long port = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "delay_proxy: " << arg << " needs a value\n";
      return 2;
    }
    if (arg == "--upstream") {
      upstream = argv[++i];
    } else if (arg == "--delay-ms") {
      delay_ms = std::stol(argv[++i]);
    } else if (arg == "--port") {
      port = std::stol(argv[++i]);
    } else {
      std::cerr << "usage: delay_proxy --upstream http://127.0.0.1:PORT [--delay-ms 50] [--port 0]\n";
      return 2;
    }
  }
  if (upstream.empty() || delay_ms < 0 || port < 0 || port > 65535) {
    std::cerr << "usage: delay_proxy --upstream http://127.0.0.1:PORT [--delay-ms 50] [--port 0]\n";
    return 2;
  }
  raise_open_files_limit();
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  Proxy proxy(parse_upstream(upstream), std::chrono::milliseconds(delay_ms), static_cast<std::uint16_t>(port));
  std::cout << proxy.port() << std::endl;
  proxy.run();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "delay_proxy: " << e.what() << "\n";
  return 1;
}
