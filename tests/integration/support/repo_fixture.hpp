// SPDX-License-Identifier: Apache-2.0
// A GoogleTest fixture giving each test its own fresh repository on the real
// server (removed afterwards, also when the test fails).
#pragma once

#include <gtest/gtest.h>

#include <optional>

#include "lakefs/lakefs.hpp"
#include "support/server.hpp"

namespace lakefs::test {

class RepoTest : public ::testing::Test {
 protected:
  /// The options of the test's client (those of the test server); a fixture that tests a setting overrides them.
  [[nodiscard]] virtual ClientOptions test_client_options() const { return client_options(); }

  void SetUp() override {
    client_.emplace(test_client_options());
    const auto name = unique_name();
    repo_.emplace(Repository(name, *client_).create({.storage_namespace = server().storage_namespace(name)}));
  }
  void TearDown() override {
    if (repo_) {
      try {
        repo_->remove();
      } catch (const lakefs::Error&) {
        // already removed by the test
      }
    }
  }

  Repository& repo() { return *repo_; }
  Client& lakefs_client() { return *client_; }
  Branch main_branch() { return repo_->branch("main"); }

  std::optional<Client> client_;
  std::optional<Repository> repo_;
};

}  // namespace lakefs::test
