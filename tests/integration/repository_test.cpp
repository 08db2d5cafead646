#include <gtest/gtest.h>

#include <algorithm>

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

}  // namespace
