// SPDX-License-Identifier: Apache-2.0
// Large uploads on the s3 topology (lakeFS on PostgreSQL with a real S3
// server): pre-signed multipart uploads whose parts go straight to the object
// store in parallel (upload_file, upload of memory and of a seekable stream)
// or as the caller writes (ObjectWriter), aborted on every failure; one
// pre-signed PUT for what fits in one; and, with pre-signing off, large
// uploads sent without a length so that lakeFS splits them into parts itself.
// The S3 server's access log shows who sent what. Suites named Presign* run
// only on that topology (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <stop_token>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/async/task.hpp"
#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/own_server.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"
#include "support/short_url_fixture.hpp"

namespace lakefs::test {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t MiB = 1 << 20;

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    const auto v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (std::size_t i = n - n % 8; i < n; ++i) out[i] = static_cast<char>(rng());
  return out;
}

void write_file(const fs::path& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }

// Threads of this process.
std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// A seekable stream over `data` that hands out 64 KiB at a time: slowly (`delay` before each piece, a slow disk),
// or failing once a read reaches `fail_at` (a broken one).
class WindowBuf : public std::streambuf {
 public:
  explicit WindowBuf(std::string data, std::chrono::milliseconds delay = {}, std::size_t fail_at = std::string::npos)
      : data_(std::move(data)), delay_(delay), fail_at_(fail_at) {}

 protected:
  int_type underflow() override {
    const std::size_t at = position();
    if (at >= data_.size()) return traits_type::eof();
    if (at >= fail_at_) throw std::runtime_error("read error");
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    const std::size_t n = std::min<std::size_t>({64 * 1024, data_.size() - at, fail_at_ - at});
    setg(data_.data() + at, data_.data() + at, data_.data() + at + n);
    return traits_type::to_int_type(*gptr());
  }
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode) override {
    const auto base = dir == std::ios_base::beg   ? off_type{0}
                      : dir == std::ios_base::cur ? static_cast<off_type>(position())
                                                  : static_cast<off_type>(data_.size());
    const off_type target = base + off;
    if (target < 0 || target > static_cast<off_type>(data_.size())) return pos_type(off_type(-1));
    at_ = static_cast<std::size_t>(target);
    setg(nullptr, nullptr, nullptr);
    return pos_type(target);
  }
  pos_type seekpos(pos_type pos, std::ios_base::openmode which) override {
    return seekoff(off_type(pos), std::ios_base::beg, which);
  }

 private:
  [[nodiscard]] std::size_t position() const {
    return eback() == nullptr ? at_ : static_cast<std::size_t>(gptr() - data_.data());
  }
  std::string data_;
  std::chrono::milliseconds delay_;
  std::size_t fail_at_;
  std::size_t at_ = 0;
};

// What tells requests apart in the access log. A pre-signed request carries its signature in the query (versitygw
// logs every SigV4 request as "AuthHeader", so the URI is the evidence); lakeFS's own requests carry its AWS SDK's
// User-Agent.
const std::string kPreSigned = "X-Amz-Signature=";
const std::string kSdk = " lakefs-cpp/";
const std::string kLakeFS = " aws-sdk-go-v2/";
// A request the store answered 200 (the status, then "-" for no error code). An abort that races with a part the
// store is still receiving may fail with a 500 first, and lakeFS's AWS SDK retries it.
const std::string kSucceeded = " 200 - ";

class PresignUploadTest : public RepoTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server().s3()) << "Presign* suites run on the s3 topology only";
    RepoTest::SetUp();
    const auto config = lakefs_client().storage_config();
    ASSERT_TRUE(config.pre_sign_support);
    ASSERT_TRUE(config.pre_sign_multipart_upload);
  }
  // The repository's objects in the store all start with its name.
  [[nodiscard]] std::string key() const { return " " + repo_->id() + "/data/"; }
  // Requests `operation` for this test's data in the S3 server's access log, with every one of `needles` too.
  [[nodiscard]] std::size_t requests(const std::string& operation, std::initializer_list<std::string> needles = {}) {
    std::vector<std::string> all{" " + operation + " ", key()};
    all.insert(all.end(), needles);
    std::ifstream in(server().s3_access_log);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) {
      n += std::ranges::all_of(all, [&](const std::string& needle) { return line.find(needle) != std::string::npos; })
               ? 1
               : 0;
    }
    return n;
  }
  // As requests(), once it reaches `expected` (a log line may be written just after its answer) or 3 s passed.
  [[nodiscard]] std::size_t requests_eventually(std::size_t expected, const std::string& operation,
                                                std::initializer_list<std::string> needles = {}) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    std::size_t n = requests(operation, needles);
    while (n < expected && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      n = requests(operation, needles);
    }
    return n;
  }
  void expect_nothing_staged() {
    EXPECT_EQ(std::ranges::distance(main_branch().uncommitted()), 0);
    EXPECT_EQ(std::ranges::distance(main_branch().objects()), 0);
  }
};

