// SPDX-License-Identifier: Apache-2.0
#include "async/engine.hpp"

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lakefs/async/combinators.hpp"  // declares throw_zero_concurrency, exported (LAKEFS_API) from here
#include "lakefs/async/task.hpp"
#include "lakefs/errors.hpp"
#include "transport/curl_handle.hpp"
#include "transport/curl_transport.hpp"
#include "transport/paced_sink.hpp"

namespace lakefs {
namespace detail {
class EngineLoop;
}
namespace {
thread_local bool t_on_engine_thread = false;
thread_local const detail::EngineLoop* t_current_loop = nullptr;  // the loop whose thread this is
}  // namespace

namespace async {

bool on_engine_thread() noexcept { return t_on_engine_thread; }

namespace detail {

void check_not_on_engine_thread(const char* what) {
  if (t_on_engine_thread) {
    throw InvalidStateError(std::string(what) +
                            " was called on the SDK's engine thread (in a continuation of an asynchronous call): "
                            "waiting there would stall the engine that must finish the work; co_await instead");
  }
}

void throw_zero_concurrency() { throw InvalidArgumentError("for_each: concurrency must be at least 1"); }

void throw_for_each_stopped() {
  throw CancelledError("for_each: stopped before every item ran (the items that ended stay done)");
}

}  // namespace detail
}  // namespace async

namespace detail {

namespace {

using Clock = Engine::Clock;

// A transfer or a timer, owned by its loop from submission to completion.
struct Op {
  std::uint64_t id = 0;
  bool timer = false;
  std::coroutine_handle<> waiter{};
  // A transfer's
  const http::Request* request = nullptr;
  http::Result* result = nullptr;
  std::unique_ptr<curl::Handle> handle{};  // while libcurl runs it
  bool running = false;                    // admitted (libcurl's or a custom transport's)
  // A timer's
  Clock::time_point when{};
  std::stop_token stop{};
  bool* stopped = nullptr;

