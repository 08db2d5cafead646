// SPDX-License-Identifier: Apache-2.0
// Transactions against the real server: atomic visibility, rollback on
// exceptions, conflicts, tags, the empty transaction and the explicit form.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/repo_fixture.hpp"

namespace {

using lakefs::test::RepoTest;

using lakefs::test::paths_at;

using lakefs::test::tx_branches;

// An exception type of the caller's own, to check it comes back unchanged.
struct PipelineFailure : std::runtime_error {
  PipelineFailure(const std::string& what, int step) : std::runtime_error(what), step(step) {}
  int step;
};

class TransactionTest : public RepoTest {
 protected:
  void SetUp() override {
    RepoTest::SetUp();
    auto main = main_branch();
    main.object("data/existing.txt").upload("existing");
    main.object("data/shared.txt").upload("original");
    base_ = main.commit("base").id;
  }
  std::string base_;
};

TEST_F(TransactionTest, ChangesInvisibleUntilItReturnsThenAllInOneMergeCommit) {
  auto main = main_branch();
  std::string tx_name;
  const auto merge = main.transact(
      [&](lakefs::Transaction& tx) {
        tx_name = tx.id();
        EXPECT_TRUE(tx_name.starts_with("tx-"));
        EXPECT_EQ(tx.source_branch().id(), "main");
        EXPECT_EQ(tx.head().id(), base_);
        tx.object("data/a.txt").upload("A");
        tx.object("data/b.txt").upload("B");
        tx.object("data/existing.txt").remove();
        // Visible inside the transaction ...
        EXPECT_EQ(tx.object("data/a.txt").read_all(), "A");
        EXPECT_EQ(paths_at(tx), (std::set<std::string>{"data/a.txt", "data/b.txt", "data/shared.txt"}));
        EXPECT_EQ(tx.uncommitted().to_vector().size(), 3u);
        // ... and not on the source branch, which is also not listed among branches.
        EXPECT_FALSE(main.object("data/a.txt").exists());
        EXPECT_TRUE(main.object("data/existing.txt").exists());
        EXPECT_EQ(main.head().id(), base_);
        for (const auto& b : repo().branches()) EXPECT_NE(b.id(), tx_name);
        // The callback may still change what the commit records.
        tx.commit_message() = "load a and b";
        tx.commit_metadata()["rows"] = "2";
      },
      {.commit_message = "placeholder", .commit_metadata = {{"job", "test"}}});

  EXPECT_EQ(main.head().id(), merge.id);
  EXPECT_EQ(merge.parents.size(), 2u);
  EXPECT_EQ(merge.parents.at(0), base_);
  EXPECT_EQ(merge.message, "load a and b");
  EXPECT_EQ(merge.metadata.at("rows"), "2");
  EXPECT_EQ(merge.metadata.at("job"), "test");
  EXPECT_EQ(paths_at(main), (std::set<std::string>{"data/a.txt", "data/b.txt", "data/shared.txt"}));
  EXPECT_EQ(main.object("data/b.txt").read_all(), "B");
  // The merge sits directly on the base on the first-parent line: one commit for the whole transaction.
  const auto log = main.log({.max_amount = 2, .first_parent = true}).to_vector();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].id, merge.id);
  EXPECT_EQ(log[1].id, base_);
  EXPECT_TRUE(tx_branches(repo()).empty());
}

TEST_F(TransactionTest, ExceptionPropagatesUnchangedAndLeavesSourceUntouched) {
  auto main = main_branch();
  const auto tree_before = paths_at(main);
  std::string tx_name;
  try {
    main.transact([&](lakefs::Transaction& tx) {
      tx_name = tx.id();
      tx.object("data/half-written.txt").upload("partial");
      tx.object("data/existing.txt").remove();
      throw PipelineFailure("step 2 failed", 2);
    });
    FAIL() << "transact returned although the callback threw";
  } catch (const PipelineFailure& e) {
    EXPECT_STREQ(e.what(), "step 2 failed");
    EXPECT_EQ(e.step, 2);
  }
  EXPECT_EQ(main.head().id(), base_);
  EXPECT_EQ(paths_at(main), tree_before);
  EXPECT_TRUE(main.uncommitted().to_vector().empty());
  EXPECT_TRUE(tx_branches(repo()).empty());
  EXPECT_THROW((void)repo().branch(tx_name).head(), lakefs::NotFoundError);
}

