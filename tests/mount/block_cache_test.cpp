// SPDX-License-Identifier: Apache-2.0
// The on-disk block cache (mount/src/block_cache.cpp): slots of one file, bounded, LRU, pinned while read, kept
// across clean unmounts (not across a crash), one mount at a time.
#include "block_cache.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

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

// Blocks of up to one alignment unit: each takes one slot of 4 KiB.
constexpr std::size_t bs = 4096;

TEST_F(BlockCacheTest, KeepsBlocksAndEvictsTheLeastRecentlyUsedBeyondItsBound) {
  BlockCache cache(dir_, 3 * bs + 100, bs);  // three slots
  cache.put("a", *Buffer::of(std::string(1000, 'a')));
  cache.put("b", *Buffer::of(std::string(1000, 'b')));
  cache.put("c", *Buffer::of(std::string(1000, 'c')));
  EXPECT_EQ(cache.bytes(), 3000u);
  ASSERT_EQ(text(cache.get("a", 1000)), std::string(1000, 'a'));  // "a" is now the most recent
  cache.put("d", *Buffer::of(std::string(1000, 'd')));            // evicts "b", in its slot
  EXPECT_EQ(cache.get("b", 1000), nullptr);
  EXPECT_EQ(text(cache.get("a", 1000)), std::string(1000, 'a'));
  EXPECT_EQ(text(cache.get("c", 1000)), std::string(1000, 'c'));
  EXPECT_EQ(text(cache.get("d", 1000)), std::string(1000, 'd'));
  EXPECT_EQ(cache.bytes(), 3000u);
  EXPECT_EQ(cache.blocks(), 3u);
  // One file holds them all, no larger than the bound's slots.
  EXPECT_LE(std::filesystem::file_size(dir_ / "blocks"), 3 * bs);
}

TEST_F(BlockCacheTest, ABlockReadFromItsFileIsThatBlockAndItsSlotIsNotReusedWhileOpen) {
  BlockCache cache(dir_, 2 * bs, bs);
  cache.put("x", *Buffer::of(std::string(bs, 'x')));
  cache.put("y", *Buffer::of("tail"));
  auto x = cache.open("x", bs);  // "x" is now the most recent, and pinned
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->size(), bs);
  std::string head(10, '\0');
  ASSERT_TRUE(x->read(head.data(), 10, 5));
  EXPECT_EQ(head, std::string(10, 'x'));
  // The same bytes straight from the file descriptor a FUSE reply splices from.
  std::string raw(bs, '\0');
  ASSERT_EQ(::pread(x->fd(), raw.data(), bs, static_cast<off_t>(x->offset())), static_cast<ssize_t>(bs));
  EXPECT_EQ(raw, std::string(bs, 'x'));
  // "y" is evicted for "z"; then "x" is the least recently used, but pinned: "z" goes for "w" instead.
  cache.put("z", *Buffer::of("zz"));
  EXPECT_EQ(cache.get("y", 4), nullptr);
  cache.put("w", *Buffer::of("ww"));
  EXPECT_EQ(cache.get("z", 2), nullptr);
  EXPECT_EQ(text(cache.get("w", 2)), "ww");
  ASSERT_EQ(::pread(x->fd(), raw.data(), bs, static_cast<off_t>(x->offset())), static_cast<ssize_t>(bs));
  EXPECT_EQ(raw, std::string(bs, 'x'));
}

TEST_F(BlockCacheTest, WhenEverySlotIsBeingReadANewBlockIsNotCached) {
  BlockCache cache(dir_, bs, bs);  // one slot
  cache.put("x", *Buffer::of("xx"));
  auto x = cache.open("x", 2);
  ASSERT_TRUE(x.has_value());
  cache.put("w", *Buffer::of("ww"));
  EXPECT_EQ(cache.get("w", 2), nullptr);
  EXPECT_EQ(text(cache.get("x", 2)), "xx");
  x.reset();  // unpinned: its slot may be reused
  cache.put("w", *Buffer::of("ww"));
  EXPECT_EQ(text(cache.get("w", 2)), "ww");
  EXPECT_EQ(cache.get("x", 2), nullptr);
}

TEST_F(BlockCacheTest, ABlockOfAnotherLengthIsAMissAndIsDropped) {
  BlockCache cache(dir_, 1 << 20, bs);
  cache.put("k", *Buffer::of("0123456789"));
  EXPECT_EQ(cache.get("k", 11), nullptr);
  EXPECT_EQ(cache.get("k", 10), nullptr);  // dropped by the first get
  cache.put("k", *Buffer::of("0123456789"));
  EXPECT_EQ(text(cache.get("k", 10)), "0123456789");
  cache.put("big", *Buffer::of(std::string(bs + 1, 'b')));  // larger than a slot: not cached
  EXPECT_EQ(cache.get("big", bs + 1), nullptr);
}

TEST_F(BlockCacheTest, ZeroCapacityKeepsNothing) {
  BlockCache cache(dir_, 0, bs);
  cache.put("k", *Buffer::of("data"));
  EXPECT_EQ(cache.get("k", 4), nullptr);
  EXPECT_EQ(cache.blocks(), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "blocks"));
}

