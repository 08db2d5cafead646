// SPDX-License-Identifier: Apache-2.0
// Members of a server's answer this SDK version does not know are kept on the
// high-level models (as the Python SDK's pydantic models keep extra fields),
// and a model sent back (GarbageCollectionRules) sends them back unchanged.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;
using lt::Reply;

constexpr const char* kCommit =
    R"({"id":"c1","parents":[],"committer":"me","message":"m","creation_date":1718000000,"meta_range_id":"",)"
    R"("signature":{"alg":"ed25519","keys":[1,2]},"reviewed_by":["ana"]})";
constexpr const char* kStats =
    R"({"path":"a.txt","path_type":"object","physical_address":"mem://repo/a","checksum":"e1","size_bytes":3,)"
    R"("mtime":1718000000,"storage_class":"COLD"})";
constexpr const char* kListing =
    R"({"pagination":{"has_more":false,"next_offset":"","results":2,"max_per_page":1000},"results":[)"
    R"({"path":"d/","path_type":"common_prefix","physical_address":"","checksum":"","mtime":0,"owner":"team-a"},)"
    R"({"path":"b.txt","path_type":"object","physical_address":"mem://repo/b","checksum":"e2","size_bytes":1,)"
    R"("mtime":1718000000,"tier":null}]})";

class UnknownFields : public ::testing::Test {
 protected:
  std::shared_ptr<lt::FakeTransport> fake = std::make_shared<lt::FakeTransport>();
  lakefs::Client client = lt::make_client(fake);
  lakefs::Repository repo = client.repository("repo");
};

TEST_F(UnknownFields, ACommitKeepsTheMembersItDoesNotKnowAsCompactJson) {
  fake->on("GET", "/repositories/repo/commits/c1").always(Reply::json(200, kCommit));
  const lakefs::Commit commit = repo.ref("c1").get_commit();
  EXPECT_EQ(commit.id, "c1");
  const lakefs::UnknownFields expected{{"reviewed_by", R"(["ana"])"},
                                       {"signature", R"({"alg":"ed25519","keys":[1,2]})"}};
  EXPECT_EQ(commit.unknown_fields, expected);
}

TEST_F(UnknownFields, ObjectInfoAndListingEntriesKeepThem) {
  fake->on("GET", "/repositories/repo/refs/main/objects/stat").always(Reply::json(200, kStats));
  const lakefs::ObjectInfo info = repo.ref("main").object("a.txt").stat();
  EXPECT_EQ(info.unknown_fields, (lakefs::UnknownFields{{"storage_class", R"("COLD")"}}));

  fake->on("GET", "/repositories/repo/refs/main/objects/ls").always(Reply::json(200, kListing));
  std::vector<lakefs::ObjectEntry> entries;
  for (auto& entry : repo.ref("main").objects({.delimiter = "/"})) entries.push_back(std::move(entry));
  ASSERT_EQ(entries.size(), 2u);
  ASSERT_NE(entries[0].if_prefix(), nullptr);
  EXPECT_EQ(entries[0].if_prefix()->unknown_fields, (lakefs::UnknownFields{{"owner", R"("team-a")"}}));
  ASSERT_NE(entries[1].if_object(), nullptr);
  EXPECT_EQ(entries[1].if_object()->unknown_fields, (lakefs::UnknownFields{{"tier", "null"}}));
}

TEST_F(UnknownFields, AnAnswerWithOnlyKnownMembersLeavesThemEmpty) {
  fake->on("GET", "/repositories/repo/commits/c1")
      .always(Reply::json(
          200,
          R"({"id":"c1","parents":[],"committer":"me","message":"m","creation_date":1718000000,"meta_range_id":""})"));
  EXPECT_TRUE(repo.ref("c1").get_commit().unknown_fields.empty());
}

TEST_F(UnknownFields, GarbageCollectionRulesReadAndWrittenBackKeepThem) {
  fake->on("GET", "/repositories/repo/settings/gc_rules")
      .always(Reply::json(
          200,
          R"({"default_retention_days":7,"branches":[{"branch_id":"main","retention_days":30}],"legal_hold":{"until":"2030"}})"));
  fake->on("PUT", "/repositories/repo/settings/gc_rules").always(Reply::empty(204));
  auto rules = repo.gc_rules();
  ASSERT_TRUE(rules.has_value());
  EXPECT_EQ(rules->unknown_fields, (lakefs::UnknownFields{{"legal_hold", R"({"until":"2030"})"}}));

  rules->default_retention_days = 14;
  repo.set_gc_rules(*rules);
  const auto sent = fake->requests().back();
  ASSERT_EQ(sent.method, "PUT");
  EXPECT_NE(sent.body.find(R"("legal_hold":{"until":"2030"})"), std::string::npos) << sent.body;
  EXPECT_NE(sent.body.find(R"("default_retention_days":14)"), std::string::npos) << sent.body;
}

TEST_F(UnknownFields, WhatCannotBeSentBackIsRefusedBeforeSending) {
  fake->on("PUT", "/repositories/repo/settings/gc_rules").always(Reply::empty(204));
  // A member the SDK writes itself would be sent twice.
  lakefs::GarbageCollectionRules twice{.default_retention_days = 7, .unknown_fields = {{"branches", "[]"}}};
  EXPECT_THROW(repo.set_gc_rules(twice), lakefs::InvalidArgumentError);
  // Text that is not one JSON value could add members of its own.
  lakefs::GarbageCollectionRules injected{.default_retention_days = 7,
                                          .unknown_fields = {{"note", R"(1,"default_retention_days":0)"}}};
  EXPECT_THROW(repo.set_gc_rules(injected), lakefs::InvalidArgumentError);
  EXPECT_EQ(fake->count(), 0u) << "nothing reaches the server";
}

}  // namespace
