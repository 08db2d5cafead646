// SPDX-License-Identifier: Apache-2.0
// The asynchronous members of the branch, reference and import handles against the server: commit, merge (with
// its conflict error) and import status, with the answers and errors of their synchronous forms.
#include <gtest/gtest.h>

#include <string>

#include "lakefs/async/task.hpp"
#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

class HandlesAsyncTest : public RepoTest {};

TEST_F(HandlesAsyncTest, CommitAndMergeAsTasks) {
  auto main = main_branch();
  main.object("a.txt").upload("a");
  const Commit first = async::sync_wait(main.commit_async("first", {.metadata = {{"k", "v"}}}));
  EXPECT_EQ(first.message, "first");
  EXPECT_EQ(first.metadata.at("k"), "v");
  EXPECT_EQ(main.head().get_commit().id, first.id);
  // Nothing staged: lakeFS refuses an empty commit, and the task throws what commit() throws.
  EXPECT_THROW((void)async::sync_wait(main.commit_async("empty")), BadRequestError);
  EXPECT_THROW((void)async::sync_wait(main.commit_async("")), InvalidArgumentError);  // nothing sent

  auto feature = repo().branch("feature").create(main);
  feature.object("b.txt").upload("b");
  (void)feature.commit("on feature");
  const std::string merged = async::sync_wait(feature.merge_into_async("main", {.message = "merge feature"}));
  EXPECT_EQ(main.head().get_commit().id, merged);
  EXPECT_EQ(main.object("b.txt").read_all(), "b");
}

TEST_F(HandlesAsyncTest, AMergeConflictIsMergeConflictErrorNamingBothRefs) {
  auto main = main_branch();
  main.object("c.txt").upload("base");
  (void)main.commit("base");
  auto feature = repo().branch("feature").create(main);
  feature.object("c.txt").upload("feature");
  (void)feature.commit("feature side");
  main.object("c.txt").upload("main");
  (void)main.commit("main side");
  try {
    (void)async::sync_wait(feature.merge_into_async("main"));
    FAIL() << "no exception";
  } catch (const MergeConflictError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("feature"), std::string::npos) << what;
    EXPECT_NE(what.find("main"), std::string::npos) << what;
  }
}

TEST_F(HandlesAsyncTest, ImportStatusBeforeStartIsImportError) {
  const ImportManager manager = main_branch().import_data();
  EXPECT_THROW((void)async::sync_wait(manager.status_async()), ImportError);
}

}  // namespace
}  // namespace lakefs::test
