// SPDX-License-Identifier: Apache-2.0
// Pre-signed reads on the s3 topology (lakeFS on PostgreSQL with a real S3
// server): data comes straight from the object store, proven by the S3
// server's access log; URLs can be handed out on request; an expired URL is
// renewed mid-read; an unreachable store is a typed transport error. Suites
// named Presign* run only on that topology (tests/CMakeLists.txt).
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/own_server.hpp"
#include "support/repo_fixture.hpp"
#include "support/short_url_fixture.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

namespace fs = std::filesystem;

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

// A GET of `url` with plain libcurl and no credentials at all: what a program handed a pre-signed URL does.
std::string curl_get(const std::string& url, long& status) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, n);
    return n;
  });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) status = -1;
  return body;
}

class PresignReadTest : public RepoTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server().s3()) << "Presign* suites run on the s3 topology only";
    RepoTest::SetUp();
    // A client whose requests can be told apart in the S3 server's log.
    marker_ = unique_name("ua");
    auto options = client_options();
    options.user_agent_suffix = marker_;
    tagged_.emplace(options);
  }
  [[nodiscard]] Branch tagged_main() const { return tagged_->repository(repo_->id()).branch("main"); }
  [[nodiscard]] std::vector<std::string> log_lines() const {
    return access_log_lines(server().s3_access_log, marker_);
  }

  std::string marker_;
  std::optional<Client> tagged_;
};

TEST_F(PresignReadTest, UploadsAndReadsGoStraightToTheObjectStoreAndPreSignFalseGoesThroughLakeFS) {
  ASSERT_TRUE(lakefs_client().storage_config().pre_sign_support);
  const auto data = random_bytes(3 << 20, 1);
  auto object = tagged_main().object("direct/data.bin");
  object.upload(data);  // default: pre-signed when the server supports it
  // A pre-signed request carries its signature in the query (versitygw logs every SigV4 request as AuthHeader,
  // so the URI is the evidence).
  const auto put = count_with(log_lines(), {"s3_PutObject", "X-Amz-Signature="});
  EXPECT_EQ(put, 1u) << "one pre-signed PUT from this client";

  EXPECT_EQ(object.read_all(), data);
  EXPECT_EQ(object.read_range(1000, 5000), data.substr(1000, 5000));
  {
    auto reader = object.reader({.block_size = 1 << 20});
    std::string back((std::istreambuf_iterator<char>(reader)), std::istreambuf_iterator<char>());
    EXPECT_EQ(back, data);
  }
  const fs::path file = fs::temp_directory_path() / (marker_ + ".bin");
  object.download(file);
  std::ifstream in(file, std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), data);
  fs::remove(file);
  // read_all, read_range, the reader's stream, download: each a GET the S3 server authenticated from the URL's query.
  const auto gets = count_with(log_lines(), {"s3_GetObject", "X-Amz-Signature="});
  EXPECT_GE(gets, 4u);
  EXPECT_EQ(count_with(log_lines(), {"X-Amz-Signature="}), log_lines().size())
      << "every request of this client to the store is pre-signed: it has no key of the store";

  // Through lakeFS: this client sends nothing to the store; lakeFS reads the object itself (its own AWS SDK).
  const auto before = log_lines().size();
  const auto by_lakefs = [&] { return access_log_lines(server().s3_access_log, repo().id() + "/data/").size(); };
  const auto lakefs_before = by_lakefs();
  EXPECT_EQ(object.read_all({.pre_sign = false}), data);
  auto reader = object.reader({.pre_sign = false});
  std::string head(10, '\0');
  reader.read(head.data(), 10);
  EXPECT_EQ(head, data.substr(0, 10));
  EXPECT_EQ(log_lines().size(), before);
  EXPECT_GE(by_lakefs() - lakefs_before, 2u) << "lakeFS fetched the data for us";
}