TEST_F(PresignUploadTest, UploadFileGoesUpInParallelPartsStraightToTheStore) {
  TempDir dir;
  const auto data = random_bytes(23 * MiB + 12345, 1);
  write_file(dir.path / "big.bin", data);
  const Metadata meta{{"owner", "ml"}};
  auto object = main_branch().object("big/file.bin");
  object.upload_file(dir.path / "big.bin", {.content_type = "application/x-test",
                                            .metadata = meta,
                                            .multipart_threshold = 6 * MiB,
                                            .part_size = 5 * MiB,
                                            .concurrency = 3});
  EXPECT_EQ(object.read_all(), data);
  const auto info = object.stat();
  EXPECT_EQ(info.size_bytes, static_cast<std::int64_t>(data.size()));
  EXPECT_EQ(info.content_type, "application/x-test");
  EXPECT_EQ(info.metadata, meta);
  // Five parts (4 × 5 MiB and the rest), each PUT by the SDK through a pre-signed URL; lakeFS created and
  // completed the upload; nothing went up in one PUT.
  EXPECT_EQ(requests_eventually(5, "s3_UploadPart", {kSdk, kPreSigned}), 5u);
  EXPECT_EQ(requests_eventually(5, "s3_UploadPart"), 5u);
  EXPECT_EQ(requests_eventually(1, "s3_CreateMultipartUpload", {kLakeFS}), 1u);
  EXPECT_EQ(requests_eventually(1, "s3_CompleteMultipartUpload", {kLakeFS}), 1u);
  EXPECT_EQ(requests("s3_PutObject"), 0u);
  EXPECT_EQ(requests("s3_AbortMultipartUpload"), 0u);
}

TEST_F(PresignUploadTest, MemoryAndSeekableStreamsGoUpInPartsAndSmallObjectsInOnePut) {
  const UploadOptions parts{.multipart_threshold = 6 * MiB, .part_size = 5 * MiB, .concurrency = 2};
  const auto data = random_bytes(11 * MiB + 3, 2);
  auto branch = main_branch();
  branch.object("memory.bin").upload(data, parts);
  EXPECT_EQ(branch.object("memory.bin").read_all(), data);
  EXPECT_EQ(requests_eventually(3, "s3_UploadPart", {kSdk, kPreSigned}), 3u);

  std::istringstream stream(data);
  stream.seekg(1000);  // a stream uploads from where it stands
  branch.object("stream.bin").upload(stream, parts);
  EXPECT_EQ(branch.object("stream.bin").read_all(), data.substr(1000));
  EXPECT_EQ(requests_eventually(6, "s3_UploadPart", {kSdk, kPreSigned}), 6u);
  EXPECT_EQ(requests_eventually(2, "s3_CompleteMultipartUpload"), 2u);

  // Below the threshold: one pre-signed PUT, with its Content-Type.
  branch.object("small.txt")
      .upload(data.substr(0, 5 * MiB), {.content_type = "text/plain", .multipart_threshold = 6 * MiB});
  EXPECT_EQ(requests_eventually(1, "s3_PutObject", {kSdk, kPreSigned}), 1u);
  EXPECT_EQ(branch.object("small.txt").stat().content_type, "text/plain");
  EXPECT_EQ(requests_eventually(2, "s3_CreateMultipartUpload"), 2u);
}