TEST_F(BlockCacheTest, BlocksSurviveACleanUnmountAndOnlyFilesOfTheEarlierLayoutAreRemoved) {
  {
    BlockCache cache(dir_, 1 << 20, bs);
    cache.put("kept", *Buffer::of("bytes"));
    cache.put("also", *Buffer::of(std::string(bs, 'a')));
  }
  std::ofstream(dir_ / ".tmp-99") << "half a block";           // a temporary of the per-file layout
  std::ofstream(dir_ / "abc.10.1048576.0") << "an old block";  // a block of it
  std::ofstream(dir_ / "notes.1.txt") << "not ours";           // anything else is left alone
  BlockCache again(dir_, 1 << 20, bs);
  EXPECT_EQ(text(again.get("kept", 5)), "bytes");
  EXPECT_EQ(text(again.get("also", bs)), std::string(bs, 'a'));
  EXPECT_EQ(again.bytes(), 5u + bs);
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".tmp-99"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "abc.10.1048576.0"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "notes.1.txt"));
}

TEST_F(BlockCacheTest, ACacheNotClosedCleanlyOrOfAnotherBlockSizeStartsEmpty) {
  {
    BlockCache cache(dir_, 1 << 20, bs);
    cache.put("k", *Buffer::of("bytes"));
    // While a mount uses it, the cache is marked open: a crash now leaves that mark.
    std::ifstream state(dir_ / "state");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(state), {}), "open\n");
  }
  {
    BlockCache other_size(dir_, 1 << 20, 2 * bs);  // slots of another size: nothing taken over
    EXPECT_EQ(other_size.get("k", 5), nullptr);
    other_size.put("k", *Buffer::of("bytes"));
  }
  std::ofstream(dir_ / "state") << "open\n";  // as a crash leaves it
  BlockCache after_crash(dir_, 1 << 20, 2 * bs);
  EXPECT_EQ(after_crash.get("k", 5), nullptr);
  EXPECT_EQ(after_crash.blocks(), 0u);
}

TEST_F(BlockCacheTest, ASmallerBoundAtTheNextMountKeepsTheBlocksOfTheSlotsWithinIt) {
  {
    BlockCache cache(dir_, 1 << 20, bs);
    cache.put("first", *Buffer::of(std::string(600, 'f')));
    cache.put("second", *Buffer::of(std::string(600, 's')));
    cache.put("third", *Buffer::of(std::string(600, 't')));
  }
  BlockCache smaller(dir_, 2 * bs, bs);  // the file is cut to two slots: the block in the third is gone
  EXPECT_EQ(smaller.blocks(), 2u);
  EXPECT_EQ(text(smaller.get("first", 600)), std::string(600, 'f'));
  EXPECT_EQ(text(smaller.get("second", 600)), std::string(600, 's'));
  EXPECT_EQ(smaller.get("third", 600), nullptr);
  EXPECT_LE(std::filesystem::file_size(dir_ / "blocks"), 2 * bs);
}

TEST_F(BlockCacheTest, AHugeBoundOfSmallBlocksTakesSlotsFromTheStartOfTheFileAndNoMemoryPerSlot) {
  // 2^28 slots of 4 KiB: nothing is allocated per slot (a slot table of this size would take gigabytes), and the
  // blocks fill the file from its start.
  BlockCache cache(dir_, std::uint64_t{1} << 40, bs);
  cache.put("a", *Buffer::of("aa"));
  cache.put("b", *Buffer::of("bb"));
  cache.put("c", *Buffer::of("cc"));
  EXPECT_EQ(text(cache.get("b", 2)), "bb");
  EXPECT_LE(std::filesystem::file_size(dir_ / "blocks"), 3 * bs);
  auto b = cache.open("b", 2);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->offset(), bs);
}

TEST_F(BlockCacheTest, ADirectoryServesOneMountAtATime) {
  BlockCache first(dir_, 1 << 20, bs);
  try {
    BlockCache second(dir_, 1 << 20, bs);
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
    BlockCache cache(dir, 1 << 20, 8192);
    cache.put("k", *Buffer::of("tmpfs bytes"));
    cache.put("j", *Buffer::of(std::string(5000, 'j')));
    EXPECT_EQ(text(cache.get("k", 11)), "tmpfs bytes");
    EXPECT_EQ(text(cache.get("j", 5000)), std::string(5000, 'j'));
  }
  {
    BlockCache again(dir, 1 << 20, 8192);
    EXPECT_EQ(text(again.get("j", 5000)), std::string(5000, 'j'));
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

TEST_F(BlockCacheTest, KeysAreSingleWordsThatTellContentsApart) {
  const auto a = BlockCache::key("\"d41d8cd9-2\"", 10, 1 << 20, 0);
  EXPECT_EQ(a.find('/'), std::string::npos);
  EXPECT_EQ(a.find('"'), std::string::npos);
  EXPECT_EQ(BlockCache::key("a b\nc", 10, 1 << 20, 0).find_first_of(" \n"),
            std::string::npos);                                      // one word of the index
  EXPECT_NE(a, BlockCache::key("\"d41d8cd9-2\"", 11, 1 << 20, 0));   // another size
  EXPECT_NE(a, BlockCache::key("\"d41d8cd9-2\"", 10, 1 << 20, 1));   // another block
  EXPECT_NE(a, BlockCache::key("\"d41d8cd9-2\"", 10, 64 << 10, 0));  // another block size
  EXPECT_NE(a, BlockCache::key("../etc", 10, 1 << 20, 0));
  EXPECT_EQ(BlockCache::key("../etc", 10, 1 << 20, 0).find('/'), std::string::npos);
}

}  // namespace
}  // namespace lakefs_mount
