// SPDX-License-Identifier: Apache-2.0
// The streaming ObjectReader and read_all/read_range through lakeFS, with the
// server's answers scripted through the public test double: a reader opens
// with its stream's GET alone (no stat), a stream cut off part-way resumes
// without repeating or losing bytes, a replacement between attempts or before
// a range read is ObjectChangedError, and whole-object reads are sized once
// from Content-Length. tests/integration/objects/object_io_test.cpp runs the
// same reader against the real server.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "lakefs/api/models.hpp"
#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;

constexpr const char* kGet = "/repositories/repo/refs/main/objects";
constexpr const char* kStat = "/repositories/repo/refs/main/objects/stat";

std::string stat_json(const std::string& checksum, std::size_t size) {
  lakefs::api::ObjectStats s;
  s.path = "data.bin";
  s.path_type = lakefs::api::Enum<lakefs::api::ObjectStatsPathType>("object");
  s.physical_address = "local://ns/data/abc";
  s.checksum = checksum;
  s.size_bytes = static_cast<std::int64_t>(size);
  s.mtime = 1796000000;
  return lakefs::api::to_json(s);
}

// An object's bytes as lakeFS answers a GET: with its ETag.
lt::Reply answer(int status, std::string bytes, const std::string& etag) {
  auto reply = lt::Reply::content(status, std::move(bytes));
  reply.headers.emplace_back("ETag", "\"" + etag + "\"");
  return reply;
}

// The first `n` bytes of an answer, then the connection drops.
lt::Reply cut_off(const std::string& bytes, std::size_t n, const std::string& etag) {
  auto reply = answer(200, bytes.substr(0, n), etag);
  for (auto& [name, value] : reply.headers) {
    if (name == "content-length") value = std::to_string(bytes.size());
  }
  reply.failure = lakefs::http::Failure::connection_dropped;
  reply.request_sent = true;
  return reply;
}

std::string read_through(lakefs::ObjectReader& reader, std::size_t piece) {
  std::string out;
  std::vector<char> buffer(piece);
  while (reader.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || reader.gcount() > 0) {
    out.append(buffer.data(), static_cast<std::size_t>(reader.gcount()));
  }
  return out;
}

struct ReaderStream : ::testing::Test {
  void SetUp() override {
    lakefs::api::StorageConfig config;
    config.blockstore_type = "local";
    config.pre_sign_support = false;
    fake->on("GET", "/config").always(lt::Reply::json(
        200, R"({"version_config":{"version":"1.84.0"},"storage_config":)" + lakefs::api::to_json(config) + "}"));
    for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + (i * 7 + i / 1000) % 26);
  }
  [[nodiscard]] lakefs::StoredObject object() const {
    return lt::make_client(fake).repository("repo").ref("main").object("data.bin");
  }
  std::shared_ptr<lt::FakeTransport> fake = std::make_shared<lt::FakeTransport>();
  std::string content = std::string(300000, '\0');
};

TEST_F(ReaderStream, OpensWithOneGetAndNoStatAndReadsEverything) {
  fake->on("GET", kGet).always(answer(200, content, "abc"));
  auto reader = object().reader();
  EXPECT_EQ(reader.size(), content.size());
  EXPECT_EQ(read_through(reader, 1 << 20), content);
  EXPECT_EQ(fake->count("GET", kGet), 1u);
  EXPECT_EQ(fake->count("GET", kStat), 0u);
  const auto get = fake->requests().back();
  for (const auto& [name, value] : get.headers) EXPECT_NE(name, "Range") << "the stream reads from the start";
}

