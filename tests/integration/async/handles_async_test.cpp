// SPDX-License-Identifier: Apache-2.0
// The asynchronous members of the branch, reference and import handles against the server: commit, merge (with
// its conflict error) and import status, with the answers and errors of their synchronous forms.
#include <gtest/gtest.h>

#include <string>
#include <vector>

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

TEST_F(HandlesAsyncTest, ObjectPagesAreAwaitedOneRequestEach) {
  auto main = main_branch();
  for (int i = 0; i < 25; ++i) main.object("list/" + std::string(i < 10 ? "0" : "") + std::to_string(i)).upload("x");
  main.object("other/z").upload("z");

  auto listing = main.objects_async({.page_size = 10, .prefix = "list/"});
  std::vector<std::size_t> sizes;
  std::vector<std::string> paths;
  for (;;) {
    const std::vector<ObjectEntry> page = async::sync_wait(listing.next_page());
    if (page.empty()) break;
    sizes.push_back(page.size());
    for (const auto& entry : page) paths.push_back(entry.path());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 5}));
  EXPECT_TRUE(listing.done());
  std::vector<std::string> expected;
  for (const auto& entry : main.objects({.prefix = "list/"})) expected.push_back(entry.path());
  EXPECT_EQ(paths, expected);

  // max_amount ends the listing within a page; after resumes past a path; a delimiter gives common prefixes.
  auto limited = main.objects_async({.max_amount = 12, .page_size = 10, .prefix = "list/"});
  EXPECT_EQ(async::sync_wait(limited.to_vector()).size(), 12u);
  EXPECT_TRUE(async::sync_wait(limited.next_page()).empty());
  EXPECT_EQ(async::sync_wait(main.objects_async({.prefix = "list/", .after = "list/20"}).to_vector()).size(), 4u);
  const auto top = async::sync_wait(main.objects_async({.delimiter = "/"}).to_vector());
  ASSERT_EQ(top.size(), 2u);
  EXPECT_FALSE(top[0].is_object());
  EXPECT_EQ(top[0].path(), "list/");

  // Arguments are checked at once; a missing repository fails the page as objects() does.
  EXPECT_THROW((void)main.objects_async({.page_size = 0}), InvalidArgumentError);
  auto missing = Repository("no-such-repo-" + repo().id(), lakefs_client()).ref("main").objects_async();
  EXPECT_THROW((void)async::sync_wait(missing.next_page()), RepositoryNotFoundError);
}

}  // namespace
}  // namespace lakefs::test
