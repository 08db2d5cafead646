// SPDX-License-Identifier: Apache-2.0
// The options of log, diff, merge, commit, revert and cherry-pick, each
// checked against what the server does with it (not only that it is sent).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"

namespace {

using lakefs::Timestamp;
using std::chrono::days;

Timestamp day(int y, unsigned m, unsigned d) {
  return Timestamp(std::chrono::sys_days(std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d)));
}

std::vector<std::string> messages(lakefs::Listing<lakefs::Commit> log) {
  std::vector<std::string> out;
  for (const auto& c : log) out.push_back(c.message);
  return out;
}

std::vector<std::string> paths(lakefs::Listing<lakefs::Change> changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(std::string(lakefs::to_string(c.type)) + " " + c.path);
  return out;
}

class ReferenceOptions : public lakefs::test::RepoTest {};

TEST_F(ReferenceOptions, CommitDateIsTheCommitsCreationDate) {
  auto main = main_branch();
  main.object("a").upload("1");
  const auto commit = main.commit("dated", {.date = day(2021, 3, 4)});
  EXPECT_EQ(commit.creation_date, day(2021, 3, 4));
  EXPECT_EQ(main.get_commit().creation_date, day(2021, 3, 4));
}

TEST_F(ReferenceOptions, LogFiltersByObjectsPrefixesSinceAndStopAt) {
  auto main = main_branch();
  main.object("data/x").upload("1");
  const auto c1 = main.commit("c1 data/x", {.date = day(2020, 1, 1)});
  main.object("logs/y").upload("1");
  const auto c2 = main.commit("c2 logs/y", {.date = day(2021, 1, 1)});
  main.object("data/z").upload("1");
  const auto c3 = main.commit("c3 data/z", {.date = day(2022, 1, 1)});

  EXPECT_EQ(messages(main.log({.objects = {"data/x"}})), (std::vector<std::string>{"c1 data/x"}));
  EXPECT_EQ(messages(main.log({.prefixes = {"data/"}})), (std::vector<std::string>{"c3 data/z", "c1 data/x"}));
  EXPECT_EQ(messages(main.log({.objects = {"logs/y"}, .prefixes = {"data/z"}})),
            (std::vector<std::string>{"c3 data/z", "c2 logs/y"}));
  // since: only commits dated after it (the repository's first commit is dated now, but lies before c1).
  const auto recent = messages(main.log({.since = day(2020, 6, 1)}));
  ASSERT_GE(recent.size(), 2u);
  EXPECT_EQ(recent[0], "c3 data/z");
  EXPECT_EQ(recent[1], "c2 logs/y");
  for (const auto& m : recent) EXPECT_NE(m, "c1 data/x");
  // until: only commits dated before it.
  EXPECT_EQ(messages(main.log({.max_amount = 2, .until = day(2021, 6, 1)})),
            (std::vector<std::string>{"c2 logs/y", "c1 data/x"}));
  // stop_at: the log ends at that commit (lakeFS includes it).
  const auto to_c2 = messages(main.log({.stop_at = c2.id}));
  EXPECT_EQ(to_c2, (std::vector<std::string>{"c3 data/z", "c2 logs/y"}));
  (void)c1;
  (void)c3;
}

TEST_F(ReferenceOptions, DiffPrefixDelimiterAndTwoDotAgainstADivergedBranch) {
  auto main = main_branch();
  main.object("base").upload("b");
  main.commit("base");
  auto feature = repo().branch("feature").create(main);
  feature.object("f/one").upload("1");
  feature.object("f/two").upload("2");
  feature.object("g").upload("3");
  feature.commit("feature work");
  main.object("m").upload("4");
  main.commit("main work");

  // Three-dot (the default): what feature changed since the merge base.
  EXPECT_EQ(paths(main.diff(feature)), (std::vector<std::string>{"added f/one", "added f/two", "added g"}));
  // Two-dot: the trees as they are, so main's own change shows as removed.
  EXPECT_EQ(paths(main.diff(feature, {.type = lakefs::DiffOptions::Type::two_dot})),
            (std::vector<std::string>{"added f/one", "added f/two", "added g", "removed m"}));
  EXPECT_EQ(paths(main.diff(feature, {.prefix = "f/"})), (std::vector<std::string>{"added f/one", "added f/two"}));
  const auto grouped = main.diff(feature, {.delimiter = "/"}).to_vector();
  ASSERT_EQ(grouped.size(), 2u);
  EXPECT_EQ(grouped[0].path, "f/");
  EXPECT_EQ(grouped[0].path_type, lakefs::Change::PathType::common_prefix);
  EXPECT_EQ(grouped[1].path, "g");
}

