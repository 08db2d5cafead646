// The on-disk block cache (mount/src/block_cache.cpp): bounded, LRU, kept across mounts, one mount at a time.
#include "block_cache.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace lakefs_mount {
namespace {

// A block's bytes, or "<miss>".
std::string text(const std::shared_ptr<Buffer>& block) { return block ? std::string(block->view()) : "<miss>"; }

class BlockCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lakefs-mount-cache-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(BlockCacheTest, KeepsBlocksAndEvictsTheLeastRecentlyUsedBeyondItsBound) {
  BlockCache cache(dir_, 3000);
  cache.put("a", *Buffer::of(std::string(1000, 'a')));
  cache.put("b", *Buffer::of(std::string(1000, 'b')));
  cache.put("c", *Buffer::of(std::string(1000, 'c')));
  EXPECT_EQ(cache.bytes(), 3000u);
  ASSERT_EQ(text(cache.get("a", 1000)), std::string(1000, 'a'));  // "a" is now the most recent
  cache.put("d", *Buffer::of(std::string(1000, 'd')));            // evicts "b"
  EXPECT_EQ(cache.get("b", 1000), nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "b"));
  EXPECT_EQ(text(cache.get("a", 1000)), std::string(1000, 'a'));
  EXPECT_EQ(text(cache.get("d", 1000)), std::string(1000, 'd'));
  EXPECT_EQ(cache.bytes(), 3000u);
  EXPECT_EQ(cache.blocks(), 3u);
}

TEST_F(BlockCacheTest, ABlockOfTheWrongLengthIsAMissAndIsDropped) {
  BlockCache cache(dir_, 1 << 20);
  cache.put("k", *Buffer::of("0123456789"));
  EXPECT_EQ(cache.get("k", 11), nullptr);
  EXPECT_EQ(cache.get("k", 10), nullptr);  // dropped by the first get
  cache.put("k", *Buffer::of("0123456789"));
  std::ofstream(dir_ / "k", std::ios::app) << "x";  // damaged on disk
  EXPECT_EQ(cache.get("k", 10), nullptr);
}

TEST_F(BlockCacheTest, ZeroCapacityKeepsNothing) {
  BlockCache cache(dir_, 0);
  cache.put("k", *Buffer::of("data"));
  EXPECT_EQ(cache.get("k", 4), nullptr);
  EXPECT_EQ(cache.blocks(), 0u);
}

TEST_F(BlockCacheTest, BlocksSurviveTheMountAndTemporariesOfACrashAreRemoved) {
  {
    BlockCache cache(dir_, 1 << 20);
    cache.put("kept", *Buffer::of("bytes"));
  }
  std::ofstream(dir_ / ".tmp-99") << "half a block";
  BlockCache again(dir_, 1 << 20);
  EXPECT_EQ(text(again.get("kept", 5)), "bytes");
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".tmp-99"));
  EXPECT_EQ(again.bytes(), 5u);
}

TEST_F(BlockCacheTest, ASmallerBoundAtTheNextMountEvictsTheOldest) {
  {
    BlockCache cache(dir_, 1 << 20);
    cache.put("old", *Buffer::of(std::string(600, 'o')));
    // Distinct write times, so the order survives.
    std::filesystem::last_write_time(dir_ / "old",
                                     std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
    cache.put("new", *Buffer::of(std::string(600, 'n')));
  }
  BlockCache smaller(dir_, 1000);
  EXPECT_EQ(smaller.get("old", 600), nullptr);
  EXPECT_EQ(text(smaller.get("new", 600)), std::string(600, 'n'));
}

TEST_F(BlockCacheTest, ADirectoryServesOneMountAtATime) {
  BlockCache first(dir_, 1 << 20);
  try {
    BlockCache second(dir_, 1 << 20);
    FAIL() << "a second cache on the same directory was opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another lakefs-mount"), std::string::npos) << e.what();
  }
}

TEST(BlockCacheOnTmpfs, AFilesystemWithoutDirectIoIsWrittenAndReadBuffered) {
  // tmpfs refuses O_DIRECT: the cache falls back to buffered I/O.
  const std::filesystem::path shm = "/dev/shm";
  ASSERT_TRUE(std::filesystem::is_directory(shm)) << "the test needs a tmpfs at /dev/shm";
  const auto dir = shm / ("lakefs-mount-cache-test-" + std::to_string(::getpid()));
  {
    BlockCache cache(dir, 1 << 20);
    cache.put("k", *Buffer::of("tmpfs bytes"));
    cache.put("j", *Buffer::of(std::string(5000, 'j')));
    EXPECT_EQ(text(cache.get("k", 11)), "tmpfs bytes");
    EXPECT_EQ(text(cache.get("j", 5000)), std::string(5000, 'j'));
  }
  std::filesystem::remove_all(dir);
}

TEST(BufferPool, ReusesBlockBuffersAndKeepsAtMostItsBoundIdle) {
  auto pool = std::make_shared<BufferPool>(8192, 1);
  const char* first = nullptr;
  {
    auto a = pool->acquire(8192);
    a->append("abc");
    first = a->data();
  }
  auto b = pool->acquire(100);  // the same memory, empty again
  EXPECT_EQ(b->data(), first);
  EXPECT_EQ(b->size(), 0u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b->data()) % Buffer::alignment, 0u);
  auto big = pool->acquire(10000);  // larger than a block: its own allocation
  EXPECT_GE(big->capacity(), 10000u);
  EXPECT_EQ(big->append(std::string(20000, 'x')), big->capacity());  // appends what fits
}

TEST_F(BlockCacheTest, KeysAreFileNamesThatTellContentsApart) {
  const auto a = BlockCache::key("\"d41d8cd9-2\"", 10, 1 << 20, 0);
  EXPECT_EQ(a.find('/'), std::string::npos);
  EXPECT_EQ(a.find('"'), std::string::npos);
  EXPECT_NE(a, BlockCache::key("\"d41d8cd9-2\"", 11, 1 << 20, 0));   // another size
  EXPECT_NE(a, BlockCache::key("\"d41d8cd9-2\"", 10, 1 << 20, 1));   // another block
  EXPECT_NE(a, BlockCache::key("\"d41d8cd9-2\"", 10, 64 << 10, 0));  // another block size
  EXPECT_NE(a, BlockCache::key("../etc", 10, 1 << 20, 0));
  EXPECT_EQ(BlockCache::key("../etc", 10, 1 << 20, 0).find('/'), std::string::npos);
}

}  // namespace
}  // namespace lakefs_mount
