// SPDX-License-Identifier: Apache-2.0
#include "transport/channel.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "lakefs/async/combinators.hpp"
#include "lakefs/errors.hpp"
#include "transport/error_mapping.hpp"
#include "transport/request_checks.hpp"
#include "transport/retry.hpp"

namespace lakefs::detail {
namespace {

using Clock = std::chrono::steady_clock;

Outcome outcome_of(const http::Result& result) {
  switch (result.failure) {
    case http::Failure::none:
      return outcome_of_status(result.response.status);
    case http::Failure::cannot_connect:
      return Outcome::cannot_connect;
    case http::Failure::connection_dropped:
      return Outcome::connection_dropped;
    case http::Failure::timed_out:
      return Outcome::timed_out;
    case http::Failure::tls:
    case http::Failure::cancelled:
    case http::Failure::other:
      return Outcome::ok;
  }
  return Outcome::ok;
}

std::string format_ms(Clock::duration elapsed) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f ms", std::chrono::duration<double, std::milli>(elapsed).count());
  return text;
}

}  // namespace

// What a credentials provider may ask of this channel: a login without credentials.
class Channel::Context final : public CredentialsContext {
 public:
  explicit Context(const Channel& channel) : channel_(channel) {}

  Credentials login(const std::string& access_key_id, const std::string& secret_access_key) override {
    channel_.remember_secrets({.access_key_id = access_key_id, .secret_access_key = secret_access_key});
    if (channel_.login_ == nullptr) throw NotSupportedError("this client's channel has no login exchange");
    Credentials credentials = channel_.login_(channel_, access_key_id, secret_access_key);
    channel_.remember_secrets(credentials);
    return credentials;
  }

 private:
  const Channel& channel_;
};

Channel::Channel(std::shared_ptr<Transport> transport, std::string origin, RetryOptions retry,
                 std::chrono::milliseconds request_timeout, std::shared_ptr<CredentialsProvider> credentials,
                 Logger logger, LoginExchange login, std::shared_ptr<RequestHook> hook, EngineLimits engine_limits)
    : transport_(std::move(transport)),
      origin_(std::move(origin)),
      retry_(retry),
      request_timeout_(request_timeout),
      logger_(std::move(logger)),
      login_(login),
      hook_(std::move(hook)),
      provider_(std::move(credentials)),
      engine_limits_(engine_limits) {}

Channel::~Channel() = default;

void Channel::set_credentials(std::shared_ptr<CredentialsProvider> provider) {
  std::lock_guard lock(credentials_mutex_);
  provider_ = std::move(provider);
  current_.reset();
  current_authorization_.reset();
}

void Channel::remember_secrets(const Credentials& credentials) const {
  std::lock_guard lock(secrets_mutex_);
  redactor_.add(credentials.access_key_id, credentials.secret_access_key, credentials.session_token);
}

Redactor Channel::redactor() const {
  std::lock_guard lock(secrets_mutex_);
  return redactor_;
}

namespace {

http::Authorization authorization_of(const Credentials& credentials) {
  http::Authorization auth;
  if (!credentials.session_token.empty()) {
    auth.scheme = http::Authorization::Scheme::bearer;
    auth.secret = credentials.session_token;
  } else if (!credentials.access_key_id.empty()) {
    auth.scheme = http::Authorization::Scheme::basic;
    auth.user = credentials.access_key_id;
    auth.secret = credentials.secret_access_key;
  }
  return auth;
}

bool same(const http::Authorization& a, const http::Authorization& b) {
  return a.scheme == b.scheme && a.user == b.user && a.secret == b.secret;
}

}  // namespace

