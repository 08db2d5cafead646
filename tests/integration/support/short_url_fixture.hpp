// SPDX-License-Identifier: Apache-2.0
// A GoogleTest fixture with a server of the test's own on the s3 topology
// whose pre-signed URLs live 2 seconds, and one fresh repository on it: for
// tests of URL expiry (the shared server's URLs live 15 minutes). Stopped and
// deleted afterwards, also when the test fails.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "lakefs/lakefs.hpp"
#include "support/own_server.hpp"
#include "support/server.hpp"

namespace lakefs::test {

class ShortLivedUrlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server().s3()) << "an s3-topology suite";
    own_.emplace(std::map<std::string, std::string>{{"LAKEFS_TEST_TOPOLOGY", "s3"},
                                                    {"LAKEFS_TEST_PRESIGN_EXPIRY", "2s"}});
    client_.emplace(adjust_client_options(own_->client_options()));
    const auto name = unique_name();
    repo_.emplace(client_->repository(name).create({.storage_namespace = server().namespace_root + name}));
  }
  void TearDown() override {
    repo_.reset();
    client_.reset();
    own_.reset();
  }
  /// The options of the test's client, from the defaults for the test's server.
  virtual ClientOptions adjust_client_options(ClientOptions defaults) { return defaults; }

  std::optional<OwnServer> own_;
  std::optional<Client> client_;
  std::optional<Repository> repo_;
};

}  // namespace lakefs::test
