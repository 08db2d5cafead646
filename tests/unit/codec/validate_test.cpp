// SPDX-License-Identifier: Apache-2.0
// Ids, paths and metadata are checked against lakeFS's own rules before any request.
#include "codec/validate.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lakefs/errors.hpp"

namespace lakefs::detail {
namespace {

TEST(Validate, RepositoryIds) {
  for (const std::string& good : std::vector<std::string>{"abc", "my-repo", "a0-", std::string(63, 'a')}) {
    EXPECT_NO_THROW(require_repository_id(good)) << good;
  }
  for (const std::string& bad :
       std::vector<std::string>{"", "ab", "-ab", "Abc", "a_b", "a.b", "..", ".", "a/b", std::string(64, 'a'), "ab c"}) {
    EXPECT_THROW(require_repository_id(bad), InvalidArgumentError) << bad;
  }
}

TEST(Validate, BranchIds) {
  for (const std::string& good : std::vector<std::string>{"main", "a", "_x", "feature-1", "Tx_2-b"}) {
    EXPECT_NO_THROW(require_branch_id(good)) << good;
  }
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "..", "-a", "a.b", "a/b", "a b", "ä", "a\r\nb", std::string("a\0b", 3)}) {
    EXPECT_THROW(require_branch_id(bad), InvalidArgumentError) << bad;
  }
}

TEST(Validate, TagIds) {
  for (const std::string& good : std::vector<std::string>{"v1.0", "release-2026", "a~b", "x_y"}) {
    EXPECT_NO_THROW(require_tag_id(good)) << good;
  }
  for (const std::string& bad : std::vector<std::string>{"", "@", "..", ".", "a..b", "a/b", "a@{b", "v1.", "v1.lock",
                                                         "a^", "a:b", "a?", "a*", "a[", "a\\b", "a b", "a\tb"}) {
    EXPECT_THROW(require_tag_id(bad), InvalidArgumentError) << bad;
  }
}

TEST(Validate, References) {
  for (const std::string& good : std::vector<std::string>{"main", "main~2", "v1@", "a1b2c3d4", "main^1"}) {
    EXPECT_NO_THROW(require_ref(good)) << good;
  }
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "a b", "a\nb", std::string("a\0", 2)}) {
    EXPECT_THROW(require_ref(bad), InvalidArgumentError) << bad;
  }
}

TEST(Validate, ObjectPaths) {
  EXPECT_NO_THROW(require_object_path("a/../b/./c d/ünï"));
  EXPECT_THROW(require_object_path(""), InvalidArgumentError);
  EXPECT_THROW(require_object_path(std::string("a\0b", 3)), InvalidArgumentError);
}

TEST(Validate, MetadataHeadersNameTheKeyNotTheValue) {
  try {
    (void)user_metadata_headers({{"k", "v\r\nX-Lakefs-Meta-Injected: evil"}});
    FAIL() << "accepted";
  } catch (const InvalidArgumentError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'k'"), std::string::npos) << what;
    EXPECT_EQ(what.find("Injected"), std::string::npos) << what;
  }
  EXPECT_THROW((void)user_metadata_headers({{"a b", "v"}}), InvalidArgumentError);
  EXPECT_THROW((void)user_metadata_headers({{"k:v", "v"}}), InvalidArgumentError);
  EXPECT_THROW(require_content_type("text/plain\r\nX: y"), InvalidArgumentError);
  const auto headers = user_metadata_headers({{"owner", "data team"}, {"run", "42"}});
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].first, "X-Lakefs-Meta-owner");
  EXPECT_EQ(headers[0].second, "data team");
}

TEST(Validate, PrintableEscapesAndShortens) {
  EXPECT_EQ(printable("a\r\nb"), "a\\x0d\\x0ab");
  EXPECT_EQ(printable(std::string(150, 'x')), std::string(100, 'x') + "...");
}

}  // namespace
}  // namespace lakefs::detail
