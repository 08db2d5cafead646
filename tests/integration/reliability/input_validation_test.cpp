// SPDX-License-Identifier: Apache-2.0
// Bad input is a typed error before any request, and loses nothing: against
// the real server, nothing of a rejected call is stored.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>

#include "lakefs/api/api.hpp"
#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/repo_fixture.hpp"

namespace {

using lakefs::test::RepoTest;

class InputValidationTest : public RepoTest {};

TEST_F(InputValidationTest, DotSegmentIdsNeverReachTheServer) {
  // DELETE /repositories/<repo>/branches/.. would be DELETE /repositories/<repo>/ once collapsed.
  EXPECT_THROW(lakefs::Branch(repo().id(), "..", lakefs_client()).remove(), lakefs::InvalidArgumentError);
  EXPECT_THROW(lakefs::Branch(repo().id(), ".", lakefs_client()).remove(), lakefs::InvalidArgumentError);
  EXPECT_THROW(lakefs::Tag(repo().id(), "..", lakefs_client()).remove(), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)lakefs::Reference(repo().id(), "..", lakefs_client()).get_commit(), lakefs::InvalidArgumentError);
  EXPECT_THROW(lakefs::Repository("..", lakefs_client()).remove(), lakefs::InvalidArgumentError);
  // Through the generated layer too: the transport refuses a path with a dot segment.
  EXPECT_THROW(lakefs_client().api().branches.delete_branch({.repository = repo().id(), .branch = ".."}),
               lakefs::InvalidArgumentError);
  EXPECT_THROW(lakefs_client().api().branches.delete_branch({.repository = repo().id(), .branch = ""}),
               lakefs::InvalidArgumentError);
  EXPECT_NO_THROW((void)repo().properties());  // the repository is still there
  EXPECT_NO_THROW((void)main_branch().head());
}

TEST_F(InputValidationTest, IdsFollowLakeFSRules) {
  EXPECT_THROW(lakefs::Repository("Bad_Repo", lakefs_client()), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)repo().branch("has space"), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)repo().branch("-lead"), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)repo().tag("v1.lock"), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)repo().tag("a/b"), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)main_branch().object(std::string("a\0b", 3)), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)main_branch().create(std::string("main\r\n")), lakefs::InvalidArgumentError);
  EXPECT_EQ(lakefs::test::paths_at(main_branch()).size(), 0u);
}

TEST_F(InputValidationTest, HeaderInjectionThroughMetadataOrContentTypeStoresNothing) {
  auto main = main_branch();
  const lakefs::Metadata evil{{"k", "v\r\nX-Lakefs-Meta-Injected: evil"}};
  EXPECT_THROW(main.object("upload.txt").upload("data", {.metadata = evil}), lakefs::InvalidArgumentError);
  EXPECT_THROW(main.object("ct.txt").upload("data", {.content_type = "text/plain\r\nX-Lakefs-Meta-Injected: evil"}),
               lakefs::InvalidArgumentError);
  EXPECT_THROW((void)main.object("writer.txt").writer({.metadata = evil}), lakefs::InvalidArgumentError);
  EXPECT_THROW(main.object("key.txt").upload("data", {.metadata = {{"k: v\r\nX-Injected", "1"}}}),
               lakefs::InvalidArgumentError);
  std::istringstream in("streamed");
  EXPECT_THROW(main.object("stream.txt").upload(in, {.metadata = evil}), lakefs::InvalidArgumentError);
  EXPECT_TRUE(lakefs::test::paths_at(main).empty());  // no partial object

  // Valid metadata still round-trips exactly.
  main.object("ok.txt").upload("data", {.metadata = {{"owner", "data team"}}});
  const auto info = main.object("ok.txt").stat();
  EXPECT_EQ(info.metadata, (lakefs::Metadata{{"owner", "data team"}}));
}

TEST_F(InputValidationTest, RangesNeverWrap) {
  auto main = main_branch();
  main.object("r.bin").upload("0123456789abcdef");
  // offset + length - 1 would wrap to a range before the offset.
  EXPECT_EQ(main.object("r.bin").read_range(10, std::numeric_limits<std::uint64_t>::max()), "abcdef");
  EXPECT_EQ(main.object("r.bin").read_range(0, 4), "0123");
  EXPECT_THROW((void)main.object("r.bin").read_range(std::numeric_limits<std::uint64_t>::max(), 1),
               lakefs::InvalidArgumentError);

  auto in = main.object("r.bin").reader();
  in.seekg(4);
  // seekg far past int64 from the current position is a failed seek, not signed overflow (UBSan checks this).
  in.seekg(std::numeric_limits<std::streamoff>::max(), std::ios_base::cur);
  EXPECT_TRUE(in.fail());
  in.clear();
  in.seekg(2);
  char c = 0;
  in.get(c);
  EXPECT_EQ(c, '2');
}

}  // namespace
