// SPDX-License-Identifier: Apache-2.0
// Uploads straight to the object store through pre-signed URLs, checked on
// the wire of the public test double: what a single PUT carries (Content-Type,
// Azure's blob type), how a rejected PUT is renewed with a new address that
// the link then names, how a multipart upload puts its parts, renews URLs that
// are about to expire, completes in part order, and aborts on failure or when a
// writer is discarded. The S3 topology runs the same paths against a real
// store (tests/integration/objects/presign_upload_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include "lakefs/api/models.hpp"
#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;

constexpr std::size_t MiB = 1 << 20;
constexpr const char* kBacking = "/repositories/repo/branches/main/staging/backing";
constexpr const char* kCreate = "/repositories/repo/branches/main/staging/pmpu";
constexpr const char* kUpload = "/repositories/repo/branches/main/staging/pmpu/UPLOAD1";
constexpr const char* kStore = "http://store.test/bucket/repo/data/abc";

std::string location_json(const std::string& address) {
  lakefs::api::StagingLocation location;
  location.physical_address = "s3://bucket/repo/data/" + address;
  location.presigned_url = std::string(kStore) + "?X-Amz-Signature=" + address;
  return lakefs::api::to_json(location);
}

std::string stats_json(const std::string& path, std::size_t size, const std::string& content_type) {
  lakefs::api::ObjectStats s;
  s.path = path;
  s.path_type = lakefs::api::Enum<lakefs::api::ObjectStatsPathType>("object");
  s.physical_address = "s3://bucket/repo/data/abc";
  s.checksum = "abc";
  s.size_bytes = static_cast<std::int64_t>(size);
  s.mtime = 1796000000;
  s.content_type = content_type;
  return lakefs::api::to_json(s);
}

// A pre-signed part URL; `date` is its X-Amz-Date (signing time), valid for an hour.
std::string part_url(int number, const std::string& date = "29991231T000000Z") {
  return std::string(kStore) + "?partNumber=" + std::to_string(number) + "&uploadId=UPLOAD1&X-Amz-Date=" + date +
         "&X-Amz-Expires=3600&X-Amz-Signature=SIG" + std::to_string(number);
}

std::string created_json(int parts, const std::string& date = "29991231T000000Z") {
  lakefs::api::PresignMultipartUpload created;
  created.upload_id = "UPLOAD1";
  created.physical_address = "data/abc,signed";
  if (parts > 0) {
    created.presigned_urls.emplace();
    for (int n = 1; n <= parts; ++n) created.presigned_urls->push_back(part_url(n, date));
  }
  return lakefs::api::to_json(created);
}

std::string part_path(int number) { return std::string(kUpload) + "/parts/" + std::to_string(number); }

struct PresignedUpload : ::testing::Test {
  void store(const std::string& blockstore_type, bool multipart = true) {
    lakefs::api::StorageConfig config;
    config.blockstore_type = blockstore_type;
    config.pre_sign_support = true;
    config.pre_sign_multipart_upload = multipart;
    fake->on("GET", "/config")
        .always(lt::Reply::json(
            200, R"({"version_config":{"version":"1.84.0"},"storage_config":)" + lakefs::api::to_json(config) + "}"));
  }
  [[nodiscard]] lakefs::WriteableObject object() const {
    return lt::make_client(fake).repository("repo").branch("main").object("data.bin");
  }
  [[nodiscard]] std::vector<lt::RecordedRequest> sent(std::string_view method, std::string_view prefix) const {
    std::vector<lt::RecordedRequest> out;
    for (auto& r : fake->requests()) {
      const std::string& where = r.absolute_url.empty() ? r.path : r.absolute_url;
      if (r.method == method && where.starts_with(prefix)) out.push_back(r);
    }
    return out;
  }
  void script_multipart(int parts) {
    fake->on("POST", kCreate).always(lt::Reply::json(201, created_json(parts)));
    for (int n = 1; n <= 4; ++n) {
      fake->on("PUT", kStore, "partNumber=" + std::to_string(n))
          .always(lt::Reply::empty(200).with_header("ETag", "\"etag-" + std::to_string(n) + "\""));
      fake->on("PUT", part_path(n)).always(lt::Reply::json(200, "{\"presigned_url\":\"" + part_url(n) + "\"}"));
    }
    fake->on("PUT", kUpload).always(lt::Reply::json(200, stats_json("data.bin", 0, "text/csv")));
    fake->on("DELETE", kUpload).always(lt::Reply::empty(204));
  }
  [[nodiscard]] lakefs::api::CompletePresignMultipartUpload completion() const {
    const auto completes = sent("PUT", kUpload);
    std::vector<lt::RecordedRequest> exact;
    for (const auto& r : completes) {
      if (r.path == kUpload) exact.push_back(r);
    }
    EXPECT_EQ(exact.size(), 1u);
    lakefs::api::CompletePresignMultipartUpload body;
    if (!exact.empty()) lakefs::api::from_json(exact.front().body, body);
    return body;
  }
  std::shared_ptr<lt::FakeTransport> fake = std::make_shared<lt::FakeTransport>();
};

