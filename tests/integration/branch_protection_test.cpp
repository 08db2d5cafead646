// SPDX-License-Identifier: Apache-2.0
// Branch protection rules changed by two clients at once, against the real
// server: the SDK reads the rules and their ETag, changes them and writes them
// back with If-Match; a change another client makes between that read and that
// write makes lakeFS refuse the write (412), and the SDK starts over on the new
// rules, so both changes are kept. The other client acts from a hook of the
// test's transport, after lakeFS answered the SDK's read and before the SDK
// sees the answer.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/hooked_transport.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

class BranchProtectionTest : public RepoTest {
 protected:
  [[nodiscard]] ClientOptions test_client_options() const override { return hooked_client_options(transport_); }
  void TearDown() override {
    transport_->reset_hooks();
    RepoTest::TearDown();
  }

  // The attempts on the repository's rules, in order.
  [[nodiscard]] std::vector<Attempt> rule_attempts() const {
    std::vector<Attempt> out;
    for (auto& a : transport_->attempts()) {
      if (a.path.ends_with("/settings/branch_protection")) out.push_back(std::move(a));
    }
    return out;
  }
  // Once, when lakeFS has answered the SDK's first read of the rules: `change` through another client.
  void on_first_read(std::function<void(Repository&)> change) {
    auto done = std::make_shared<bool>(false);  // shared: the transport runs copies of the hook
    transport_->set_after([this, change = std::move(change), done](const Attempt& a) {
      if (*done || a.method != "GET" || !a.path.ends_with("/settings/branch_protection")) return;
      *done = true;
      auto other = Client(client_options()).repository(repo().id());
      change(other);
    });
  }
  [[nodiscard]] std::vector<std::string> sorted_rules() {
    auto rules = repo().branch_protection_rules();
    std::sort(rules.begin(), rules.end());
    return rules;
  }

  std::shared_ptr<HookedTransport> transport_ = std::make_shared<HookedTransport>();
};

TEST_F(BranchProtectionTest, AChangeMadeBetweenTheSdksReadAndWriteIsKeptAndTheSdksOwnIsRedone) {
  // The first rule: no rules yet, so no version to match (lakeFS answers 400 to an empty If-Match), and the
  // write goes without one.
  repo().add_branch_protection_rule("release-*");
  auto attempts = rule_attempts();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[1].method, "PUT");
  EXPECT_FALSE(attempts[1].header("If-Match").has_value());

  // Adding: another client adds "concurrent-*" after lakeFS answered the SDK's read.
  transport_->clear();
  on_first_read([](Repository& other) { other.add_branch_protection_rule("concurrent-*"); });
  repo().add_branch_protection_rule("prod");
  attempts = rule_attempts();
  ASSERT_EQ(attempts.size(), 4u);
  EXPECT_EQ(attempts[0].method, "GET");
  EXPECT_EQ(attempts[1].method, "PUT");
  ASSERT_TRUE(attempts[1].header("If-Match").has_value());
  EXPECT_FALSE(attempts[1].header("If-Match")->empty());
  EXPECT_EQ(attempts[1].status, 412) << "the write on the stale version is refused";
  EXPECT_EQ(attempts[2].method, "GET");
  EXPECT_EQ(attempts[3].method, "PUT");
  EXPECT_EQ(attempts[3].status / 100, 2);
  ASSERT_TRUE(attempts[3].header("If-Match").has_value());
  EXPECT_NE(*attempts[3].header("If-Match"), *attempts[1].header("If-Match")) << "matched against the new version";
  EXPECT_EQ(sorted_rules(), (std::vector<std::string>{"concurrent-*", "prod", "release-*"}));

  // Removing: another client adds "hotfix-*" in the same window.
  transport_->clear();
  on_first_read([](Repository& other) { other.add_branch_protection_rule("hotfix-*"); });
  repo().remove_branch_protection_rule("concurrent-*");
  attempts = rule_attempts();
  ASSERT_EQ(attempts.size(), 4u);
  EXPECT_EQ(attempts[1].status, 412);
  EXPECT_EQ(attempts[3].status / 100, 2);
  EXPECT_EQ(sorted_rules(), (std::vector<std::string>{"hotfix-*", "prod", "release-*"}));
}

}  // namespace
}  // namespace lakefs::test