std::shared_ptr<const http::Authorization> Channel::authorization(const http::Authorization* rejected) const {
  std::lock_guard lock(credentials_mutex_);
  if (!provider_) {
    static const auto none = std::make_shared<const http::Authorization>();
    return none;
  }
  const bool expired = current_ && current_->expires_at && *current_->expires_at <= std::chrono::system_clock::now();
  // After a 401, renew only if no other thread has renewed since the rejected credentials were handed out.
  const bool renew = rejected != nullptr && current_ && current_authorization_.get() == rejected;
  if (!current_ || expired || renew) {
    Context context(*this);
    Credentials fresh = provider_->fetch(context, renew);
    // A token travels verbatim in the Authorization header: a line break in it would add header lines.
    if (!is_header_value(fresh.session_token)) {
      throw ConfigurationError("the credentials provider (" + provider_->describe() +
                               ") returned a session token with a control character (CR, LF, NUL, ...)");
    }
    remember_secrets(fresh);
    if (logger_.enabled(LogLevel::debug)) {
      logger_.write(LogLevel::debug, std::string(renew     ? "renewed rejected"
                                                 : expired ? "renewed expired"
                                                           : "obtained") +
                                         " credentials from " + provider_->describe());
    }
    // Credentials renewed to the same values keep the same Authorization: a 401 they drew is not retried.
    http::Authorization next = authorization_of(fresh);
    if (!current_authorization_ || !same(*current_authorization_, next)) {
      current_authorization_ = std::make_shared<const http::Authorization>(std::move(next));
    }
    current_ = std::move(fresh);
  }
  return current_authorization_;
}

// One call's way through the retry loop, attempt by attempt: what the blocking loop (send) and the coroutine
// (send_async) share. They differ only in how an attempt is performed and how a back-off is waited for.
class Channel::Exchange {
 public:
  enum class Next {
    done,         // take_response()
    retry_now,    // with renewed credentials: prepare_retry(), then the next attempt
    retry_after,  // wait delay() (unless stopped: throw_cancelled_while_waiting()), prepare_retry(), next attempt
    failed,       // no answer: the call ends with take_error() (a TransportError or CancelledError)
  };

  // Checks `request` and readies it; throws for one that must not be sent (or is cancelled already).
  Exchange(const Channel& channel, http::Request& request)
      : channel_(channel), request_(request), hook_(channel.hook_.get()) {
    if (!request_.call.headers.empty()) {
      check_call_headers(request_.call.headers);
      // A pre-signed request goes to the object store, whose signature may cover headers: the call's extra headers
      // are for lakeFS.
      if (request_.absolute_url.empty()) {
        request_.headers.insert(request_.headers.end(), request_.call.headers.begin(), request_.call.headers.end());
      }
    }
    check_request(request_);
    method_ = request_.method;
    // The retry rules go by method; an operation marked not idempotent is treated as a POST, and the call may say
    // otherwise either way.
    idempotent_ = request_.call.idempotent.value_or(!request_.not_idempotent && is_idempotent(method_));
    deadline_ = request_.call.deadline;
    attempt_timeout_ = request_.call.timeout.value_or(channel_.request_timeout_);
    authenticated_ = !request_.anonymous && request_.absolute_url.empty();
    if (hook_ != nullptr || channel_.logger_.enabled(LogLevel::debug) || channel_.logger_.enabled(LogLevel::info)) {
      target_ = loggable_target(request_.path, request_.absolute_url.empty() ? request_.query : "");
    }
    if (request_.call.stop.stop_requested()) {
      throw CancelledError(method_ + " " + scrubbed(request_.path) + ": cancelled before it was sent");
    }
    first_start_ = Clock::now();
  }

  [[nodiscard]] http::Request& request() noexcept { return request_; }
  [[nodiscard]] std::chrono::milliseconds delay() const noexcept { return delay_; }

