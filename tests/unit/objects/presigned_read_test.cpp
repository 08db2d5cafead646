// SPDX-License-Identifier: Apache-2.0
// Reads straight from the object store through pre-signed URLs, with the
// store's answers scripted through the public test double: an expired URL is
// renewed once, the store's errors get their own mapping (never the URL, its
// signature or the store's XML), failed transfers are retried and resumed
// without duplicating bytes, and a replaced object shows at renewal. The real
// S3 topology runs the same paths end to end (tests/integration/objects/
// presign_read_test.cpp); these are the answers a real store gives only by chance.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "lakefs/api/models.hpp"
#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;

constexpr const char* kStat = "/repositories/repo/refs/main/objects/stat";
constexpr const char* kStore = "http://store.test/bucket/repo/data/abc";
// What a store's error document may echo: the signed request, with the key id.
constexpr const char* kExpired =
    "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message>"
    "<StringToSign>X-Amz-Credential=STOREKEYID/20261130</StringToSign></Error>";

std::string stat_json(const std::string& checksum, std::size_t size, const std::string& signature) {
  lakefs::api::ObjectStats s;
  s.path = "data.bin";
  s.path_type = lakefs::api::Enum<lakefs::api::ObjectStatsPathType>("object");
  s.physical_address = std::string(kStore) + "?X-Amz-Credential=STOREKEYID&X-Amz-Signature=" + signature;
  s.physical_address_expiry = 1796000000;
  s.checksum = checksum;
  s.size_bytes = static_cast<std::int64_t>(size);
  s.mtime = 1796000000;
  return lakefs::api::to_json(s);
}

struct PresignedRead : ::testing::Test {
  void SetUp() override {
    lakefs::api::StorageConfig config;
    config.blockstore_type = "s3";
    config.pre_sign_support = true;
    config.pre_sign_multipart_upload = true;
    fake->on("GET", "/config")
        .always(lt::Reply::json(
            200, R"({"version_config":{"version":"1.84.0"},"storage_config":)" + lakefs::api::to_json(config) + "}"));
  }
  // Attempts sent to the object store's URL (the fake records pre-signed requests by their absolute URL).
  [[nodiscard]] std::size_t store_count() const {
    std::size_t n = 0;
    for (const auto& r : fake->requests()) n += r.absolute_url.starts_with(kStore) ? 1 : 0;
    return n;
  }
  [[nodiscard]] lakefs::StoredObject object() const {
    return lt::make_client(fake).repository("repo").ref("main").object("data.bin");
  }
  std::shared_ptr<lt::FakeTransport> fake = std::make_shared<lt::FakeTransport>();
  const std::string content = std::string(100000, 'a') + std::string(100000, 'b');
};

// A store's 416 without the object's size (InvalidRange, no Content-Range): the size comes from the stat that gave
// the URL; one that says it ("bytes */<size>") is believed.
TEST_F(PresignedRead, ARangeOutsideTheObjectIsInvalidRangeWithTheSizeFromTheStat) {
  fake->on("GET", kStat).always(lt::Reply::json(200, stat_json("abc", content.size(), "SIG")));
  fake->on("GET", kStore)
      .reply(lt::Reply{.status = 416, .body = "<Error><Code>InvalidRange</Code></Error>"})
      .reply(lt::Reply{.status = 416, .body = "<Error><Code>InvalidRange</Code></Error>"}.with_header("Content-Range",
                                                                                                      "bytes */7"));
  try {
    (void)object().read_range(content.size() + 10, 5, {.pre_sign = true});
    ADD_FAILURE() << "no InvalidRangeError";
  } catch (const lakefs::InvalidRangeError& e) {
    EXPECT_EQ(e.status(), 416);
    EXPECT_EQ(e.object_size(), std::optional<std::uint64_t>(content.size()));
    EXPECT_EQ(std::string(e.what()).find("SIG"), std::string::npos) << e.what();
  }
  try {
    (void)object().read_range(content.size() + 10, 5, {.pre_sign = true});
    ADD_FAILURE() << "no InvalidRangeError";
  } catch (const lakefs::InvalidRangeError& e) {
    EXPECT_EQ(e.object_size(), std::optional<std::uint64_t>(7));
  }
}