TEST_F(TransactionTest, KeepsTheBranchOnErrorWhenAsked) {
  auto main = main_branch();
  std::string tx_name;
  EXPECT_THROW(main.transact(
                   [&](lakefs::Transaction& tx) {
                     tx_name = tx.id();
                     tx.object("data/debug.txt").upload("look at me");
                     throw std::logic_error("bug");
                   },
                   {.delete_branch_on_error = false}),
               std::logic_error);
  EXPECT_EQ(tx_branches(repo()), std::vector<std::string>{tx_name});
  EXPECT_EQ(repo().branch(tx_name).object("data/debug.txt").read_all(), "look at me");
  EXPECT_EQ(main.head().id(), base_);
}

TEST_F(TransactionTest, ConflictingChangeOnSourceFailsWithTransactionError) {
  auto main = main_branch();
  std::string tx_name;
  std::string concurrent;
  try {
    main.transact(
        [&](lakefs::Transaction& tx) {
          tx_name = tx.id();
          tx.object("data/shared.txt").upload("from the transaction");
          // Meanwhile someone else changes the same object on the source branch.
          main.object("data/shared.txt").upload("from someone else");
          concurrent = main.commit("concurrent change").id;
        },
        {.commit_message = "conflicting"});
    FAIL() << "the conflicting transaction merged";
  } catch (const lakefs::TransactionError& e) {
    EXPECT_NE(std::string(e.what()).find(tx_name), std::string::npos) << e.what();
    ASSERT_TRUE(e.cause());
    EXPECT_THROW(std::rethrow_exception(e.cause()), lakefs::MergeConflictError);
  }
  EXPECT_EQ(main.head().id(), concurrent);
  EXPECT_EQ(main.object("data/shared.txt").read_all(), "from someone else");
  EXPECT_TRUE(tx_branches(repo()).empty());
}

TEST_F(TransactionTest, ConcurrentChangesToOtherPathsAreCombined) {
  auto main = main_branch();
  std::string concurrent;
  const auto merge = main.transact([&](lakefs::Transaction& tx) {
    tx.object("data/from-tx.txt").upload("tx");
    main.object("data/from-main.txt").upload("main");
    concurrent = main.commit("concurrent change").id;
  });
  EXPECT_EQ(merge.parents.at(0), concurrent);
  EXPECT_EQ(main.head().id(), merge.id);
  EXPECT_EQ(main.object("data/from-tx.txt").read_all(), "tx");
  EXPECT_EQ(main.object("data/from-main.txt").read_all(), "main");
  EXPECT_TRUE(tx_branches(repo()).empty());
}

TEST_F(TransactionTest, UncommittedChangesOnTheSourceBlockTheMerge) {
  auto main = main_branch();
  try {
    main.transact([&](lakefs::Transaction& tx) {
      tx.object("data/from-tx.txt").upload("tx");
      main.object("data/work-in-progress.txt").upload("staged");  // lakeFS will not merge into a dirty branch
    });
    FAIL() << "merged into a branch with uncommitted changes";
  } catch (const lakefs::TransactionError& e) {
    EXPECT_THROW(std::rethrow_exception(e.cause()), lakefs::BadRequestError);
  }
  EXPECT_EQ(main.head().id(), base_);
  EXPECT_FALSE(main.object("data/from-tx.txt").exists());
  const auto staged = main.uncommitted().to_vector();
  ASSERT_EQ(staged.size(), 1u);
  EXPECT_EQ(staged[0].path, "data/work-in-progress.txt");
  EXPECT_TRUE(tx_branches(repo()).empty());
}

