// SPDX-License-Identifier: Apache-2.0
// ObjectEntry, the entry of an object listing: its accessors on an object and
// on a common prefix, the typed error of asking for the kind it is not, its
// printing, that it is still a std::variant for code written against one, and
// the entries a listing with a delimiter decodes from lakeFS's answer.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;

lakefs::ObjectInfo sample_object() {
  return {.path = "data/2024/sales.csv", .checksum = "etag", .size_bytes = 42, .content_type = "text/csv"};
}

// What operator<< prints for `value`.
template <typename T>
std::string printed(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

TEST(ObjectEntry, AnObjectGivesItsInfoAndPath) {
  const lakefs::ObjectEntry entry = sample_object();
  EXPECT_TRUE(entry.is_object());
  EXPECT_FALSE(entry.is_prefix());
  EXPECT_EQ(entry.path(), "data/2024/sales.csv");
  EXPECT_EQ(entry.object(), sample_object());
  ASSERT_NE(entry.if_object(), nullptr);
  EXPECT_EQ(entry.if_object(), &entry.object()) << "if_object() points at the entry's own info";
  EXPECT_EQ(entry.if_prefix(), nullptr);
}

TEST(ObjectEntry, APrefixGivesItsPath) {
  const lakefs::ObjectEntry entry = lakefs::CommonPrefix{"data/2024/"};
  EXPECT_TRUE(entry.is_prefix());
  EXPECT_FALSE(entry.is_object());
  EXPECT_EQ(entry.path(), "data/2024/");
  EXPECT_EQ(entry.prefix(), lakefs::CommonPrefix{"data/2024/"});
  ASSERT_NE(entry.if_prefix(), nullptr);
  EXPECT_EQ(entry.if_prefix(), &entry.prefix());
  EXPECT_EQ(entry.if_object(), nullptr);
}

TEST(ObjectEntry, AskingForTheOtherKindIsAnInvalidStateErrorNamingThePath) {
  const lakefs::ObjectEntry prefix = lakefs::CommonPrefix{"data/2024/"};
  try {
    (void)prefix.object();
    FAIL() << "object() of a prefix did not throw";
  } catch (const lakefs::InvalidStateError& e) {
    EXPECT_STREQ(e.what(), R"(ObjectEntry::object(): "data/2024/" is a common prefix, not an object)");
  }
  const lakefs::ObjectEntry object = sample_object();
  try {
    (void)object.prefix();
    FAIL() << "prefix() of an object did not throw";
  } catch (const lakefs::InvalidStateError& e) {
    EXPECT_STREQ(e.what(), R"(ObjectEntry::prefix(): "data/2024/sales.csv" is an object, not a common prefix)");
  }
}

TEST(ObjectEntry, DefaultIsAnEmptyObjectAndAssignmentChangesTheKind) {
  lakefs::ObjectEntry entry;
  EXPECT_TRUE(entry.is_object());
  EXPECT_EQ(entry.object(), lakefs::ObjectInfo{});
  EXPECT_EQ(entry.path(), "");
  entry = lakefs::CommonPrefix{"logs/"};
  EXPECT_TRUE(entry.is_prefix());
  EXPECT_EQ(entry.path(), "logs/");
  entry = sample_object();
  EXPECT_TRUE(entry.is_object());
  EXPECT_EQ(entry.path(), "data/2024/sales.csv");
}

TEST(ObjectEntry, EqualWhenTheSameKindWithEqualValues) {
  const lakefs::ObjectEntry object = sample_object();
  const lakefs::ObjectEntry prefix = lakefs::CommonPrefix{"data/2024/sales.csv"};  // the same path, as a prefix
  EXPECT_EQ(object, lakefs::ObjectEntry(sample_object()));
  EXPECT_NE(object, prefix);
  auto bigger = sample_object();
  bigger.size_bytes += 1;
  EXPECT_NE(object, lakefs::ObjectEntry(bigger));
  EXPECT_EQ(prefix, lakefs::ObjectEntry(lakefs::CommonPrefix{"data/2024/sales.csv"}));
}

TEST(ObjectEntry, PrintsAsTheObjectOrThePrefix) {
  EXPECT_EQ(printed(lakefs::ObjectEntry(sample_object())), printed(sample_object()));
  EXPECT_EQ(printed(lakefs::ObjectEntry(lakefs::CommonPrefix{"data/"})), "CommonPrefix(path=data/)");
}

// Code written when ObjectEntry was a plain std::variant still compiles and behaves the same.
TEST(ObjectEntry, IsStillAStdVariant) {
  const lakefs::ObjectEntry object = sample_object();
  const lakefs::ObjectEntry prefix = lakefs::CommonPrefix{"data/"};
  EXPECT_TRUE(std::holds_alternative<lakefs::ObjectInfo>(object));
  EXPECT_TRUE(std::holds_alternative<lakefs::CommonPrefix>(prefix));
  EXPECT_EQ(std::get<lakefs::ObjectInfo>(object).size_bytes, 42);
  EXPECT_EQ(std::get<1>(prefix).path, "data/");
  EXPECT_THROW((void)std::get<lakefs::ObjectInfo>(prefix), std::bad_variant_access);
  EXPECT_EQ(std::get_if<lakefs::CommonPrefix>(&object), nullptr);
  EXPECT_EQ(std::get_if<lakefs::ObjectInfo>(&object), object.if_object());
  const auto path_of = [](const lakefs::ObjectEntry& e) { return std::visit([](const auto& v) { return v.path; }, e); };
  EXPECT_EQ(path_of(object), "data/2024/sales.csv");
  EXPECT_EQ(path_of(prefix), "data/");
  EXPECT_EQ(object.index(), 0u);
  EXPECT_EQ(prefix.index(), 1u);
  const lakefs::ObjectEntry::variant_type& as_variant = prefix;
  EXPECT_EQ(lakefs::ObjectEntry(as_variant), prefix) << "an entry from a variant is the same entry";
}

// A listing with a delimiter, as lakeFS answers it: each entry has the kind its path_type says.
TEST(ObjectEntry, AListingWithADelimiterYieldsObjectsAndPrefixes) {
  lakefs::api::ObjectStatsList page;
  page.results.push_back({.path = "data/2024/", .path_type = lakefs::api::ObjectStatsPathType::common_prefix});
  page.results.push_back({.path = "data/readme.txt",
                          .path_type = lakefs::api::ObjectStatsPathType::object,
                          .physical_address = "local://x",
                          .checksum = "c",
                          .size_bytes = 7,
                          .mtime = 1});
  page.pagination = {.has_more = false, .results = 2, .max_per_page = 1000};
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/repositories/repo/refs/main/objects/ls").reply(lt::Reply::json(200, lakefs::api::to_json(page)));
  const auto client = lt::make_client(fake);

  const auto entries = client.repository("repo").ref("main").objects({.prefix = "data/", .delimiter = "/"}).to_vector();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_TRUE(entries[0].is_prefix());
  EXPECT_EQ(entries[0].path(), "data/2024/");
  EXPECT_TRUE(entries[1].is_object());
  EXPECT_EQ(entries[1].path(), "data/readme.txt");
  EXPECT_EQ(entries[1].object().size_bytes, 7);
  EXPECT_EQ(fake->requests().front().query_param("delimiter"), "/");
}

}  // namespace