  // Readies the next attempt: credentials, the time left before the deadline, the hook's headers.
  void begin() {
    if (authenticated_) {
      used_ = channel_.authorization(nullptr);
      if (!same(request_.authorization, *used_)) request_.authorization = *used_;
    }
    if (deadline_) {
      // Each attempt gets the time left, unless its own timeout is shorter.
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline_ - Clock::now());
      if (left.count() <= 0) {
        throw_transport_error(http::Failure::timed_out, "the call's deadline passed before this attempt was sent",
                              method_, scrubbed(request_.path), server(), !idempotent_ && earlier_attempt_unanswered_);
      }
      request_.call.timeout = attempt_timeout_.count() > 0 ? std::min(attempt_timeout_, left) : left;
    }
    own_headers_ = request_.headers.size();
    if (hook_ != nullptr) {
      observed_.emplace();
      observed_->method = method_;
      observed_->target = scrubbed(target_);
      observed_->attempt = sent_;
      observed_->presigned = !request_.absolute_url.empty();
      hook_->before_attempt(*observed_);
      if (!observed_->headers.empty()) {
        check_call_headers(observed_->headers, "a request hook's RequestAttempt::headers");
        request_.headers.insert(request_.headers.end(), observed_->headers.begin(), observed_->headers.end());
      }
    }
    started_ = Clock::now();
  }

  // Takes the attempt's result: what to do next, or throws the call's error.
  Next end(http::Result&& attempt_result) {
    result_ = std::move(attempt_result);
    http::Result& result = result_;
    elapsed_ = Clock::now() - started_;
    request_.headers.resize(own_headers_);
    ++sent_;
    const Logger& logger = channel_.logger_;
    if (logger.enabled(LogLevel::debug)) {
      std::string line = method_ + " " + target_ + " ";
      if (result.failure == http::Failure::none) {
        line += std::to_string(result.response.status);
      } else {
        line += http::to_string(result.failure);
      }
      line += " " + format_ms(elapsed_) + ", sent " + std::to_string(result.bytes_sent) + " B, received " +
              std::to_string(result.bytes_received) + " B";
      if (auto id = result.response.header("x-request-id")) line += ", request id " + std::string(*id);
      log(LogLevel::debug, std::move(line));
    }
    if (result.callback_error) {
      observe_end(false);
      std::rethrow_exception(result.callback_error);
    }

    if (result.failure == http::Failure::none && result.response.status == 401 && authenticated_ &&
        !renewed_after_401_ && !result.body_streamed) {
      // Expired or revoked credentials: ask the provider once for new ones. A 401 is answered before anything is
      // applied, so even a POST may go again.
      renewed_after_401_ = true;
      bool renewed = false;
      try {
        renewed = channel_.authorization(used_.get()) != used_;
      } catch (...) {
        observe_end(false);
        throw;
      }
      if (renewed) {
        observe_end(true);
        if (logger.enabled(LogLevel::info)) {
          log(LogLevel::info, method_ + " " + target_ + ": HTTP 401, retrying with renewed credentials");
        }
        return Next::retry_now;  // not a retry: `attempt_` stays
      }
    }

    const RetryOptions& policy = request_.call.retry ? *request_.call.retry : channel_.retry_;
    std::optional<std::chrono::seconds> retry_after;
    if (result.failure == http::Failure::none) {
      if (auto header = result.response.header("retry-after")) retry_after = parse_retry_after(*header);
    }
    const bool unrepeatable = result.body_streamed && !request_.restart_body;
    const std::string_view retry_method = idempotent_ ? std::string_view("PUT") : std::string_view("POST");
    if (should_retry(retry_method, outcome_of(result), attempt_, policy.max_retries, unrepeatable)) {
      thread_local std::minstd_rand jitter_source{std::random_device{}()};
      const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(jitter_source);
      delay_ = retry_delay(attempt_, policy, retry_after, jitter);
      const auto retry_at = Clock::now() + delay_;
      const bool within_budget = (policy.total_budget.count() == 0 || retry_at - first_start_ < policy.total_budget) &&
                                 (!deadline_ || retry_at < *deadline_);
      if (within_budget) {
        observe_end(true);
        if (result.failure != http::Failure::none && result.request_sent) earlier_attempt_unanswered_ = true;
        if (logger.enabled(LogLevel::info)) {
          const std::string reason = result.failure == http::Failure::none
                                         ? "HTTP " + std::to_string(result.response.status)
                                         : std::string(http::to_string(result.failure));
          log(LogLevel::info, "retry " + std::to_string(attempt_ + 1) + "/" + std::to_string(policy.max_retries) +
                                  " of " + method_ + " " + target_ + " in " + std::to_string(delay_.count()) +
                                  " ms: " + reason + (retry_after ? " (Retry-After)" : ""));
        }
        ++attempt_;
        return Next::retry_after;
      }
    }
    observe_end(false);
    if (result.failure != http::Failure::none) {
      const bool sent_unanswered = result.request_sent || earlier_attempt_unanswered_;
      // A pre-signed request failed on the object store's host, not on lakeFS's: name that host (never the URL's
      // query, which holds the signature). Made, not thrown: a task hands it up without unwinding (a stop of
      // many requests ends each this way).
      error_ = transport_error(result.failure, scrubbed(result.failure_message), method_, scrubbed(request_.path),
                               server(), !idempotent_ && sent_unanswered);
      return Next::failed;
    }
    const int status = result.response.status;
    if (status == 404 && method_ == "DELETE" && earlier_attempt_unanswered_) {
      // The first DELETE was applied and its answer lost; the retry finds nothing left to delete. Deleting is
      // what was asked, and it happened: report success, not "not found".
      result.response.status = 204;
      result.response.body.clear();
      return Next::done;
    }
    if (status < 200 || status >= 300) {
      throw_server_error(result.response, method_, scrubbed(request_.path), channel_.redactor());
    }
    return Next::done;
  }

  // Before the attempt after a retry_now or retry_after: a streamed body starts over.
  void prepare_retry() {
    if (result_.body_streamed) request_.restart_body();
  }

  [[nodiscard]] http::Response take_response() noexcept { return std::move(result_.response); }
  [[nodiscard]] std::exception_ptr take_error() noexcept { return std::move(error_); }

  [[noreturn]] void throw_cancelled_while_waiting() const {
    throw CancelledError(method_ + " " + scrubbed(request_.path) + ": cancelled while waiting to retry",
                         !idempotent_ && earlier_attempt_unanswered_);
  }

 private:
  // A path may name a credential (/auth/users/u/credentials/<key id>): log lines and the paths errors show are
  // scrubbed like error texts.
  [[nodiscard]] std::string scrubbed(std::string text) const {
    std::lock_guard lock(channel_.secrets_mutex_);
    return channel_.redactor_.scrub(std::move(text));
  }
  void log(LogLevel level, std::string line) const { channel_.logger_.write(level, scrubbed(std::move(line))); }
  [[nodiscard]] std::string server() const {
    return request_.absolute_url.empty() ? channel_.origin_ : origin_of(request_.absolute_url);
  }

  // Tells the hook how the attempt ended, once.
  void observe_end(bool will_retry) {
    if (!observed_) return;
    AttemptResult seen;
    seen.failure = result_.failure;
    if (result_.failure == http::Failure::none) seen.status = result_.response.status;
    seen.elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed_);
    seen.bytes_sent = result_.bytes_sent;
    seen.bytes_received = result_.bytes_received;
    if (auto id = result_.response.header("x-request-id")) seen.request_id = std::string(*id);
    seen.will_retry = will_retry;
    RequestAttempt ended = std::move(*observed_);
    observed_.reset();
    hook_->after_attempt(ended, seen);
  }

  const Channel& channel_;
  http::Request& request_;
  RequestHook* hook_;
  std::string method_;
  bool idempotent_ = true;
  bool authenticated_ = false;
  std::optional<Clock::time_point> deadline_;
  std::chrono::milliseconds attempt_timeout_{0};
  std::string target_;
  Clock::time_point first_start_{};
  Clock::time_point started_{};
  Clock::duration elapsed_{};
  // An earlier attempt was sent and its answer lost: the server may have applied it.
  bool earlier_attempt_unanswered_ = false;
  bool renewed_after_401_ = false;
  int attempt_ = 0;  // retries so far (a repeat after a 401 is not one)
  int sent_ = 0;     // attempts so far, for the hook
  std::chrono::milliseconds delay_{0};
  std::shared_ptr<const http::Authorization> used_;
  std::optional<RequestAttempt> observed_;  // the hook's view of the attempt in progress
  std::size_t own_headers_ = 0;             // the request's headers before the hook added its own
  http::Result result_;
  std::exception_ptr error_;  // Next::failed's
};

