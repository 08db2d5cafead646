// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <functional>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/repo_fixture.hpp"

namespace {

using lakefs::test::RepoTest;

using lakefs::test::paths_at;

TEST_F(RepoTest, BranchCreateFromMainHasSameHeadThenRemove) {
  auto main = main_branch();
  main.object("a.txt").upload("a");
  main.commit("add a");
  auto feature = repo().branch("feature").create("main");
  EXPECT_EQ(feature.head().id(), main.head().id());
  EXPECT_THROW(repo().branch("feature").create("main"), lakefs::ConflictError);
  EXPECT_EQ(repo().branch("feature").create("main", {.exist_ok = true}).head().id(), main.head().id());
  feature.remove();
  EXPECT_THROW((void)feature.head(), lakefs::NotFoundError);
}

TEST_F(RepoTest, BranchesListing) {
  repo().branch("b1").create("main");
  repo().branch("b2").create("main");
  std::vector<std::string> names;
  for (const auto& b : repo().branches()) names.push_back(b.id());
  EXPECT_EQ(names, (std::vector<std::string>{"b1", "b2", "main"}));
  auto limited = repo().branches({.max_amount = 2}).to_vector();
  EXPECT_EQ(limited.size(), 2u);
}

TEST_F(RepoTest, CommitWithMetadataReadBackFromLog) {
  auto main = main_branch();
  main.object("data/file.txt").upload("Hello, lakeFS!");
  const auto commit = main.commit("Add new data file", {.metadata = {{"owner", "tests"}, {"run", "42"}}});
  EXPECT_EQ(commit.message, "Add new data file");
  EXPECT_EQ(commit.metadata.at("owner"), "tests");
  auto log = main.log({.max_amount = 1}).to_vector();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], commit);
  EXPECT_EQ(main.head().get_commit(), commit);
  EXPECT_EQ(main.head().id(), commit.id);
}

TEST_F(RepoTest, FluentUploadThenCommit) {
  const auto commit = repo().branch("main").object("file.txt").upload("content").commit("Add file");
  EXPECT_EQ(repo().ref(commit.id).object("file.txt").read_all(), "content");
}

TEST_F(RepoTest, UncommittedShowsStagedChangesAndNothingAfterCommit) {
  auto main = main_branch();
  main.object("x/1").upload("1");
  main.object("x/2").upload("2");
  auto changes = main.uncommitted().to_vector();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].path, "x/1");
  EXPECT_EQ(changes[0].type, lakefs::Change::Type::added);
  EXPECT_EQ(main.uncommitted({.prefix = "x/2"}).to_vector().size(), 1u);
  main.commit("c");
  EXPECT_TRUE(main.uncommitted().to_vector().empty());
  EXPECT_THROW(main.commit("nothing to commit"), lakefs::BadRequestError);
  EXPECT_NO_THROW(main.commit("empty allowed", {.allow_empty = true}));
}

TEST_F(RepoTest, DiffShowsExactlyTheChangedPathsWithTypes) {
  auto main = main_branch();
  main.object("keep").upload("k");
  main.object("change").upload("v1");
  main.object("remove").upload("r");
  main.commit("base");
  auto feature = repo().branch("feature").create("main");
  feature.object("change").upload("v2");
  feature.object("remove").remove();
  feature.object("add").upload("new");
  feature.commit("changes");

  std::vector<std::pair<std::string, lakefs::Change::Type>> got;
  for (const auto& c : main.diff(feature)) got.emplace_back(c.path, c.type);
  const std::vector<std::pair<std::string, lakefs::Change::Type>> want{{"add", lakefs::Change::Type::added},
                                                                       {"change", lakefs::Change::Type::changed},
                                                                       {"remove", lakefs::Change::Type::removed}};
  EXPECT_EQ(got, want);
}

