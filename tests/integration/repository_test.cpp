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