http::Response Channel::send(http::Request&& request) const {
  Exchange exchange(*this, request);
  for (;;) {
    exchange.begin();
    const Exchange::Next next = exchange.end(transport_->perform(request));
    if (next == Exchange::Next::done) return exchange.take_response();
    if (next == Exchange::Next::failed) std::rethrow_exception(exchange.take_error());
    if (next == Exchange::Next::retry_after && sleep_unless_stopped(exchange.delay(), request.call.stop)) {
      exchange.throw_cancelled_while_waiting();
    }
    exchange.prepare_retry();
  }
}

async::Task<http::Response> Channel::send_async(http::Request request) const {
  // The client stays alive from now until the task ends, though the caller may drop every handle to it before the
  // task even starts.
  return exchange_async(owner_.lock(), std::move(request));
}

async::Task<http::Response> Channel::exchange_async(std::shared_ptr<const void> keep_alive,
                                                    http::Request request) const {
  static_cast<void>(keep_alive);  // held by the frame, not used
  // The call's own token and the one the task inherited both stop it.
  const std::stop_token inherited = co_await async::current_stop_token{};
  std::optional<async::detail::GroupStop> both;
  if (!request.call.stop.stop_possible()) {
    request.call.stop = inherited;
  } else if (inherited.stop_possible()) {
    both.emplace(request.call.stop, inherited);
    request.call.stop = both->token();
  }
  Engine& loop = engine();
  Exchange exchange(*this, request);
  for (;;) {
    exchange.begin();
    const Exchange::Next next = exchange.end(co_await loop.attempt(request));
    if (next == Exchange::Next::done) co_return exchange.take_response();
    if (next == Exchange::Next::failed) co_await async::detail::fail_with(exchange.take_error());  // never resumes
    if (next == Exchange::Next::retry_after) {
      const bool stopped = co_await loop.sleep_until(Clock::now() + exchange.delay(), request.call.stop);
      if (stopped) exchange.throw_cancelled_while_waiting();
    }
    exchange.prepare_retry();
  }
}