TEST_F(PresignUploadTest, WriterSendsPartsAsTheyFillAndKeepsContentTypeAndMetadata) {
  const Metadata meta{{"job", "daily"}, {"version", "7"}};
  auto object = main_branch().object("written.csv");
  (void)lakefs::async::sync_wait(object.exists_async());  // the client's engine thread is running from here on
  const std::size_t threads = thread_count();
  auto out = object.writer({.content_type = "text/csv", .metadata = meta, .part_size = 5 * MiB, .max_buffers = 2});
  const auto data = random_bytes(20 * MiB + 777, 3);
  std::mt19937 rng(3);
  for (std::size_t at = 0; at < data.size();) {
    const std::size_t n = std::min<std::size_t>(1 + rng() % 700000, data.size() - at);  // odd sizes across parts
    out.write(data.data() + at, static_cast<std::streamsize>(n));
    at += n;
  }
  // Parts leave while the caller writes: the first ones are in the store before close(), sent by the engine.
  EXPECT_GE(requests_eventually(2, "s3_UploadPart", {kSdk, kPreSigned}), 2u);
  EXPECT_EQ(thread_count(), threads) << "the parts are tasks on the engine, not threads of the writer";
  const auto info = out.close();
  EXPECT_EQ(info.size_bytes, static_cast<std::int64_t>(data.size()));
  EXPECT_EQ(info.content_type, "text/csv");
  EXPECT_EQ(object.read_all(), data);
  const auto stat = object.stat();
  EXPECT_EQ(stat.content_type, "text/csv");
  EXPECT_EQ(stat.metadata, meta);
  EXPECT_EQ(requests_eventually(5, "s3_UploadPart", {kSdk, kPreSigned}), 5u);  // 4 × 5 MiB and the rest
  EXPECT_EQ(requests_eventually(1, "s3_CompleteMultipartUpload", {kLakeFS}), 1u);
  EXPECT_EQ(requests("s3_PutObject"), 0u);
}

TEST_F(PresignUploadTest, AWriterWithinOnePartDoesOnePreSignedPut) {
  auto object = main_branch().object("small/report.txt");
  auto out = object.writer({.content_type = "text/plain", .metadata = {{"k", "v"}}, .part_size = 5 * MiB});
  const auto data = random_bytes(5 * MiB, 4);  // exactly one part: still one PUT
  out << data;
  const auto info = out.close();
  EXPECT_EQ(info.size_bytes, static_cast<std::int64_t>(data.size()));
  EXPECT_EQ(object.read_all(), data);
  EXPECT_EQ(object.stat().content_type, "text/plain");
  EXPECT_EQ(object.stat().metadata, (Metadata{{"k", "v"}}));
  EXPECT_EQ(requests_eventually(1, "s3_PutObject", {kSdk, kPreSigned}), 1u);
  EXPECT_EQ(requests("s3_CreateMultipartUpload"), 0u);

  auto empty = main_branch().object("small/empty.txt").writer();
  EXPECT_EQ(empty.close().size_bytes, 0);
  EXPECT_EQ(main_branch().object("small/empty.txt").read_all(), "");
}

TEST_F(PresignUploadTest, ExclusiveOnAnExistingPathFailsAndKeepsTheOldObject) {
  TempDir dir;
  const auto big = random_bytes(7 * MiB, 5);
  write_file(dir.path / "big.bin", big);
  auto object = main_branch().object("once.bin");
  object.upload("first", {.exclusive = true});
  const UploadOptions large{.exclusive = true, .multipart_threshold = 6 * MiB, .part_size = 5 * MiB};
  // Every path: one pre-signed PUT, a large file (through lakeFS, which checks If-None-Match, unless pre-signing
  // is forced: then one PUT), the writer (through lakeFS).
  EXPECT_THROW(object.upload("second", {.exclusive = true}), ObjectExistsError);
  EXPECT_THROW(object.upload_file(dir.path / "big.bin", large), ObjectExistsError);
  auto forced = large;
  forced.pre_sign = true;
  EXPECT_THROW(object.upload_file(dir.path / "big.bin", forced), ObjectExistsError);
  {
    auto out = object.writer({.exclusive = true, .part_size = 5 * MiB});
    try {
      out << big;  // lakeFS may refuse before the body ends: then this write throws already
    } catch (const ObjectExistsError&) {
    }
    EXPECT_THROW((void)out.close(), ObjectExistsError);
  }
  // lakeFS does not check If-None-Match when it completes a multipart upload: refused up front.
  EXPECT_THROW((void)object.writer({.exclusive = true, .pre_sign = true}), NotSupportedError);
  EXPECT_EQ(object.read_all(), "first");
  EXPECT_EQ(requests("s3_CreateMultipartUpload", {kSdk}), 0u);

  // On a free path the same large exclusive upload succeeds.
  main_branch().object("free.bin").upload_file(dir.path / "big.bin", large);
  EXPECT_EQ(main_branch().object("free.bin").read_all(), big);
  main_branch().object("free-forced.bin").upload_file(dir.path / "big.bin", forced);
  EXPECT_EQ(main_branch().object("free-forced.bin").read_all(), big);
  EXPECT_EQ(requests("s3_UploadPart", {kSdk}), 0u) << "no exclusive upload went as a pre-signed multipart upload";
}