TEST_F(TransactionTest, CreatesTheTagOnTheMergeCommit) {
  auto main = main_branch();
  const auto merge = main.transact([](lakefs::Transaction& tx) { tx.object("out/result.csv").upload("x,y\n"); },
                                   {.commit_message = "run 1", .tag = "run-1"});
  EXPECT_EQ(repo().tag("run-1").get_commit().id, merge.id);

  // The callback may choose the tag.
  const auto second = main.transact([](lakefs::Transaction& tx) {
    tx.object("out/result.csv").upload("x,y\n1,2\n");
    tx.tag() = "run-2";
  });
  EXPECT_EQ(repo().tag("run-2").get_commit().id, second.id);

  // An existing tag fails the transaction before anything is merged.
  const auto head = main.head().id();
  try {
    main.transact([](lakefs::Transaction& tx) { tx.object("out/result.csv").upload("again"); }, {.tag = "run-1"});
    FAIL() << "a transaction with an existing tag merged";
  } catch (const lakefs::TransactionError& e) {
    // Found by the SDK's own check before the merge: not an HTTP error.
    EXPECT_THROW(std::rethrow_exception(e.cause()), lakefs::LocalPreconditionError);
  }
  EXPECT_EQ(main.head().id(), head);
  EXPECT_EQ(repo().tag("run-1").get_commit().id, merge.id);
  EXPECT_TRUE(tx_branches(repo()).empty());
}

TEST_F(TransactionTest, EmptyTransactionIsANoOpUnlessAllowEmpty) {
  auto main = main_branch();
  const auto result = main.transact([](lakefs::Transaction&) {}, {.tag = "nothing-new"});
  EXPECT_EQ(result.id, base_);
  EXPECT_EQ(main.head().id(), base_);
  EXPECT_EQ(repo().tag("nothing-new").get_commit().id, base_);
  EXPECT_TRUE(tx_branches(repo()).empty());

  const auto recorded =
      main.transact([](lakefs::Transaction&) {}, {.commit_message = "heartbeat", .allow_empty = true});
  EXPECT_NE(recorded.id, base_);
  EXPECT_EQ(recorded.message, "heartbeat");
  EXPECT_EQ(main.head().id(), recorded.id);
  EXPECT_TRUE(tx_branches(repo()).empty());
}

TEST_F(TransactionTest, ExplicitFormCommitRollbackAndDestruction) {
  auto main = main_branch();
  {
    auto tx = main.begin_transaction({.commit_message = "explicit"});
    tx.object("explicit.txt").upload("1");
    EXPECT_FALSE(main.object("explicit.txt").exists());
    const auto merge = tx.commit();
    EXPECT_FALSE(tx.is_open());
    EXPECT_EQ(main.head().id(), merge.id);
    EXPECT_EQ(main.object("explicit.txt").read_all(), "1");
    EXPECT_THROW((void)tx.commit(), lakefs::TransactionError);
  }
  const auto head = main.head().id();
  {
    auto tx = main.begin_transaction();
    tx.object("rolled-back.txt").upload("2");
    tx.rollback();
    EXPECT_FALSE(tx.is_open());
  }
  {
    auto tx = main.begin_transaction();
    tx.object("abandoned.txt").upload("3");
    auto moved = std::move(tx);  // ownership moves; only `moved` rolls back
  }
  EXPECT_EQ(main.head().id(), head);
  EXPECT_FALSE(main.object("rolled-back.txt").exists());
  EXPECT_FALSE(main.object("abandoned.txt").exists());
  EXPECT_TRUE(tx_branches(repo()).empty());
}

// Left normally without commit() or rollback(), a transaction is rolled back and says so (a warning: a forgotten
// commit() is likely a mistake); left while an exception unwinds, it is rolled back silently, as in transact().
TEST_F(TransactionTest, DestructionRollsBackAndWarnsOnlyWhenLeftNormally) {
  std::mutex mutex;
  std::vector<std::string> warnings;
  auto options = lakefs::test::client_options();
  options.log = {.level = lakefs::LogLevel::warning, .handler = [&](lakefs::LogLevel level, std::string_view line) {
                   std::lock_guard lock(mutex);
                   if (level == lakefs::LogLevel::warning) warnings.emplace_back(line);
                 }};
  const lakefs::Client client(options);
  auto main = client.repository(repo().id()).branch("main");
  const auto head = main.head().id();
  std::string id;
  {
    auto tx = main.begin_transaction();
    id = tx.id();
    tx.object("forgotten.txt").upload("1");
  }
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("transaction '" + id + "'"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("without commit() or rollback(): rolled back"), std::string::npos) << warnings[0];
  }
  try {
    auto tx = main.begin_transaction();
    tx.object("unwound.txt").upload("2");
    throw std::runtime_error("failed");
  } catch (const std::runtime_error&) {
  }
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(warnings.size(), 1u);
  }
  EXPECT_EQ(main.head().id(), head);
  EXPECT_FALSE(main.object("forgotten.txt").exists());
  EXPECT_FALSE(main.object("unwound.txt").exists());
  EXPECT_TRUE(tx_branches(repo()).empty());
}

