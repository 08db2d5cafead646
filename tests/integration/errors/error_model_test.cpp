// SPDX-License-Identifier: Apache-2.0
// The error model against the real server: a merge conflict says "conflict"
// and names both refs, a transaction's existing tag is a local precondition
// (nothing merged), a download into an unwritable place is a LocalIOError,
// a wrong method gets the server's real answer, and a 403 on an object names it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/repo_fixture.hpp"

namespace {

using lakefs::test::RepoTest;
using lakefs::test::TempDir;

using lakefs::test::tx_branches;

class ErrorModelTest : public RepoTest {};

TEST_F(ErrorModelTest, MergeConflictSaysConflictAndNamesBothRefs) {
  auto main = main_branch();
  main.object("shared.txt").upload("base");
  (void)main.commit("base");
  auto feature = repo().branch("feature").create("main");
  feature.object("shared.txt").upload("from feature");
  (void)feature.commit("feature change");
  main.object("shared.txt").upload("from main");
  const auto head = main.commit("main change").id;

  try {
    (void)feature.merge_into(main);
    FAIL() << "conflicting merge succeeded";
  } catch (const lakefs::MergeConflictError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("conflict"), std::string::npos) << what;
    EXPECT_NE(what.find("'feature'"), std::string::npos) << what;
    EXPECT_NE(what.find("'main'"), std::string::npos) << what;
    EXPECT_EQ(e.source_ref(), "feature");
    EXPECT_EQ(e.destination_branch(), "main");
    EXPECT_EQ(e.status(), 409);
    EXPECT_EQ(e.method(), "POST");
    EXPECT_FALSE(e.request_id().empty());
    EXPECT_FALSE(e.body().empty());  // the server's own answer is kept
    EXPECT_TRUE(e.header("content-type").has_value());
  }
  EXPECT_EQ(main.head().id(), head);
  EXPECT_EQ(main.object("shared.txt").read_all(), "from main");

  // Catchable as the plain 409 too.
  EXPECT_THROW((void)feature.merge_into(main), lakefs::ConflictError);
}

TEST_F(ErrorModelTest, ExistingTransactionTagIsALocalPreconditionAndNothingIsMerged) {
  auto main = main_branch();
  main.object("data.txt").upload("v1");
  const auto tagged = main.commit("v1").id;
  (void)repo().tag("release").create(tagged);
  const auto head = main.head().id();

  try {
    (void)main.transact([](lakefs::Transaction& tx) { tx.object("data.txt").upload("v2"); }, {.tag = "release"});
    FAIL() << "a transaction with an existing tag merged";
  } catch (const lakefs::TransactionError& e) {
    ASSERT_TRUE(e.cause());
    try {
      std::rethrow_exception(e.cause());
    } catch (const lakefs::LocalPreconditionError& cause) {
      EXPECT_NE(std::string(cause.what()).find("'release' already exists"), std::string::npos) << cause.what();
      EXPECT_EQ(dynamic_cast<const lakefs::ServerError*>(&cause), nullptr);  // no made-up HTTP status
    }
    EXPECT_NE(std::string(e.what()).find("source branch untouched"), std::string::npos) << e.what();
  }
  EXPECT_EQ(main.head().id(), head);
  EXPECT_EQ(main.object("data.txt").read_all(), "v1");
  EXPECT_EQ(repo().tag("release").get_commit().id, tagged);
  EXPECT_TRUE(tx_branches(repo()).empty());
}

TEST_F(ErrorModelTest, DownloadUnderARegularFileIsLocalIOError) {
  auto main = main_branch();
  main.object("report.csv").upload("a,b\n");
  TempDir dir;
  const auto blocker = dir.path / "not-a-dir";
  std::ofstream(blocker) << "a regular file";
  const auto target = blocker / "report.csv";

  try {
    main.object("report.csv").download(target);
    FAIL() << "downloaded below a regular file";
  } catch (const lakefs::LocalIOError& e) {
    EXPECT_EQ(e.code(), std::errc::not_a_directory) << e.what();
    EXPECT_EQ(e.path(), target);
    EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
  }

  // download_prefix: the directory itself cannot be made.
  try {
    (void)main.download_prefix("", blocker / "out");
    FAIL() << "download_prefix created a directory below a regular file";
  } catch (const lakefs::LocalIOError& e) {
    EXPECT_TRUE(e.code()) << e.what();
    EXPECT_EQ(e.path(), blocker / "out");
  }
}

