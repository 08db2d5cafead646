// SPDX-License-Identifier: Apache-2.0
// Hand-written tests of the JSON layer under the generated models: the writer's
// escaping, decoding of realistic lakeFS responses, tolerance of unknown
// fields and enum values, and the errors for malformed or incomplete input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "codec/json_writer.hpp"
#include "lakefs/api/models.hpp"
#include "lakefs/errors.hpp"

namespace lakefs::api {
namespace {

using ::testing::HasSubstr;

std::string parse_string_back(const std::string& json) {
  simdjson::dom::parser parser;
  std::string_view text;
  EXPECT_EQ(parser.parse(json).get_string().get(text), simdjson::SUCCESS) << json;
  return std::string(text);
}

TEST(JsonWriter, EscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string input = std::string("a") + static_cast<char>(c) + "b";
    std::string json;
    detail::JsonWriter(json).value(input);
    for (char byte : json) EXPECT_GE(static_cast<unsigned char>(byte), 0x20) << "raw control char " << c;
    EXPECT_EQ(parse_string_back(json), input) << "char " << c << " as " << json;
  }
}

TEST(JsonWriter, ShortEscapesForCommonCharacters) {
  std::string json;
  detail::JsonWriter(json).value(std::string_view("\"\\\n\r\t\b\f\x01\x1f"));
  EXPECT_EQ(json, R"("\"\\\n\r\t\b\f\u0001\u001f")");
}

TEST(JsonWriter, PassesNonAsciiThrough) {
  const std::string input = "ünïcødé ✓ 日本語 😀 \x7f";
  std::string json;
  detail::JsonWriter(json).value(input);
  EXPECT_EQ(json, "\"" + input + "\"");
  EXPECT_EQ(parse_string_back(json), input);
}

TEST(JsonWriter, WritesNestedStructures) {
  std::string json;
  detail::JsonWriter w(json);
  w.begin_object();
  w.key("a");
  w.begin_array();
  w.value(std::int64_t{1});
  w.value(true);
  w.null();
  w.end_array();
  w.key("b");
  w.value("x");
  w.end_object();
  EXPECT_EQ(json, R"({"a":[1,true,null],"b":"x"})");
}

TEST(ModelsJson, DecodesRealisticRepository) {
  const std::string json = R"({
    "id": "example-repo",
    "creation_date": 1718000000,
    "default_branch": "main",
    "storage_id": "",
    "storage_namespace": "s3://bucket/example-repo",
    "read_only": false
  })";
  Repository repo;
  from_json(json, repo);
  EXPECT_EQ(repo.id, "example-repo");
  EXPECT_EQ(repo.creation_date, 1718000000);
  EXPECT_EQ(repo.default_branch, "main");
  EXPECT_EQ(repo.storage_namespace, "s3://bucket/example-repo");
  EXPECT_EQ(repo.read_only, std::optional<bool>(false));
  EXPECT_EQ(repo.storage_id, std::optional<std::string>(""));
}

TEST(ModelsJson, DecodesLargeObjectStatsListPage) {
  std::string json = R"({"pagination":{"has_more":true,"next_offset":"data/file-0999.parquet",)"
                     R"("results":1000,"max_per_page":1000},"results":[)";
  for (int i = 0; i < 1000; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "data/file-%04d.parquet", i);
    if (i > 0) json += ',';
    json += R"({"path":")";
    json += name;
    json += R"(","path_type":"object","physical_address":"s3://bucket/data/)" + std::to_string(i) +
            R"(","checksum":"d41d8cd98f00b204e9800998ecf8427e","size_bytes":)" + std::to_string(i * 1024) +
            R"(,"mtime":1718000000,"metadata":{"owner":"team-)" + std::to_string(i % 7) +
            R"("},"content_type":"application/octet-stream"})";
  }
  json += "]}";

  ObjectStatsList page;
  from_json(json, page);
  EXPECT_TRUE(page.pagination.has_more);
  EXPECT_EQ(page.pagination.next_offset, "data/file-0999.parquet");
  EXPECT_EQ(page.pagination.results, 1000);
  ASSERT_EQ(page.results.size(), 1000u);
  EXPECT_EQ(page.results[0].path, "data/file-0000.parquet");
  EXPECT_EQ(page.results[999].path, "data/file-0999.parquet");
  EXPECT_EQ(page.results[999].size_bytes, std::optional<std::int64_t>(999 * 1024));
  EXPECT_EQ(page.results[5].path_type, ObjectStatsPathType::object);
  EXPECT_EQ(page.results[5].metadata->at("owner"), "team-5");

  // Encoding and decoding again is lossless.
  ObjectStatsList again;
  from_json(to_json(page), again);
  EXPECT_EQ(again, page);
}

