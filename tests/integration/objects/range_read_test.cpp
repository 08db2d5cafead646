// SPDX-License-Identifier: Apache-2.0
// Range reads into the caller's buffer or sink against the real server (StoredObject::read_range, ObjectRangeReader):
// the exact bytes at any offsets, short at the end, the server's InvalidRangeError past it, and a pinned version
// (if_match) refused once the object is replaced. RangeReadTest runs on both topologies (tests/CMakeLists.txt): on
// the s3 one the reads go pre-signed, straight to the object store (PresignReadTest.ARangeReaderSendsOnePresigned-
// GetPerRead, in presign_read_test.cpp, proves that from the S3 server's access log).
#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

std::span<std::byte> bytes(std::string& s) { return std::as_writable_bytes(std::span(s)); }

using RangeReadTest = RepoTest;

TEST_F(RangeReadTest, RangesGoIntoABufferAndASinkAndAreShortAtTheEnd) {
  const auto data = random_bytes(300000, 11);
  auto object = main_branch().object("ranges/data.bin");
  object.upload(data);

  std::string buffer(4096, '\0');
  EXPECT_EQ(object.read_range(1000, bytes(buffer)), buffer.size());
  EXPECT_EQ(buffer, data.substr(1000, buffer.size()));

  const auto reader = object.range_reader();
  for (const std::size_t offset : {std::size_t{0}, std::size_t{123457}, data.size() - 4096}) {
    std::fill(buffer.begin(), buffer.end(), '\0');
    ASSERT_EQ(reader.read_range(offset, bytes(buffer)), buffer.size()) << "at " << offset;
    EXPECT_EQ(buffer, data.substr(offset, buffer.size())) << "at " << offset;
  }
  EXPECT_EQ(reader.read_range(data.size() - 100, bytes(buffer)), 100u) << "short at the end";
  EXPECT_EQ(buffer.substr(0, 100), data.substr(data.size() - 100));
  EXPECT_EQ(reader.size(), data.size());
  EXPECT_EQ(reader.etag(), object.stat().checksum);

  std::string sunk;
  std::size_t chunks = 0;
  const auto n = reader.read_range(50000, 200000, [&](std::string_view chunk) {
    sunk.append(chunk);
    ++chunks;
  });
  EXPECT_EQ(n, 200000u);
  EXPECT_EQ(sunk, data.substr(50000, 200000));
  EXPECT_GE(chunks, 1u);
  sunk.clear();
  EXPECT_EQ(object.read_range(299990, 1000, [&](std::string_view chunk) { sunk.append(chunk); }), 10u);
  EXPECT_EQ(sunk, data.substr(299990));

  EXPECT_THROW((void)reader.read_range(data.size(), bytes(buffer)), InvalidRangeError);
  EXPECT_THROW((void)object.read_range(data.size() + 1000, 10, [](std::string_view) {}), InvalidRangeError);
  std::string empty;
  EXPECT_EQ(reader.read_range(data.size() + 1000, bytes(empty)), 0u) << "an empty read asks nothing";
}

TEST_F(RangeReadTest, ThreadsReadThroughOneReader) {
  const auto data = random_bytes(1 << 20, 12);
  auto object = main_branch().object("ranges/threads.bin");
  object.upload(data);
  const auto reader = object.range_reader();
  std::vector<int> good(4, 0);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        std::string buffer(10000, '\0');
        for (int i = 0; i < 8; ++i) {
          const std::size_t offset = static_cast<std::size_t>(t * 250000 + i * 30000);
          try {
            if (reader.read_range(offset, bytes(buffer)) == buffer.size() &&
                buffer == data.substr(offset, buffer.size()))
              ++good[static_cast<std::size_t>(t)];
          } catch (const std::exception& e) {
            ADD_FAILURE() << "thread " << t << ": " << e.what();
          }
        }
      });
    }
  }
  for (int t = 0; t < 4; ++t) EXPECT_EQ(good[static_cast<std::size_t>(t)], 8) << "thread " << t;
}

TEST_F(RangeReadTest, APinnedVersionIsRefusedOnceTheObjectIsReplaced) {
  auto object = main_branch().object("ranges/replaced.bin");
  const auto v1 = random_bytes(100000, 13);
  object.upload(v1);
  const std::string etag = object.stat().checksum;
  const auto reader = object.range_reader({.if_match = etag});
  std::string buffer(1000, '\0');
  ASSERT_EQ(reader.read_range(0, bytes(buffer)), buffer.size());
  EXPECT_EQ(buffer, v1.substr(0, buffer.size()));
  EXPECT_EQ(object.read_range(500, 10, {.if_match = "\"" + etag + "\""}), v1.substr(500, 10)) << "quotes are ignored";

  const auto v2 = random_bytes(100000, 14);
  object.upload(v2);
  ASSERT_NE(object.stat().checksum, etag);
  std::string fresh(1000, '.');
  EXPECT_THROW((void)object.read_range(0, bytes(fresh), {.if_match = etag}), ObjectChangedError);
  EXPECT_EQ(fresh, std::string(1000, '.')) << "bytes of the new version reached the buffer";
  EXPECT_THROW((void)object.read_all({.if_match = etag}), ObjectChangedError);
  bool called = false;
  EXPECT_THROW(
      (void)object.range_reader({.if_match = etag}).read_range(0, 10, [&](std::string_view) { called = true; }),
      ObjectChangedError);
  EXPECT_FALSE(called);

  // The reader that read v1 before: through lakeFS each answer carries the version, so it refuses v2; pre-signed it
  // holds a URL of v1's data, which the store keeps, and goes on reading v1. Never a byte of v2.
  try {
    ASSERT_EQ(reader.read_range(1000, bytes(buffer)), buffer.size());
    EXPECT_TRUE(lakefs_client().storage_config().pre_sign_support) << "through lakeFS a replaced object was read";
    EXPECT_EQ(buffer, v1.substr(1000, buffer.size())) << "the pre-signed reader read bytes that are not v1's";
  } catch (const ObjectChangedError&) {
    EXPECT_FALSE(lakefs_client().storage_config().pre_sign_support);
  }
  // The current version reads as usual.
  EXPECT_EQ(object.read_range(0, bytes(fresh), {.if_match = object.stat().checksum}), fresh.size());
  EXPECT_EQ(fresh, v2.substr(0, fresh.size()));
}

TEST_F(RangeReadTest, AMissingObjectIsObjectNotFound) {
  std::string buffer(10, '\0');
  EXPECT_THROW((void)main_branch().object("ranges/none.bin").read_range(0, bytes(buffer)), ObjectNotFoundError);
  EXPECT_THROW((void)main_branch().object("ranges/none.bin").range_reader().size(), ObjectNotFoundError);
}

}  // namespace
}  // namespace lakefs::test
