// SPDX-License-Identifier: Apache-2.0
// Range reads into the caller's buffer or sink (StoredObject::read_range, ObjectRangeReader) against scripted
// answers: the Range header sent, the version pinned (if_match, or the first answer's ETag) and a replaced object
// refused before any byte is taken, the invalid ranges, a request sent again after a drop handing each byte over
// once, and, pre-signed, one URL kept for all the reads of a reader, renewed before it expires and once when the
// store rejects it. The real server runs the same paths in tests/integration/objects/range_read_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/api/models.hpp"
#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;

constexpr const char* kGet = "/repositories/repo/refs/main/objects";
constexpr const char* kStat = "/repositories/repo/refs/main/objects/stat";
constexpr const char* kStore = "http://store.test/bucket/repo/data/abc";

// `n` bytes that differ from offset to offset.
std::string pattern(std::size_t n) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return out;
}

std::span<std::byte> bytes(std::string& s) { return std::as_writable_bytes(std::span(s)); }

// A 206 answer of lakeFS to a range of `content`, with the version's ETag.
lt::Reply partial(const std::string& content, std::size_t first, std::size_t last, const std::string& etag) {
  return lt::Reply::content(206, content.substr(first, last - first + 1))
      .with_header("Content-Range",
                   "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(content.size()))
      .with_header("ETag", "\"" + etag + "\"");
}

// Through lakeFS: the fake's default /config is a local block store's, which cannot pre-sign.
struct RangeRead : ::testing::Test {
  [[nodiscard]] lakefs::StoredObject object() const {
    return lt::make_client(fake).repository("repo").ref("main").object("data.bin");
  }
  // The GETs of the object through lakeFS (not the client's one GET /config).
  [[nodiscard]] std::vector<lt::RecordedRequest> gets() const {
    std::vector<lt::RecordedRequest> out;
    for (auto& r : fake->requests())
      if (r.path == kGet) out.push_back(r);
    return out;
  }
  std::shared_ptr<lt::FakeTransport> fake = std::make_shared<lt::FakeTransport>();
  const std::string content = pattern(1000);
};

TEST_F(RangeRead, ABufferIsFilledFromTheRangeAndTheReadIsShortAtTheEnd) {
  fake->on("GET", kGet, "path=data.bin")
      .reply(partial(content, 100, 163, "v1"))
      .reply(partial(content, 990, 999, "v1"));
  std::string buffer(64, '\0');
  EXPECT_EQ(object().read_range(100, bytes(buffer)), 64u);
  EXPECT_EQ(buffer, content.substr(100, 64));
  std::string tail(64, '\0');
  EXPECT_EQ(object().read_range(990, bytes(tail)), 10u) << "short at the end of the object";
  EXPECT_EQ(tail.substr(0, 10), content.substr(990));
  const auto sent = gets();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].header("Range"), "bytes=100-163");
  EXPECT_EQ(sent[1].header("Range"), "bytes=990-1053");
}

TEST_F(RangeRead, ASinkGetsEachByteOnceWhenTheRequestIsSentAgainAfterADrop) {
  // The connection drops after 300 of the 500 bytes; the request is sent again and its answer starts over. The
  // second answer differs where the first one already delivered (a real server sends the same bytes): the sink must
  // not see those bytes at all, and must see the rest once.
  lt::Reply cut = partial(content, 200, 699, "v1");
  cut.body = cut.body.substr(0, 300);
  cut.failure = lakefs::http::Failure::connection_dropped;
  cut.request_sent = true;
  cut.chunk_size = 100;
  lt::Reply again = partial(content, 200, 699, "v1");
  again.body.replace(0, 300, std::string(300, '#'));
  again.chunk_size = 64;
  fake->on("GET", kGet, "path=data.bin").reply(cut).reply(again);
  std::string got;
  std::size_t calls = 0;
  const auto n = object().read_range(200, 500, [&](std::string_view chunk) {
    ++calls;
    got.append(chunk);
  });
  EXPECT_EQ(n, 500u);
  EXPECT_EQ(got, content.substr(200, 500));
  EXPECT_GE(calls, 2u);
  ASSERT_EQ(fake->count("GET", kGet), 2u);
  for (const auto& r : gets()) EXPECT_EQ(r.header("Range"), "bytes=200-699") << r;
}

