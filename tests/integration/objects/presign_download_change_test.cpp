// SPDX-License-Identifier: Apache-2.0
// A parallel ranged download (StoredObject::download of a large object on an
// object store) while the object is replaced, on the s3 topology (a Presign*
// suite: tests/CMakeLists.txt runs it there only). Every range must carry the
// ETag of the others: an object rewritten in the store mid-download is
// ObjectChangedError, and neither version, nor a mix of both, is left behind.
// An object replaced through lakeFS instead gets a new physical address, so
// the download reads the version it started with, whole.
//
// The replacement happens from a hook of the test's transport, after the
// store answered the first ranged GET (its bytes already in the temporary
// file) and before the SDK sees that answer.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/hooked_transport.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t MiB = std::size_t{1} << 20;

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

std::string file_content(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Another writer of the object store (not of lakeFS): PUTs through the S3 server's own API, signed (SigV4) with
// the store's keys, which the test server's lakeFS configuration holds.
class StoreWriter {
 public:
  StoreWriter() {
    std::ifstream in(fs::path(server().dir) / "config.yaml");
    for (std::string line; std::getline(in, line);) {
      read_value(line, "access_key_id:", key_id_);
      read_value(line, "secret_access_key:", secret_);
    }
    const std::string& uri = server().import_uri;  // s3://BUCKET/import
    bucket_ = uri.substr(5, uri.find('/', 5) - 5);
  }
  [[nodiscard]] bool ready() const { return !key_id_.empty() && !secret_.empty() && !bucket_.empty(); }
  [[nodiscard]] std::string address(const std::string& key) const { return "s3://" + bucket_ + "/" + key; }

  struct Put {
    long status = 0;
    std::string etag;
  };
  // PUT `body` as `key` of the bucket; the status (0 when no answer came) and the ETag the store gave it.
  [[nodiscard]] Put put(const std::string& key, std::string_view body) const {
    Put result;
    CURL* curl = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    const std::string url = server().s3_endpoint + "/" + bucket_ + "/" + key;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(
        curl, CURLOPT_READFUNCTION, +[](char* buf, size_t size, size_t n, void* source) -> size_t {
          auto& rest = *static_cast<std::string_view*>(source);
          const std::size_t take = std::min(rest.size(), size * n);
          std::copy_n(rest.data(), take, buf);
          rest.remove_prefix(take);
          return take;
        });
    curl_easy_setopt(curl, CURLOPT_READDATA, &body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
    curl_easy_setopt(curl, CURLOPT_USERNAME, key_id_.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, secret_.c_str());
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t n, void*) { return size * n; });
    curl_easy_setopt(
        curl, CURLOPT_HEADERFUNCTION, +[](char* data, size_t size, size_t n, void* out) {
          const std::string_view line(data, size * n);
          constexpr std::string_view name = "etag:";
          const auto same = [](char lower, char c) { return lower == std::tolower(static_cast<unsigned char>(c)); };
          if (line.size() > name.size() && std::equal(name.begin(), name.end(), line.begin(), same)) {
            std::string value(line.substr(name.size()));
            value.erase(0, value.find_first_not_of(' '));
            value.erase(value.find_last_not_of("\r\n ") + 1);
            *static_cast<std::string*>(out) = value;
          }
          return size * n;
        });
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.etag);
    if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return result;
  }

 private:
  static void read_value(const std::string& line, std::string_view name, std::string& out) {
    const auto at = line.find(name);
    if (at == std::string::npos) return;
    const auto open = line.find('"', at);
    const auto close = open == std::string::npos ? open : line.find('"', open + 1);
    if (close != std::string::npos) out = line.substr(open + 1, close - open - 1);
  }

  std::string key_id_;
  std::string secret_;
  std::string bucket_;
};

class PresignDownloadTest : public RepoTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server().s3()) << "Presign* suites run on the s3 topology only";
    RepoTest::SetUp();
  }
  void TearDown() override {
    transport_->reset_hooks();  // they refer to the test body's locals
    RepoTest::TearDown();
  }
  [[nodiscard]] ClientOptions test_client_options() const override { return hooked_client_options(transport_); }

  // 8 ranges of 1 MiB, 2 at a time.
  static constexpr std::size_t kSize = 8 * MiB;
  static DownloadOptions parallel() { return {.parallel_threshold = MiB, .part_size = MiB, .concurrency = 2}; }

  static bool ranged_store_get(const Attempt& a) {
    return a.pre_signed && a.method == "GET" && a.header("Range").has_value();
  }

  std::shared_ptr<HookedTransport> transport_ = std::make_shared<HookedTransport>();
};

