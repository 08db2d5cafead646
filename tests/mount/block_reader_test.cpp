// SPDX-License-Identifier: Apache-2.0
// The block reader (mount/src/block_reader.cpp) against a scripted server (lakefs::testing::FakeTransport): what a
// read-ahead request hands to readers when its connection drops part-way and the client sends it again, and how
// fetched blocks reach the disk cache behind the read (or not, when the disk is behind: --cache-fill).
#include "block_reader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "lakefs/testing/fake_transport.hpp"

namespace lakefs_mount {
namespace {

namespace lt = lakefs::testing;

constexpr std::size_t bs = 4096;

// `n` bytes that differ from block to block and from seed to seed.
std::string pattern(std::size_t n, std::size_t seed) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (i / 7 + seed) % 26);
  return out;
}

// An object of commit c0ffee in repository "repo", as the filesystem hands it to the reader.
std::shared_ptr<ObjectRef> object_ref(std::string key, std::string checksum, std::uint64_t size) {
  auto ref = std::make_shared<ObjectRef>();
  ref->repository = "repo";
  ref->commit_id = "c0ffee";
  ref->key = std::move(key);
  ref->checksum = std::move(checksum);
  ref->size = size;
  return ref;
}

// Where `a` and `b` first differ (npos when equal): short failure messages for long strings.
std::size_t first_difference(const std::string& a, const std::string& b) {
  const auto [i, j] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return i == a.end() && j == b.end() ? std::string::npos : static_cast<std::size_t>(i - a.begin());
}

class BlockReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lakefs-mount-reader-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;

  // A three-block object `key` whose block 2 the server sends once, read at random (no read-ahead) by a reader
  // whose disk-cache write queue has no room: a disk that is always behind the network.
  struct DiskBehind {
    std::string object;
    std::shared_ptr<ObjectRef> ref;
    std::shared_ptr<lt::FakeTransport> fake = std::make_shared<lt::FakeTransport>();
    BlockReader::Options options;
  };
  static DiskBehind disk_behind(const std::string& key, std::size_t seed) {
    DiskBehind d;
    d.object = pattern(3 * bs, seed);
    d.ref = object_ref(key, "89abcd" + std::to_string(seed), d.object.size());
    d.fake->on("GET", "/repositories/repo/refs/c0ffee/objects", "path=" + key)
        .reply(lt::Reply::content(206, d.object.substr(2 * bs, bs)));
    d.options.block_size = bs;
    d.options.read_ahead = 0;
    d.options.write_queue = 0;
    return d;
  }
};