TEST_F(RangeRead, APinnedVersionThatIsNoLongerTheObjectIsObjectChangedAndNothingReachesTheCaller) {
  fake->on("GET", kGet, "path=data.bin").always(partial(content, 0, 99, "v2"));
  std::string buffer(100, '.');
  EXPECT_THROW((void)object().read_range(0, bytes(buffer), {.if_match = "\"v1\""}), lakefs::ObjectChangedError);
  EXPECT_EQ(buffer, std::string(100, '.')) << "bytes of another version reached the buffer";
  bool called = false;
  EXPECT_THROW((void)object().read_range(0, 100, [&](std::string_view) { called = true; }, {.if_match = "v1"}),
               lakefs::ObjectChangedError);
  EXPECT_FALSE(called);
  EXPECT_THROW((void)object().read_range(0, 100, {.if_match = "v1"}), lakefs::ObjectChangedError)
      << "the string form checks if_match too";
  // The version it names is read.
  std::string same(100, '\0');
  EXPECT_EQ(object().read_range(0, bytes(same), {.if_match = "v2"}), 100u);
  EXPECT_EQ(same, content.substr(0, 100));
}

TEST_F(RangeRead, AReaderKeepsTheVersionItsFirstAnswerHad) {
  fake->on("GET", kGet, "path=data.bin").reply(partial(content, 0, 9, "v1")).reply(partial(content, 10, 19, "v2"));
  const auto reader = object().range_reader();
  EXPECT_EQ(reader.etag(), "");
  std::string buffer(10, '\0');
  EXPECT_EQ(reader.read_range(0, bytes(buffer)), 10u);
  EXPECT_EQ(reader.etag(), "v1");
  EXPECT_THROW((void)reader.read_range(10, bytes(buffer)), lakefs::ObjectChangedError)
      << "the object was replaced between two reads of one reader";
}

TEST_F(RangeRead, InvalidRangesAreTypedErrors) {
  std::string empty;
  EXPECT_EQ(object().read_range(5, bytes(empty)), 0u);
  EXPECT_EQ(object().read_range(5, 0, [](std::string_view) { FAIL() << "an empty read delivered bytes"; }), 0u);
  std::string buffer(8, '\0');
  const auto beyond = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
  EXPECT_THROW((void)object().read_range(beyond, bytes(buffer)), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)object().read_range(std::numeric_limits<std::uint64_t>::max(), 1, [](std::string_view) {}),
               lakefs::InvalidArgumentError);
  EXPECT_EQ(fake->count(), 0u) << "nothing is sent for an empty read or an impossible offset";

  // offset + length past 2^63 - 1 cannot be written as a range end: the range runs to the end of the object.
  fake->on("GET", kGet, "path=data.bin")
      .reply(partial(content, 996, 999, "v1"))
      .reply(lt::Reply::error(416, "Requested Range Not Satisfiable"));
  std::string got;
  EXPECT_EQ(object().read_range(996, std::numeric_limits<std::uint64_t>::max(),
                                [&](std::string_view chunk) { got.append(chunk); }),
            4u);
  EXPECT_EQ(got, content.substr(996));
  EXPECT_EQ(fake->last().header("Range"), "bytes=996-");
  // At or past the end: the server's answer.
  EXPECT_THROW((void)object().read_range(1000, bytes(buffer)), lakefs::InvalidRangeError);
}

TEST_F(RangeRead, TheWholeObjectAnsweringARangeIsAProtocolErrorBeforeAnyByte) {
  fake->on("GET", kGet, "path=data.bin").always(lt::Reply::content(200, content).with_header("ETag", "\"v1\""));
  bool called = false;
  EXPECT_THROW((void)object().read_range(10, 20, [&](std::string_view) { called = true; }), lakefs::ProtocolError);
  EXPECT_FALSE(called);
  // From offset 0, a 200 longer than the range is refused too; one that fits is the range.
  EXPECT_THROW((void)object().read_range(0, 20, [&](std::string_view) { called = true; }), lakefs::ProtocolError);
  EXPECT_FALSE(called);
  std::string whole(2000, '\0');
  EXPECT_EQ(object().read_range(0, bytes(whole)), content.size());
  EXPECT_EQ(whole.substr(0, content.size()), content);
}