TEST_F(RepoTest, MergeRevertAndCherryPickProduceTheExpectedTrees) {
  auto main = main_branch();
  main.object("base").upload("b");
  main.commit("base");
  auto feature = repo().branch("feature").create("main");
  feature.object("f1").upload("1");
  const auto c1 = feature.commit("f1");
  feature.object("f2").upload("2");
  const auto c2 = feature.commit("f2");

  // Cherry-pick only c1 onto a fresh branch.
  auto pick = repo().branch("pick").create("main");
  const auto picked = pick.cherry_pick(c1.id);
  EXPECT_EQ(paths_at(pick), (std::set<std::string>{"base", "f1"}));
  EXPECT_EQ(pick.head().id(), picked.id);

  // Merge everything into main.
  const auto merge_id = feature.merge_into(main, {.message = "merge feature"});
  EXPECT_EQ(main.head().id(), merge_id);
  EXPECT_EQ(paths_at(main), (std::set<std::string>{"base", "f1", "f2"}));

  // Revert c2 on main: f2 is gone again.
  const auto reverted = main.revert(c2.id);
  EXPECT_EQ(main.head().id(), reverted.id);
  EXPECT_EQ(paths_at(main), (std::set<std::string>{"base", "f1"}));
}

TEST_F(RepoTest, RevertingTwiceNeedsAllowEmptyAndHandlesAndNamesWork) {
  auto main = main_branch();
  main.object("base").upload("b");
  main.commit("base");
  main.object("x").upload("x");
  const auto added = main.commit("add x");
  const lakefs::Reference added_ref = repo().commit(added.id);

  // Revert through a Reference handle: x is gone.
  const auto first = main.revert(added_ref);
  EXPECT_EQ(paths_at(main), std::set<std::string>{"base"});
  // Reverting it again changes nothing: refused, unless allow_empty.
  EXPECT_THROW((void)main.revert(added.id, lakefs::RevertOptions{}), lakefs::BadRequestError);
  EXPECT_EQ(main.head().id(), first.id);
  const auto empty = main.revert(added_ref, {.allow_empty = true});
  EXPECT_EQ(main.head().id(), empty.id);
  EXPECT_EQ(empty.parents, std::vector<std::string>{first.id});
  EXPECT_EQ(paths_at(main), std::set<std::string>{"base"});

  // Cherry-pick through a handle; merge into a branch named by string.
  auto side = repo().branch("side").create(added_ref);
  side.object("y").upload("y");
  const auto with_y = side.commit("add y");
  auto pick = repo().branch("pick").create(main);
  (void)pick.cherry_pick(repo().commit(with_y.id));
  EXPECT_EQ(paths_at(pick), (std::set<std::string>{"base", "y"}));
  const auto merged = side.merge_into("main", {.message = "side into main"});
  EXPECT_EQ(main.head().id(), merged);
}

TEST_F(RepoTest, HandlesOfAnotherRepositoryAreRefusedBeforeAnyRequest) {
  auto main = main_branch();
  const lakefs::Branch elsewhere("other-repo", "main", lakefs_client());
  EXPECT_THROW((void)main.merge_into(elsewhere), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)elsewhere.merge_into(main), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)main.revert(lakefs::Reference("other-repo", "abc", lakefs_client())),
               lakefs::InvalidArgumentError);
  EXPECT_THROW((void)main.cherry_pick(lakefs::Reference("other-repo", "abc", lakefs_client())),
               lakefs::InvalidArgumentError);
}

// If-Match on uploads and shallow copies are passed to lakeFS; open-source lakeFS (1.84) implements neither
// (pkg/api/apiutil/conditions.go answers "not implemented"), so the typed error is what a user of it gets, and
// nothing is written.
TEST_F(RepoTest, IfMatchStorageClassAndShallowCopyReachTheServer) {
  auto main = main_branch();
  auto obj = main.object("doc.txt").upload("v1");
  const std::string etag = obj.stat().checksum;
  EXPECT_THROW(obj.upload("v2", {.if_match = etag}), lakefs::NotImplementedError);
  EXPECT_EQ(obj.read_all(), "v1");
  EXPECT_THROW(obj.upload("v2", {.exclusive = true, .if_match = etag}), lakefs::InvalidArgumentError);
  EXPECT_THROW(obj.upload("v2", {.if_match = "\"x\"\r\nX-Evil: 1"}), lakefs::InvalidArgumentError);
  EXPECT_EQ(obj.read_all(), "v1");

  // A storage class goes through lakeFS, which accepts it on this store.
  main.object("cold.txt").upload("cold", {.storage_class = "STANDARD"});
  EXPECT_EQ(main.object("cold.txt").read_all(), "cold");
  EXPECT_THROW(main.object("cold2.txt").upload("x", {.storage_class = "STANDARD", .pre_sign = true}),
               lakefs::NotSupportedError);

  EXPECT_THROW((void)obj.copy(main, "shallow.txt", {.shallow = true}), lakefs::NotImplementedError);
  EXPECT_FALSE(main.object("shallow.txt").exists());
  const auto deep = obj.copy(main, "deep.txt", {.force = true});
  EXPECT_EQ(deep.read_all(), "v1");
}