TEST_F(TransactionTest, BranchOperationsInsideTheTransaction) {
  auto main = main_branch();
  const auto merge = main.transact([&](lakefs::Transaction& tx) {
    // A commit made inside (e.g. by a fluent chain) is merged with the rest.
    tx.object("step1/out.txt").upload("one").commit("step 1 checkpoint");
    tx.object("step2/out.txt").upload("two");
    tx.object("scratch/tmp.txt").upload("temporary");
    tx.reset_object("scratch/tmp.txt");
    EXPECT_FALSE(tx.object("scratch/tmp.txt").exists());
    std::vector<std::string> changes;
    for (const auto& c : tx.uncommitted()) changes.push_back(c.path);
    EXPECT_EQ(changes, std::vector<std::string>{"step2/out.txt"});
    std::vector<std::string> diff;
    for (const auto& c : main.diff(tx)) diff.push_back(c.path);
    EXPECT_EQ(diff, std::vector<std::string>{"step1/out.txt"});
  });
  EXPECT_EQ(main.object("step1/out.txt").read_all(), "one");
  EXPECT_EQ(main.object("step2/out.txt").read_all(), "two");
  EXPECT_FALSE(main.object("scratch/tmp.txt").exists());
  EXPECT_EQ(main.head().id(), merge.id);
  EXPECT_TRUE(tx_branches(repo()).empty());
}

TEST_F(TransactionTest, ReadersAndWritersInsideTheTransaction) {
  auto main = main_branch();
  {
    auto writer = main.object("raw/events.csv").writer({.content_type = "text/csv"});
    writer << "id,value\n";
    for (int i = 0; i < 1000; ++i) writer << i << "," << i * 2 << "\n";
    (void)writer.close();
  }
  main.commit("raw events");

  std::string tx_name;
  const auto merge = main.transact(
      [&](lakefs::Transaction& tx) {
        tx_name = tx.id();
        // Stream the raw object from the transaction's view and write a transformed one while reading.
        auto in = tx.object("raw/events.csv").reader({.block_size = 4096});
        auto out = tx.object("clean/events.csv").writer({.content_type = "text/csv", .buffer_size = 4096});
        std::string line;
        std::getline(in, line);
        out << line << ",doubled\n";
        long total = 0;
        while (std::getline(in, line)) {
          const auto comma = line.find(',');
          const long value = std::stol(line.substr(comma + 1));
          total += value;
          out << line << "," << value * 2 << "\n";
        }
        const auto info = out.close();
        EXPECT_EQ(info.content_type, "text/csv");
        tx.object("clean/total.txt").upload(std::to_string(total));
        // What was just written reads back inside the transaction, and only there.
        auto check = tx.object("clean/events.csv").reader();
        std::getline(check, line);
        EXPECT_EQ(line, "id,value,doubled");
        EXPECT_FALSE(main.object("clean/events.csv").exists());
        // A writer abandoned inside the transaction leaves nothing behind.
        auto abandoned = tx.object("clean/partial.csv").writer();
        abandoned << "half";
        abandoned.discard();
      },
      {.commit_message = "clean events"});

  EXPECT_EQ(main.head().id(), merge.id);
  EXPECT_EQ(main.object("clean/total.txt").read_all(), std::to_string(999L * 1000));  // sum of 2i for i < 1000
  auto in = main.object("clean/events.csv").reader();
  std::stringstream all;
  all << in.rdbuf();
  std::string first, second;
  std::getline(all, first);
  std::getline(all, second);
  EXPECT_EQ(first, "id,value,doubled");
  EXPECT_EQ(second, "0,0,0");
  EXPECT_FALSE(main.object("clean/partial.csv").exists());
  EXPECT_TRUE(tx_branches(repo()).empty());
  EXPECT_THROW((void)repo().branch(tx_name).head(), lakefs::NotFoundError);
}

}  // namespace
