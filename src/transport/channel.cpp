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
                 Logger logger, LoginExchange login,
                 std::shared_ptr<RequestHook> hook)
    : transport_(std::move(transport)),
      origin_(std::move(origin)),
      retry_(retry),
      request_timeout_(request_timeout),
      logger_(std::move(logger)),
      login_(login),
      hook_(std::move(hook)),
      provider_(std::move(credentials)) {}

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

http::Response Channel::send(http::Request&& request) const {
  if (!request.call.headers.empty()) {
    check_call_headers(request.call.headers);
    // A pre-signed request goes to the object store, whose signature may cover headers: the call's extra headers
    // are for lakeFS.
    if (request.absolute_url.empty()) {
      request.headers.insert(request.headers.end(), request.call.headers.begin(), request.call.headers.end());
    }
  }
  check_request(request);
  const std::string method(request.method);
  // The retry rules go by method; an operation marked not idempotent is treated as a POST, and the call may say
  // otherwise either way.
  const bool idempotent = request.call.idempotent.value_or(!request.not_idempotent && is_idempotent(method));
  const std::string_view retry_method = idempotent ? std::string_view("PUT") : std::string_view("POST");
  const RetryOptions& policy = request.call.retry ? *request.call.retry : retry_;
  const std::stop_token& stop = request.call.stop;
  const std::optional<Clock::time_point> deadline = request.call.deadline;
  const std::chrono::milliseconds attempt_timeout = request.call.timeout.value_or(request_timeout_);
  const bool authenticated = !request.anonymous && request.absolute_url.empty();
  RequestHook* const hook = hook_.get();
  const std::string target = hook != nullptr || logger_.enabled(LogLevel::debug) || logger_.enabled(LogLevel::info)
                                 ? loggable_target(request.path, request.absolute_url.empty() ? request.query : "")
                                 : std::string();
  // A path may name a credential (/auth/users/u/credentials/<key id>): log lines and the paths errors show are
  // scrubbed like error texts.
  const auto scrubbed = [this](std::string text) {
    std::lock_guard lock(secrets_mutex_);
    return redactor_.scrub(std::move(text));
  };
  const auto log = [this, &scrubbed](LogLevel level, std::string line) {
    logger_.write(level, scrubbed(std::move(line)));
  };
  if (stop.stop_requested()) {
    throw CancelledError(method + " " + scrubbed(request.path) + ": cancelled before it was sent");
  }

  thread_local std::minstd_rand jitter_source{std::random_device{}()};
  const auto first_start = Clock::now();
  // An earlier attempt was sent and its answer lost: the server may have applied it.
  bool earlier_attempt_unanswered = false;
  bool renewed_after_401 = false;
  // `attempt` counts retries (a repeat after a 401 is not one); `sent` every attempt, for the hook.
  for (int attempt = 0, sent = 0;; ++attempt, ++sent) {
    std::shared_ptr<const http::Authorization> used;
    if (authenticated) {
      used = authorization(nullptr);
      if (!same(request.authorization, *used)) request.authorization = *used;
    }
    if (deadline) {
      // Each attempt gets the time left, unless its own timeout is shorter.
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) {
        throw_transport_error(http::Failure::timed_out, "the call's deadline passed before this attempt was sent",
                              method, scrubbed(request.path),
                              request.absolute_url.empty() ? origin_ : origin_of(request.absolute_url),
                              !idempotent && earlier_attempt_unanswered);
      }
      request.call.timeout = attempt_timeout.count() > 0 ? std::min(attempt_timeout, left) : left;
    }
    // The hook's view of this attempt, and the headers it adds to it alone.
    std::optional<RequestAttempt> observed;
    const std::size_t own_headers = request.headers.size();
    if (hook != nullptr) {
      observed.emplace();
      observed->method = method;
      observed->target = scrubbed(target);
      observed->attempt = sent;
      observed->presigned = !request.absolute_url.empty();
      hook->before_attempt(*observed);
      if (!observed->headers.empty()) {
        check_call_headers(observed->headers, "a request hook's RequestAttempt::headers");
        request.headers.insert(request.headers.end(), observed->headers.begin(), observed->headers.end());
      }
    }
    const auto started = Clock::now();
    http::Result result = transport_->perform(request);
    const auto elapsed = Clock::now() - started;
    request.headers.resize(own_headers);
    // Tells the hook how the attempt ended, once.
    const auto observe_end = [&](bool will_retry) {
      if (!observed) return;
      AttemptResult seen;
      seen.failure = result.failure;
      if (result.failure == http::Failure::none) seen.status = result.response.status;
      seen.elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed);
      seen.bytes_sent = result.bytes_sent;
      seen.bytes_received = result.bytes_received;
      if (auto id = result.response.header("x-request-id")) seen.request_id = std::string(*id);
      seen.will_retry = will_retry;
      RequestAttempt ended = std::move(*observed);
      observed.reset();
      hook->after_attempt(ended, seen);
    };

    if (logger_.enabled(LogLevel::debug)) {
      std::string line = method + " " + target + " ";
      if (result.failure == http::Failure::none) {
        line += std::to_string(result.response.status);
      } else {
        line += http::to_string(result.failure);
      }
      line += " " + format_ms(elapsed) + ", sent " + std::to_string(result.bytes_sent) + " B, received " +
              std::to_string(result.bytes_received) + " B";
      if (auto id = result.response.header("x-request-id")) line += ", request id " + std::string(*id);
      log(LogLevel::debug, std::move(line));
    }
    if (result.callback_error) {
      observe_end(false);
      std::rethrow_exception(result.callback_error);
    }

    if (result.failure == http::Failure::none && result.response.status == 401 && authenticated && !renewed_after_401 &&
        !result.body_streamed) {
      // Expired or revoked credentials: ask the provider once for new ones. A 401 is answered before anything is
      // applied, so even a POST may go again.
      renewed_after_401 = true;
      bool renewed = false;
      try {
        renewed = authorization(used.get()) != used;
      } catch (...) {
        observe_end(false);
        throw;
      }
      if (renewed) {
        observe_end(true);
        if (logger_.enabled(LogLevel::info)) {
          log(LogLevel::info, method + " " + target + ": HTTP 401, retrying with renewed credentials");
        }
        --attempt;
        continue;
      }
    }

    std::optional<std::chrono::seconds> retry_after;
    if (result.failure == http::Failure::none) {
      if (auto header = result.response.header("retry-after")) retry_after = parse_retry_after(*header);
    }
    const bool unrepeatable = result.body_streamed && !request.restart_body;
    if (should_retry(retry_method, outcome_of(result), attempt, policy.max_retries, unrepeatable)) {
      const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(jitter_source);
      const auto delay = retry_delay(attempt, policy, retry_after, jitter);
      const auto retry_at = Clock::now() + delay;
      const bool within_budget = (policy.total_budget.count() == 0 || retry_at - first_start < policy.total_budget) &&
                                 (!deadline || retry_at < *deadline);
      if (within_budget) {
        observe_end(true);
        if (result.failure != http::Failure::none && result.request_sent) earlier_attempt_unanswered = true;
        if (logger_.enabled(LogLevel::info)) {
          const std::string reason = result.failure == http::Failure::none
                                         ? "HTTP " + std::to_string(result.response.status)
                                         : std::string(http::to_string(result.failure));
          log(LogLevel::info, "retry " + std::to_string(attempt + 1) + "/" + std::to_string(policy.max_retries) +
                                  " of " + method + " " + target + " in " + std::to_string(delay.count()) +
                                  " ms: " + reason + (retry_after ? " (Retry-After)" : ""));
        }
        if (sleep_unless_stopped(delay, stop)) {
          throw CancelledError(method + " " + scrubbed(request.path) + ": cancelled while waiting to retry",
                               !idempotent && earlier_attempt_unanswered);
        }
        if (result.body_streamed) request.restart_body();
        continue;
      }
    }
    observe_end(false);
    if (result.failure != http::Failure::none) {
      const bool sent_unanswered = result.request_sent || earlier_attempt_unanswered;
      // A pre-signed request failed on the object store's host, not on lakeFS's: name that host (never the URL's
      // query, which holds the signature).
      throw_transport_error(result.failure, scrubbed(result.failure_message), method, scrubbed(request.path),
                            request.absolute_url.empty() ? origin_ : origin_of(request.absolute_url),
                            !idempotent && sent_unanswered);
    }
    const int status = result.response.status;
    if (status == 404 && method == "DELETE" && earlier_attempt_unanswered) {
      // The first DELETE was applied and its answer lost; the retry finds nothing left to delete. Deleting is
      // what was asked, and it happened: report success, not "not found".
      result.response.status = 204;
      result.response.body.clear();
      return std::move(result.response);
    }
    if (status < 200 || status >= 300) throw_server_error(result.response, method, scrubbed(request.path), redactor());
    return std::move(result.response);
  }
}

}  // namespace lakefs::detail
