// SPDX-License-Identifier: Apache-2.0
// The default libcurl transport with hooks around each attempt, for tests that
// must act at an exact point of an SDK operation against the real server: a
// hook before an attempt leaves, and one after its answer came but before the
// SDK sees it (a concurrent change through another client, a replacement in
// the object store). Every attempt is recorded: what the client handed the
// transport (credentials included: tests check where they go) and the status
// that came back.
#pragma once

#include <algorithm>
#include <cctype>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/server.hpp"

namespace lakefs::test {

/// One attempt the client started through the transport.
struct Attempt {
  std::string method;
  std::string path;  ///< below the API root; for a pre-signed URL, the object it names (never the URL)
  std::string query;
  bool pre_signed = false;  ///< sent to a pre-signed object-store URL
  bool anonymous = false;   ///< sent without the client's credentials (the login exchange)
  http::Authorization authorization;
  std::string body;
  std::vector<http::Header> headers;
  int status = 0;  ///< the answer's status; 0 before the answer or when none came

  /// The value of the request header `name` (case-insensitive), if sent.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const {
    const auto same = [](std::string_view a, std::string_view b) {
      return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
             });
    };
    for (const auto& [key, value] : headers) {
      if (same(key, name)) return value;
    }
    return std::nullopt;
  }
};

class HookedTransport final : public Transport {
 public:
  using Hook = std::function<void(const Attempt&)>;

  /// libcurl's transport with `options` (by default the test server's connection settings).
  explicit HookedTransport(const TransportOptions& options = resolve_config(client_options()).transport)
      : inner_(make_curl_transport(options)) {}

  /// Runs on the attempt's thread before it leaves.
  void set_before(Hook hook) {
    std::lock_guard lock(mutex_);
    before_ = std::move(hook);
  }
  /// Runs on the attempt's thread once its answer came (a streamed body already delivered), before the SDK
  /// sees the answer.
  void set_after(Hook hook) {
    std::lock_guard lock(mutex_);
    after_ = std::move(hook);
  }
  /// Removes both hooks: call before the objects they refer to end (a fixture's TearDown, whose requests would
  /// otherwise still run them).
  void reset_hooks() {
    std::lock_guard lock(mutex_);
    before_ = nullptr;
    after_ = nullptr;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    attempts_.clear();
  }
  [[nodiscard]] std::vector<Attempt> attempts() const {
    std::lock_guard lock(mutex_);
    return attempts_;
  }

  void start(http::Request request, http::Completion done) override {
    auto attempt = std::make_shared<Attempt>(Attempt{.method = std::string(request.method),
                                                     .path = request.path,
                                                     .query = request.query,
                                                     .pre_signed = !request.absolute_url.empty(),
                                                     .anonymous = request.anonymous,
                                                     .authorization = request.authorization,
                                                     .body = request.body,
                                                     .headers = request.headers});
    if (const Hook before = hook(&HookedTransport::before_)) before(*attempt);
    inner_->start(std::move(request), [this, attempt, done = std::move(done)](http::Result result) {
      if (result.failure == http::Failure::none) attempt->status = result.response.status;
      {
        std::lock_guard lock(mutex_);
        attempts_.push_back(*attempt);
      }
      if (const Hook after = hook(&HookedTransport::after_)) after(*attempt);
      done(std::move(result));
    });
  }

 private:
  [[nodiscard]] Hook hook(Hook HookedTransport::*which) const {
    std::lock_guard lock(mutex_);
    return this->*which;
  }

  std::shared_ptr<Transport> inner_;
  mutable std::mutex mutex_;
  Hook before_;
  Hook after_;
  std::vector<Attempt> attempts_;
};

/// A RepoTest-style fixture mixin: the test's client sends through `transport_`.
inline ClientOptions hooked_client_options(const std::shared_ptr<HookedTransport>& transport) {
  auto options = client_options();
  options.transport = transport;
  return options;
}

}  // namespace lakefs::test