TEST_F(PresignDownloadTest, AnObjectRewrittenInTheStoreMidDownloadIsObjectChangedErrorAndNothingIsKept) {
  const StoreWriter store;
  ASSERT_TRUE(store.ready()) << "no S3 credentials or bucket in the test server's configuration";
  // An object lakeFS links where it already is in the store, so that the store's object under its address can
  // change: the case the ETag check is for (lakeFS itself never rewrites a physical address).
  const std::string key = "import/" + repo().id() + "/rewritten.bin";
  const auto original = store.put(key, random_bytes(kSize, 21));
  ASSERT_EQ(original.status, 200);
  ASSERT_FALSE(original.etag.empty());
  auto object = main_branch().object("linked/rewritten.bin");
  (void)object.stage({.physical_address = store.address(key),
                      .size_bytes = static_cast<std::int64_t>(kSize),
                      .checksum = original.etag});

  // The first ranged GET to start is answered from the original; once it has its bytes, the object is rewritten
  // in the store (same size, other bytes, so another ETag) before the SDK sees the answer. Every other ranged GET
  // waits for that before it leaves, so the rest of the ranges come from the rewritten object.
  std::mutex mutex;
  std::condition_variable rewritten_cv;
  bool rewritten = false;
  long rewrite_status = 0;
  std::atomic<int> ranges{0};
  transport_->set_before([&](const Attempt& a) {
    if (!ranged_store_get(a) || ranges.fetch_add(1) == 0) return;
    std::unique_lock lock(mutex);
    rewritten_cv.wait_for(lock, std::chrono::seconds(60), [&] { return rewritten; });
  });
  transport_->set_after([&](const Attempt& a) {
    std::lock_guard lock(mutex);
    if (!ranged_store_get(a) || rewritten) return;
    rewrite_status = store.put(key, random_bytes(kSize, 22)).status;
    rewritten = true;
    rewritten_cv.notify_all();
  });

  const TempDir dir;
  const fs::path target = dir.path / "rewritten.bin";
  std::ofstream(target, std::ios::binary) << "the file that was there before";
  try {
    object.download(target, parallel());
    FAIL() << "a download mixing two versions of the object succeeded";
  } catch (const ObjectChangedError& e) {
    EXPECT_EQ(e.path(), "linked/rewritten.bin");
    EXPECT_EQ(e.repository(), repo().id());
  }
  EXPECT_EQ(rewrite_status, 200);
  EXPECT_GE(ranges.load(), 2) << "ranges were fetched after the rewrite";
  // Neither version nor a mix: the file that was there is untouched, and no temporary file is left beside it.
  EXPECT_EQ(file_content(target), "the file that was there before");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
}

TEST_F(PresignDownloadTest, AnObjectReplacedThroughLakeFSMidDownloadIsDownloadedWholeAsTheVersionItStartedWith) {
  const auto first = random_bytes(kSize, 23);
  const auto second = random_bytes(kSize, 24);
  auto object = main_branch().object("replaced.bin");
  object.upload(first);

  // Once the store answered the first ranged GET, another client uploads a new version through lakeFS.
  std::atomic<bool> replaced{false};
  transport_->set_after([&](const Attempt& a) {
    if (!ranged_store_get(a) || replaced.exchange(true)) return;
    Client(client_options()).repository(repo().id()).branch("main").object("replaced.bin").upload(second);
  });
  const TempDir dir;
  const fs::path target = dir.path / "replaced.bin";
  object.download(target, parallel());
  EXPECT_TRUE(replaced);
  // The new version went to a new address; every range came from the one the download started with.
  EXPECT_TRUE(file_content(target) == first) << "the download is not the version it started with";
  EXPECT_TRUE(object.read_all() == second);
}

}  // namespace
}  // namespace lakefs::test
