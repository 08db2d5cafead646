// SPDX-License-Identifier: Apache-2.0
// The libcurl transport's class, for the SDK's own code: the asynchronous
// engine finds it behind a client's Transport and drives requests with the
// same setup (options, proxies, DNS cache and TLS sessions) on its own handles.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "lakefs/transport.hpp"

namespace lakefs::detail {

namespace curl {
struct Handle;
class Setup;
}  // namespace curl

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TransportOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  void start(http::Request request, http::Completion done) override;
  [[nodiscard]] http::Result perform(const http::Request& request) override;

  /// What every handle shares; the engine keeps it alive as long as it runs.
  [[nodiscard]] const std::shared_ptr<const curl::Setup>& setup() const noexcept { return setup_; }

 private:
  [[nodiscard]] std::unique_ptr<curl::Handle> acquire();
  void release(std::unique_ptr<curl::Handle> handle);
  [[nodiscard]] http::Result perform_once(const http::Request& request);

  std::shared_ptr<const curl::Setup> setup_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<curl::Handle>> pool_;  // declared after setup_: destroyed before it
};

}  // namespace lakefs::detail