TEST_F(ReferenceOptions, MergeStrategySquashMetadataAndAllowEmpty) {
  auto main = main_branch();
  main.object("conflict").upload("base");
  main.commit("base");
  auto source = repo().branch("source").create(main);
  source.object("conflict").upload("from source");
  source.object("extra").upload("x");
  source.commit("source 1");
  source.object("extra2").upload("y");
  source.commit("source 2");
  main.object("conflict").upload("from main");
  main.commit("main change");

  EXPECT_THROW((void)source.merge_into(main), lakefs::MergeConflictError);
  auto dest_wins = repo().branch("dest-wins").create(main);
  (void)source.merge_into(dest_wins, {.strategy = "dest-wins"});
  EXPECT_EQ(dest_wins.object("conflict").read_all(), "from main");
  EXPECT_EQ(dest_wins.object("extra").read_all(), "x");

  // source-wins, squashed into one commit with one parent, with the given message and metadata.
  const auto merged = source.merge_into(
      main, {.message = "squashed", .metadata = {{"ticket", "42"}}, .strategy = "source-wins", .squash_merge = true});
  EXPECT_EQ(main.object("conflict").read_all(), "from source");
  const auto commit = repo().ref(merged).get_commit();
  EXPECT_EQ(commit.message, "squashed");
  EXPECT_EQ(commit.metadata.at("ticket"), "42");
  EXPECT_EQ(commit.parents.size(), 1u);

  // Nothing left to merge: lakeFS refuses an empty merge unless allow_empty.
  auto twin = repo().branch("twin").create(main);
  EXPECT_THROW((void)twin.merge_into(main), lakefs::BadRequestError);
  const auto empty = twin.merge_into(main, {.allow_empty = true});
  EXPECT_EQ(main.head().id(), empty);
  EXPECT_EQ(repo().ref(empty).get_commit().parents.size(), 2u);
}

TEST_F(ReferenceOptions, RevertAndCherryPickAMergeCommitNeedItsParentNumber) {
  auto main = main_branch();
  main.object("keep").upload("k");
  main.commit("base");
  auto side = repo().branch("side").create(main);
  side.object("from-side").upload("s");
  side.commit("side work");
  const auto merge = side.merge_into(main);
  ASSERT_EQ(repo().ref(merge).get_commit().parents.size(), 2u);
  ASSERT_TRUE(main.object("from-side").exists());

  // A merge commit has two parents: without saying which, lakeFS refuses.
  EXPECT_THROW((void)main.revert(merge), lakefs::ConflictError);
  (void)main.revert(merge, {.parent_number = 1});
  EXPECT_FALSE(main.object("from-side").exists());
  EXPECT_TRUE(main.object("keep").exists());

  // Cherry-picking the same merge onto a fresh branch brings side's change back.
  auto other = repo().branch("other").create(repo().ref(merge).get_commit().parents[0]);
  ASSERT_FALSE(other.object("from-side").exists());
  EXPECT_THROW((void)other.cherry_pick(merge), lakefs::BadRequestError);  // lakeFS: 400 here, 409 for revert
  (void)other.cherry_pick(merge, {.parent_number = 1});
  EXPECT_EQ(other.object("from-side").read_all(), "s");
}

TEST_F(ReferenceOptions, RepositoryMetadataSetOnTheServerIsRead) {
  lakefs_client().api().internal.set_repository_metadata(
      {.repository = repo().id(), .body = {.metadata = {{"team", "data"}, {"tier", "gold"}}}});
  EXPECT_EQ(repo().metadata(), (lakefs::Metadata{{"team", "data"}, {"tier", "gold"}}));
  const auto props = repo().properties();
  EXPECT_EQ(props.id, repo().id());
  EXPECT_EQ(props.default_branch, "main");
}

TEST_F(ReferenceOptions, TheDefaultClientIsMadeOnFirstUseFromTheEnvironment) {
  // Each test runs in its own process, so nothing has made the default client yet.
  const auto& s = lakefs::test::server();
  ::setenv("LAKEFS_ENDPOINT", s.endpoint.c_str(), 1);
  ::setenv("LAKEFS_ACCESS_KEY_ID", s.access_key_id.c_str(), 1);
  ::setenv("LAKEFS_SECRET_ACCESS_KEY", s.secret_access_key.c_str(), 1);
  EXPECT_EQ(lakefs::repository(repo().id()).properties().id, repo().id());
  EXPECT_EQ(lakefs::default_client().config().endpoint_source, "environment (LAKEFS_*)");
}

TEST_F(ReferenceOptions, AnnotateGivesTheLatestCommitOfEachEntry) {
  auto main = main_branch();
  main.object("a/x").upload("1");
  main.object("b/y").upload("1");
  const auto c1 = main.commit("c1");
  main.object("a/x").upload("2");
  const auto c2 = main.commit("c2");
  main.object("c").upload("1");
  const auto c3 = main.commit("c3");

  const auto path_of = [](const lakefs::Annotation& a) { return a.entry.path(); };
  const auto check = [&](std::vector<lakefs::Annotation> got,
                         const std::vector<std::pair<std::string, std::string>>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(path_of(got[i]), want[i].first);
      ASSERT_TRUE(got[i].commit) << want[i].first;
      EXPECT_EQ(got[i].commit->id, want[i].second) << want[i].first;
    }
  };
  // One level (as lakectl annotate): common prefixes get the latest commit under them.
  check(main.annotate().to_vector(), {{"a/", c2.id}, {"b/", c1.id}, {"c", c3.id}});
  check(main.annotate({.recursive = true}).to_vector(), {{"a/x", c2.id}, {"b/y", c1.id}, {"c", c3.id}});
  check(main.annotate({.prefix = "a/"}).to_vector(), {{"a/x", c2.id}});
  // At an older ref, the answer as of then; pages of one, one lookup at a time.
  check(repo().ref(c1.id).annotate({.recursive = true, .page_size = 1, .concurrency = 1}).to_vector(),
        {{"a/x", c1.id}, {"b/y", c1.id}});
  // Resumable like every listing.
  auto first = main.annotate({.max_amount = 2});
  EXPECT_EQ(first.to_vector().size(), 2u);
  check(main.annotate({.after = first.resume_after().value()}).to_vector(), {{"c", c3.id}});
}

}  // namespace
