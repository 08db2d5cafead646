// SPDX-License-Identifier: Apache-2.0
// The asynchronous members of the branch, reference and import handles against the server: commit, merge (with
// its conflict error), import status and every listing with awaited pages, with the answers and errors of their
// synchronous forms.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
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

// Every item of an awaited listing, page by page (each page one sync_wait).
template <typename T>
std::vector<T> all_pages(AsyncListing<T> listing) {
  std::vector<T> items;
  for (;;) {
    std::vector<T> page = async::sync_wait(listing.next_page());
    if (page.empty()) break;
    items.insert(items.end(), page.begin(), page.end());
  }
  EXPECT_TRUE(listing.done());
  return items;
}

template <typename T, typename Key>
std::vector<std::string> keys(const std::vector<T>& items, Key key) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(key(item));
  return out;
}

template <typename T, typename Key>
std::vector<std::string> keys(Listing<T> listing, Key key) {
  std::vector<std::string> out;
  for (const auto& item : listing) out.push_back(key(item));
  return out;
}

TEST_F(HandlesAsyncTest, EveryListingHasAnAwaitedFormGivingTheSameItems) {
  auto main = main_branch();
  for (int i = 0; i < 5; ++i) {
    main.object("log/" + std::to_string(i)).upload("x");
    (void)main.commit("commit " + std::to_string(i));
  }
  auto feature = repo().branch("feature").create(main);
  for (int i = 0; i < 5; ++i) feature.object("diff/" + std::to_string(i)).upload("y");
  (void)feature.commit("on feature");
  for (int i = 0; i < 3; ++i) main.object("staged/" + std::to_string(i)).upload("z");
  for (int i = 0; i < 4; ++i) (void)repo().branch("b" + std::to_string(i)).create(main);
  for (int i = 0; i < 3; ++i) (void)repo().tag("t" + std::to_string(i)).create(main.head());

  const auto commit_id = [](const Commit& c) { return c.id; };
  const auto change_path = [](const Change& c) { return c.path; };
  const auto handle_id = [](const auto& h) { return h.id(); };

  EXPECT_EQ(keys(all_pages(main.log_async({.page_size = 2})), commit_id), keys(main.log(), commit_id));
  EXPECT_EQ(keys(all_pages(main.log_async({.max_amount = 3, .page_size = 2})), commit_id).size(), 3u);
  EXPECT_EQ(keys(all_pages(main.diff_async(feature, {.page_size = 2})), change_path),
            keys(main.diff(feature), change_path));
  EXPECT_EQ(keys(all_pages(main.diff_async("feature", {.page_size = 2})), change_path).size(), 5u);
  EXPECT_EQ(keys(all_pages(main.uncommitted_async({.page_size = 2})), change_path),
            keys(main.uncommitted(), change_path));
  EXPECT_EQ(keys(all_pages(repo().branches_async({.page_size = 2})), handle_id), keys(repo().branches(), handle_id));
  EXPECT_EQ(keys(all_pages(repo().tags_async({.page_size = 2})), handle_id), keys(repo().tags(), handle_id));
  EXPECT_EQ(keys(all_pages(repositories_async({.prefix = repo().id()}, lakefs_client())), handle_id),
            std::vector<std::string>{repo().id()});

  // Errors as the synchronous forms: arguments at once, the server's at the first page.
  EXPECT_THROW((void)main.log_async({.page_size = 0}), InvalidArgumentError);
  EXPECT_THROW((void)main.diff_async(""), InvalidArgumentError);
  auto missing = Repository("no-such-repo-" + repo().id(), lakefs_client());
  EXPECT_THROW((void)async::sync_wait(missing.branches_async().next_page()), RepositoryNotFoundError);
  EXPECT_THROW((void)async::sync_wait(missing.ref("main").log_async().next_page()), RepositoryNotFoundError);
}

TEST_F(HandlesAsyncTest, ALogPageThatUntilFiltersToNothingIsNotTheEnd) {
  auto main = main_branch();
  for (int i = 0; i < 2; ++i) {
    main.object("old/" + std::to_string(i)).upload("x");
    (void)main.commit("old " + std::to_string(i));
  }
  const Timestamp until = main.head().get_commit().creation_date;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // commit times have whole seconds
  for (int i = 0; i < 4; ++i) {
    main.object("new/" + std::to_string(i)).upload("y");
    (void)main.commit("new " + std::to_string(i));
  }
  // Newest first, two per page: the first two pages are all newer than `until`, filtered out on the client.
  const auto commit_id = [](const Commit& c) { return c.id; };
  const auto expected = keys(main.log({.until = until}), commit_id);
  EXPECT_EQ(expected.size(), 3u);  // the two old commits and the repository's first
  EXPECT_EQ(keys(all_pages(main.log_async({.page_size = 2, .until = until})), commit_id), expected);
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