TEST_F(ReaderStream, SmallReadsGetlineAndStreambufIteratorsSeeEveryByte) {
  fake->on("GET", kGet).always(answer(200, content, "abc"));
  auto reader = object().reader();
  std::string head(10, '\0');
  reader.read(head.data(), 10);
  EXPECT_EQ(head, content.substr(0, 10));
  EXPECT_EQ(reader.get(), content[10]);
  std::string rest((std::istreambuf_iterator<char>(reader)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rest, content.substr(11));
}

TEST_F(ReaderStream, SeekingToTheEndAndBackKeepsTheStream) {
  fake->on("GET", kGet).always(answer(200, content, "abc"));
  auto reader = object().reader();
  reader.seekg(0, std::ios::end);  // the usual way to ask a stream for its size
  EXPECT_EQ(static_cast<std::size_t>(reader.tellg()), content.size());
  reader.seekg(0);
  EXPECT_EQ(read_through(reader, 1 << 20), content);
  EXPECT_EQ(fake->count("GET", kGet), 1u) << "no range request: the stream served it all";
}

TEST_F(ReaderStream, ASeekBackWithinSmallReadsStaysInTheStream) {
  fake->on("GET", kGet).always(answer(200, content, "abc"));
  auto reader = object().reader();
  std::string line(100, '\0');
  reader.read(line.data(), 100);
  reader.seekg(40);
  reader.read(line.data(), 100);
  EXPECT_EQ(line, content.substr(40, 100));
  EXPECT_EQ(read_through(reader, 4096), content.substr(140));
  EXPECT_EQ(fake->count("GET", kGet), 1u);
}

TEST_F(ReaderStream, AnAnswerWithoutItsLengthIsSizedByAStat) {
  // A proxy sending the body chunked (or compressed) leaves Content-Length out.
  auto reply = answer(200, content, "abc");
  std::erase_if(reply.headers, [](const auto& header) { return header.first == "content-length"; });
  fake->on("GET", kGet).always(reply);
  fake->on("GET", kStat).always(lt::Reply::json(200, stat_json("abc", content.size())));
  auto reader = object().reader();
  EXPECT_EQ(reader.size(), content.size());
  EXPECT_EQ(read_through(reader, 1 << 20), content);
  EXPECT_EQ(fake->count("GET", kStat), 1u);
}

TEST_F(ReaderStream, InfoSendsAStatOnlyWhenAskedAndChecksTheVersion) {
  fake->on("GET", kGet).always(answer(200, content, "abc"));
  fake->on("GET", kStat).reply(lt::Reply::json(200, stat_json("abc", content.size())));
  auto reader = object().reader();
  EXPECT_EQ(fake->count("GET", kStat), 0u);
  EXPECT_EQ(reader.info().checksum, "abc");
  EXPECT_EQ(reader.info().size_bytes, static_cast<std::int64_t>(content.size()));
  EXPECT_EQ(fake->count("GET", kStat), 1u) << "asked once, kept";

  fake->on("GET", kStat).always(lt::Reply::json(200, stat_json("replaced", content.size())));
  auto second = object().reader();
  EXPECT_THROW((void)second.info(), lakefs::ObjectChangedError);
}

TEST_F(ReaderStream, AStreamCutOffIsResumedWithoutRepeatingOrLosingBytes) {
  fake->on("GET", kGet).reply(cut_off(content, 70000, "abc")).reply(answer(200, content, "abc"));
  auto reader = object().reader();
  EXPECT_EQ(read_through(reader, 1 << 20), content);
  EXPECT_EQ(fake->count("GET", kGet), 2u);
}

TEST_F(ReaderStream, AReplacementBetweenAttemptsIsObjectChanged) {
  fake->on("GET", kGet).reply(cut_off(content, 70000, "abc")).always(answer(200, std::string(300000, 'x'), "new"));
  auto reader = object().reader();
  std::vector<char> buffer(1 << 20);
  EXPECT_THROW(reader.read(buffer.data(), static_cast<std::streamsize>(buffer.size())), lakefs::ObjectChangedError);
}

TEST_F(ReaderStream, ASeekBackReadsRangesCheckedAgainstTheVersion) {
  fake->on("GET", kGet)
      .reply(answer(200, content, "abc"))
      .reply(answer(206, content.substr(0, 65536), "abc"))
      .always(answer(206, std::string(65536, 'x'), "new"));
  auto reader = object().reader({.block_size = 65536});
  std::string block(65536, '\0');
  reader.read(block.data(), 65536);
  reader.read(block.data(), 65536);
  EXPECT_EQ(block, content.substr(65536, 65536));
  reader.seekg(0);
  reader.read(block.data(), 65536);
  EXPECT_EQ(block, content.substr(0, 65536));
  // The range's request is not necessarily the last one: the reader may already be reading ahead.
  bool ranged = false;
  for (const auto& request : fake->requests()) {
    for (const auto& [name, value] : request.headers) ranged = ranged || (name == "Range" && value == "bytes=0-65535");
  }
  EXPECT_TRUE(ranged) << "after the seek the reader asks for a range";
  // The next range comes from a replaced object: never mixed into what the caller reads.
  EXPECT_THROW(reader.read(block.data(), 65536), lakefs::ObjectChangedError);
}

TEST_F(ReaderStream, AnEmptyObjectIsAtItsEndAtOnce) {
  fake->on("GET", kGet).always(answer(200, "", "empty"));
  auto reader = object().reader();
  EXPECT_EQ(reader.size(), 0u);
  EXPECT_EQ(reader.get(), std::char_traits<char>::eof());
  EXPECT_TRUE(reader.eof());
}

TEST_F(ReaderStream, AMissingObjectFailsWhenTheReaderOpens) {
  fake->on("GET", kGet).always(lt::Reply::error(404, "object not found"));
  EXPECT_THROW((void)object().reader(), lakefs::ObjectNotFoundError);
}

TEST_F(ReaderStream, AShortAnswerIsAProtocolErrorNotATruncatedRead) {
  auto reply = answer(200, content.substr(0, 1000), "abc");
  for (auto& [name, value] : reply.headers) {
    if (name == "content-length") value = std::to_string(content.size());
  }
  fake->on("GET", kGet).always(reply);
  auto reader = object().reader();
  std::vector<char> buffer(1 << 20);
  EXPECT_THROW(reader.read(buffer.data(), static_cast<std::streamsize>(buffer.size())), lakefs::ProtocolError);
}

TEST_F(ReaderStream, ReadAllIsSizedOnceFromContentLengthAndRetriedWhole) {
  fake->on("GET", kGet).reply(cut_off(content, 70000, "abc")).reply(answer(200, content, "abc"));
  const std::string data = object().read_all();
  EXPECT_EQ(data, content);
  // Growing by doubling would leave up to twice the size; reserved from Content-Length it is the size.
  EXPECT_LT(data.capacity(), content.size() + content.size() / 8);
  EXPECT_EQ(fake->count("GET", kGet), 2u);
}

TEST_F(ReaderStream, ReadRangeIsSizedFromContentLength) {
  fake->on("GET", kGet).always(answer(206, content.substr(1000, 200000), "abc"));
  const std::string data = object().read_range(1000, 200000);
  EXPECT_EQ(data, content.substr(1000, 200000));
  EXPECT_LT(data.capacity(), data.size() + data.size() / 8);
}

}  // namespace
