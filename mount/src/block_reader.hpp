// SPDX-License-Identifier: Apache-2.0
// Reads an object's bytes in blocks: block-aligned range requests (through lakeFS, or straight from the object
// store through a pre-signed URL), the on-disk BlockCache below them, a small in-memory set of recent blocks, and
// read-ahead on background threads for readers that go sequentially (none for random access). Concurrent reads of
// one block share one download. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "block_cache.hpp"
#include "lakefs/client.hpp"
#include "lakefs/range_reader.hpp"

namespace lakefs_mount {

/// An object of a pinned commit, as a reader needs it. Immutable but for the SDK reader it is read through.
struct ObjectRef {
  std::string repository{};
  std::string commit_id{};
  std::string key{};
  std::string checksum{};
  std::uint64_t size = 0;

  /// The SDK's reader of the object's ranges (lakefs::ObjectRangeReader, pinned to `checksum`), made by the
  /// BlockReader on its first fetch of the object: its fetches share it, and with it one pre-signed URL.
  struct Ranges {
    std::once_flag made{};
    std::optional<lakefs::ObjectRangeReader> reader{};
  };
  std::shared_ptr<Ranges> ranges = std::make_shared<Ranges>();
};

/// One open file's access pattern, for read-ahead decisions.
struct ReadState {
  std::mutex mutex{};
  /// Where a sequential reader's next read starts.
  std::uint64_t next_offset = 0;
  /// The read-ahead window, in blocks (0 while access is random).
  std::size_t window = 0;
  /// Blocks below this index were already handed to read-ahead.
  std::uint64_t scheduled_until = 0;
};

class BlockReader {
 public:
  struct Options {
    std::size_t block_size = std::size_t{1} << 20;
    std::size_t read_ahead = std::size_t{16} << 20;
    std::size_t fetch_threads = 8;
    /// Fetched blocks that may wait for the disk cache's writer (the mount passes --fetch-threads). A block that
    /// finds this many waiting is not cached, so that no read waits for a write; unless `cache_every_block`, when
    /// the thread that fetched it writes it itself (--cache-fill all).
    std::size_t write_queue = 8;
    bool cache_every_block = false;
    bool pre_sign = false;
    std::optional<std::chrono::milliseconds> timeout{};
  };

  /// Counters since the mount started (the root's user.lakefs.stats attribute shows them).
  struct Stats {
    std::uint64_t blocks_fetched = 0;
    std::uint64_t bytes_fetched = 0;
    std::uint64_t disk_hits = 0;
    std::uint64_t memory_hits = 0;
    std::uint64_t read_ahead_blocks = 0;
    /// Fetched blocks left out of the disk cache because the disk was behind (Options::write_queue).
    std::uint64_t blocks_not_cached = 0;
  };

  BlockReader(lakefs::Client client, BlockCache& cache, Options options);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  using Block = std::shared_ptr<const Buffer>;

  /// A part of a read: `length` bytes from `from` of one block, held in memory or in the disk cache (pinned there:
  /// a FUSE reply hands its place in the cache's file to the kernel, which copies from it: filesystem.cpp).
  struct Piece {
    Block memory{};
    std::shared_ptr<const BlockFile> file{};
    std::size_t from = 0;
    std::size_t length = 0;
  };

  /// Where the bytes of a read of up to `size` bytes from `offset` of `object` are, in order (none at or past the
  /// end), and read-ahead started for a sequential reader. Throws the SDK's errors.
  std::vector<Piece> pieces(const std::shared_ptr<const ObjectRef>& object, ReadState& state, std::size_t size,
                            std::uint64_t offset);

  /// Copies up to `size` bytes from `offset` of `object` into `out`; returns how many (0 at or past the end).
  /// Throws the SDK's errors.
  std::size_t read(const std::shared_ptr<const ObjectRef>& object, ReadState& state, char* out, std::size_t size,
                   std::uint64_t offset);

  [[nodiscard]] Stats stats() const;
  [[nodiscard]] const Options& options() const noexcept { return options_; }

 private:
  // Block `index` whole: from memory, else the disk cache (pinned, not read), else fetched (and cached behind).
  Piece source(const std::shared_ptr<const ObjectRef>& object, std::uint64_t index);
  // Schedules read-ahead when a read of `size` bytes at `offset` continues a sequential reader.
  void read_ahead(const std::shared_ptr<const ObjectRef>& object, ReadState& state, std::size_t size,
                  std::uint64_t offset);
  // Into the disk cache, by the write-behind thread. When Options::write_queue blocks already wait for it (the disk
  // is slower than the network), the block is not cached at all: neither the caller nor the fetch threads ever wait
  // for the disk, and the queue bounds the memory the waiting blocks hold. A block not cached is only a later miss.
  // With Options::cache_every_block, the caller writes it instead.
  void store_later(const std::string& key, const Block& block) noexcept;
  void store(const std::string& key, const Block& block) noexcept;
  void write_behind(const std::stop_token& stop);
  // Called with each block of a range as soon as it is whole (its index in the range).
  using BlockDone = std::function<void(std::size_t, const std::shared_ptr<Buffer>&)>;
  // The SDK's range reader of `object`, made on first use.
  const lakefs::ObjectRangeReader& ranges(const ObjectRef& object) const;
  // `length` bytes from `offset` (a block boundary) with one range request, as blocks; `done` (if set) gets each
  // block as soon as it is whole.
  std::vector<std::shared_ptr<Buffer>> fetch(const ObjectRef& object, std::uint64_t offset, std::size_t length,
                                             const BlockDone& done = {});
  // A read-ahead request: contiguous blocks fetched with one range request, each already registered in flight.
  struct Job {
    std::shared_ptr<const ObjectRef> object{};
    std::uint64_t first = 0;
    std::vector<std::pair<std::string, std::promise<Block>>> blocks{};
    /// One block the disk cache holds, read into memory ahead of the reader.
    bool from_disk = false;
  };
  void schedule(const std::shared_ptr<const ObjectRef>& object, std::uint64_t from, std::uint64_t to);
  void run(Job& job);
  // Hands a fetched read-ahead block to memory and to whoever waits for it.
  void deliver(const std::string& key, std::promise<Block>& promise, Block block);
  void work(const std::stop_token& stop);
  void remember(const std::string& key, const Block& data);

  lakefs::Client client_;
  BlockCache& cache_;
  Options options_;
  std::size_t memory_blocks_;
  std::shared_ptr<BufferPool> pool_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_future<Block>> in_flight_;
  std::list<std::pair<std::string, Block>> memory_;  // most recent first
  std::unordered_map<std::string, std::list<std::pair<std::string, Block>>::iterator> memory_index_;
  std::deque<Job> queue_;
  std::condition_variable_any queue_ready_;

  std::atomic<std::uint64_t> blocks_fetched_{0}, bytes_fetched_{0}, disk_hits_{0}, memory_hits_{0},
      read_ahead_blocks_{0}, blocks_not_cached_{0};
  std::vector<std::jthread> workers_;

  std::mutex writes_mutex_;
  std::deque<std::pair<std::string, Block>> writes_;
  std::condition_variable_any writes_ready_;
  std::jthread writer_;  // last: started once everything above exists; the destructor joins it after the fetch threads
};

}  // namespace lakefs_mount
