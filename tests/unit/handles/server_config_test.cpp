// SPDX-License-Identifier: Apache-2.0
// Client::server_config(): GET /config with a multi-storage server's list of
// block stores, and the deprecated endpoints of a server that predates it.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;

std::string store(const std::string& id, const std::string& type) {
  return R"({"blockstore_type":")" + type +
         R"(","blockstore_namespace_example":"x","blockstore_namespace_ValidityRegex":"^",)"
         R"("pre_sign_support":true,"pre_sign_support_ui":false,"import_support":false,"import_validity_regex":"^",)"
         R"("blockstore_id":")" +
         id + R"(","blockstore_description":")" + id + R"( store"})";
}

TEST(ServerConfig, AMultiStorageServerListsEveryBlockStore) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/config")
      .always(lt::Reply::json(
          200, R"({"version_config":{"version":"1.90.0","latest_version":"1.91.0","upgrade_recommended":true},)"
               R"("storage_config":)" +
                   store("east", "s3") + R"(,"storage_config_list":[)" + store("east", "s3") + "," +
                   store("west", "gs") + "]}"));
  const auto client = lt::make_client(fake);
  const auto config = client.server_config();
  EXPECT_EQ(config.version, "1.90.0");
  EXPECT_EQ(config.latest_version, "1.91.0");
  EXPECT_TRUE(config.upgrade_recommended);
  ASSERT_EQ(config.storages.size(), 2u);
  EXPECT_EQ(config.storages[1].blockstore_id, "west");
  EXPECT_EQ(config.storages[1].blockstore_description, "west store");
  EXPECT_EQ(client.storage_config("west").blockstore_type, "gs");
  EXPECT_EQ(client.storage_config().blockstore_id, "east");
  EXPECT_EQ(client.server_version(), "1.90.0");
  try {
    (void)client.storage_config("north");
    FAIL() << "no error";
  } catch (const lakefs::InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("'east', 'west'"), std::string::npos) << e.what();
  }
}

TEST(ServerConfig, AServerWithoutConfigIsAskedItsDeprecatedEndpoints) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/config").always(lt::Reply::error(404, "not found"));
  fake->on("GET", "/config/version").always(lt::Reply::json(200, R"({"version":"1.20.0"})"));
  fake->on("GET", "/config/storage").always(lt::Reply::json(200, store("", "local")));
  const auto client = lt::make_client(fake);
  const auto config = client.server_config();
  EXPECT_EQ(config.version, "1.20.0");
  ASSERT_EQ(config.storages.size(), 1u);
  EXPECT_EQ(config.storages[0].blockstore_type, "local");
}

}  // namespace
