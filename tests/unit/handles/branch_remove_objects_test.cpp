// SPDX-License-Identifier: Apache-2.0
// Branch::remove_objects when lakeFS answers but could not delete some
// objects: a BatchError listing each failed path with its own typed error.
// Per-object failures are hard to provoke on a real server, so the answer is
// scripted through the public test double.
#include <gtest/gtest.h>

#include <exception>
#include <string>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;

TEST(BranchRemoveObjects, PerObjectFailuresBecomeABatchErrorWithEachCause) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("POST", "/repositories/repo/branches/main/objects/delete")
      .reply(lt::Reply::json(200, R"({"errors":[{"status_code":403,"message":"no permission","path":"a/locked"},)"
                                  R"({"status_code":404,"message":"gone","path":"a/missing"}]})"));
  const auto client = lt::make_client(fake);
  auto branch = client.repository("repo").branch("main");
  const std::vector<std::string> paths{"a/free", "a/locked", "a/missing"};
  try {
    branch.remove_objects(paths);
    FAIL() << "no BatchError";
  } catch (const lakefs::BatchError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("could not remove 2 of 3"), std::string::npos) << what;
    EXPECT_NE(what.find("a/locked"), std::string::npos) << what;
    ASSERT_EQ(e.failures().size(), 2u);
    EXPECT_EQ(e.failures()[0].item, "a/locked");
    EXPECT_EQ(e.failures()[1].item, "a/missing");
    try {
      std::rethrow_exception(e.failures()[0].error);
    } catch (const lakefs::ForbiddenError& cause) {
      EXPECT_EQ(cause.status(), 403);
      EXPECT_NE(std::string(cause.what()).find("no permission"), std::string::npos) << cause.what();
    }
    try {
      std::rethrow_exception(e.failures()[1].error);
    } catch (const lakefs::NotFoundError& cause) {
      EXPECT_EQ(cause.status(), 404);
    }
  }
  EXPECT_EQ(fake->count("POST", "/repositories/repo/branches/main/objects/delete"), 1u);
}

TEST(BranchRemoveObjects, AFailedRequestIsItsOwnErrorNotABatchError) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("POST", "/repositories/repo/branches/main/objects/delete").reply(lt::Reply::error(403, "read-only"));
  const auto client = lt::make_client(fake);
  const std::vector<std::string> paths{"x"};
  EXPECT_THROW(client.repository("repo").branch("main").remove_objects(paths), lakefs::ForbiddenError);
}

}  // namespace