TEST(ModelsJson, IgnoresUnknownFields) {
  const std::string json = R"({"id":"r","future_field":{"nested":[1,2,{"x":null}]},"creation_date":1,)"
                           R"("default_branch":"main","another":"x","storage_namespace":"mem://r"})";
  Repository repo;
  from_json(json, repo);
  EXPECT_EQ(repo.id, "r");
  EXPECT_EQ(repo.storage_namespace, "mem://r");
}

TEST(ModelsJson, PreservesUnknownEnumValue) {
  const std::string json = R"({"path":"p","path_type":"symlink","physical_address":"a","checksum":"c","mtime":2})";
  ObjectStats stats;
  from_json(json, stats);
  EXPECT_EQ(stats.path_type.raw(), "symlink");
  EXPECT_EQ(stats.path_type.value(), ObjectStatsPathType::unknown);
  EXPECT_FALSE(stats.path_type.is_known());
  EXPECT_THAT(to_json(stats), HasSubstr(R"("path_type":"symlink")"));
}

TEST(ModelsJson, KnownEnumValues) {
  EXPECT_EQ(to_string(DiffType::prefix_changed), "prefix_changed");
  EXPECT_EQ(diff_type_from_string("conflict"), DiffType::conflict);
  EXPECT_EQ(diff_type_from_string("Conflict"), DiffType::unknown);
  EXPECT_EQ(to_string(DiffType::unknown), "");
  Enum<DiffType> value = DiffType::added;
  EXPECT_TRUE(value.is_known());
  EXPECT_EQ(value.raw(), "added");
  EXPECT_EQ(value, DiffType::added);
  EXPECT_EQ(value, Enum<DiffType>(std::string("added")));
}