TEST_F(PresignReadTest, ARangeReaderSendsOnePresignedGetPerRead) {
  // Range reads into the caller's buffer or sink (tests/integration/objects/range_read_test.cpp) go straight to the
  // store: one GET per read, with the URL the reader keeps.
  const auto data = random_bytes(2 << 20, 15);
  auto object = tagged_main().object("ranges/direct.bin");
  object.upload(data);
  const auto presigned_gets = [&] { return count_with(log_lines(), {"s3_GetObject", "X-Amz-Signature="}); };
  const auto before = presigned_gets();
  const auto reader = object.range_reader({.pre_sign = true});
  std::string buffer(65536, '\0');
  for (const std::size_t offset : {std::size_t{0}, std::size_t{1} << 20, data.size() - 65536}) {
    ASSERT_EQ(reader.read_range(offset, std::as_writable_bytes(std::span(buffer))), buffer.size());
    EXPECT_EQ(buffer, data.substr(offset, buffer.size()));
  }
  std::string sunk;
  EXPECT_EQ(reader.read_range(7, 100000, [&](std::string_view chunk) { sunk.append(chunk); }), 100000u);
  EXPECT_EQ(sunk, data.substr(7, 100000));
  EXPECT_EQ(presigned_gets() - before, 4u) << "one pre-signed GET per read";
  EXPECT_THROW((void)reader.read_range(data.size(), std::as_writable_bytes(std::span(buffer))), InvalidRangeError)
      << "the store's 416";
}

TEST_F(PresignReadTest, PreSignTrueWorksEverywhere) {
  const auto data = random_bytes(200000, 2);
  auto object = main_branch().object("forced.bin");
  object.upload(data, {.pre_sign = true});
  EXPECT_EQ(object.read_all({.pre_sign = true}), data);
  auto reader = object.reader({.pre_sign = true});
  std::string back((std::istreambuf_iterator<char>(reader)), std::istreambuf_iterator<char>());
  EXPECT_EQ(back, data);
  const fs::path file = fs::temp_directory_path() / (unique_name("dl") + ".bin");
  object.download(file, {.pre_sign = true});
  EXPECT_EQ(fs::file_size(file), data.size());
  fs::remove(file);
}

TEST_F(PresignReadTest, APresignedUrlIsHandedOutOnlyWhenAskedFor) {
  const auto data = random_bytes(100000, 3);
  auto object = main_branch().object("shared/report.csv");
  object.upload(data);

  const auto url = object.presigned_url();
  EXPECT_TRUE(url.url.starts_with(server().s3_endpoint)) << "the URL points at the object store";
  EXPECT_NE(url.url.find("X-Amz-Signature="), std::string::npos);
  ASSERT_TRUE(url.expires.has_value());
  EXPECT_GT(*url.expires, std::chrono::system_clock::now());
  long status = 0;
  EXPECT_EQ(curl_get(url.url, status), data) << "readable with no credentials";
  EXPECT_EQ(status, 200);

  EXPECT_TRUE(object.stat({.pre_sign = true}).physical_address.starts_with("http://"));
  EXPECT_TRUE(object.stat().physical_address.starts_with("s3://")) << "not pre-signed unless asked";
  const auto reader = object.reader();
  EXPECT_TRUE(reader.info().physical_address.empty()) << "the reader keeps its URL to itself";

  std::size_t listed = 0;
  for (const auto& entry : main_branch().objects({.prefix = "shared/", .pre_sign = true})) {
    const auto& info = entry.object();
    EXPECT_TRUE(info.physical_address.starts_with(server().s3_endpoint)) << info.path;
    EXPECT_TRUE(info.physical_address_expiry.has_value());
    ++listed;
  }
  EXPECT_EQ(listed, 1u);
  for (const auto& entry : main_branch().objects({.prefix = "shared/"})) {
    EXPECT_TRUE(entry.object().physical_address.starts_with("s3://"));
  }
}