namespace {
async::Task<bool> sleep_on(std::shared_ptr<const void> keep_alive, Engine& engine, std::chrono::milliseconds delay,
                           std::stop_token stop) {
  static_cast<void>(keep_alive);  // held by the frame: the engine lives as long as the client
  co_return co_await engine.sleep_until(Engine::Clock::now() + delay, std::move(stop));
}
}  // namespace

async::Task<bool> Channel::sleep_async(std::chrono::milliseconds delay, std::stop_token stop) const {
  return sleep_on(owner_.lock(), engine(), delay, std::move(stop));
}

Engine& Channel::engine() const {
  std::call_once(engine_once_, [this] {
    engine_ = std::make_unique<Engine>(transport_, engine_limits_);
    const auto per_engine = [threads = engine_limits_.threads](std::size_t per_thread) {
      return per_thread > std::numeric_limits<std::size_t>::max() / threads ? std::numeric_limits<std::size_t>::max()
                                                                            : per_thread * threads;
    };
    admission_ = std::make_unique<Admission>(*engine_, per_engine(engine_limits_.max_in_flight),
                                             per_engine(engine_limits_.max_queued));
  });
  return *engine_;
}

Admission& Channel::admission() const {
  (void)engine();
  return *admission_;
}

}  // namespace lakefs::detail