TEST_F(PresignUploadTest, DiscardMidStreamAbortsTheUploadAndLeavesNothing) {
  const auto piece = random_bytes(MiB, 6);
  {
    auto out = main_branch().object("discarded.bin").writer({.part_size = 5 * MiB, .max_buffers = 2});
    for (int i = 0; i < 12; ++i) out << piece;  // two parts handed over
    out.discard();
    EXPECT_FALSE(out.is_open());
    EXPECT_THROW((void)out.close(), InvalidStateError);
  }
  try {
    auto out = main_branch().object("abandoned.bin").writer({.part_size = 5 * MiB});
    for (int i = 0; i < 11; ++i) out << piece;
    throw std::runtime_error("abandoned");  // destroyed while the exception unwinds: aborted
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(main_branch().object("discarded.bin").exists());
  EXPECT_FALSE(main_branch().object("abandoned.bin").exists());
  expect_nothing_staged();
  EXPECT_EQ(requests_eventually(2, "s3_CreateMultipartUpload"), 2u);
  EXPECT_EQ(requests_eventually(2, "s3_AbortMultipartUpload", {kLakeFS, kSucceeded}), 2u);
  EXPECT_EQ(requests("s3_CompleteMultipartUpload"), 0u);
}

TEST_F(PresignUploadTest, AFailingPartAbortsTheUploadAndTheOldObjectStays) {
  auto object = main_branch().object("fails.bin");
  object.upload("old");
  main_branch().commit("old");
  // A stream that breaks at 12 MiB: part 3 (10-15 MiB) fails; the parts in flight are stopped, the upload aborted.
  WindowBuf broken(random_bytes(18 * MiB, 7), {}, 12 * MiB);
  std::istream in(&broken);
  EXPECT_THROW(object.upload(in, {.multipart_threshold = 6 * MiB, .part_size = 5 * MiB, .concurrency = 2}),
               LocalIOError);
  EXPECT_EQ(object.read_all(), "old");
  EXPECT_EQ(std::ranges::distance(main_branch().uncommitted()), 0);
  EXPECT_EQ(requests_eventually(1, "s3_CreateMultipartUpload"), 1u);
  EXPECT_EQ(requests_eventually(1, "s3_AbortMultipartUpload", {kLakeFS, kSucceeded}), 1u);
  EXPECT_EQ(requests("s3_CompleteMultipartUpload"), 0u);
}

TEST_F(PresignUploadTest, AStopRequestAbortsAWriterAndAnUpload) {
  const auto piece = random_bytes(MiB, 8);
  std::stop_source stop;
  auto out = main_branch().object("stopped.bin").writer({.part_size = 5 * MiB, .call = {.stop = stop.get_token()}});
  for (int i = 0; i < 11; ++i) out << piece;  // two parts handed over
  stop.request_stop();
  EXPECT_THROW(out << piece << std::flush, CancelledError);
  EXPECT_THROW((void)out.close(), CancelledError);

  // A parallel upload stopped while its parts are in flight (each part's source is slow).
  std::stop_source stop_upload;
  WindowBuf slow(random_bytes(12 * MiB, 9), std::chrono::milliseconds(20));
  std::istream in(&slow);
  std::jthread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    stop_upload.request_stop();
  });
  EXPECT_THROW(
      main_branch()
          .object("stopped-upload.bin")
          .upload(in,
                  {.multipart_threshold = 6 * MiB, .part_size = 5 * MiB, .call = {.stop = stop_upload.get_token()}}),
      CancelledError);
  expect_nothing_staged();
  EXPECT_EQ(requests_eventually(2, "s3_CreateMultipartUpload"), 2u);
  EXPECT_EQ(requests_eventually(2, "s3_AbortMultipartUpload", {kLakeFS, kSucceeded}), 2u);
  EXPECT_EQ(requests("s3_CompleteMultipartUpload"), 0u);
}