// Pre-signed: the store answers at kStore, lakeFS's stat gives the URL.
struct PresignedRangeRead : RangeRead {
  void SetUp() override {
    lakefs::api::StorageConfig config;
    config.blockstore_type = "s3";
    config.pre_sign_support = true;
    config.pre_sign_multipart_upload = true;
    fake->on("GET", "/config")
        .always(lt::Reply::json(
            200, R"({"version_config":{"version":"1.84.0"},"storage_config":)" + lakefs::api::to_json(config) + "}"));
  }
  [[nodiscard]] std::string stat_json(const std::string& checksum, const std::string& signature,
                                      std::int64_t expiry = 1796000000) const {
    lakefs::api::ObjectStats s;
    s.path = "data.bin";
    s.path_type = lakefs::api::Enum<lakefs::api::ObjectStatsPathType>("object");
    s.physical_address = std::string(kStore) + "?X-Amz-Signature=" + signature;
    s.physical_address_expiry = expiry;
    s.checksum = checksum;
    s.size_bytes = static_cast<std::int64_t>(content.size());
    s.mtime = 1796000000;
    return lakefs::api::to_json(s);
  }
  // The store's answer to a range (its ETag is the store's own, not checked).
  [[nodiscard]] lt::Reply store_range(std::size_t first, std::size_t last) const {
    return lt::Reply::content(206, content.substr(first, last - first + 1))
        .with_header("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                          std::to_string(content.size()));
  }
  [[nodiscard]] std::vector<lt::RecordedRequest> store_requests() const {
    std::vector<lt::RecordedRequest> out;
    for (auto& r : fake->requests())
      if (r.absolute_url.starts_with(kStore)) out.push_back(r);
    return out;
  }
};

TEST_F(PresignedRangeRead, AReaderStatsOnceAndReusesItsUrlForEveryRead) {
  fake->on("GET", kStat).reply(lt::Reply::json(200, stat_json("v1", "ONLYSIG")));
  fake->on("GET", kStore).reply(store_range(0, 99)).reply(store_range(500, 599)).reply(store_range(900, 999));
  const auto reader = object().range_reader();
  std::string buffer(100, '\0');
  for (const std::size_t offset : {0u, 500u, 900u}) {
    ASSERT_EQ(reader.read_range(offset, bytes(buffer)), 100u);
    EXPECT_EQ(buffer, content.substr(offset, 100)) << "at " << offset;
  }
  EXPECT_EQ(reader.size(), content.size()) << "known from the stat: no other request";
  EXPECT_EQ(reader.etag(), "v1");
  EXPECT_EQ(fake->count("GET", kStat), 1u);
  const auto sent = store_requests();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].header("Range"), "bytes=0-99");
  EXPECT_EQ(sent[1].header("Range"), "bytes=500-599");
  EXPECT_EQ(sent[2].header("Range"), "bytes=900-999");
  for (const auto& r : sent) {
    EXPECT_NE(r.absolute_url.find("ONLYSIG"), std::string::npos);
    EXPECT_EQ(r.authorization.scheme, lakefs::http::Authorization::Scheme::none)
        << "lakeFS credentials sent to the store";
  }
}

TEST_F(PresignedRangeRead, ARejectedUrlIsRenewedOnceAndTheNewOneKept) {
  fake->on("GET", kStat)
      .reply(lt::Reply::json(200, stat_json("v1", "FIRSTSIG")))
      .reply(lt::Reply::json(200, stat_json("v1", "SECONDSIG")));
  fake->on("GET", kStore, "X-Amz-Signature=FIRSTSIG")
      .always(lt::Reply{.status = 403, .body = "<Error><Code>AccessDenied</Code><Message>expired</Message></Error>"});
  fake->on("GET", kStore, "X-Amz-Signature=SECONDSIG").reply(store_range(0, 9)).reply(store_range(10, 19));
  const auto reader = object().range_reader();
  std::string buffer(10, '\0');
  EXPECT_EQ(reader.read_range(0, bytes(buffer)), 10u);
  EXPECT_EQ(buffer, content.substr(0, 10));
  EXPECT_EQ(reader.read_range(10, bytes(buffer)), 10u);
  EXPECT_EQ(buffer, content.substr(10, 10));
  EXPECT_EQ(fake->count("GET", kStat), 2u) << "one stat for the URL, one to renew it";
  EXPECT_EQ(store_requests().size(), 3u) << "rejected, sent again, then the next read with the renewed URL";
}