TEST_F(RepoTest, UpdateMetadataReplacesItAndKeepsTheContent) {
  auto main = main_branch();
  auto obj = main.object("m.txt").upload("content", {.metadata = {{"k1", "v1"}}});
  obj.update_metadata({{"k2", "v2"}, {"Mixed-Case", "x y"}});
  auto info = obj.stat();
  EXPECT_EQ(info.metadata, (lakefs::Metadata{{"k2", "v2"}, {"Mixed-Case", "x y"}}));  // as given: a JSON body
  EXPECT_EQ(obj.read_all(), "content");

  // A committed object: the update is a staged change; the content stays.
  main.commit("m");
  obj.update_metadata({});
  EXPECT_TRUE(obj.stat().metadata.empty());
  EXPECT_EQ(obj.read_all(), "content");
  EXPECT_EQ(main.commit("cleared").message, "cleared");

  EXPECT_THROW(main.object("missing.txt").update_metadata({{"a", "b"}}), lakefs::ObjectNotFoundError);
  EXPECT_THROW(obj.update_metadata({{"bad key", "v"}}), lakefs::InvalidArgumentError);
  EXPECT_THROW(obj.update_metadata({{"k", "line\r\nbreak"}}), lakefs::InvalidArgumentError);
}

TEST_F(RepoTest, ResetOfOneObjectAndOfAPrefix) {
  auto main = main_branch();
  main.object("keep/a").upload("a");
  main.commit("base");
  main.object("keep/a").upload("changed");
  main.object("dir/1").upload("1");
  main.object("dir/2").upload("2");
  main.object("other").upload("o");

  main.reset_object("keep/a");
  EXPECT_EQ(main.object("keep/a").read_all(), "a");
  main.reset_prefix("dir/");
  std::vector<std::string> left;
  for (const auto& c : main.uncommitted()) left.push_back(c.path);
  EXPECT_EQ(left, std::vector<std::string>{"other"});
  main.reset_changes();
  EXPECT_TRUE(main.uncommitted().to_vector().empty());
}

TEST_F(RepoTest, RemoveObjectsInChunksConcurrently) {
  auto main = main_branch();
  std::vector<std::string> paths;
  for (int i = 0; i < 2100; ++i) paths.push_back("bulk/" + std::to_string(i));
  // Stage them with a few threads' worth of uploads.
  for (const auto& p : paths) main.object(p).upload("x");
  main.commit("bulk");
  main.remove_objects(paths);
  EXPECT_TRUE(paths_at(main).empty());
  EXPECT_EQ(main.uncommitted().to_vector().size(), paths.size());
}

TEST_F(RepoTest, RemoveObjectsTakesAnyRangeOfPathsOrHandles) {
  auto main = main_branch();
  for (const char* p : {"a", "b", "c", "d", "e", "f"}) main.object(p).upload(p);
  main.remove_objects(std::set<std::string>{"a", "b"});
  main.remove_objects({"c"});
  const std::vector<lakefs::WriteableObject> handles{main.object("d")};
  main.remove_objects(handles);
  const std::vector<std::string_view> views{"e"};
  main.remove_objects(views);
  EXPECT_EQ(paths_at(main), std::set<std::string>{"f"});

  const std::vector<lakefs::StoredObject> elsewhere{lakefs::StoredObject("other-repo", "main", "f", lakefs_client())};
  EXPECT_THROW(main.remove_objects(elsewhere), lakefs::InvalidArgumentError);
  EXPECT_EQ(paths_at(main), std::set<std::string>{"f"});
}

