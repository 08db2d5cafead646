// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"

namespace {

using lakefs::test::RepoTest;

TEST(Repository, CreateExistOkRemoveAndRemoveAgain) {
  auto client = lakefs::test::client();
  const auto name = lakefs::test::unique_name();
  auto repo = client.repository(name).create({.storage_namespace = "local://" + name, .default_branch = "trunk"});
  const auto props = repo.properties();
  EXPECT_EQ(props.id, name);
  EXPECT_EQ(props.default_branch, "trunk");
  EXPECT_EQ(props.storage_namespace, "local://" + name);
  EXPECT_GT(props.creation_date.time_since_epoch().count(), 0);

  // exist_ok returns the existing repository, same properties.
  auto again = lakefs::Repository(name, client).create({.storage_namespace = "local://other", .exist_ok = true});
  EXPECT_EQ(again.properties(), props);

  // Without exist_ok: conflict.
  EXPECT_THROW(lakefs::Repository(name, client).create({.storage_namespace = "local://" + name + "-2"}),
               lakefs::ConflictError);

  repo.remove();
  EXPECT_THROW(repo.remove(), lakefs::NotFoundError);
  // (properties() may still answer for a moment: lakeFS caches repositories briefly.)
  for (const auto& r : lakefs::repositories({.prefix = name}, client)) ADD_FAILURE() << "still listed: " << r;
}

// A read-only repository refuses every change; `force` on each call makes it anyway (lakeFS's `force`).
TEST(Repository, AReadOnlyRepositoryChangesOnlyWithForce) {
  auto client = lakefs::test::client();
  const auto name = lakefs::test::unique_name("ro");
  auto repo = client.repository(name).create({.storage_namespace = "local://" + name, .read_only = true});
  EXPECT_TRUE(repo.properties().read_only);
  auto main = repo.branch("main");

  EXPECT_THROW(repo.branch("b").create(main), lakefs::ForbiddenError);
  auto branch = repo.branch("b").create(main, {.force = true});
  EXPECT_EQ(branch.head().id(), main.head().id());

  EXPECT_THROW((void)branch.commit("refused", {.allow_empty = true}), lakefs::ForbiddenError);
  const auto commit = branch.commit("forced", {.allow_empty = true, .force = true});
  EXPECT_EQ(commit.message, "forced");
  EXPECT_EQ(branch.head().id(), commit.id);

  EXPECT_THROW(repo.tag("t").create(branch), lakefs::ForbiddenError);
  auto tag = repo.tag("t").create(branch, {.force = true});
  EXPECT_EQ(tag.get_commit().id, commit.id);

  EXPECT_THROW(tag.remove(), lakefs::ForbiddenError);
  tag.remove({.force = true});
  EXPECT_THROW((void)tag.get_commit(), lakefs::NotFoundError);

  EXPECT_THROW(branch.remove(), lakefs::ForbiddenError);
  branch.remove({.force = true});
  EXPECT_THROW((void)branch.head(), lakefs::NotFoundError);

  EXPECT_THROW(repo.remove(), lakefs::ForbiddenError);
  repo.remove({.force = true});
  EXPECT_THROW(repo.remove({.force = true}), lakefs::NotFoundError);
}

TEST(Repository, ABareRepositoryHasNoBranchUntilOneIsMade) {
  auto client = lakefs::test::client();
  const auto name = lakefs::test::unique_name("bare");
  auto repo = client.repository(name).create({.storage_namespace = "local://" + name, .bare = true});
  EXPECT_EQ(repo.properties().default_branch, "main");  // named, not made
  for (const auto& b : repo.branches()) ADD_FAILURE() << "a bare repository has branch " << b.id();
  EXPECT_THROW((void)repo.branch("main").head(), lakefs::NotFoundError);
  repo.remove();
}

TEST(Repository, AStorageIdTheServerDoesNotKnowIsRefused) {
  auto client = lakefs::test::client();
  const auto name = lakefs::test::unique_name("sid");
  EXPECT_THROW(client.repository(name).create({.storage_namespace = "local://" + name, .storage_id = "no-such-store"}),
               lakefs::ServerError);
  EXPECT_THROW((void)client.repository(name).properties(), lakefs::NotFoundError);
}

TEST(Repository, ConstructingAHandleSendsNothing) {
  // A handle to a repository that does not exist, on a client whose endpoint has no server:
  // constructing handles must not touch the network.
  lakefs::Client offline(
      {.endpoint = "http://127.0.0.1:9", .access_key_id = "k", .secret_access_key = "s", .explicit_only = true});
  auto repo = offline.repository("nope");
  auto branch = repo.branch("b");
  auto obj = branch.object("x/y");
  EXPECT_EQ(obj.path(), "x/y");
  EXPECT_EQ(branch.repo_id(), "nope");
  EXPECT_THROW((void)repo.properties(), lakefs::ConnectionError);
}

TEST(Repository, EmptyIdsRejectedBeforeAnyRequest) {
  auto client = lakefs::test::client();
  EXPECT_THROW(lakefs::Repository("", client).create({.storage_namespace = "local://x"}), lakefs::InvalidArgumentError);
  EXPECT_THROW(lakefs::Repository("abc", client).create({}), lakefs::InvalidArgumentError);
  EXPECT_THROW(lakefs::Branch("abc", "", client).create("main"), lakefs::InvalidArgumentError);
}

// lakeFS caches a repository's settings for a few seconds (pkg/graveler/settings: eventually consistent), so the
// test waits, within a deadline, for the rules to take effect rather than expecting them on the next call.
TEST_F(RepoTest, BranchProtectionRulesRefuseDirectChangesUntilRemoved) {
  using namespace std::chrono_literals;
  auto release = repo().branch("release-1").create("main");
  release.object("x").upload("x");  // staged before the branch is protected

  EXPECT_TRUE(repo().branch_protection_rules().empty());
  repo().add_branch_protection_rule("release-*");
  repo().add_branch_protection_rule("release-*");  // already there: nothing changes
  repo().add_branch_protection_rule("prod");
  auto patterns = repo().branch_protection_rules();
  std::sort(patterns.begin(), patterns.end());
  EXPECT_EQ(patterns, (std::vector<std::string>{"prod", "release-*"}));

  bool refused = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 20s;
       !refused && std::chrono::steady_clock::now() < deadline;) {
    try {
      release.object("probe").upload("p");  // staged only: harmless if still accepted
      std::this_thread::sleep_for(200ms);
    } catch (const lakefs::ForbiddenError&) {
      refused = true;
    }
  }
  ASSERT_TRUE(refused) << "the protected branch still took writes";
  EXPECT_THROW((void)release.commit("direct"), lakefs::ForbiddenError);