TEST_F(PresignedRangeRead, AUrlAboutToExpireIsRenewedBeforeTheRead) {
  // The first URL lives 2 to 3 seconds (expiries are whole seconds): it is renewed once less than half its life is
  // left, before a request, so no request goes out with a URL about to expire.
  const auto soon = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch() + std::chrono::seconds(3))
                        .count();
  fake->on("GET", kStat)
      .reply(lt::Reply::json(200, stat_json("v1", "SHORTSIG", soon)))
      .reply(lt::Reply::json(200, stat_json("v1", "LONGSIG")));
  fake->on("GET", kStore, "X-Amz-Signature=SHORTSIG").reply(store_range(0, 9));
  fake->on("GET", kStore, "X-Amz-Signature=LONGSIG").reply(store_range(10, 19));
  const auto reader = object().range_reader();
  std::string buffer(10, '\0');
  EXPECT_EQ(reader.read_range(0, bytes(buffer)), 10u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  EXPECT_EQ(reader.read_range(10, bytes(buffer)), 10u);
  EXPECT_EQ(buffer, content.substr(10, 10));
  EXPECT_EQ(fake->count("GET", kStat), 2u);
  const auto sent = store_requests();
  ASSERT_EQ(sent.size(), 2u) << "no request was rejected";
  EXPECT_NE(sent[1].absolute_url.find("LONGSIG"), std::string::npos);
}

TEST_F(PresignedRangeRead, AVersionCheckFailsAtTheStatAndARenewalThatFindsTheObjectReplacedFailsToo) {
  fake->on("GET", kStat)
      .reply(lt::Reply::json(200, stat_json("v2", "SIG")))
      .reply(lt::Reply::json(200, stat_json("v1", "SIG1")))
      .reply(lt::Reply::json(200, stat_json("v2", "SIG2")));
  std::string buffer(10, '\0');
  EXPECT_THROW((void)object().read_range(0, bytes(buffer), {.if_match = "v1"}), lakefs::ObjectChangedError);
  EXPECT_TRUE(store_requests().empty()) << "the store was asked for another version's bytes";

  fake->on("GET", kStore, "X-Amz-Signature=SIG1")
      .reply(store_range(0, 9))
      .always(lt::Reply{.status = 403, .body = "<Error><Code>AccessDenied</Code></Error>"});
  const auto reader = object().range_reader();
  EXPECT_EQ(reader.read_range(0, bytes(buffer)), 10u);
  EXPECT_THROW((void)reader.read_range(10, bytes(buffer)), lakefs::ObjectChangedError)
      << "the renewal's stat found another version";
}

TEST_F(PresignedRangeRead, ManyThreadsReadThroughOneReaderWithOneUrl) {
  // All threads start at once: one stat for all of them. The fake answers a route's requests in order, whatever
  // their Range: every thread reads the same range.
  fake->on("GET", kStat).reply(lt::Reply::json(200, stat_json("v1", "SIG")));
  fake->on("GET", kStore).always(store_range(300, 399));
  const auto reader = object().range_reader();
  std::vector<std::size_t> good(4, 0);
  {
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        std::string buffer(100, '\0');
        for (int i = 0; i < 10; ++i) {
          try {
            if (reader.read_range(300, bytes(buffer)) == 100u && buffer == content.substr(300, 100)) ++good[t];
          } catch (const std::exception& e) {
            ADD_FAILURE() << "thread " << t << ": " << e.what();
          }
        }
      });
    }
  }
  for (std::size_t t = 0; t < 4; ++t) EXPECT_EQ(good[t], 10u) << "thread " << t;
  EXPECT_EQ(fake->count("GET", kStat), 1u) << "the threads share the reader's URL";
  EXPECT_EQ(store_requests().size(), 40u);
}

}  // namespace