TEST_F(ErrorModelTest, BatchFailuresKeepEachCause) {
  auto main = main_branch();
  main.object("out/a.txt").upload("a");
  main.object("out/b/c.txt").upload("c");
  TempDir dir;
  // "b" is taken by a regular file: c.txt's directory cannot be created; a.txt downloads fine.
  std::ofstream(dir.path / "b") << "in the way";

  const auto summary = main.download_prefix("out/", dir.path);
  EXPECT_EQ(summary.objects, 1u);
  ASSERT_EQ(summary.failures.size(), 1u);
  const auto& failure = summary.failures.front();
  EXPECT_EQ(failure.object_path, "out/b/c.txt");
  ASSERT_TRUE(failure.error);
  try {
    std::rethrow_exception(failure.error);
  } catch (const lakefs::LocalIOError& e) {
    EXPECT_EQ(failure.message, e.what());
    EXPECT_EQ(e.path(), dir.path / "b");
    EXPECT_TRUE(e.code());
  }
}

TEST_F(ErrorModelTest, WrongMethodGetsTheServersRealAnswer) {
  // lakeFS routes an unknown method like an unknown path (404 "invalid API endpoint"); a server that answers
  // 405 gets MethodNotAllowedError. Either way the type matches the status that really came back.
  try {
    (void)lakefs_client().send({.method = "PUT", .path = "/healthcheck"});
    FAIL() << "PUT /healthcheck succeeded";
  } catch (const lakefs::MethodNotAllowedError& e) {
    EXPECT_EQ(e.status(), 405);
  } catch (const lakefs::NotFoundError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.server_message(), "invalid API endpoint");
    EXPECT_NE(e.body().find("invalid API endpoint"), std::string::npos) << e.body();
    EXPECT_FALSE(e.headers().empty());
  }
}

// lakeFS refuses a change to a read-only repository with 403: on an object, ObjectAccessDeniedError naming it
// (a ForbiddenError too); reading stays allowed.
TEST(ErrorModel, AnObjectChangeRefusedWith403IsObjectAccessDenied) {
  auto client = lakefs::test::client();
  const auto name = lakefs::test::unique_name("ro-obj");
  auto repo = client.repository(name).create(
      {.storage_namespace = lakefs::test::server().storage_namespace(name), .read_only = true});
  // The object to remove and copy, put there with lakeFS's `force` (which the SDK's upload does not send).
  (void)client.send({.method = "POST",
                     .path = "/repositories/" + name + "/branches/main/objects",
                     .query = "path=src&force=true",
                     .body = "kept",
                     .content_type = "application/octet-stream"});
  auto main = repo.branch("main");
  EXPECT_EQ(main.object("src").read_all(), "kept");

  const auto expect_denied = [&](const std::function<void()>& op, const std::string& path) {
    try {
      op();
      ADD_FAILURE() << path << ": accepted by a read-only repository";
    } catch (const lakefs::ObjectAccessDeniedError& e) {
      EXPECT_EQ(e.status(), 403);
      EXPECT_FALSE(e.request_id().empty());
      const std::string what = e.what();
      EXPECT_NE(what.find("read-only repository"), std::string::npos) << what;
      EXPECT_NE(what.find("object '" + path + "' at '" + name + "/main'"), std::string::npos) << what;
    }
  };
  expect_denied([&] { main.object("new").upload("x", {.pre_sign = false}); }, "new");
  expect_denied(
      [&] {
        auto writer = main.object("streamed").writer({.pre_sign = false});
        writer << "x";
        (void)writer.close();
      },
      "streamed");
  expect_denied([&] { main.object("src").remove(); }, "src");
  expect_denied([&] { (void)main.object("src").copy("main", "dst"); }, "src");
  EXPECT_THROW(main.object("src").remove(), lakefs::ForbiddenError);  // catchable as the plain 403

  EXPECT_EQ(main.object("src").read_all(), "kept");
  EXPECT_FALSE(main.object("new").exists());
  EXPECT_FALSE(main.object("streamed").exists());
  EXPECT_FALSE(main.object("dst").exists());
  repo.remove({.force = true});
}

}  // namespace
