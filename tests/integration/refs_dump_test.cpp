// SPDX-License-Identifier: Apache-2.0
// Refs dump and restore: a repository's history restored into a bare
// repository on the same storage namespace.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"

namespace {

class RefsDumpTest : public lakefs::test::RepoTest {};

template <typename T>
std::vector<std::string> ids(lakefs::Listing<T> listing) {
  std::vector<std::string> out;
  for (const auto& item : listing) out.push_back(item.id());
  return out;
}

TEST_F(RefsDumpTest, ABareRepositoryRestoredFromADumpHasTheSameHistory) {
  auto main = main_branch();
  main.object("a.txt").upload("a");
  main.commit("first");
  repo().tag("v1").create(main);
  auto dev = repo().branch("dev").create(main);
  dev.object("b.txt").upload("b");
  dev.commit("on dev");

  int polls = 0;
  const auto dump = repo().dump_refs({.on_progress = [&](const lakefs::RefsTaskStatus& s) {
    ++polls;
    EXPECT_FALSE(s.task_id.empty());
  }});
  EXPECT_GE(polls, 1);
  EXPECT_FALSE(dump.commits_meta_range_id.empty());
  EXPECT_FALSE(dump.branches_meta_range_id.empty());
  EXPECT_FALSE(dump.tags_meta_range_id.empty());

  // Only a bare repository takes a restore.
  EXPECT_THROW(repo().restore_refs(dump), lakefs::BadRequestError);

  const auto namespace_ = repo().properties().storage_namespace;
  auto copy = lakefs::Repository(repo().id() + "-copy", lakefs_client());
  copy.create({.storage_namespace = namespace_, .bare = true});
  struct Cleanup {
    lakefs::Repository& r;
    ~Cleanup() { r.remove(); }
  } cleanup{copy};
  bool done_seen = false;
  copy.restore_refs(dump, {.on_progress = [&](const lakefs::RefsTaskStatus& s) { done_seen = s.done; }});
  EXPECT_TRUE(done_seen);

  EXPECT_EQ(ids(copy.branches()), ids(repo().branches()));
  EXPECT_EQ(ids(copy.tags()), ids(repo().tags()));
  EXPECT_EQ(copy.branch("dev").head().id(), dev.head().id());
  EXPECT_EQ(copy.branch("dev").object("b.txt").read_all(), "b");
  EXPECT_EQ(copy.tag("v1").get_commit().message, "first");

  EXPECT_THROW(copy.restore_refs(lakefs::RefsDump{}), lakefs::InvalidArgumentError);
}

}  // namespace