TEST_F(RepoTest, TagCreateConflictExistOkAndRemoveTwice) {
  auto main = main_branch();
  main.object("a").upload("a");
  const auto commit = main.commit("a");
  auto tag = repo().tag("v1").create(commit.id);
  EXPECT_EQ(tag.get_commit(), commit);
  EXPECT_THROW(repo().tag("v1").create(commit.id), lakefs::ConflictError);
  EXPECT_NO_THROW(repo().tag("v1").create(commit.id, {.exist_ok = true}));
  std::vector<std::string> tags;
  for (const auto& t : repo().tags()) tags.push_back(t.id());
  EXPECT_EQ(tags, std::vector<std::string>{"v1"});
  tag.remove();
  EXPECT_THROW(tag.remove(), lakefs::NotFoundError);
}

TEST_F(RepoTest, ObjectOperationsAndTypedErrors) {
  auto main = main_branch();
  auto obj = main.object("o.txt");
  EXPECT_FALSE(obj.exists());
  EXPECT_THROW((void)obj.stat(), lakefs::ObjectNotFoundError);
  obj.upload("hello", {.content_type = "text/plain", .metadata = {{"owner", "tests"}}});
  EXPECT_TRUE(obj.exists());
  const auto info = obj.stat();
  EXPECT_EQ(info.path, "o.txt");
  EXPECT_EQ(info.size_bytes, 5);
  EXPECT_EQ(info.content_type, "text/plain");
  EXPECT_EQ(info.metadata, (lakefs::Metadata{{"owner", "tests"}}));
  EXPECT_THROW(obj.upload("again", {.exclusive = true}), lakefs::ObjectExistsError);
  EXPECT_EQ(obj.read_all(), "hello");
  obj.remove();
  EXPECT_THROW((void)obj.stat(), lakefs::ObjectNotFoundError);
  // A missing branch is a NotFoundError, a missing object an ObjectNotFoundError (a NotFoundError too).
  EXPECT_THROW((void)repo().branch("no-such-branch").head(), lakefs::NotFoundError);
}

TEST_F(RepoTest, AMissingRepositoryIsNotAMissingObject) {
  auto ghost = lakefs::Repository(repo().id() + "-never-made", lakefs_client());
  auto object = ghost.branch("main").object("a.txt");
  // exists() answers false only for a missing object: a missing repository is an error.
  EXPECT_THROW((void)object.exists(), lakefs::RepositoryNotFoundError);
  for (const auto& call : std::vector<std::function<void()>>{
           [&] { (void)object.stat(); },
           [&] { (void)object.read_all(); },
           [&] { object.upload("x"); },
           [&] { (void)ghost.properties(); },
           [&] { (void)ghost.branch("main").head(); },
       }) {
    try {
      call();
      ADD_FAILURE() << "no error";
    } catch (const lakefs::ObjectNotFoundError& e) {
      ADD_FAILURE() << "ObjectNotFoundError for a missing repository: " << e.what();
    } catch (const lakefs::RepositoryNotFoundError& e) {
      EXPECT_EQ(e.status(), 404);
    }
  }
  // A missing object in an existing repository is ObjectNotFoundError; a missing branch
  // written to is a NotFoundError that is not about an object.
  EXPECT_FALSE(main_branch().object("a.txt").exists());
  EXPECT_THROW((void)main_branch().object("a.txt").stat(), lakefs::ObjectNotFoundError);
  try {
    repo().branch("no-such-branch").object("a.txt").upload("x");
    ADD_FAILURE() << "uploaded to a missing branch";
  } catch (const lakefs::ObjectNotFoundError& e) {
    ADD_FAILURE() << "ObjectNotFoundError for a missing branch: " << e.what();
  } catch (const lakefs::NotFoundError& e) {
    EXPECT_EQ(dynamic_cast<const lakefs::RepositoryNotFoundError*>(&e), nullptr);
  }
}

}  // namespace
