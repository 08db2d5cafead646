// SPDX-License-Identifier: Apache-2.0
// UploadOptions::if_match against the real server, on both topologies: what
// the SDK sends (recorded by the test's transport) and what open-source lakeFS
// does with it. lakeFS v1.84.0 answers any If-Match on an upload or a link
// with 501 (pkg/api/apiutil/conditions.go), so only the refusal can be tested
// here, never a match or a mismatch.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/hooked_transport.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

class UploadIfMatchTest : public RepoTest {
 protected:
  [[nodiscard]] ClientOptions test_client_options() const override { return hooked_client_options(transport_); }

  std::shared_ptr<HookedTransport> transport_ = std::make_shared<HookedTransport>();
};

TEST_F(UploadIfMatchTest, TheETagGoesToLakeFSAsIfMatchWhichAnswersNotImplementedAndNothingChanges) {
  auto object = main_branch().object("doc.txt").upload("v1");
  const auto before = object.stat();
  transport_->clear();

  try {
    object.upload("v2", {.if_match = before.checksum});
    FAIL() << "an upload with if_match succeeded on open-source lakeFS";
  } catch (const NotImplementedError& e) {
    EXPECT_EQ(e.status(), 501);
  }

  // Exactly one request carried the header, with the value given, to lakeFS (not to the object store): the
  // upload itself through lakeFS, or on the s3 topology the link of the pre-signed PUT, which lakeFS refuses.
  std::vector<Attempt> conditional;
  for (const auto& a : transport_->attempts()) {
    if (a.header("If-Match")) conditional.push_back(a);
  }
  ASSERT_EQ(conditional.size(), 1u);
  EXPECT_EQ(*conditional[0].header("If-Match"), before.checksum);
  EXPECT_FALSE(conditional[0].pre_signed);
  EXPECT_EQ(conditional[0].status, 501);
  if (server().s3()) {
    EXPECT_EQ(conditional[0].method, "PUT");
    EXPECT_TRUE(conditional[0].path.ends_with("/staging/backing")) << conditional[0].path;
  } else {
    EXPECT_EQ(conditional[0].method, "POST");
    EXPECT_TRUE(conditional[0].path.ends_with("/objects")) << conditional[0].path;
  }
  EXPECT_FALSE(conditional[0].header("If-None-Match").has_value());

  // The object is the one that was there.
  const auto after = object.stat();
  EXPECT_EQ(after.checksum, before.checksum);
  EXPECT_EQ(after.physical_address, before.physical_address);
  EXPECT_EQ(object.read_all(), "v1");
}

}  // namespace
}  // namespace lakefs::test
