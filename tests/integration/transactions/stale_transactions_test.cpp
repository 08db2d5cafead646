// SPDX-License-Identifier: Apache-2.0
// Leftover transaction branches (a process died mid-transaction) are found by
// age and removed, and a live transaction is not disturbed.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/repo_fixture.hpp"

namespace {

using lakefs::test::RepoTest;
using namespace std::chrono_literals;

class StaleTransactionsTest : public RepoTest {};

TEST_F(StaleTransactionsTest, OldLeftoversAreFoundAndRemovedLiveTransactionsAreNot) {
  auto main = main_branch();
  main.object("base.txt").upload("base");
  (void)main.commit("base");

  // What a crash in 2020 would have left: a hidden branch named by its transaction's start time.
  auto leftover = repo().branch("tx-20200102-030405-abcdefabcdef");
  leftover.create("main", {.hidden = true});
  leftover.object("half-done.txt").upload("never merged");
  // Not a transaction branch, though named alike: left alone.
  repo().branch("tx-notes").create("main");

  auto live = main.begin_transaction({.commit_message = "live"});
  live.object("new.txt").upload("from the live transaction");

  const auto stale = repo().stale_transactions(1h);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].branch.id(), leftover.id());
  EXPECT_EQ(stale[0].started,
            lakefs::Timestamp{std::chrono::sys_days{std::chrono::year{2020} / 1 / 2}} + 3h + 4min + 5s);

  // With no minimum age the live one is listed too, and it is named like one.
  const auto all = repo().stale_transactions(0s);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].branch.id(), live.id());
  EXPECT_LE(std::chrono::system_clock::now() - all[1].started, 5min);

  const auto removed = repo().remove_stale_transactions(1h);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_TRUE(repo().stale_transactions(1h).empty());
  EXPECT_THROW((void)leftover.head(), lakefs::NotFoundError);
  EXPECT_NO_THROW((void)repo().branch("tx-notes").head());

  // The live transaction still commits, and its branch goes away.
  (void)live.commit();
  EXPECT_EQ(main.object("new.txt").read_all(), "from the live transaction");
  EXPECT_TRUE(repo().stale_transactions(0s).empty());
  EXPECT_THROW((void)repo().stale_transactions(-1s), lakefs::InvalidArgumentError);
}

}  // namespace
