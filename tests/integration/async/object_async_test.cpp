// SPDX-License-Identifier: Apache-2.0
// The object handles' asynchronous members against the server: the same answers and the same errors as their
// synchronous forms, and a task that outlives the handle it came from.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "lakefs/async/combinators.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

using async::Task;

class ObjectAsyncTest : public RepoTest {};

TEST_F(ObjectAsyncTest, StatAndExistsAgreeWithTheirSynchronousForms) {
  auto object = main_branch().object("data/a.csv");
  object.upload("id,value\n1,42\n");
  const ObjectInfo sync = object.stat();
  const ObjectInfo async = async::sync_wait(object.stat_async());
  EXPECT_EQ(async.path, sync.path);
  EXPECT_EQ(async.checksum, sync.checksum);
  EXPECT_EQ(async.size_bytes, sync.size_bytes);
  EXPECT_TRUE(async::sync_wait(object.exists_async()));
  EXPECT_FALSE(async::sync_wait(main_branch().object("data/missing.csv").exists_async()));
}

TEST_F(ObjectAsyncTest, AMissingObjectIsObjectNotFoundErrorNamingIt) {
  try {
    (void)async::sync_wait(main_branch().object("data/missing.csv").stat_async());
    FAIL() << "no exception";
  } catch (const ObjectNotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("data/missing.csv"), std::string::npos) << e.what();
  }
}

TEST_F(ObjectAsyncTest, PreSignIsAPreSignedUrlOrNotSupportedAsTheBlockStoreAllows) {
  auto object = main_branch().object("p.txt");
  object.upload("p");
  StatOptions options;
  options.pre_sign = true;
  if (lakefs_client().storage_config().pre_sign_support) {
    EXPECT_TRUE(async::sync_wait(object.stat_async(options)).physical_address.starts_with("http"));
  } else {
    EXPECT_THROW((void)async::sync_wait(object.stat_async(options)), NotSupportedError);
  }
}

TEST_F(ObjectAsyncTest, CopyAndRemove) {
  auto object = main_branch().object("src.txt");
  object.upload("payload");
  const WriteableObject copy = async::sync_wait(object.copy_async("main", "dst.txt"));
  EXPECT_EQ(copy.path(), "dst.txt");
  EXPECT_EQ(copy.read_all(), "payload");
  async::sync_wait(copy.remove_async());
  EXPECT_FALSE(copy.exists());
  // lakeFS answers a delete of a path with no object 204, as for the synchronous remove().
  EXPECT_NO_THROW(main_branch().object("never-there.txt").remove());
  EXPECT_NO_THROW(async::sync_wait(main_branch().object("never-there.txt").remove_async()));
}

TEST_F(ObjectAsyncTest, ATaskOutlivesItsHandle) {
  main_branch().object("kept.txt").upload("k");
  std::optional<Task<ObjectInfo>> task;
  {
    const StoredObject handle = repo().ref("main").object("kept.txt");
    task.emplace(handle.stat_async());
  }  // the handle is gone; its task holds what it needs
  EXPECT_EQ(async::sync_wait(std::move(*task)).path, "kept.txt");
}

TEST_F(ObjectAsyncTest, ManyStatsAtOnce) {
  std::vector<Task<ObjectInfo>> tasks;
  for (int i = 0; i < 50; ++i) {
    auto object = main_branch().object("many/" + std::to_string(i));
    object.upload(std::string(static_cast<std::size_t>(i + 1), 'x'));
    tasks.push_back(object.stat_async());
  }
  const std::vector<ObjectInfo> infos = async::sync_wait(async::when_all(std::move(tasks)));
  ASSERT_EQ(infos.size(), 50u);
  for (std::size_t i = 0; i < infos.size(); ++i) EXPECT_EQ(infos[i].size_bytes, static_cast<std::int64_t>(i + 1));
}

std::string file_content(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Bytes that differ from offset to offset, so a part or range put in the wrong place shows.
std::string patterned(std::size_t n) {
  std::string data(n, '\0');
  for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<char>((i * 7 + i / 4093) % 251);
  return data;
}

bool holds_a_temp_file(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().ends_with(".tmp")) return true;
  }
  return false;
}