TEST_F(PresignedRead, AnExpiredUrlIsRenewedOnceAndTheReadCompletes) {
  fake->on("GET", kStat)
      .reply(lt::Reply::json(200, stat_json("abc", content.size(), "FIRSTSIG")))
      .reply(lt::Reply::json(200, stat_json("abc", content.size(), "SECONDSIG")));
  fake->on("GET", kStore).reply(lt::Reply{.status = 403, .body = kExpired}).reply(lt::Reply::content(200, content));
  EXPECT_EQ(object().read_all(), content);
  EXPECT_EQ(fake->count("GET", kStat), 2u);
  const auto requests = fake->requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_NE(requests.back().absolute_url.find("SECONDSIG"), std::string::npos) << "the renewed URL is used";
  EXPECT_EQ(requests.back().authorization.scheme, lakefs::http::Authorization::Scheme::none)
      << "no lakeFS credentials go to the object store";
}

TEST_F(PresignedRead, ARejectedRenewedUrlIsAnObjectStoreErrorThatNamesTheObjectNotTheUrl) {
  fake->on("GET", kStat).always(lt::Reply::json(200, stat_json("abc", content.size(), "SECRETSIG")));
  fake->on("GET", kStore).always(lt::Reply{.status = 403, .body = kExpired});
  try {
    (void)object().read_all();
    FAIL() << "no ObjectStoreError";
  } catch (const lakefs::ObjectStoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("lakefs://repo/main/data.bin"), std::string::npos) << what;
    EXPECT_NE(what.find("AccessDenied"), std::string::npos) << what;
    EXPECT_NE(what.find("Request has expired"), std::string::npos) << what;
    for (const char* secret : {"SECRETSIG", "Signature", "STOREKEYID", "store.test", "<Error>", "StringToSign"}) {
      EXPECT_EQ(what.find(secret), std::string::npos) << secret << " in: " << what;
      EXPECT_EQ(e.path().find(secret), std::string::npos) << secret << " in path(): " << e.path();
    }
    EXPECT_TRUE(e.body().empty());
    EXPECT_EQ(e.status(), 403);
    EXPECT_EQ(e.store_code(), "AccessDenied");
  }
  EXPECT_EQ(fake->count("GET", kStat), 2u) << "renewed exactly once";
  EXPECT_EQ(store_count(), 2u);
}

TEST_F(PresignedRead, AMissingPhysicalObjectIsObjectNotFound) {
  fake->on("GET", kStat).always(lt::Reply::json(200, stat_json("abc", content.size(), "SIG")));
  fake->on("GET", kStore)
      .always(lt::Reply{.status = 404,
                        .body = "<Error><Code>NoSuchKey</Code><Message>The key does not exist</Message></Error>"});
  try {
    (void)object().read_all();
    FAIL() << "no ObjectNotFoundError";
  } catch (const lakefs::ObjectNotFoundError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("data.bin"), std::string::npos) << what;
    EXPECT_NE(what.find("NoSuchKey"), std::string::npos) << what;
    EXPECT_EQ(what.find("SIG"), std::string::npos) << what;
  }
}

TEST_F(PresignedRead, StoreFailuresAreRetriedAndACutBodyIsNotDuplicated) {
  fake->on("GET", kStat).always(lt::Reply::json(200, stat_json("abc", content.size(), "SIG")));
  fake->on("GET", kStore)
      .reply(lt::Reply{.status = 503, .body = "<Error><Code>SlowDown</Code></Error>"})
      .reply(lt::Reply{
          .body = content.substr(0, 70000), .failure = lakefs::http::Failure::connection_dropped, .request_sent = true})
      .reply(lt::Reply::content(200, content));
  EXPECT_EQ(object().read_all(), content);
  EXPECT_EQ(store_count(), 3u);
}

TEST_F(PresignedRead, TheReaderRenewsMidReadAndKeepsTheUrlOutOfInfo) {
  fake->on("GET", kStat)
      .reply(lt::Reply::json(200, stat_json("abc", content.size(), "FIRSTSIG")))
      .reply(lt::Reply::json(200, stat_json("abc", content.size(), "SECONDSIG")));
  fake->on("GET", kStore, "X-Amz-Signature=FIRSTSIG")
      .reply(lt::Reply::content(206, content.substr(0, 65536)))
      .always(lt::Reply{.status = 403, .body = kExpired});
  fake->on("GET", kStore, "X-Amz-Signature=SECONDSIG").always(lt::Reply::content(206, std::string(65536, 'b')));
  auto reader = object().reader({.block_size = 65536, .read_ahead = false});
  EXPECT_TRUE(reader.info().physical_address.empty());
  EXPECT_FALSE(reader.info().physical_address_expiry.has_value());
  std::string block(65536, '\0');
  reader.read(block.data(), 65536);
  EXPECT_EQ(block, content.substr(0, 65536));
  reader.read(block.data(), 65536);  // the first URL has expired by now
  EXPECT_EQ(block, std::string(65536, 'b'));
  EXPECT_EQ(fake->count("GET", kStat), 2u);
}