  struct Cancel {
    EngineLoop* loop;
    std::uint64_t id;
    void operator()() const noexcept;
  };
  std::optional<std::stop_callback<Cancel>> on_stop{};
};

struct Command {
  enum class Kind { submit, cancel, completed, unpause, resume } kind;
  std::unique_ptr<Op> op{};          // submit
  std::uint64_t id = 0;              // cancel, completed, unpause
  http::Result result{};             // completed (a custom transport's attempt)
  std::coroutine_handle<> waiter{};  // resume
};

}  // namespace

class EngineLoop : public std::enable_shared_from_this<EngineLoop> {
 public:
  EngineLoop(std::shared_ptr<Transport> transport, EngineLimits limits)
      : transport_(std::move(transport)), limits_(limits) {
    if (auto* curl_transport = dynamic_cast<CurlTransport*>(transport_.get())) setup_ = curl_transport->setup();
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epoll_ < 0 || wake_fd_ < 0) {
      const int error = errno;
      close_fds();
      throw Error(std::string("the asynchronous engine cannot create its epoll set: ") + std::strerror(error));
    }
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.fd = wake_fd_;
    (void)epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_fd_, &wake);
    curl::global_init();
    multi_ = curl_multi_init();
    if (multi_ == nullptr) {
      close_fds();
      throw std::bad_alloc();
    }
    // The connection cache holds the connections of the transfers in flight and the idle ones kept for reuse: as
    // many as may run at once (libcurl's default would keep four per easy handle ever added).
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(std::max<std::size_t>(limits_.max_in_flight, 1)));
    // libcurl tells which sockets to watch and when to act next; the loop acts on the ready sockets only
    // (curl_multi_socket_action), so a turn costs what is ready, not every transfer in flight.
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &EngineLoop::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, static_cast<void*>(this));
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &EngineLoop::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, static_cast<void*>(this));
  }
  ~EngineLoop() {
    if (multi_ != nullptr) curl_multi_cleanup(multi_);  // may still tell on_socket to forget sockets
    close_fds();
  }
  EngineLoop(const EngineLoop&) = delete;
  EngineLoop& operator=(const EngineLoop&) = delete;

  void start() {
    thread_ = std::thread([self = shared_from_this()] { self->run(); });
  }

  // Any thread: asks the loop to end (what is pending ends as cancelled) and waits for it, unless called on the
  // loop's own thread (the last owner of a client released in a continuation): then the thread ends by itself.
  void stop_and_join() {
    {
      std::lock_guard lock(mutex_);
      shutdown_ = true;
    }
    wake();
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else if (thread_.joinable()) {
      thread_.join();
    }
  }

  // Any thread.
  void submit(std::unique_ptr<Op> op) {
    if (!op->timer && queued_.fetch_add(1, std::memory_order_relaxed) >= limits_.max_queued) {
      queued_.fetch_sub(1, std::memory_order_relaxed);
      throw InvalidStateError("the asynchronous engine's queue is full (max_queued_requests = " +
                              std::to_string(limits_.max_queued) + " waiting to be sent)");
    }
    op->id = next_id_.fetch_add(1, std::memory_order_relaxed);
    post(Command{Command::Kind::submit, std::move(op)});
  }

  void cancel(std::uint64_t id) { post(Command{Command::Kind::cancel, nullptr, id}); }

  // Any thread: a paced sink made room for the chunk its transfer paused on.
  void unpause(std::uint64_t id) { post(Command{Command::Kind::unpause, nullptr, id}); }

  // Any thread: `waiter` continues on this loop's thread.
  void resume(std::coroutine_handle<> waiter) {
    Command command{Command::Kind::resume};
    command.waiter = waiter;
    post(std::move(command));
  }

 private:
  void post(Command command) {
    {
      std::lock_guard lock(mutex_);
      commands_.push_back(std::move(command));
    }
    // One wake-up per batch of commands: a poster that finds commands pending leaves the wake-up to the first,
    // and the loop's own thread needs none (it looks for commands before it waits).
    if (!pending_.exchange(true, std::memory_order_acq_rel) && t_current_loop != this) wake();
  }

  void wake() const noexcept {
    const std::uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);  // a full counter (never reached) still leaves it readable
  }

  void close_fds() noexcept {
    if (epoll_ >= 0) close(epoll_);
    if (wake_fd_ >= 0) close(wake_fd_);
    epoll_ = wake_fd_ = -1;
  }

  // libcurl: watch `socket` for `what` (or stop watching it).
  static int on_socket(CURL* /*easy*/, curl_socket_t socket, int what, void* loop, void* known) {
    auto* self = static_cast<EngineLoop*>(loop);
    if (what == CURL_POLL_REMOVE) {
      (void)epoll_ctl(self->epoll_, EPOLL_CTL_DEL, socket, nullptr);  // fails harmlessly for a closed socket
      curl_multi_assign(self->multi_, socket, nullptr);
      return 0;
    }
    epoll_event event{};
    event.events = ((what & CURL_POLL_IN) != 0 ? EPOLLIN : 0U) | ((what & CURL_POLL_OUT) != 0 ? EPOLLOUT : 0U);
    event.data.fd = socket;
    const int first = known == nullptr ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (epoll_ctl(self->epoll_, first, socket, &event) != 0) {
      // The set knew better (a socket closed and its number reused, or one added before): the other way.
      const int second = first == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
      if (epoll_ctl(self->epoll_, second, socket, &event) != 0) return -1;
    }
    if (known == nullptr) curl_multi_assign(self->multi_, socket, self);
    return 0;
  }

  // libcurl: act (CURL_SOCKET_TIMEOUT) in `ms`; -1: no timer.
  static int on_timer(CURLM* /*multi*/, long ms, void* loop) {
    auto* self = static_cast<EngineLoop*>(loop);
    if (ms < 0) {
      self->curl_due_.reset();
    } else {
      self->curl_due_ = Clock::now() + std::chrono::milliseconds(ms);
    }
    return 0;
  }

  void run() {
    t_on_engine_thread = true;
    t_current_loop = this;
    std::vector<Command> commands;
    for (;;) {
      bool shutting_down = false;
      if (pending_.exchange(false, std::memory_order_acquire)) {
        std::lock_guard lock(mutex_);
        commands.swap(commands_);
        shutting_down = shutdown_;
      } else {
        std::lock_guard lock(mutex_);
        shutting_down = shutdown_;
      }
      for (Command& command : commands) take(command);
      commands.clear();
      cancel_running();
      if (shutting_down) break;

      bool progressed = admit();
      act();
      progressed = harvest() || progressed;
      progressed = fire_due_timers() || progressed;
      // Work that became possible this turn (a slot freed, a continuation submitted more, libcurl asking to act
      // at once) goes out before any wait.
      if (pending_.load(std::memory_order_acquire) || (progressed && can_admit()) || curl_due_now()) continue;
      wait();
    }
    end_everything();
  }

  // libcurl acts on the sockets the last wait found ready, then on its timer if it is due.
  void act() {
    int running = 0;
    for (int i = 0; i < ready_; ++i) {
      const epoll_event& event = events_[static_cast<std::size_t>(i)];
      if (event.data.fd == wake_fd_) {
        std::uint64_t count = 0;
        (void)!read(wake_fd_, &count, sizeof count);
        continue;
      }
      int flags = 0;
      if ((event.events & (EPOLLIN | EPOLLHUP)) != 0) flags |= CURL_CSELECT_IN;
      if ((event.events & EPOLLOUT) != 0) flags |= CURL_CSELECT_OUT;
      if ((event.events & EPOLLERR) != 0) flags |= CURL_CSELECT_ERR;
      curl_multi_socket_action(multi_, event.data.fd, flags, &running);
    }
    ready_ = 0;
    if (curl_due_now()) {
      curl_due_.reset();  // libcurl sets the next one from within
      curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    }
  }

  [[nodiscard]] bool curl_due_now() const { return curl_due_ && *curl_due_ <= Clock::now(); }

  // Until a socket is ready, a wake-up, the nearest timer (the loop's or libcurl's), or a second at most.
  void wait() {
    constexpr auto longest = std::chrono::milliseconds(1000);  // nothing is missed by a longer wait
    const auto now = Clock::now();
    auto due = now + longest;
    if (!timers_.empty()) due = std::min(due, timers_.top().first);
    if (curl_due_) due = std::min(due, *curl_due_);
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(due - now).count();
    const int timeout = static_cast<int>(std::clamp<std::int64_t>(left, 0, longest.count()));
    const int n = epoll_wait(epoll_, events_.data(), static_cast<int>(events_.size()), timeout);
    ready_ = n > 0 ? n : 0;  // EINTR: nothing ready
  }

  void take(Command& command) {
    switch (command.kind) {
      case Command::Kind::submit: {
        Op* op = command.op.get();
        const std::stop_token& stop = op->timer ? op->stop : op->request->call.stop;
        ops_.emplace(op->id, std::move(command.op));
        if (stop.stop_requested()) {
          if (!op->timer) queued_.fetch_sub(1, std::memory_order_relaxed);
          end_cancelled(*op, "cancelled before it was sent");
          return;
        }
        if (stop.stop_possible()) op->on_stop.emplace(stop, Op::Cancel{this, op->id});
        if (op->timer) {
          timers_.emplace(op->when, op->id);
        } else {
          waiting_.push_back(op->id);
        }
        return;
      }
      case Command::Kind::cancel: {
        auto it = ops_.find(command.id);
        if (it == ops_.end()) return;
        Op& op = *it->second;
        if (op.timer) {
          *op.stopped = true;
          complete(op);
        } else if (!op.running) {
          queued_.fetch_sub(1, std::memory_order_relaxed);  // its id stays in waiting_ and is skipped there
          end_cancelled(op, "cancelled before it was sent");
        } else if (op.handle) {
          to_cancel_.push_back(op.id);  // after this turn's commands, oldest first (cancel_running)
        }
        // A custom transport's attempt runs on; it watches the same stop token and reports its end.
        return;
      }
      case Command::Kind::completed: {
        auto it = ops_.find(command.id);
        if (it == ops_.end()) return;
        --running_;
        *it->second->result = std::move(command.result);
        complete(*it->second);
        return;
      }
      case Command::Kind::unpause: {
        // The transfer may have ended (or be running unpaused) by now: libcurl ignores a needless unpause. An
        // unpause hands libcurl's held chunk to the sink again before it returns (which may pause once more).
        auto it = ops_.find(command.id);
        if (it == ops_.end() || !it->second->handle) return;
        (void)curl_easy_pause(it->second->handle->easy, CURLPAUSE_CONT);
        return;
      }
      case Command::Kind::resume:
        command.waiter.resume();
        return;
    }
  }

  // Cuts short the running transfers cancelled this turn, oldest first: each closes its connection, and libcurl
  // (7.88) finds a closing connection by walking its host's connections from the oldest, so newest first (the
  // order a shared stop token runs its callbacks in) would make stopping n transfers cost n² steps.
  void cancel_running() {
    if (to_cancel_.empty()) return;
    std::sort(to_cancel_.begin(), to_cancel_.end());
    for (const std::uint64_t id : to_cancel_) {
      auto it = ops_.find(id);
      if (it == ops_.end() || !it->second->handle) continue;  // ended meanwhile
      Op& op = *it->second;
      end_on_curl(op, CURLE_ABORTED_BY_CALLBACK);  // a transfer cut short closes its connection
      op.result->failure_message = "cancelled";
      complete(op);
    }
    to_cancel_.clear();
  }

  [[nodiscard]] bool can_admit() const noexcept { return running_ < limits_.max_in_flight && !waiting_.empty(); }

  bool admit() {
    bool any = false;
    while (can_admit()) {
      const std::uint64_t id = waiting_.front();
      waiting_.pop_front();
      auto it = ops_.find(id);
      if (it == ops_.end()) continue;  // cancelled while it waited
      queued_.fetch_sub(1, std::memory_order_relaxed);
      Op& op = *it->second;
      op.running = true;
      ++running_;
      any = true;
      if (setup_) {
        start_on_curl(op);
      } else {
        start_on_transport(op);
      }
    }
    return any;
  }

  void start_on_curl(Op& op) {
    std::unique_ptr<curl::Handle> handle;
    if (!idle_.empty()) {
      handle = std::move(idle_.back());
      idle_.pop_back();
    } else {
      handle = setup_->make_handle();
    }
    if (handle == nullptr) {
      --running_;
      op.result->failure = http::Failure::other;
      op.result->failure_message = "cannot create a libcurl handle";
      complete(op);
      return;
    }
    try {
      setup_->prepare(*handle, *op.request, op.result->response);
    } catch (...) {  // the handle's remembered state may not match its options: not reused
      --running_;
      op.result->failure = http::Failure::other;
      op.result->failure_message = "the transfer could not be set up";
      op.result->callback_error = std::current_exception();
      complete(op);
      return;
    }
    curl_easy_setopt(handle->easy, CURLOPT_PRIVATE, static_cast<void*>(&op));
    if (op.request->body_sink.target<PacedSinkRef>() != nullptr) {
      // A consumer that falls behind pauses this transfer rather than block the engine (transport/paced_sink.hpp).
      handle->transfer.wake = [loop = weak_from_this(), id = op.id] {
        if (auto alive = loop.lock()) alive->unpause(id);
      };
    }
    if (curl_multi_add_handle(multi_, handle->easy) != CURLM_OK) {
      --running_;
      op.result->failure = http::Failure::other;
      op.result->failure_message = "libcurl refused the transfer";
      complete(op);
      return;
    }
    op.handle = std::move(handle);
  }

  void start_on_transport(Op& op) {
    try {
      transport_->start(http::Request(*op.request), [self = shared_from_this(), id = op.id](http::Result result) {
        self->post(Command{Command::Kind::completed, nullptr, id, std::move(result)});
      });
    } catch (...) {
      // A transport must report, not throw; one that threw before taking the request gets the same treatment.
      post(Command{Command::Kind::completed, nullptr, op.id,
                   http::Result{.failure = http::Failure::other,
                                .failure_message = "the transport threw from start()",
                                .callback_error = std::current_exception()}});
    }
  }

  bool harvest() {
    bool any = false;
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      void* data = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &data);
      const CURLcode code = message->data.result;
      auto* op = static_cast<Op*>(data);
      end_on_curl(*op, code);  // invalidates `message`
      complete(*op);
      any = true;
    }
    return any;
  }

  bool fire_due_timers() {
    bool any = false;
    const auto now = Clock::now();
    while (!timers_.empty() && timers_.top().first <= now) {
      const std::uint64_t id = timers_.top().second;
      timers_.pop();
      auto it = ops_.find(id);
      if (it == ops_.end()) continue;  // stopped earlier
      *it->second->stopped = false;
      complete(*it->second);
      any = true;
    }
    return any;
  }

  // Takes `op`'s transfer out of the multi handle and fills its result (libcurl's `code`); its handle is kept for
  // the next transfer. The caller completes `op`.
  void end_on_curl(Op& op, CURLcode code) {
    curl_multi_remove_handle(multi_, op.handle->easy);
    --running_;
    curl::Setup::finish(*op.handle, code, *op.request, *op.result);
    recycle(std::move(op.handle));
  }

  void recycle(std::unique_ptr<curl::Handle> handle) {
    // Idle easy handles hold no connection (the multi handle's cache does): keep enough for the next burst.
    if (idle_.size() < limits_.max_in_flight) idle_.push_back(std::move(handle));
  }

  void end_cancelled(Op& op, const char* message) {
    if (op.timer) {
      *op.stopped = true;
    } else {
      op.result->failure = http::Failure::cancelled;
      op.result->failure_message = message;
    }
    complete(op);
  }

  // Ends `op`: it leaves the loop (its stop callback first, so that none runs after), then its coroutine resumes.
  void complete(Op& op) {
    auto node = ops_.extract(op.id);
    std::unique_ptr<Op> owned = std::move(node.mapped());
    owned->on_stop.reset();
    const std::coroutine_handle<> waiter = owned->waiter;
    owned.reset();
    waiter.resume();
  }

  void end_everything() {
    // Only reached when the engine is destroyed with work pending, which the SDK's tasks prevent (each keeps its
    // client alive): end it as cancelled rather than leave coroutines suspended forever.
    while (!ops_.empty()) {
      Op& op = *ops_.begin()->second;
      if (op.handle) end_on_curl(op, CURLE_ABORTED_BY_CALLBACK);
      end_cancelled(op, "cancelled: the client was destroyed");
    }
    idle_.clear();
  }

  std::shared_ptr<Transport> transport_;
  std::shared_ptr<const curl::Setup> setup_;  // null: not libcurl's transport
  EngineLimits limits_;
  CURLM* multi_ = nullptr;
  int epoll_ = -1;    // the sockets libcurl asks to watch, and wake_fd_
  int wake_fd_ = -1;  // an eventfd other threads write to when they post commands
  std::thread thread_;

  std::mutex mutex_;  // guards commands_ and shutdown_
  std::vector<Command> commands_;
  bool shutdown_ = false;
  std::atomic<bool> pending_{false};
  std::atomic<std::uint64_t> next_id_{1};
  std::atomic<std::size_t> queued_{0};  // transfers submitted and not yet admitted

  // The loop's thread only.
  std::unordered_map<std::uint64_t, std::unique_ptr<Op>> ops_;
  std::deque<std::uint64_t> waiting_;
  std::size_t running_ = 0;
  using Timer = std::pair<Clock::time_point, std::uint64_t>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::vector<std::unique_ptr<curl::Handle>> idle_;
  std::vector<std::uint64_t> to_cancel_;
  std::optional<Clock::time_point> curl_due_;  // when libcurl asked to act next
  std::array<epoll_event, 256> events_{};
  int ready_ = 0;  // events_ the last wait filled
};