TEST_F(ObjectAsyncTest, UploadReadAndDownloadAgreeWithTheirSynchronousForms) {
  TempDir dir;
  auto object = main_branch().object("io/a.bin");
  const std::string data = patterned(100'000);
  async::sync_wait(object.upload_async(data, {.content_type = "application/x-test"}));
  EXPECT_EQ(object.read_all(), data);
  EXPECT_EQ(object.stat().content_type, "application/x-test");
  EXPECT_EQ(async::sync_wait(object.read_all_async()), data);
  EXPECT_EQ(async::sync_wait(object.read_range_async(1000, 50)), data.substr(1000, 50));
  EXPECT_EQ(async::sync_wait(object.read_range_async(0, 0)), "");
  async::sync_wait(object.download_async(dir.path / "a.bin"));
  EXPECT_EQ(file_content(dir.path / "a.bin"), data);

  {
    std::ofstream out(dir.path / "up.bin", std::ios::binary);
    out << data.substr(0, 4321);
  }
  auto from_file = main_branch().object("io/from-file.bin");
  async::sync_wait(from_file.upload_file_async(dir.path / "up.bin"));
  EXPECT_EQ(from_file.read_all(), data.substr(0, 4321));
}

TEST_F(ObjectAsyncTest, TransferErrorsAreTheSynchronousOnesAndADownloadLeavesNoFile) {
  TempDir dir;
  auto missing = main_branch().object("io/missing.bin");
  EXPECT_THROW((void)async::sync_wait(missing.read_all_async()), ObjectNotFoundError);
  EXPECT_THROW(async::sync_wait(missing.download_async(dir.path / "m.bin")), ObjectNotFoundError);
  EXPECT_FALSE(std::filesystem::exists(dir.path / "m.bin"));
  EXPECT_FALSE(holds_a_temp_file(dir.path));
  auto small = main_branch().object("io/small.bin");
  small.upload("abc");
  EXPECT_THROW((void)async::sync_wait(small.read_range_async(10, 5)), InvalidRangeError);
  EXPECT_THROW(async::sync_wait(small.upload_file_async(dir.path / "no-such-file")), LocalIOError);
  EXPECT_THROW(async::sync_wait(small.download_async(dir.path / "")), InvalidArgumentError);  // names no file
  // A conflicting condition is refused before anything is sent, as by upload().
  EXPECT_THROW(async::sync_wait(small.upload_async("x", {.exclusive = true, .if_match = "\"e\""})),
               InvalidArgumentError);
  EXPECT_THROW(async::sync_wait(small.upload_async("x", {.exclusive = true})), ObjectExistsError);
  EXPECT_EQ(small.read_all(), "abc");
}

// On the s3 topology these go as a pre-signed multipart upload and parallel ranged GETs, all on the engine; on the
// quickstart server (no pre-signing) through lakeFS.
TEST_F(ObjectAsyncTest, LargeObjectsGoInPartsAndComeBackInRanges) {
  TempDir dir;
  const std::string data = patterned((12u << 20) + 12345);
  auto object = main_branch().object("io/large.bin");
  async::sync_wait(object.upload_async(data, {.multipart_threshold = 5u << 20, .part_size = 5u << 20}));
  EXPECT_EQ(object.stat().size_bytes, static_cast<std::int64_t>(data.size()));
  DownloadOptions options;
  options.parallel_threshold = 1u << 20;
  options.part_size = 1u << 20;
  options.concurrency = 4;
  async::sync_wait(object.download_async(dir.path / "large.bin", options));
  EXPECT_EQ(file_content(dir.path / "large.bin"), data);
  EXPECT_EQ(async::sync_wait(object.read_all_async()), data);
  // The synchronous forms run the same code, with the parts and ranges on the engine too.
  object.download(dir.path / "sync.bin", options);
  EXPECT_EQ(file_content(dir.path / "sync.bin"), data);
}

TEST_F(ObjectAsyncTest, AStoppedUploadInPartsStagesNothing) {
  const std::string data = patterned((11u << 20));
  auto object = main_branch().object("io/stopped.bin");
  std::stop_source stop;
  stop.request_stop();
  UploadOptions options;
  options.multipart_threshold = 5u << 20;
  options.part_size = 5u << 20;
  options.call.stop = stop.get_token();
  EXPECT_THROW(async::sync_wait(object.upload_async(data, options)), CancelledError);
  EXPECT_FALSE(object.exists());
  // The same stop through the task's own token (a batch's, a for_each's) rather than the options'.
  std::stop_source task_stop;
  task_stop.request_stop();
  EXPECT_THROW(async::sync_wait(object.upload_async(data, {.multipart_threshold = 5u << 20, .part_size = 5u << 20})
                                    .with_stop(task_stop.get_token())),
               CancelledError);
  EXPECT_FALSE(object.exists());
}

// The directory batches run their files as tasks on the engine (here also under ThreadSanitizer: label async).
TEST_F(ObjectAsyncTest, DirectoryBatchesRunTheirFilesOnTheEngine) {
  TempDir source;
  TempDir target;
  for (int i = 0; i < 40; ++i) {
    std::ofstream out(source.path / ("f" + std::to_string(i) + ".txt"), std::ios::binary);
    out << "file " << i;
  }
  auto main = main_branch();
  std::atomic<std::size_t> calls{0};
  const TransferSummary up = main.upload_directory(
      source.path, "dir/", {.concurrency = 8, .on_progress = [&](const TransferProgress&) { ++calls; }});
  EXPECT_TRUE(up.ok());
  EXPECT_EQ(up.objects, 40u);
  EXPECT_EQ(calls.load(), 40u);
  const TransferSummary down = main.download_prefix("dir/", target.path, {.concurrency = 8});
  EXPECT_TRUE(down.ok());
  EXPECT_EQ(down.objects, 40u);
  EXPECT_EQ(file_content(target.path / "f7.txt"), "file 7");
  std::vector<std::string> paths;
  for (int i = 0; i < 40; ++i) paths.push_back("dir/f" + std::to_string(i) + ".txt");
  main.remove_objects(std::span<const std::string>(paths));
  EXPECT_TRUE(main.objects({.prefix = "dir/"}).to_vector().empty());
}

}  // namespace
}  // namespace lakefs::test
