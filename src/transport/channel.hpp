// SPDX-License-Identifier: Apache-2.0
// The client's request pipeline around a Transport: validation, credentials,
// retries with back-off, cancellation, logging and error mapping. Every
// request the SDK sends (generated API, pre-signed transfers, Client::send)
// goes through a Channel; the transport below it only performs attempts.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "async/admission.hpp"
#include "async/engine.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/credentials.hpp"
#include "lakefs/http.hpp"
#include "lakefs/logging.hpp"
#include "lakefs/policies.hpp"
#include "lakefs/request_hook.hpp"
#include "lakefs/transport.hpp"
#include "transport/logger.hpp"
#include "transport/redaction.hpp"

namespace lakefs::detail {

class Channel;

/// How a credentials provider's login (CredentialsContext::login) is sent through a channel: given by the client
/// (src/login.cpp), so that the channel knows no API model.
using LoginExchange = Credentials (*)(const Channel& channel, const std::string& access_key_id,
                                      const std::string& secret_access_key);

class Channel {
 public:
  /// `origin` (scheme://host:port of the endpoint) names the server in transport errors; `request_timeout` is the
  /// transport's whole-request timeout (zero: none), which a call's deadline cuts; `login` is offered to the
  /// credentials provider; `hook` (may be null) observes every attempt (ClientOptions::request_hook).
  Channel(std::shared_ptr<Transport> transport, std::string origin, RetryOptions retry,
          std::chrono::milliseconds request_timeout, std::shared_ptr<CredentialsProvider> credentials, Logger logger,
          LoginExchange login, std::shared_ptr<RequestHook> hook = {}, EngineLimits engine_limits = {});
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  /// Sends `request` (retrying as its policy allows) and returns the 2xx
  /// response; throws the mapped ServerError, TransportError, CancelledError,
  /// or InvalidArgumentError for a request that must not reach the wire.
  [[nodiscard]] http::Response send(const http::Request& request) const { return send(http::Request(request)); }
  /// The same, on a request the channel may change (each attempt's Authorization is set on it): no copy.
  [[nodiscard]] http::Response send(http::Request&& request) const;

  /// The same as a task: the attempts run on the client's engine (started by the first asynchronous call), back-off
  /// waits on its timers. Stopped by request.call.stop and by the token the task inherits. The task holds the
  /// client's state (set_owner) from this call on.
  [[nodiscard]] async::Task<http::Response> send_async(http::Request request) const;

  /// A task that waits `delay` on an engine timer (no thread sleeps) and yields true when `stop` ended it early;
  /// it resumes on the engine thread. For the SDK's polling loops (ImportManager::wait_async).
  [[nodiscard]] async::Task<bool> sleep_async(std::chrono::milliseconds delay, std::stop_token stop) const;

  /// The gate the object tasks wait at before they build their requests (async/admission.hpp); starts the engine.
  [[nodiscard]] Admission& admission() const;

  /// What an asynchronous call keeps alive while it runs (the client's state, which owns this channel).
  void set_owner(std::weak_ptr<const void> owner) noexcept { owner_ = std::move(owner); }

  void set_credentials(std::shared_ptr<CredentialsProvider> provider);

  [[nodiscard]] const Logger& logger() const noexcept { return logger_; }
  [[nodiscard]] const std::string& origin() const noexcept { return origin_; }

 private:
  class Context;
  class Exchange;
  [[nodiscard]] Engine& engine() const;
  /// send_async's coroutine; `keep_alive` holds the client (the owner) for as long as it runs.
  [[nodiscard]] async::Task<http::Response> exchange_async(std::shared_ptr<const void> keep_alive,
                                                           http::Request request) const;
  /// The Authorization for the next attempt: the cached credentials, renewed
  /// when expired, or when `rejected` (answered 401) is still the current one.
  /// Built once per credentials, so that an attempt only shares it.
  [[nodiscard]] std::shared_ptr<const http::Authorization> authorization(const http::Authorization* rejected) const;
  [[nodiscard]] Redactor redactor() const;
  void remember_secrets(const Credentials& credentials) const;

  std::shared_ptr<Transport> transport_;
  std::string origin_;
  RetryOptions retry_;
  std::chrono::milliseconds request_timeout_;
  Logger logger_;
  LoginExchange login_;
  std::shared_ptr<RequestHook> hook_;

  mutable std::mutex credentials_mutex_;
  std::shared_ptr<CredentialsProvider> provider_;
  mutable std::optional<Credentials> current_;
  mutable std::shared_ptr<const http::Authorization> current_authorization_;  // made from current_

  mutable std::mutex secrets_mutex_;
  mutable Redactor redactor_;  // every credential this channel used, scrubbed from messages

  std::weak_ptr<const void> owner_;
  EngineLimits engine_limits_;
  mutable std::once_flag engine_once_;
  mutable std::unique_ptr<Engine> engine_;        // made by the first asynchronous call
  mutable std::unique_ptr<Admission> admission_;  // with engine_
};

}  // namespace lakefs::detail