TEST_F(PresignedUpload, APutCarriesTheContentTypeAndTheLinkTheETag) {
  store("s3");
  fake->on("GET", kBacking).always(lt::Reply::json(200, location_json("first")));
  fake->on("PUT", kStore).always(lt::Reply::empty(200).with_header("ETag", "\"abc\""));
  fake->on("PUT", kBacking).always(lt::Reply::json(200, stats_json("data.bin", 5, "text/plain")));
  object().upload("hello", {.content_type = "text/plain", .metadata = {{"k", "v"}}});

  const auto puts = sent("PUT", kStore);
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0].content_type, "text/plain");
  EXPECT_EQ(puts[0].header("Content-Type"), "text/plain");
  EXPECT_FALSE(puts[0].header("x-ms-blob-type").has_value()) << "only Azure needs the blob type";
  EXPECT_EQ(puts[0].body, "hello");
  EXPECT_EQ(puts[0].body_length, 5u);
  EXPECT_EQ(puts[0].authorization.scheme, lakefs::http::Authorization::Scheme::none)
      << "no lakeFS credentials go to the object store";
  const auto links = sent("PUT", kBacking);
  ASSERT_EQ(links.size(), 1u);
  lakefs::api::StagingMetadata link;
  lakefs::api::from_json(links[0].body, link);
  EXPECT_EQ(link.checksum, "abc");
  EXPECT_EQ(link.size_bytes, 5);
  EXPECT_EQ(link.content_type, "text/plain");
  EXPECT_EQ(link.user_metadata, (std::map<std::string, std::string>{{"k", "v"}}));
  EXPECT_FALSE(links[0].header("If-None-Match").has_value());
}

TEST_F(PresignedUpload, OnAzureAPutSaysItCreatesABlockBlob) {
  store("azure", false);
  fake->on("GET", kBacking).always(lt::Reply::json(200, location_json("first")));
  fake->on("PUT", kStore).always(lt::Reply::empty(201).with_header("ETag", "\"abc\""));
  fake->on("PUT", kBacking).always(lt::Reply::json(200, stats_json("data.bin", 5, "")));
  object().upload("hello", {.exclusive = true});
  const auto puts = sent("PUT", kStore);
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0].header("x-ms-blob-type"), "BlockBlob");
  EXPECT_TRUE(puts[0].content_type.empty());
  const auto links = sent("PUT", kBacking);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].header("If-None-Match"), "*") << "an exclusive upload is checked when it is linked";
}

