// SPDX-License-Identifier: Apache-2.0
// A RepoTest with a FaultProxy between the client and the real server: each
// test gets a fresh repository and its own proxy, both gone afterwards, also
// when the test fails.
#pragma once

#include <chrono>
#include <optional>

#include "lakefs/lakefs.hpp"
#include "support/fault_proxy.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"

namespace lakefs::test {

class ProxiedRepoTest : public RepoTest {
 protected:
  void SetUp() override {
    RepoTest::SetUp();
    proxy_.emplace(server().endpoint);
  }
  void TearDown() override {
    proxy_.reset();
    RepoTest::TearDown();
  }

  FaultProxy& proxy() { return *proxy_; }

  // A client's options through the proxy, every wait bounded, so an SDK that mishandles a fault fails the test
  // instead of hanging it.
  ClientOptions proxied_options() {
    auto options = client_options();
    options.endpoint = proxy_->endpoint();
    options.connect_timeout = std::chrono::seconds(2);
    options.request_timeout = std::chrono::seconds(15);
    return options;
  }

  std::optional<FaultProxy> proxy_;
};

}  // namespace lakefs::test
