// SPDX-License-Identifier: Apache-2.0
// Decoding responses captured from the real server at test time: the raw
// bodies are fetched through the transport (no API layer involved), decoded
// with the generated from_json, and compared with the fields the server was
// given and with what the generated operations return.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "lakefs/api/all.hpp"
#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

class ApiDecodeReal : public RepoTest {
 protected:
  // GET `path` through a transport of our own and return the raw JSON body.
  std::string raw_get(const std::string& path, const std::string& query = "") {
    http::Request request;
    request.path = path;
    request.query = query;
    const auto response = lakefs_client().send(request);
    EXPECT_EQ(response.status, 200);
    EXPECT_THAT(std::string(response.header("content-type").value_or("")), ::testing::HasSubstr("application/json"));
    return response.body;
  }
};

TEST_F(ApiDecodeReal, GetRepositoryBody) {
  const auto& r = repo().id();
  const std::string body = raw_get("/repositories/" + r);
  api::Repository decoded;
  api::from_json(body, decoded);
  EXPECT_EQ(decoded.id, r);
  EXPECT_EQ(decoded.default_branch, "main");
  EXPECT_EQ(decoded.storage_namespace, "local://" + r);
  EXPECT_GT(decoded.creation_date, 0);
  EXPECT_EQ(decoded, lakefs_client().api().repositories.get_repository({.repository = r}));

  // Every field the server sent that the schema knows is carried over.
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(body);
  EXPECT_EQ(std::string_view(doc["id"]), decoded.id);
  EXPECT_EQ(int64_t(doc["creation_date"]), decoded.creation_date);
  ASSERT_TRUE(decoded.read_only.has_value());
  EXPECT_EQ(bool(doc["read_only"]), *decoded.read_only);

  // Re-encoding and decoding again gives the same value.
  api::Repository again;
  api::from_json(api::to_json(decoded), again);
  EXPECT_EQ(again, decoded);
}

TEST_F(ApiDecodeReal, ListObjectsBody) {
  auto& a = lakefs_client().api();
  const auto& r = repo().id();
  for (const std::string path : {"a/1.txt", "a/2.txt", "b/ü ✓.txt", "top"}) {
    const std::string content = "content of " + path;
    std::size_t offset = 0;
    (void)a.objects.upload_object({.repository = r,
                                   .branch = "main",
                                   .body_source =
                                       [&](char* buf, std::size_t size) {
                                         const std::size_t n = std::min(size, content.size() - offset);
                                         content.copy(buf, n, offset);
                                         offset += n;
                                         return n;
                                       },
                                   .body_length = content.size(),
                                   .content_type = "text/plain",
                                   .path = path,
                                   .extra_headers = {{"X-Lakefs-Meta-Origin", "decode-test"}}});
  }
  const std::string body = raw_get("/repositories/" + r + "/refs/main/objects/ls", "user_metadata=true&amount=3");
  api::ObjectStatsList decoded;
  api::from_json(body, decoded);
  ASSERT_EQ(decoded.results.size(), 3u);
  EXPECT_TRUE(decoded.pagination.has_more);
  EXPECT_EQ(decoded.pagination.results, 3);
  EXPECT_GE(decoded.pagination.max_per_page, 3);  // the server reports its own page limit
  EXPECT_EQ(decoded.pagination.next_offset, "b/ü ✓.txt");
  EXPECT_EQ(decoded.results[0].path, "a/1.txt");
  EXPECT_EQ(decoded.results[2].path, "b/ü ✓.txt");
  for (const auto& o : decoded.results) {
    EXPECT_EQ(o.path_type, api::ObjectStatsPathType::object);
    EXPECT_EQ(o.size_bytes, static_cast<std::int64_t>(("content of " + o.path).size())) << o.path;
    EXPECT_EQ(o.content_type, "text/plain");
    ASSERT_TRUE(o.metadata.has_value()) << o.path;
    EXPECT_EQ(o.metadata->at("origin"), "decode-test");
    EXPECT_FALSE(o.checksum.empty());
    EXPECT_GT(o.mtime, 0);
  }
  EXPECT_EQ(decoded, a.objects.list_objects({.repository = r, .ref = "main", .user_metadata = true, .amount = 3}));

  // With a delimiter the server sends common prefixes, a second path type.
  api::ObjectStatsList grouped;
  api::from_json(raw_get("/repositories/" + r + "/refs/main/objects/ls", "delimiter=%2F"), grouped);
  ASSERT_EQ(grouped.results.size(), 3u);
  EXPECT_EQ(grouped.results[0].path, "a/");
  EXPECT_EQ(grouped.results[0].path_type, api::ObjectStatsPathType::common_prefix);
  EXPECT_EQ(grouped.results[2].path, "top");
  EXPECT_EQ(grouped.results[2].path_type, api::ObjectStatsPathType::object);
}

}  // namespace
}  // namespace lakefs::test