TEST_F(PresignUploadTest, ThroughLakeFSLargeObjectsGoWithoutALengthAndLakeFSSplitsThem) {
  TempDir dir;
  const auto data = random_bytes(13 * MiB, 10);
  write_file(dir.path / "big.bin", data);
  auto branch = main_branch();
  // Below the threshold: sent with its length, and lakeFS stores it in one PUT.
  branch.object("known.bin").upload_file(dir.path / "big.bin", {.pre_sign = false});
  EXPECT_EQ(requests_eventually(1, "s3_PutObject", {kLakeFS}), 1u);
  EXPECT_EQ(requests("s3_CreateMultipartUpload"), 0u);
  // At or above it: chunked, and lakeFS streams it to the store as a multipart upload of its own.
  branch.object("chunked.bin").upload_file(dir.path / "big.bin", {.pre_sign = false, .multipart_threshold = 6 * MiB});
  EXPECT_EQ(branch.object("chunked.bin").read_all({.pre_sign = false}), data);
  EXPECT_EQ(requests_eventually(1, "s3_CreateMultipartUpload", {kLakeFS}), 1u);
  EXPECT_GE(requests_eventually(2, "s3_UploadPart", {kLakeFS}), 2u);
  EXPECT_EQ(requests_eventually(1, "s3_CompleteMultipartUpload", {kLakeFS}), 1u);
  std::istringstream stream(data);
  branch.object("chunked-stream.bin").upload(stream, {.pre_sign = false, .multipart_threshold = 6 * MiB});
  EXPECT_EQ(branch.object("chunked-stream.bin").read_all(), data);
  EXPECT_EQ(requests_eventually(2, "s3_CreateMultipartUpload", {kLakeFS}), 2u);
  EXPECT_EQ(requests("s3_PutObject", {kSdk}) + requests("s3_UploadPart", {kSdk}), 0u) << "nothing from the SDK";
}

TEST_F(PresignUploadTest, APartSizeBelowTheStoreMinimumIsRejectedBeforeAnythingIsSent) {
  EXPECT_THROW(main_branch().object("x").upload("data", {.part_size = MiB}), InvalidArgumentError);
  EXPECT_THROW((void)main_branch().object("x").writer({.part_size = MiB}), InvalidArgumentError);
  expect_nothing_staged();
}

// A server of the test's own whose pre-signed URLs live 2 seconds; the client's log lines are kept.
class PresignUploadExpiryTest : public ShortLivedUrlsTest {
 protected:
  ClientOptions adjust_client_options(ClientOptions options) override {
    options.log = {.level = LogLevel::debug, .handler = [this](LogLevel, std::string_view line) {
                     std::lock_guard lock(mutex_);
                     log_.emplace_back(line);
                   }};
    return options;
  }
  std::size_t logged(std::initializer_list<std::string_view> needles) {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::ranges::count_if(log_, [&](const std::string& line) {
      return std::ranges::all_of(needles, [&](std::string_view n) { return line.find(n) != std::string::npos; });
    }));
  }
  std::mutex mutex_;
  std::vector<std::string> log_;
};

TEST_F(PresignUploadExpiryTest, PartUrlsThatExpireBeforeTheirPartStartsAreRenewed) {
  // One part at a time, each taking ~3 s to read: the URLs signed with the upload have expired before parts 2 and
  // 3 start, so each gets a fresh one from an upload-part call first (the store, refusing an expired URL, resets
  // the connection while the body goes up: renewing after the fact would not work).
  const auto data = random_bytes(12 * MiB, 11);
  WindowBuf slow(data, std::chrono::milliseconds(40));
  std::istream in(&slow);
  auto object = repo_->branch("main").object("slow.bin");
  object.upload(in, {.multipart_threshold = 6 * MiB, .part_size = 5 * MiB, .concurrency = 1});
  EXPECT_EQ(object.read_all(), data);
  EXPECT_EQ(logged({"PUT /repositories/", "/parts/2?"}), 1u) << "part 2's URL was renewed";
  EXPECT_EQ(logged({"PUT /repositories/", "/parts/3?"}), 1u) << "part 3's URL was renewed";
  // Part 1 normally goes with the URL signed with the upload; on a loaded machine its first 5 MiB can take long
  // enough to read that its URL is close to expiry too, and then it is renewed ahead of time like the others.
  EXPECT_LE(logged({"PUT /repositories/", "/parts/1?"}), 1u) << "part 1's URL was renewed more than once";
  EXPECT_EQ(logged({"(object store) 403"}), 0u);
}

}  // namespace
}  // namespace lakefs::test