namespace {
void Op::Cancel::operator()() const noexcept { loop->cancel(id); }
}  // namespace

Engine::Engine(std::shared_ptr<Transport> transport, EngineLimits limits) {
  if (limits.threads == 0) throw ConfigurationError("engine_threads must be at least 1");
  if (limits.max_in_flight == 0) throw ConfigurationError("max_in_flight must be at least 1");
  loops_.reserve(limits.threads);
  for (std::size_t i = 0; i < limits.threads; ++i) {
    loops_.push_back(std::make_shared<EngineLoop>(transport, limits));
  }
  for (auto& loop : loops_) loop->start();
}

Engine::~Engine() {
  for (auto& loop : loops_) loop->stop_and_join();
}

EngineLoop& Engine::next_loop() noexcept {
  if (loops_.size() == 1) return *loops_.front();
  return *loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
}

void Engine::resume(std::coroutine_handle<> waiter) { next_loop().resume(waiter); }

void Engine::Attempt::await_suspend(std::coroutine_handle<> waiter) {
  auto op = std::make_unique<Op>();
  op->waiter = waiter;
  op->request = request;
  op->result = &result;
  engine->next_loop().submit(std::move(op));  // the last use of *this: the coroutine may already run again
}

void Engine::Sleep::await_suspend(std::coroutine_handle<> waiter) {
  auto op = std::make_unique<Op>();
  op->timer = true;
  op->waiter = waiter;
  op->when = when;
  op->stop = stop;
  op->stopped = &stopped;
  engine->next_loop().submit(std::move(op));
}

}  // namespace detail
}  // namespace lakefs