TEST_F(PresignReadTest, ALargeDownloadIsFetchedAsParallelRangesIntoOneFile) {
  const auto data = random_bytes(23 << 20, 7);
  auto object = tagged_main().object("large/parallel.bin");
  object.upload(data);
  const auto before = count_with(log_lines(), {"s3_GetObject", "X-Amz-Signature="});
  const fs::path file = fs::temp_directory_path() / (marker_ + "-parallel.bin");
  object.download(file, {.parallel_threshold = 8 << 20, .part_size = 5 << 20, .concurrency = 3});
  std::ifstream in(file, std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), data);
  fs::remove(file);
  // 23 MiB in 5 MiB ranges: 5 GETs, each straight to the store.
  EXPECT_EQ(count_with(log_lines(), {"s3_GetObject", "X-Amz-Signature="}) - before, 5u);

  // Below the threshold: one GET.
  object.download(file, {.parallel_threshold = 64 << 20, .part_size = 5 << 20, .concurrency = 3});
  EXPECT_EQ(fs::file_size(file), data.size());
  fs::remove(file);
  EXPECT_EQ(count_with(log_lines(), {"s3_GetObject", "X-Amz-Signature="}) - before, 6u);

  // Cancelled: CancelledError, and neither the file nor a temporary one is left.
  const fs::path dir = fs::temp_directory_path() / (marker_ + "-cancel");
  fs::create_directories(dir);
  std::stop_source stop;
  stop.request_stop();
  EXPECT_THROW(object.download(dir / "x.bin", {.part_size = 5 << 20, .concurrency = 3, .call = {.stop = stop.get_token()}}),
               CancelledError);
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

// A server of the test's own with pre-signed URLs that live 2 seconds.
class PresignExpiryTest : public ShortLivedUrlsTest {};

TEST_F(PresignExpiryTest, TheReaderRenewsAnExpiredUrlAndReadsToTheEnd) {
  const auto data = random_bytes(4 << 20, 4);
  auto object = repo_->branch("main").object("big.bin");
  object.upload(data);
  auto reader = object.reader({.block_size = 1 << 20, .read_ahead = false});
  std::string first(1 << 20, '\0');
  reader.read(first.data(), static_cast<std::streamsize>(first.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // the reader's URL has expired now
  std::string rest((std::istreambuf_iterator<char>(reader)), std::istreambuf_iterator<char>());
  EXPECT_EQ(first + rest, data);
  // read_all and a download with a URL that expires between the stat and the GET are not provoked here: the unit
  // tests (tests/unit/objects/presigned_read_test.cpp) script that answer.
}

TEST_F(PresignExpiryTest, AReplacementShowsAtRenewalAndNotBefore) {
  const auto before = random_bytes(3 << 20, 5);
  auto object = repo_->branch("main").object("moving.bin");
  object.upload(before);
  auto reader = object.reader({.block_size = 1 << 20, .read_ahead = false});
  std::string block(1 << 20, '\0');
  reader.read(block.data(), static_cast<std::streamsize>(block.size()));
  object.upload(random_bytes(3 << 20, 6));  // replaced: a new physical object
  // Until its URL expires the reader reads the version it opened, from its own address: no mixing.
  reader.read(block.data(), static_cast<std::streamsize>(block.size()));
  EXPECT_EQ(block, before.substr(1 << 20, 1 << 20));
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  EXPECT_THROW(reader.read(block.data(), static_cast<std::streamsize>(block.size())), ObjectChangedError);
}

TEST_F(PresignExpiryTest, AnUnreachableObjectStoreIsATransportErrorAndNothingIsStaged) {
  auto branch = repo_->branch("main");
  branch.object("there.txt").upload("before the store went away");
  branch.commit("one object");
  own_->kill_object_store();
  EXPECT_THROW(branch.object("new.txt").upload("never arrives", {.pre_sign = true}), ConnectionError);
  EXPECT_THROW((void)branch.object("there.txt").read_all({.pre_sign = true}), ConnectionError);
  EXPECT_TRUE(branch.uncommitted().to_vector().empty()) << "nothing staged";
}

}  // namespace
}  // namespace lakefs::test