TEST(ModelsJson, MissingRequiredFieldThrowsNamingSchemaAndField) {
  Repository repo;
  try {
    from_json(R"({"id":"r","creation_date":1,"storage_namespace":"mem://r"})", repo);
    FAIL() << "expected ProtocolError";
  } catch (const ProtocolError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Repository.default_branch"));
    EXPECT_THAT(e.what(), HasSubstr("missing"));
  }
}

TEST(ModelsJson, MissingRequiredFieldInNestedModel) {
  ObjectStatsList page;
  try {
    from_json(R"({"pagination":{"has_more":false,"next_offset":"","results":0,"max_per_page":100},)"
              R"("results":[{"path":"p","path_type":"object","physical_address":"a","mtime":1}]})",
              page);
    FAIL() << "expected ProtocolError";
  } catch (const ProtocolError& e) {
    EXPECT_THAT(e.what(), HasSubstr("ObjectStats.checksum"));
  }
}

TEST(ModelsJson, MalformedJsonThrows) {
  Repository repo;
  EXPECT_THROW(from_json(R"({"id":"r",)", repo), ProtocolError);
  EXPECT_THROW(from_json("", repo), ProtocolError);
  EXPECT_THROW(from_json("[]", repo), ProtocolError);
  try {
    from_json("{not json", repo);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Repository"));
  }
}

TEST(ModelsJson, WrongTypeThrows) {
  Repository repo;
  try {
    from_json(R"({"id":7,"creation_date":1,"default_branch":"main","storage_namespace":"x"})", repo);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Repository.id"));
  }
  EXPECT_THROW(
      from_json(R"({"id":"r","creation_date":"yesterday","default_branch":"main","storage_namespace":"x"})", repo),
      ProtocolError);
}

TEST(ModelsJson, NullOptionalIsNulloptAndNullArrayIsEmpty) {
  Commit commit;
  from_json(R"({"id":"c1","parents":null,"committer":"u","message":"m","creation_date":3,)"
            R"("meta_range_id":"mr","metadata":null,"generation":null})",
            commit);
  EXPECT_TRUE(commit.parents.empty());
  EXPECT_FALSE(commit.metadata.has_value());
  EXPECT_FALSE(commit.generation.has_value());
}

TEST(ModelsJson, OptionalFieldsOmittedWhenUnset) {
  RepositoryCreation creation{.name = "r", .storage_namespace = "mem://r"};
  EXPECT_EQ(to_json(creation), R"({"name":"r","storage_namespace":"mem://r"})");
  creation.default_branch = "main";
  creation.sample_data = false;
  EXPECT_EQ(to_json(creation),
            R"({"name":"r","storage_namespace":"mem://r","default_branch":"main","sample_data":false})");
}

// The decoders walk the members once (src/api/models_*.cpp): order does not matter, a member named twice takes
// its last value, and decoding into a model that already holds values leaves no stale optional behind.
TEST(ModelsJson, MembersDecodeInAnyOrder) {
  Repository repo;
  from_json(R"({"read_only":true,"storage_namespace":"local://r","default_branch":"dev","creation_date":7,"id":"r"})",
            repo);
  EXPECT_EQ(repo.id, "r");
  EXPECT_EQ(repo.creation_date, 7);
  EXPECT_EQ(repo.default_branch, "dev");
  EXPECT_EQ(repo.storage_namespace, "local://r");
  EXPECT_EQ(repo.read_only, std::optional<bool>(true));
  EXPECT_FALSE(repo.storage_id.has_value());
}

TEST(ModelsJson, AMemberNamedTwiceTakesItsLastValue) {
  Repository repo;
  from_json(R"({"id":"first","creation_date":1,"default_branch":"main","storage_namespace":"x","id":"second"})", repo);
  EXPECT_EQ(repo.id, "second");
}

TEST(ModelsJson, DecodingIntoAFilledModelResetsTheOptionalsItLacks) {
  Repository repo;
  repo.read_only = true;
  repo.storage_id = "old";
  from_json(R"({"id":"r","creation_date":1,"default_branch":"main","storage_namespace":"x"})", repo);
  EXPECT_FALSE(repo.read_only.has_value());
  EXPECT_FALSE(repo.storage_id.has_value());
}

TEST(ModelsJson, FreeFormValueKeepsJsonText) {
  ExternalLoginInformation info;
  from_json(R"({"token_expiration_duration":60,"identityRequest":{"a": [1, 2], "b": {"c": null}}})", info);
  EXPECT_EQ(info.identityRequest.json, R"({"a":[1,2],"b":{"c":null}})");
  EXPECT_EQ(to_json(info), R"({"token_expiration_duration":60,"identityRequest":{"a":[1,2],"b":{"c":null}}})");
}

TEST(Codegen, codegen_is_deterministic) {
  const std::string command = std::string("\"") + LAKEFS_SOURCE_DIR + "/codegen/check.sh\"";
  const int status = std::system(command.c_str());
  ASSERT_NE(status, -1);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "generated files differ from codegen/generate.py's output";
}

}  // namespace
}  // namespace lakefs::api

namespace unknown_members {

using lakefs::api::Commit;
using lakefs::api::JsonValue;

// A newer server's additions survive decoding and encoding (lakeFS adds fields release by release).
TEST(ModelsJson, MembersTheSdkDoesNotKnowAreKeptAndSentBack) {
  Commit commit;
  from_json(R"({"id":"c1","parents":[],"committer":"me","message":"m","creation_date":5,"meta_range_id":"",)"
            R"("signature":{"key":"k1","algo":["ed25519"]},"verified":true})",
            commit);
  ASSERT_EQ(commit.unknown_fields.size(), 2u);
  EXPECT_EQ(commit.unknown_fields.at("signature").json, R"({"key":"k1","algo":["ed25519"]})");
  EXPECT_EQ(commit.unknown_fields.at("verified").json, "true");
  const auto encoded = to_json(commit);
  EXPECT_THAT(encoded, testing::HasSubstr(R"("signature":{"key":"k1","algo":["ed25519"]})"));
  Commit again;
  from_json(encoded, again);
  EXPECT_EQ(again, commit);
  // Decoding into a used struct replaces what it kept.
  from_json(R"({"id":"c2","parents":[],"committer":"me","message":"m","creation_date":5,"meta_range_id":""})", again);
  EXPECT_TRUE(again.unknown_fields.empty());
}

TEST(ModelsJson, AValueToSendMustBeOneJsonValueSoItCannotAddMembers) {
  Commit commit{.id = "c1"};
  commit.unknown_fields["x"] = JsonValue{R"(1,"force":true)"};
  EXPECT_THROW((void)to_json(commit), lakefs::InvalidArgumentError);
  commit.unknown_fields["x"] = JsonValue{R"({"ok":[1,2]})"};
  EXPECT_THAT(to_json(commit), testing::HasSubstr(R"("x":{"ok":[1,2]})"));
}

}  // namespace unknown_members