TEST_F(PresignedUpload, ARejectedPutIsRenewedWithANewAddressThatTheLinkNames) {
  store("s3");
  fake->on("GET", kBacking)
      .reply(lt::Reply::json(200, location_json("first")))
      .reply(lt::Reply::json(200, location_json("second")));
  fake->on("PUT", kStore, "X-Amz-Signature=first")
      .always(lt::Reply{.status = 403,
                        .body = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"});
  fake->on("PUT", kStore, "X-Amz-Signature=second").always(lt::Reply::empty(200).with_header("ETag", "\"abc\""));
  fake->on("PUT", kBacking).always(lt::Reply::json(200, stats_json("data.bin", 7, "")));
  object().upload("payload");

  const auto puts = sent("PUT", kStore);
  ASSERT_EQ(puts.size(), 2u);
  EXPECT_EQ(puts[1].body, "payload") << "the body is sent again from its start";
  const auto links = sent("PUT", kBacking);
  ASSERT_EQ(links.size(), 1u);
  lakefs::api::StagingMetadata link;
  lakefs::api::from_json(links[0].body, link);
  EXPECT_EQ(link.staging.physical_address, "s3://bucket/repo/data/second");
}

TEST_F(PresignedUpload, ALargeUploadPutsItsPartsInParallelAndCompletesThemInOrder) {
  store("s3");
  script_multipart(3);
  std::string data(12 * MiB, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 / 5);
  object().upload(data, {.content_type = "text/csv",
                         .metadata = {{"k", "v"}},
                         .multipart_threshold = 6 * MiB,
                         .part_size = 5 * MiB,
                         .concurrency = 2});

  const auto creates = sent("POST", kCreate);
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(creates[0].query_param("parts"), "3");
  EXPECT_EQ(creates[0].query_param("path"), "data.bin");
  auto parts = sent("PUT", kStore);
  ASSERT_EQ(parts.size(), 3u);
  std::ranges::sort(parts, {}, [](const lt::RecordedRequest& r) { return r.absolute_url; });
  EXPECT_EQ(parts[0].body, data.substr(0, 5 * MiB));
  EXPECT_EQ(parts[1].body, data.substr(5 * MiB, 5 * MiB));
  EXPECT_EQ(parts[2].body, data.substr(10 * MiB));
  EXPECT_EQ(parts[2].body_length, 2 * MiB);
  EXPECT_EQ(fake->count("PUT", part_path(1)) + fake->count("PUT", part_path(2)) + fake->count("PUT", part_path(3)), 0u)
      << "the URLs signed with the upload were fresh: no upload-part call";

  const auto body = completion();
  EXPECT_EQ(body.physical_address, "data/abc,signed");
  ASSERT_EQ(body.parts.size(), 3u);
  for (int n = 1; n <= 3; ++n) {
    EXPECT_EQ(body.parts[n - 1].part_number, n);
    EXPECT_EQ(body.parts[n - 1].etag, "etag-" + std::to_string(n));
  }
  EXPECT_EQ(body.content_type, "text/csv");
  EXPECT_EQ(body.user_metadata, (std::map<std::string, std::string>{{"k", "v"}}));
  EXPECT_EQ(fake->count("DELETE", kUpload), 0u);
}

TEST_F(PresignedUpload, APartUrlAboutToExpireIsReplacedBeforeThePartStarts) {
  store("s3");
  script_multipart(2);
  fake->on("POST", kCreate).reply(lt::Reply::json(201, created_json(2, "20200101T000000Z")));  // long expired
  object().upload(std::string(7 * MiB, 'x'), {.multipart_threshold = 6 * MiB, .part_size = 5 * MiB});
  EXPECT_EQ(fake->count("PUT", part_path(1)), 1u);
  EXPECT_EQ(fake->count("PUT", part_path(2)), 1u);
  for (const auto& part : sent("PUT", kStore)) {
    EXPECT_NE(part.absolute_url.find("X-Amz-Date=29991231"), std::string::npos) << "the renewed URL was used";
  }
  EXPECT_EQ(completion().parts.size(), 2u);
}

TEST_F(PresignedUpload, AFailedPartFailsTheUploadWithItsErrorAndAbortsIt) {
  store("s3");
  script_multipart(3);
  fake->on("PUT", kStore, "partNumber=2")
      .reply(
          lt::Reply{.status = 400, .body = "<Error><Code>EntityTooSmall</Code><Message>too small</Message></Error>"});
  try {
    object().upload(std::string(12 * MiB, 'y'),
                    {.multipart_threshold = 6 * MiB, .part_size = 5 * MiB, .concurrency = 1});
    FAIL() << "no ObjectStoreError";
  } catch (const lakefs::ObjectStoreError& e) {
    EXPECT_EQ(e.store_code(), "EntityTooSmall");
    EXPECT_EQ(std::string(e.what()).find("SIG"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fake->count("DELETE", kUpload), 1u) << "aborted";
  EXPECT_EQ(sent("PUT", kUpload).size() - sent("PUT", std::string(kUpload) + "/").size(), 0u) << "not completed";
  lakefs::api::AbortPresignMultipartUpload abort;
  lakefs::api::from_json(sent("DELETE", kUpload).at(0).body, abort);
  EXPECT_EQ(abort.physical_address, "data/abc,signed");
  EXPECT_EQ(sent("PUT", kStore).size(), 2u) << "concurrency 1: part 3 never started";
}

// A task's stop (a for_each's, a batch's) cuts its parts short, and the abort still goes out: it is sent without
// the stopped token, so the store keeps no parts.
TEST_F(PresignedUpload, AStoppedUploadTaskAbortsItsUploadAllTheSame) {
  store("s3");
  script_multipart(3);
  lt::Reply slow = lt::Reply::empty(200).with_header("ETag", "\"etag-2\"");
  slow.delay = std::chrono::seconds(30);  // ends at once when the stop comes
  fake->on("PUT", kStore, "partNumber=2").reply(std::move(slow));
  std::stop_source stop;
  const std::jthread stopper([this, &stop] {
    while (sent("PUT", kStore).size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop.request_stop();  // part 2 is on the wire
  });
  EXPECT_THROW(lakefs::async::sync_wait(
                   object()
                       .upload_async(std::string(12 * MiB, 'y'),
                                     {.multipart_threshold = 6 * MiB, .part_size = 5 * MiB, .concurrency = 1})
                       .with_stop(stop.get_token())),
               lakefs::CancelledError);
  EXPECT_EQ(fake->count("DELETE", kUpload), 1u) << "aborted";
  EXPECT_EQ(sent("PUT", kUpload).size() - sent("PUT", std::string(kUpload) + "/").size(), 0u) << "not completed";
}

TEST_F(PresignedUpload, ExclusiveLargeUploadsGoThroughLakeFSWhichChecksIfNoneMatch) {
  store("s3");
  fake->on("POST", "/repositories/repo/branches/main/objects")
      .always(lt::Reply::json(201, stats_json("data.bin", 7 * MiB, "")));
  object().upload(std::string(7 * MiB, 'z'), {.exclusive = true, .multipart_threshold = 6 * MiB});
  const auto uploads = sent("POST", "/repositories/repo/branches/main/objects");
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].header("If-None-Match"), "*");
  EXPECT_FALSE(uploads[0].body_length.has_value()) << "sent without a length: lakeFS splits it into parts itself";
  EXPECT_EQ(uploads[0].body.size(), 7 * MiB);
  EXPECT_EQ(fake->count("POST", kCreate), 0u);
}

TEST_F(PresignedUpload, TheWriterAsksForEachPartsUrlAndCompletes) {
  store("s3");
  script_multipart(0);
  auto out = object().writer({.content_type = "text/csv", .part_size = 5 * MiB, .max_buffers = 2});
  const std::string piece(MiB + 1, 'w');
  for (int i = 0; i < 11; ++i) out << piece;
  const auto info = out.close();
  EXPECT_EQ(info.content_type, "text/csv");
  EXPECT_EQ(sent("POST", kCreate).at(0).query_param("parts"), "0");
  for (int n = 1; n <= 3; ++n) EXPECT_EQ(fake->count("PUT", part_path(n)), 1u) << n;
  const auto body = completion();
  ASSERT_EQ(body.parts.size(), 3u);
  EXPECT_EQ(body.parts[2].part_number, 3);
  EXPECT_EQ(body.content_type, "text/csv");
  std::size_t total = 0;
  for (const auto& part : sent("PUT", kStore)) total += part.body.size();
  EXPECT_EQ(total, 11 * (MiB + 1));
}

TEST_F(PresignedUpload, ADiscardedWriterAbortsItsUpload) {
  store("s3");
  script_multipart(0);
  struct Abandoned {};
  try {
    auto out = object().writer({.part_size = 5 * MiB});
    out << std::string(6 * MiB, 'd');  // one part handed over
    throw Abandoned{};                 // destroyed while an exception unwinds: aborted
  } catch (const Abandoned&) {
  }
  EXPECT_EQ(fake->count("POST", kCreate), 1u);
  EXPECT_EQ(fake->count("DELETE", kUpload), 1u);
  EXPECT_EQ(sent("PUT", kUpload).size() - sent("PUT", std::string(kUpload) + "/").size(), 0u) << "not completed";
}

}  // namespace