TEST_F(BlockReaderTest, ARangeSentAgainAfterADropKeepsTheBlocksAlreadyHandedOutAndSkipsTheirBytes) {
  // A three-block object. Block 0 is in the disk cache, so the first read asks the server for nothing itself; being
  // sequential, it sends blocks 1 and 2 ahead in one range request. That request's connection drops after block 1
  // and half of block 2 arrived; the client sends it again. The second answer carries other bytes where block 1 is
  // (a real server sends the same ones): a reader must get block 1 as first delivered, and block 2 from the second
  // answer, which proves the repeated bytes of a block already handed out were skipped, not written into it.
  const std::string object = pattern(3 * bs, 0);
  const auto ref = object_ref("data/file.bin", "0123abcd", object.size());

  BlockCache cache(dir_, 1 << 20, bs);
  cache.put(BlockCache::key(ref->checksum, ref->size, bs, 0), *Buffer::of(object.substr(0, bs)));

  auto fake = std::make_shared<lt::FakeTransport>();
  const std::string range = object.substr(bs, 2 * bs);
  std::string second = range;
  second.replace(0, bs, std::string(bs, '#'));
  lt::Reply cut = lt::Reply::content(206, range.substr(0, bs + bs / 2));
  cut.failure = lakefs::http::Failure::connection_dropped;
  cut.request_sent = true;
  cut.chunk_size = 1024;
  lt::Reply again = lt::Reply::content(206, second);
  again.chunk_size = 1024;
  fake->on("GET", "/repositories/repo/refs/c0ffee/objects", "path=data/file.bin").reply(cut).reply(again);

  BlockReader::Options options;
  options.block_size = bs;
  options.read_ahead = 4 * bs;
  options.fetch_threads = 2;
  {
    BlockReader reader(lt::make_client(fake), cache, options);
    ReadState state;
    std::string out(3 * bs, '\0');
    ASSERT_EQ(reader.read(ref, state, out.data(), bs, 0), bs);
    ASSERT_EQ(reader.read(ref, state, out.data() + bs, 2 * bs, bs), 2 * bs);
    EXPECT_EQ(first_difference(out, object), std::string::npos) << "the bytes read differ from the object's";
    EXPECT_EQ(reader.stats().read_ahead_blocks, 2u);
    EXPECT_EQ(reader.stats().disk_hits, 1u);
    EXPECT_EQ(reader.stats().blocks_not_cached, 0u);
  }  // the reader is gone: its write-behind thread wrote what was queued after the blocks were handed out

  const auto sent = fake->requests();
  ASSERT_EQ(sent.size(), 2u) << "the range request, then the same request again after the drop";
  for (const auto& request : sent) EXPECT_EQ(request.header("Range"), "bytes=4096-12287") << request;
  for (std::uint64_t i = 1; i < 3; ++i) {
    const auto stored = cache.get(BlockCache::key(ref->checksum, ref->size, bs, i), bs);
    ASSERT_NE(stored, nullptr) << "block " << i << " is not in the disk cache";
    EXPECT_EQ(first_difference(std::string(stored->view()), object.substr(i * bs, bs)), std::string::npos)
        << "the disk cache's block " << i << " differs from the object's";
  }
}

TEST_F(BlockReaderTest, ABlockInTheDiskCacheIsHandedOutAsItsFileAndAFetchedOneFromMemory) {
  // What a FUSE reply is made of (filesystem.cpp): a cached block's place in the cache's file, which the reply
  // splices from without reading it here, and a fetched block's bytes in memory.
  const std::string object = pattern(2 * bs, 7);
  const auto ref = object_ref("data/pieces.bin", "77aa", object.size());
  BlockCache cache(dir_, 1 << 20, bs);
  cache.put(BlockCache::key(ref->checksum, ref->size, bs, 0), *Buffer::of(object.substr(0, bs)));
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/repositories/repo/refs/c0ffee/objects", "path=data/pieces.bin")
      .reply(lt::Reply::content(206, object.substr(bs, bs)));
  BlockReader::Options options;
  options.block_size = bs;
  options.read_ahead = 0;
  BlockReader reader(lt::make_client(fake), cache, options);
  ReadState state;

  const auto pieces = reader.pieces(ref, state, 150, bs - 50);  // the last 50 bytes of block 0, 100 of block 1
  ASSERT_EQ(pieces.size(), 2u);
  ASSERT_NE(pieces[0].file, nullptr) << "the cached block is not handed out as its file";
  EXPECT_EQ(pieces[0].memory, nullptr);
  EXPECT_EQ(pieces[0].from, bs - 50);
  EXPECT_EQ(pieces[0].length, 50u);
  std::string spliced(50, '\0');
  ASSERT_EQ(
      ::pread(pieces[0].file->fd(), spliced.data(), 50, static_cast<off_t>(pieces[0].file->offset() + pieces[0].from)),
      50);
  EXPECT_EQ(spliced, object.substr(bs - 50, 50));
  ASSERT_NE(pieces[1].memory, nullptr) << "the fetched block is not handed out from memory";
  EXPECT_EQ(pieces[1].from, 0u);
  EXPECT_EQ(pieces[1].length, 100u);
  EXPECT_EQ(std::string(pieces[1].memory->data(), 100), object.substr(bs, 100));
  EXPECT_EQ(reader.stats().disk_hits, 1u);
  EXPECT_EQ(reader.stats().blocks_fetched, 1u);
  ASSERT_EQ(fake->requests().size(), 1u);
  EXPECT_EQ(fake->requests()[0].header("Range"), "bytes=4096-8191");
  EXPECT_TRUE(reader.pieces(ref, state, 10, 2 * bs).empty()) << "a read at the end has no pieces";
}

