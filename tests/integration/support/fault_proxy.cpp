// SPDX-License-Identifier: Apache-2.0
#include "support/fault_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string_view>

namespace lakefs::test {

const char* to_string(Fault fault) noexcept {
  switch (fault) {
    case Fault::none:
      return "none";
    case Fault::reset_before_forward:
      return "reset_before_forward";
    case Fault::reset_after_forward:
      return "reset_after_forward";
    case Fault::close_after_forward:
      return "close_after_forward";
    case Fault::stall:
      return "stall";
    case Fault::truncate_response:
      return "truncate_response";
    case Fault::respond:
      return "respond";
  }
  return "?";
}

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Every single wait is bounded, so a confused peer can never hang a test; the
// stop pipe ends any of them at once when the proxy stops.
constexpr milliseconds kIoTimeout{30'000};
// How long a kept-alive client connection may sit idle, like a server's idle timeout.
constexpr milliseconds kIdleTimeout{60'000};
constexpr milliseconds kConnectTimeout{5'000};
constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kMaxLine = 8 * 1024;
constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMaxConnections = 2048;  // tests/integration/async holds 1,000 requests at once

enum class Ready { yes, timeout, stopped };

Ready wait_for(int fd, short events, int stop_fd, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    const int n = ::poll(fds, 2, static_cast<int>(std::max<milliseconds::rep>(left.count(), 0)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Ready::stopped;  // cannot wait at all: give up like a stop
    if (fds[1].revents != 0) return Ready::stopped;
    if (fds[0].revents != 0) return Ready::yes;
    if (n == 0) return Ready::timeout;
  }
}

void set_socket_options(int fd) {
  const int one = 1;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // no Nagle delay between head and body
}

// An RST instead of a FIN: what the peer sees when a connection is torn down by a crash or a middlebox.
void close_with_reset(int fd) {
  const linger abort_on_close{1, 0};
  (void)::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  ::close(fd);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Whether a comma-separated header value lists `token` (e.g. "chunked" in Transfer-Encoding).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    auto item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// One socket with the bytes read from it but not consumed yet (at most a head or one read's worth).
class Peer {
 public:
  enum class Io { ok, eof, failed };

  Peer(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd) {}
  ~Peer() { close(); }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  [[nodiscard]] bool open() const noexcept { return fd_ >= 0; }
  [[nodiscard]] int fd() const noexcept { return fd_; }
  std::string& pending() noexcept { return in_; }

  void attach(int fd) noexcept {
    close();
    fd_ = fd;
  }
  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    in_.clear();
  }
  void reset() noexcept {
    if (fd_ >= 0) close_with_reset(fd_);
    fd_ = -1;
    in_.clear();
  }

  // Appends at least one byte to pending(), unless the peer closed, failed, or the wait ended.
  Io fill(milliseconds timeout = kIoTimeout) {
    for (;;) {
      if (wait_for(fd_, POLLIN, stop_fd_, timeout) != Ready::yes) return Io::failed;
      char buf[kChunk];
      const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        in_.append(buf, static_cast<std::size_t>(n));
        return Io::ok;
      }
      if (n == 0) return Io::eof;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return Io::failed;
    }
  }

  bool write_all(std::string_view data) {
    while (!data.empty()) {
      if (wait_for(fd_, POLLOUT, stop_fd_, kIoTimeout) != Ready::yes) return false;
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads up to and including the blank line that ends a message head.
  Io read_head(std::string& head, milliseconds first_byte_timeout) {
    for (;;) {
      const auto end = in_.find("\r\n\r\n");
      if (end != std::string::npos) {
        head = in_.substr(0, end + 4);
        in_.erase(0, end + 4);
        return Io::ok;
      }
      if (in_.size() > kMaxHead) return Io::failed;
      const Io io = fill(in_.empty() ? first_byte_timeout : kIoTimeout);
      if (io == Io::eof && !in_.empty()) return Io::failed;  // closed mid-head
      if (io != Io::ok) return io;
    }
  }

  // Reads one CRLF-terminated line (returned with its CRLF).
  bool read_line(std::string& line) {
    for (;;) {
      const auto end = in_.find("\r\n");
      if (end != std::string::npos) {
        line = in_.substr(0, end + 2);
        in_.erase(0, end + 2);
        return true;
      }
      if (in_.size() > kMaxLine || fill() != Io::ok) return false;
    }
  }

  // Hands exactly `n` bytes to `sink`, as they arrive; false when they did not (or the sink said stop).
  bool relay(std::uint64_t n, const std::function<bool(std::string_view)>& sink) {
    while (n > 0) {
      if (in_.empty() && fill() != Io::ok) return false;
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(n, in_.size()));
      const bool more = sink(std::string_view(in_).substr(0, take));
      in_.erase(0, take);
      n -= take;
      if (!more) return false;
    }
    return true;
  }

  // Hands everything to `sink` until the peer closes; true on a clean end.
  bool relay_until_close(const std::function<bool(std::string_view)>& sink) {
    for (;;) {
      if (!in_.empty()) {
        const bool more = sink(in_);
        in_.clear();
        if (!more) return false;
      }
      const Io io = fill();
      if (io == Io::eof) return true;
      if (io == Io::failed) return false;
    }
  }

 private:
  int fd_;
  int stop_fd_;
  std::string in_;
};

struct Head {
  std::string raw;
  std::string first_line;
  std::vector<std::pair<std::string, std::string>> fields;

  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const {
    for (const auto& [key, value] : fields) {
      if (iequals(key, name)) return value;
    }
    return std::nullopt;
  }
};

bool parse_head(std::string raw, Head& out) {
  out.raw = std::move(raw);
  out.fields.clear();
  std::string_view rest(out.raw);
  bool first = true;
  while (!rest.empty()) {
    const auto end = rest.find("\r\n");
    if (end == std::string_view::npos) return false;
    const auto line = rest.substr(0, end);
    rest.remove_prefix(end + 2);
    if (line.empty()) break;
    if (first) {
      out.first_line = std::string(line);
      first = false;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    out.fields.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return !first;
}

struct Framing {
  enum class Kind { none, length, chunked, until_close } kind = Kind::none;
  std::uint64_t length = 0;
};

bool parse_length(std::string_view text, std::uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::optional<Framing> body_framing(const Head& head, bool is_response) {
  if (auto te = head.get("transfer-encoding")) {
    if (has_token(*te, "chunked")) return Framing{Framing::Kind::chunked, 0};
    if (!is_response) return std::nullopt;  // a request body must be delimited
    return Framing{Framing::Kind::until_close, 0};
  }
  if (auto cl = head.get("content-length")) {
    Framing framing{Framing::Kind::length, 0};
    if (!parse_length(*cl, framing.length)) return std::nullopt;
    return framing;
  }
  return Framing{is_response ? Framing::Kind::until_close : Framing::Kind::none, 0};
}

// Hands a whole body, framing bytes included, to `sink`.
bool relay_body(Peer& from, const Framing& framing, const std::function<bool(std::string_view)>& sink) {
  switch (framing.kind) {
    case Framing::Kind::none:
      return true;
    case Framing::Kind::length:
      return from.relay(framing.length, sink);
    case Framing::Kind::until_close:
      return from.relay_until_close(sink);
    case Framing::Kind::chunked:
      for (;;) {
        std::string line;
        if (!from.read_line(line) || !sink(line)) return false;
        auto size_text = std::string_view(line).substr(0, line.size() - 2);
        size_text = size_text.substr(0, size_text.find(';'));
        while (!size_text.empty() && (size_text.back() == ' ' || size_text.back() == '\t')) size_text.remove_suffix(1);
        std::uint64_t size = 0;
        const auto [end, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
        if (ec != std::errc() || end != size_text.data() + size_text.size() || size_text.empty()) return false;
        if (size == 0) {
          for (;;) {  // trailer fields, then the blank line
            if (!from.read_line(line) || !sink(line)) return false;
            if (line == "\r\n") return true;
          }
        }
        if (!from.relay(size, sink)) return false;
        if (!from.read_line(line) || line != "\r\n" || !sink(line)) return false;
      }
  }
  return false;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

int connect_upstream(std::uint16_t port, int stop_fd) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS || wait_for(fd, POLLOUT, stop_fd, kConnectTimeout) != Ready::yes) {
      ::close(fd);
      return -1;
    }
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
      ::close(fd);
      return -1;
    }
  }
  set_socket_options(fd);
  return fd;
}

// A kept-alive upstream connection the server has closed meanwhile reads as ready (EOF); never forward onto it.
bool still_usable(const Peer& upstream) {
  if (!upstream.open()) return false;
  pollfd fd{upstream.fd(), POLLIN, 0};
  return ::poll(&fd, 1, 0) == 0;
}

}  // namespace

FaultProxy::FaultProxy(const std::string& upstream_endpoint) {
  const std::string prefix = "http://127.0.0.1:";
  if (!upstream_endpoint.starts_with(prefix)) {
    throw std::invalid_argument("FaultProxy forwards only to http://127.0.0.1:PORT, not " + upstream_endpoint);
  }
  const auto digits = std::string_view(upstream_endpoint).substr(prefix.size());
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || port == 0 || port > 65535 || (end != digits.data() + digits.size() && *end != '/')) {
    throw std::invalid_argument("FaultProxy: no port in " + upstream_endpoint);
  }
  upstream_port_ = static_cast<std::uint16_t>(port);

  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0)
    throw std::runtime_error("FaultProxy: pipe: " + std::string(strerror(errno)));
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 4096) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string why = strerror(errno);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
    throw std::runtime_error("FaultProxy: cannot listen on 127.0.0.1: " + why);
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
  stop();
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

void FaultProxy::stop() {
  if (stopping_.exchange(true)) return;
  const char byte = 's';
  while (::write(stop_pipe_[1], &byte, 1) < 0 && errno == EINTR) {
  }
  if (acceptor_.joinable()) acceptor_.join();
  std::lock_guard lock(workers_mutex_);
  for (auto& worker : workers_) worker.thread.join();
  workers_.clear();
  ::close(listen_fd_);
  listen_fd_ = -1;
}

std::string FaultProxy::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FaultProxy::add_rule(FaultRule rule) {
  std::lock_guard lock(mutex_);
  rules_.push_back(std::move(rule));
}

void FaultProxy::clear_rules() {
  std::lock_guard lock(mutex_);
  rules_.clear();
}

std::vector<SeenRequest> FaultProxy::requests() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

std::vector<SeenRequest> FaultProxy::requests(const std::string& method, const std::string& path_contains) const {
  std::lock_guard lock(mutex_);
  std::vector<SeenRequest> out;
  for (const auto& r : seen_) {
    if ((method.empty() || r.method == method) && r.target.find(path_contains) != std::string::npos) out.push_back(r);
  }
  return out;
}

std::size_t FaultProxy::forwarded(const std::string& method, const std::string& path_contains) const {
  const auto matching = requests(method, path_contains);
  return static_cast<std::size_t>(
      std::count_if(matching.begin(), matching.end(), [](const auto& r) { return r.forwarded; }));
}

std::size_t FaultProxy::connections_accepted() const { return accepted_.load(); }

std::string FaultProxy::log() const {
  std::string out = "requests seen by the proxy (connection.index method target fault forwarded status):\n";
  for (const auto& r : requests()) {
    out += "  " + std::to_string(r.connection) + "." + std::to_string(r.index_on_connection) + " " + r.method + " " +
           r.target + " " + to_string(r.fault) + " " + (r.forwarded ? "forwarded" : "not-forwarded") + " " +
           std::to_string(r.upstream_status) + "\n";
  }
  return out;
}

std::optional<FaultRule> FaultProxy::take_rule(const std::string& method, const std::string& target) {
  std::lock_guard lock(mutex_);
  for (auto& rule : rules_) {
    if (rule.times <= 0) continue;
    if (!rule.method.empty() && rule.method != method) continue;
    if (target.find(rule.path_contains) == std::string::npos) continue;
    --rule.times;
    return rule;
  }
  return std::nullopt;
}

std::size_t FaultProxy::record(SeenRequest request) {
  std::lock_guard lock(mutex_);
  seen_.push_back(std::move(request));
  return seen_.size() - 1;
}

void FaultProxy::update(std::size_t index, bool forwarded, int upstream_status) {
  std::lock_guard lock(mutex_);
  seen_[index].forwarded = forwarded;
  seen_[index].upstream_status = upstream_status;
}

void FaultProxy::reap_finished_workers() {
  std::lock_guard lock(workers_mutex_);
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

void FaultProxy::accept_loop() {
  while (!stopping_.load()) {
    const Ready ready = wait_for(listen_fd_, POLLIN, stop_pipe_[0], milliseconds(1'000));
    if (ready == Ready::stopped) return;
    reap_finished_workers();
    if (ready != Ready::yes) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) continue;
    const std::size_t id = ++accepted_;
    std::lock_guard lock(workers_mutex_);
    if (workers_.size() >= kMaxConnections) {  // bounded: a runaway client cannot make unbounded threads
      ::close(fd);
      continue;
    }
    set_socket_options(fd);
    auto done = std::make_shared<std::atomic<bool>>(false);
    try {
      workers_.push_back(Worker{std::thread([this, fd, id, done] {
                                  serve(fd, id);
                                  done->store(true);
                                }),
                                done});
    } catch (const std::system_error&) {
      ::close(fd);
    }
  }
}

void FaultProxy::serve(int client_fd, std::size_t connection_id) {
  const int stop_fd = stop_pipe_[0];
  Peer client(client_fd, stop_fd);
  Peer upstream(-1, stop_fd);
  std::size_t index_on_connection = 0;
  const auto discard = [](std::string_view) { return true; };
  const auto to_client = [&](std::string_view bytes) {
    if (!client.write_all(bytes)) return false;
    body_bytes_to_clients_.fetch_add(bytes.size());
    return true;
  };
  const auto to_upstream = [&](std::string_view bytes) { return upstream.write_all(bytes); };
  try {
    while (!stopping_.load()) {
      std::string raw;
      if (client.read_head(raw, kIdleTimeout) != Peer::Io::ok) return;
      Head request;
      if (!parse_head(std::move(raw), request)) return;
      const auto first_space = request.first_line.find(' ');
      const auto second_space = request.first_line.find(' ', first_space + 1);
      if (first_space == std::string::npos || second_space == std::string::npos) return;
      const std::string method = request.first_line.substr(0, first_space);
      const std::string target = request.first_line.substr(first_space + 1, second_space - first_space - 1);
      const bool http10 = request.first_line.ends_with("HTTP/1.0");
      const auto connection_header = request.get("connection");
      const bool client_wants_close = connection_header ? has_token(*connection_header, "close")
                                                        : http10;  // HTTP/1.0 closes unless asked otherwise
      const auto request_framing = body_framing(request, false);
      if (!request_framing) return;
      // We answer the expectation ourselves and strip it upstream, so the body flows once, straight through.
      const auto expect = request.get("expect");
      const bool expects_continue = expect && iequals(*expect, "100-continue");
      const auto send_continue = [&] { return !expects_continue || client.write_all("HTTP/1.1 100 Continue\r\n\r\n"); };

      ++index_on_connection;
      // In flight from the moment its head was read until this iteration ends (answered, or the connection dropped).
      struct InFlight {
        FaultProxy* proxy;
        explicit InFlight(FaultProxy* p) : proxy(p) {
          const std::size_t now = ++proxy->in_flight_;
          std::size_t peak = proxy->peak_in_flight_.load();
          while (now > peak && !proxy->peak_in_flight_.compare_exchange_weak(peak, now)) {
          }
        }
        ~InFlight() { --proxy->in_flight_; }
        InFlight(const InFlight&) = delete;
        InFlight& operator=(const InFlight&) = delete;
      } in_flight(this);
      const auto rule = take_rule(method, target);
      const Fault fault = rule ? rule->fault : Fault::none;
      const std::size_t seen = record(SeenRequest{.method = method,
                                                  .target = target,
                                                  .connection = connection_id,
                                                  .index_on_connection = index_on_connection,
                                                  .fault = fault});

      if (fault == Fault::reset_before_forward) {
        if (send_continue()) (void)relay_body(client, *request_framing, discard);
        client.reset();
        return;
      }
      if (fault == Fault::respond) {
        if (!send_continue() || !relay_body(client, *request_framing, discard)) return;
        std::string answer = "HTTP/1.1 " + std::to_string(rule->status) + " " + reason_phrase(rule->status) + "\r\n";
        for (const auto& [name, value] : rule->headers) answer += name + ": " + value + "\r\n";
        answer += "Content-Length: " + std::to_string(rule->body.size()) + "\r\n";
        if (client_wants_close) answer += "Connection: close\r\n";
        answer += "\r\n";
        answer += rule->body;
        if (!client.write_all(answer) || client_wants_close) return;
        continue;
      }

      if (!still_usable(upstream)) {
        upstream.close();
        const int fd = connect_upstream(upstream_port_, stop_fd);
        if (fd < 0) return;  // upstream down: the client sees its connection close, as if the server were gone
        upstream.attach(fd);
      }
      std::string forward_head = request.first_line + "\r\n";
      for (const auto& [name, value] : request.fields) {
        if (!iequals(name, "expect")) forward_head += name + ": " + value + "\r\n";
      }
      forward_head += "\r\n";
      if (!upstream.write_all(forward_head) || !send_continue()) return;
      // A client that gives up mid-body (an aborted upload) leaves the upstream with an incomplete body too.
      if (!relay_body(client, *request_framing, to_upstream)) return;
      update(seen, true, 0);

      Head response;
      int status = 0;
      do {  // interim 1xx answers belong to the expectation handled above
        std::string response_raw;
        if (upstream.read_head(response_raw, kIoTimeout) != Peer::Io::ok) return;
        if (!parse_head(std::move(response_raw), response)) return;
        const auto space = response.first_line.find(' ');
        if (space == std::string::npos) return;
        (void)std::from_chars(response.first_line.data() + space + 1,
                              response.first_line.data() + response.first_line.size(), status);
      } while (status >= 100 && status < 200 && status != 101);
      update(seen, true, status);

      std::optional<Framing> response_framing = Framing{};
      if (method != "HEAD" && status != 204 && status != 304) response_framing = body_framing(response, true);
      if (!response_framing) return;
      const auto upstream_connection = response.get("connection");
      const bool upstream_closes = response_framing->kind == Framing::Kind::until_close ||
                                   (upstream_connection && has_token(*upstream_connection, "close")) ||
                                   response.first_line.starts_with("HTTP/1.0");

      switch (fault) {
        case Fault::reset_after_forward:
        case Fault::close_after_forward:
          (void)relay_body(upstream, *response_framing, discard);  // the server has finished with it
          if (fault == Fault::reset_after_forward) {
            client.reset();
          } else {
            client.close();
          }
          return;
        case Fault::truncate_response: {
          if (!client.write_all(response.raw)) return;
          std::size_t budget = rule->body_bytes;
          (void)relay_body(upstream, *response_framing, [&](std::string_view bytes) {
            const auto n = std::min(budget, bytes.size());
            budget -= n;
            return client.write_all(bytes.substr(0, n)) && budget > 0;
          });
          return;  // both connections close: the client sees a body cut short
        }
        case Fault::stall: {
          const auto until = rule->stall_for ? Clock::now() + *rule->stall_for : Clock::time_point::max();
          bool watch_client = true;
          for (;;) {
            const auto now = Clock::now();
            if (now >= until) break;
            const auto left =
                until == Clock::time_point::max()
                    ? kIdleTimeout
                    : std::min(kIdleTimeout, std::chrono::duration_cast<milliseconds>(until - now) + milliseconds(1));
            // Watching the client lets a stall end when the client gives up (e.g. its timeout closed the connection).
            const Ready ready = wait_for(watch_client ? client.fd() : stop_fd, POLLIN, stop_fd, left);
            if (ready == Ready::stopped) return;
            if (ready == Ready::yes) {
              char byte = 0;
              const auto n = ::recv(client.fd(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
              if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return;
              if (n > 0) watch_client = false;  // a pipelined request waits its turn
            }
          }
          [[fallthrough]];
        }
        case Fault::none:
        case Fault::reset_before_forward:
        case Fault::respond:
          if (!client.write_all(response.raw) || !relay_body(upstream, *response_framing, to_client)) return;
          break;
      }
      if (upstream_closes) upstream.close();
      if (upstream_closes || client_wants_close) return;  // a real server closes after saying so
    }
  } catch (const std::exception&) {
    // Out of memory or a thread error in the middle of one connection: drop only that connection.
  }
}

}  // namespace lakefs::test
