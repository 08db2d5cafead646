// SPDX-License-Identifier: Apache-2.0
// The object handles' asynchronous members against the server: the same answers and the same errors as their
// synchronous forms, and a task that outlives the handle it came from.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "lakefs/async/combinators.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

using async::Task;

class ObjectAsyncTest : public RepoTest {};

TEST_F(ObjectAsyncTest, StatAndExistsAgreeWithTheirSynchronousForms) {
  auto object = main_branch().object("data/a.csv");
  object.upload("id,value\n1,42\n");
  const ObjectInfo sync = object.stat();
  const ObjectInfo async = async::sync_wait(object.stat_async());
  EXPECT_EQ(async.path, sync.path);
  EXPECT_EQ(async.checksum, sync.checksum);
  EXPECT_EQ(async.size_bytes, sync.size_bytes);
  EXPECT_TRUE(async::sync_wait(object.exists_async()));
  EXPECT_FALSE(async::sync_wait(main_branch().object("data/missing.csv").exists_async()));
}

TEST_F(ObjectAsyncTest, AMissingObjectIsObjectNotFoundErrorNamingIt) {
  try {
    (void)async::sync_wait(main_branch().object("data/missing.csv").stat_async());
    FAIL() << "no exception";
  } catch (const ObjectNotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("data/missing.csv"), std::string::npos) << e.what();
  }
}

TEST_F(ObjectAsyncTest, PreSignIsAPreSignedUrlOrNotSupportedAsTheBlockStoreAllows) {
  auto object = main_branch().object("p.txt");
  object.upload("p");
  StatOptions options;
  options.pre_sign = true;
  if (lakefs_client().storage_config().pre_sign_support) {
    EXPECT_TRUE(async::sync_wait(object.stat_async(options)).physical_address.starts_with("http"));
  } else {
    EXPECT_THROW((void)async::sync_wait(object.stat_async(options)), NotSupportedError);
  }
}

TEST_F(ObjectAsyncTest, CopyAndRemove) {
  auto object = main_branch().object("src.txt");
  object.upload("payload");
  const WriteableObject copy = async::sync_wait(object.copy_async("main", "dst.txt"));
  EXPECT_EQ(copy.path(), "dst.txt");
  EXPECT_EQ(copy.read_all(), "payload");
  async::sync_wait(copy.remove_async());
  EXPECT_FALSE(copy.exists());
  // lakeFS answers a delete of a path with no object 204, as for the synchronous remove().
  EXPECT_NO_THROW(main_branch().object("never-there.txt").remove());
  EXPECT_NO_THROW(async::sync_wait(main_branch().object("never-there.txt").remove_async()));
}

TEST_F(ObjectAsyncTest, ATaskOutlivesItsHandle) {
  main_branch().object("kept.txt").upload("k");
  std::optional<Task<ObjectInfo>> task;
  {
    const StoredObject handle = repo().ref("main").object("kept.txt");
    task.emplace(handle.stat_async());
  }  // the handle is gone; its task holds what it needs
  EXPECT_EQ(async::sync_wait(std::move(*task)).path, "kept.txt");
}

TEST_F(ObjectAsyncTest, ManyStatsAtOnce) {
  std::vector<Task<ObjectInfo>> tasks;
  for (int i = 0; i < 50; ++i) {
    auto object = main_branch().object("many/" + std::to_string(i));
    object.upload(std::string(static_cast<std::size_t>(i + 1), 'x'));
    tasks.push_back(object.stat_async());
  }
  const std::vector<ObjectInfo> infos = async::sync_wait(async::when_all(std::move(tasks)));
  ASSERT_EQ(infos.size(), 50u);
  for (std::size_t i = 0; i < infos.size(); ++i) EXPECT_EQ(infos[i].size_bytes, static_cast<std::int64_t>(i + 1));
}

}  // namespace
}  // namespace lakefs::test
