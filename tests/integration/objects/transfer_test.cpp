// SPDX-License-Identifier: Apache-2.0
// upload_directory / download_prefix against the real server.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every regular file below `root`, by relative path.
std::map<std::string, std::string> tree_of(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && !e.is_symlink()) {
      files[e.path().lexically_relative(root).generic_string()] = read_file(e.path());
    }
  }
  return files;
}

// A tree of `count` files of mixed sizes (empty to ~1 MiB) in nested directories.
std::map<std::string, std::string> make_tree(const fs::path& root, int count) {
  std::mt19937 rng(1234);
  std::map<std::string, std::string> files;
  for (int i = 0; i < count; ++i) {
    std::size_t size = 0;
    switch (i % 10) {
      case 0:
        size = 0;
        break;
      case 1:
        size = 1;
        break;
      case 9:
        size = (i % 40 == 9) ? 700 * 1024 + rng() % (300 * 1024) : 64 * 1024 + rng() % 4096;
        break;
      default:
        size = rng() % 8192;
        break;
    }
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(rng() & 0xFF);
    const std::string rel =
        "d" + std::to_string(i % 7) + "/sub" + std::to_string(i % 3) + "/file-" + std::to_string(i) + ".bin";
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel, std::ios::binary) << data;
    files[rel] = std::move(data);
  }
  return files;
}

class TransferTest : public RepoTest {};

TEST_F(TransferTest, UploadDirectoryDownloadPrefixRoundTripByteForByte) {
  TempDir src, dst;
  const auto files = make_tree(src.path, 300);
  // Left out, with a note: a symlink and a FIFO.
  fs::create_symlink(src.path / "d0" / "sub0" / "file-0.bin", src.path / "link.bin");
  ASSERT_EQ(::mkfifo((src.path / "pipe").c_str(), 0600), 0);

  std::mutex mutex;
  TransferProgress last{};
  std::size_t calls = 0;
  bool monotonic = true;
  auto branch = main_branch();
  const auto on_progress = [&](const TransferProgress& p) {
    std::lock_guard lock(mutex);
    monotonic = monotonic && p.objects_done > last.objects_done && p.bytes_done >= last.bytes_done;
    last = p;
    ++calls;
  };
  const auto up = branch.upload_directory(src.path, "tree", {.concurrency = 8, .on_progress = on_progress});
  EXPECT_TRUE(up.ok());
  EXPECT_EQ(up.objects, files.size());
  std::uint64_t total = 0;
  for (const auto& [_, data] : files) total += data.size();
  EXPECT_EQ(up.bytes, total);
  EXPECT_EQ(calls, files.size());
  EXPECT_TRUE(monotonic);
  EXPECT_EQ(last.objects_done, files.size());
  EXPECT_EQ(last.objects_total, files.size());
  EXPECT_EQ(last.bytes_done, total);
  EXPECT_EQ(last.bytes_total, total);
  ASSERT_EQ(up.skipped.size(), 2u);
  std::map<std::string, std::string> skipped;
  for (const auto& s : up.skipped) skipped[s.path] = s.reason;
  EXPECT_NE(skipped["link.bin"].find("symbolic link"), std::string::npos);
  EXPECT_NE(skipped["pipe"].find("not a regular file"), std::string::npos);

  // The layout is kept: "tree/" + relative path.
  EXPECT_EQ(branch.object("tree/d1/sub1/file-1.bin").read_all(), files.at("d1/sub1/file-1.bin"));
  EXPECT_EQ(std::ranges::distance(branch.objects({.prefix = "tree/"})), static_cast<std::ptrdiff_t>(files.size()));
  branch.commit("tree");

  const auto down = repo().ref("main").download_prefix("tree/", dst.path);
  EXPECT_TRUE(down.ok());
  EXPECT_EQ(down.objects, files.size());
  EXPECT_EQ(down.bytes, total);
  EXPECT_EQ(tree_of(dst.path), files);
}

TEST_F(TransferTest, FailuresAreSummarizedWithoutStoppingOthersUnlessAsked) {
  TempDir src;
  const auto files = make_tree(src.path, 20);
  auto branch = main_branch();
  ASSERT_TRUE(branch.upload_directory(src.path, "x/").ok());

  // Exclusive uploads over existing objects: every one fails, all are attempted.
  const auto again = branch.upload_directory(src.path, "x/", {.exclusive = true});
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(again.failures.size(), files.size());
  EXPECT_EQ(again.not_attempted, 0u);
  EXPECT_EQ(again.objects, 0u);
  EXPECT_FALSE(again.failures.front().message.empty());
  EXPECT_EQ(again.failures.front().object_path.rfind("x/", 0), 0u);

  // stop_on_error with one worker: one failure, the rest left alone.
  const auto stopped =
      branch.upload_directory(src.path, "x/", {.concurrency = 1, .stop_on_error = true, .exclusive = true});
  EXPECT_EQ(stopped.failures.size(), 1u);
  EXPECT_EQ(stopped.not_attempted, files.size() - 1);

  // Keys that would escape the target directory are skipped on download.
  branch.object("esc/../evil.txt").upload("no");
  branch.object("esc/ok.txt").upload("yes");
  TempDir dst;
  const auto down = branch.download_prefix("esc/", dst.path / "out");
  EXPECT_TRUE(down.ok());
  EXPECT_EQ(down.objects, 1u);
  ASSERT_EQ(down.skipped.size(), 1u);
  EXPECT_EQ(down.skipped.front().path, "esc/../evil.txt");
  EXPECT_EQ(read_file(dst.path / "out" / "ok.txt"), "yes");
  EXPECT_FALSE(fs::exists(dst.path / "evil.txt"));
}

}  // namespace
}  // namespace lakefs::test