TEST_F(PresignedRead, AnObjectReplacedBeforeTheRenewalIsObjectChanged) {
  fake->on("GET", kStat)
      .reply(lt::Reply::json(200, stat_json("abc", content.size(), "FIRSTSIG")))
      .reply(lt::Reply::json(200, stat_json("other", content.size(), "SECONDSIG")));
  fake->on("GET", kStore).always(lt::Reply{.status = 403, .body = kExpired});
  EXPECT_THROW((void)object().read_all(), lakefs::ObjectChangedError);
}

TEST_F(PresignedRead, AnUnreachableStoreIsATransportErrorNamingTheStoreHostOnly) {
  fake->on("GET", kStat).always(lt::Reply::json(200, stat_json("abc", content.size(), "SECRETSIG")));
  fake->on("GET", kStore).always(lt::Reply::fail(lakefs::http::Failure::cannot_connect, false));
  try {
    (void)object().read_all();
    FAIL() << "no ConnectionError";
  } catch (const lakefs::ConnectionError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("http://store.test"), std::string::npos) << what;
    EXPECT_EQ(what.find("SECRETSIG"), std::string::npos) << what;
    EXPECT_EQ(what.find("STOREKEYID"), std::string::npos) << what;
  }
}

TEST_F(PresignedRead, PresignedUrlAndStatWithPreSignHandOutTheUrlWhenAsked) {
  fake->on("GET", kStat, "presign=true").always(lt::Reply::json(200, stat_json("abc", content.size(), "SIG")));
  const auto url = object().presigned_url();
  EXPECT_NE(url.url.find("X-Amz-Signature=SIG"), std::string::npos);
  ASSERT_TRUE(url.expires.has_value());
  EXPECT_EQ(object().stat({.pre_sign = true}).physical_address, url.url);
}

TEST_F(PresignedRead, PreSignFalseReadsThroughLakeFS) {
  fake->on("GET", "/repositories/repo/refs/main/objects").always(lt::Reply::content(200, content));
  EXPECT_EQ(object().read_all({.pre_sign = false}), content);
  EXPECT_EQ(store_count(), 0u);
  EXPECT_EQ(fake->count("GET", kStat), 0u);
}

// A download cut off part-way is retried from its start, through lakeFS as straight from the store, and the file
// holds each byte once; the asynchronous form is the same code.
TEST_F(PresignedRead, ADownloadCutOffPartWayIsRetriedWholeEitherWay) {
  const auto dir = std::filesystem::temp_directory_path() / ("lakefs-download-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto read_file = [](const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  const lakefs::http::Failure dropped = lakefs::http::Failure::connection_dropped;
  fake->on("GET", "/repositories/repo/refs/main/objects")
      .reply(lt::Reply{.body = content.substr(0, 50000), .failure = dropped, .request_sent = true})
      .reply(lt::Reply::content(200, content))
      .reply(lt::Reply{.body = content.substr(0, 50000), .failure = dropped, .request_sent = true})
      .reply(lt::Reply::content(200, content));
  object().download(dir / "through.bin", {.pre_sign = false});
  EXPECT_EQ(read_file(dir / "through.bin"), content);
  lakefs::async::sync_wait(object().download_async(dir / "through-async.bin", {.pre_sign = false}));
  EXPECT_EQ(read_file(dir / "through-async.bin"), content);

  fake->on("GET", kStat).always(lt::Reply::json(200, stat_json("abc", content.size(), "SIG")));
  fake->on("GET", kStore)
      .reply(lt::Reply{.body = content.substr(0, 70000), .failure = dropped, .request_sent = true})
      .reply(lt::Reply::content(200, content));
  object().download(dir / "store.bin");
  EXPECT_EQ(read_file(dir / "store.bin"), content);
  std::filesystem::remove_all(dir);
}

}  // namespace