  repo().remove_branch_protection_rule("release-*");
  EXPECT_THROW(repo().remove_branch_protection_rule("release-*"), lakefs::NotFoundError);
  EXPECT_EQ(repo().branch_protection_rules(), std::vector<std::string>{"prod"});
  std::optional<lakefs::Commit> commit;
  for (const auto deadline = std::chrono::steady_clock::now() + 20s;
       !commit && std::chrono::steady_clock::now() < deadline;) {
    try {
      commit = release.commit("now allowed");
    } catch (const lakefs::ForbiddenError&) {
      std::this_thread::sleep_for(200ms);
    }
  }
  ASSERT_TRUE(commit.has_value()) << "the branch stayed protected";
  EXPECT_EQ(commit->message, "now allowed");
}

TEST_F(RepoTest, GarbageCollectionRulesSetReadAndDeleted) {
  EXPECT_FALSE(repo().gc_rules().has_value());
  repo().delete_gc_rules();  // none: nothing to do
  const lakefs::GarbageCollectionRules rules{.default_retention_days = 21,
                                             .branch_retention_days = {{"main", 28}, {"dev", 7}}};
  repo().set_gc_rules(rules);
  EXPECT_EQ(repo().gc_rules(), rules);
  repo().delete_gc_rules();
  EXPECT_FALSE(repo().gc_rules().has_value());
  EXPECT_THROW((void)lakefs::Repository("no-such-repo-gc", lakefs_client()).gc_rules(), lakefs::NotFoundError);
}

TEST_F(RepoTest, MergeBaseIsTheCommitBothSidesShare) {
  auto main = repo().branch("main");
  main.object("a").upload("a");
  const auto fork_point = main.commit("fork point");
  auto feature = repo().branch("feature").create(main);
  feature.object("f").upload("f");
  (void)feature.commit("on feature");
  main.object("m").upload("m");
  (void)main.commit("on main");
  EXPECT_EQ(feature.merge_base(main).id(), fork_point.id);
  EXPECT_EQ(feature.merge_base("main").get_commit().message, "fork point");
  EXPECT_THROW((void)feature.merge_base(lakefs::Branch("other-repo", "main", lakefs_client())),
               lakefs::InvalidArgumentError);
}

TEST_F(RepoTest, ListedAmongRepositories) {
  bool found = false;
  for (const auto& r : lakefs::repositories({.prefix = repo().id()}, lakefs_client())) {
    if (r.id() == repo().id()) found = true;
  }
  EXPECT_TRUE(found);
}

TEST_F(RepoTest, MetadataIsEmptyForANewRepository) { EXPECT_TRUE(repo().metadata().empty()); }

TEST_F(RepoTest, StorageConfigOfTheLocalServer) {
  const auto config = lakefs_client().storage_config();
  EXPECT_EQ(config.blockstore_type, "local");
  EXPECT_FALSE(config.pre_sign_support);
  EXPECT_TRUE(config.import_support);
}

TEST_F(RepoTest, ServerConfigurationFromConfigWithItsOneBlockStore) {
  const auto config = lakefs_client().server_config();
  EXPECT_EQ(config.version, "1.84.0");
  ASSERT_EQ(config.storages.size(), 1u);  // open-source lakeFS: one block store, with an empty id
  EXPECT_EQ(config.storages[0].blockstore_id, "");
  EXPECT_EQ(config.storages[0].blockstore_type, "local");
  EXPECT_EQ(lakefs_client().storage_config(""), config.storages[0]);
  EXPECT_EQ(lakefs_client().storage_config(), config.storages[0]);
  EXPECT_THROW((void)lakefs_client().storage_config("other-store"), lakefs::InvalidArgumentError);
  // The repository's block store is that one.
  EXPECT_EQ(repo().storage_id(), "");
  EXPECT_EQ(lakefs_client().storage_config(repo().storage_id()).blockstore_type, "local");
}

}  // namespace
