// SPDX-License-Identifier: Apache-2.0
// Options the Python SDK 0.16 has and lakefs-cpp gained for parity: log()'s
// `limit`, and an import's commit message and metadata given per call (start()
// or run()) instead of only when the ImportManager is made.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;
using lt::Reply;

constexpr const char* kEmptyPage =
    R"({"pagination":{"has_more":false,"next_offset":"","results":0,"max_per_page":1000},"results":[]})";
constexpr const char* kCompletedImport =
    R"({"completed":true,"update_time":"2024-06-10T06:13:20Z","ingested_objects":1,)"
    R"("commit":{"id":"c9","parents":[],"committer":"me","message":"m","creation_date":1718000000,"meta_range_id":""}})";

class LogAndImportOptions : public ::testing::Test {
 protected:
  std::shared_ptr<lt::FakeTransport> fake = std::make_shared<lt::FakeTransport>();
  lakefs::Client client = lt::make_client(fake);
  lakefs::Branch main = client.repository("repo").branch("main");

  std::string last_body(std::string_view method) const {
    const auto sent = fake->requests();
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      if (it->method == method) return it->body;
    }
    ADD_FAILURE() << "no " << method << " was sent";
    return {};
  }
};

TEST_F(LogAndImportOptions, LogsLimitIsSentOnlyWhenAskedFor) {
  fake->on("GET", "/repositories/repo/refs/main/commits").always(Reply::json(200, kEmptyPage));
  for ([[maybe_unused]] const auto& c : main.log({.objects = {"a.csv"}, .limit = true})) {
  }
  ASSERT_EQ(fake->requests().size(), 1u);
  EXPECT_EQ(fake->requests().back().query_param("limit"), "true") << fake->requests().back().query;
  fake->clear_requests();
  for ([[maybe_unused]] const auto& c : main.log({.objects = {"a.csv"}})) {
  }
  ASSERT_EQ(fake->requests().size(), 1u);
  EXPECT_EQ(fake->requests().back().query_param("limit"), std::nullopt) << fake->requests().back().query;
}

TEST_F(LogAndImportOptions, AnImportsCommitMessageAndMetadataGivenToStartReplaceTheManagers) {
  fake->on("POST", "/repositories/repo/branches/main/import").always(Reply::json(202, R"({"id":"imp1"})"));
  auto made = main.import_data({.commit_message = "from the manager", .commit_metadata = {{"k", "manager"}}})
                  .prefix("s3://bucket/raw/", "raw/");
  EXPECT_EQ(made.start({.commit_message = "nightly 2024-06-10", .commit_metadata = lakefs::Metadata{{"k", "call"}}}),
            "imp1");
  const std::string body = last_body("POST");
  EXPECT_NE(body.find(R"("message":"nightly 2024-06-10")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("k":"call")"), std::string::npos) << body;
  EXPECT_EQ(body.find("from the manager"), std::string::npos) << body;

  // Without them, the manager's.
  auto plain = main.import_data({.commit_message = "from the manager"}).prefix("s3://bucket/raw/", "raw/");
  (void)plain.start();
  EXPECT_NE(last_body("POST").find(R"("message":"from the manager")"), std::string::npos) << last_body("POST");
}

TEST_F(LogAndImportOptions, RunTakesTheMessageAndMetadataToo) {
  fake->on("POST", "/repositories/repo/branches/main/import").always(Reply::json(202, R"({"id":"imp2"})"));
  fake->on("GET", "/repositories/repo/branches/main/import").always(Reply::json(200, kCompletedImport));
  auto import = main.import_data().prefix("s3://bucket/raw/", "raw/");
  const auto status = import.run({.commit_message = "run message", .commit_metadata = lakefs::Metadata{{"run", "42"}}});
  EXPECT_TRUE(status.completed);
  const std::string body = last_body("POST");
  EXPECT_NE(body.find(R"("message":"run message")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("run":"42")"), std::string::npos) << body;
}

}  // namespace