TEST_F(BlockReaderTest, AReadersOwnBlockReachesTheDiskCacheBehindItAndIsThereAfterTheReaderEnds) {
  // Random access (no read-ahead): the reader fetches its block itself and returns it at once; the write-behind
  // thread writes it to the disk cache, and what it has queued is written before the reader is gone.
  const std::string object = pattern(2 * bs, 3);
  const auto ref = object_ref("random.bin", "4567ef", object.size());
  BlockCache cache(dir_, 1 << 20, bs);
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/repositories/repo/refs/c0ffee/objects", "path=random.bin")
      .reply(lt::Reply::content(206, object.substr(bs, bs)));

  BlockReader::Options options;
  options.block_size = bs;
  options.read_ahead = 0;
  {
    BlockReader reader(lt::make_client(fake), cache, options);
    ReadState state;
    std::string out(bs, '\0');
    ASSERT_EQ(reader.read(ref, state, out.data(), bs, bs), bs);
    EXPECT_EQ(first_difference(out, object.substr(bs, bs)), std::string::npos);
    EXPECT_EQ(reader.stats().blocks_not_cached, 0u);
  }
  ASSERT_EQ(fake->count(), 1u);
  EXPECT_EQ(fake->last().header("Range"), "bytes=4096-8191");
  const auto stored = cache.get(BlockCache::key(ref->checksum, ref->size, bs, 1), bs);
  ASSERT_NE(stored, nullptr) << "the block is not in the disk cache";
  EXPECT_EQ(first_difference(std::string(stored->view()), object.substr(bs, bs)), std::string::npos);
}

TEST_F(BlockReaderTest, AFetchedBlockThatFindsTheDiskBehindIsNotCachedAndTheReadDoesNotWaitForIt) {
  // The block is handed to the reader, left out of the disk cache (not written by the reader or a fetch thread
  // instead) and counted.
  const auto d = disk_behind("fast-network.bin", 5);
  BlockCache cache(dir_, 1 << 20, bs);
  {
    BlockReader reader(lt::make_client(d.fake), cache, d.options);
    ReadState state;
    std::string out(bs, '\0');
    ASSERT_EQ(reader.read(d.ref, state, out.data(), bs, 2 * bs), bs);
    EXPECT_EQ(first_difference(out, d.object.substr(2 * bs, bs)), std::string::npos);
    EXPECT_EQ(reader.stats().blocks_fetched, 1u);
    EXPECT_EQ(reader.stats().blocks_not_cached, 1u);
  }
  EXPECT_EQ(d.fake->count(), 1u);
  EXPECT_EQ(cache.blocks(), 0u) << "a block the disk had no room for was written anyway";
  EXPECT_EQ(cache.get(BlockCache::key(d.ref->checksum, d.ref->size, bs, 2), bs), nullptr);
}

TEST_F(BlockReaderTest, WithCacheFillAllAFetchedBlockThatFindsTheDiskBehindIsWrittenByItsReader) {
  // --cache-fill all: the same full queue, but the block is cached all the same, by the reader before it returns.
  auto d = disk_behind("every-block.bin", 6);
  d.options.cache_every_block = true;
  BlockCache cache(dir_, 1 << 20, bs);
  BlockReader reader(lt::make_client(d.fake), cache, d.options);
  ReadState state;
  std::string out(bs, '\0');
  ASSERT_EQ(reader.read(d.ref, state, out.data(), bs, 2 * bs), bs);
  EXPECT_EQ(first_difference(out, d.object.substr(2 * bs, bs)), std::string::npos);
  EXPECT_EQ(reader.stats().blocks_not_cached, 0u);
  // Checked while the reader (and its write-behind thread, which had no room to take the block) still runs.
  const auto stored = cache.get(BlockCache::key(d.ref->checksum, d.ref->size, bs, 2), bs);
  ASSERT_NE(stored, nullptr) << "the reader did not write its block";
  EXPECT_EQ(first_difference(std::string(stored->view()), d.object.substr(2 * bs, bs)), std::string::npos);
}

}  // namespace
}  // namespace lakefs_mount
