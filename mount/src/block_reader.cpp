// SPDX-License-Identifier: Apache-2.0
#include "block_reader.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"

namespace lakefs_mount {

namespace {

// Read-ahead requests waiting for a thread, at most.
constexpr std::size_t max_queued = 64;
// The most one read-ahead request asks for.
constexpr std::size_t max_chunk_bytes = std::size_t{8} << 20;

}  // namespace

BlockReader::BlockReader(lakefs::Client client, BlockCache& cache, Options options)
    : client_(std::move(client)), cache_(cache), options_(options) {
  // Recent blocks in memory: a full read-ahead window, the blocks the fetch threads are filling, and a few being
  // copied out. A block pushed out before it is read is still in the disk cache (and the kernel's page cache).
  memory_blocks_ = options_.read_ahead / options_.block_size + options_.fetch_threads + 4;
  pool_ = std::make_shared<BufferPool>(options_.block_size, memory_blocks_);
  if (options_.read_ahead > 0) {
    for (std::size_t i = 0; i < options_.fetch_threads; ++i)
      workers_.emplace_back([this](const std::stop_token& stop) { work(stop); });
  }
  writer_ = std::jthread([this](const std::stop_token& stop) { write_behind(stop); });
}

BlockReader::~BlockReader() {
  for (auto& w : workers_) w.request_stop();
  queue_ready_.notify_all();
  workers_.clear();  // joins
  writer_.request_stop();
  writes_ready_.notify_all();
  if (writer_.joinable()) writer_.join();  // after writing what is queued: a block fetched is a block kept
}

BlockReader::Stats BlockReader::stats() const {
  return {blocks_fetched_.load(), bytes_fetched_.load(),     disk_hits_.load(),
          memory_hits_.load(),    read_ahead_blocks_.load(), blocks_not_cached_.load()};
}

const lakefs::ObjectRangeReader& BlockReader::ranges(const ObjectRef& object) const {
  auto& ranges = *object.ranges;
  std::call_once(ranges.made, [&] {
    lakefs::CallOptions call;
    call.timeout = options_.timeout;
    // Pinned to the commit's version of the object: what the listing said is what the bytes are.
    ranges.reader.emplace(
        lakefs::StoredObject(object.repository, object.commit_id, object.key, client_)
            .range_reader({.pre_sign = options_.pre_sign, .if_match = object.checksum, .call = call}));
  });
  return *ranges.reader;
}

std::vector<std::shared_ptr<Buffer>> BlockReader::fetch(const ObjectRef& object, std::uint64_t offset,
                                                        std::size_t length, const BlockDone& done) {
  // One range request whose body is written straight into pooled block buffers (no copy of the whole range, no
  // fresh memory per block). The SDK hands each byte of the range over once and in order (a request sent again
  // after a failure skips what was handed over), and never more than the range.
  const std::size_t bs = options_.block_size;
  std::vector<std::shared_ptr<Buffer>> blocks;
  for (std::size_t at = 0; at < length; at += bs) {
    blocks.push_back(pool_->acquire(std::min(bs, length - at)));
    blocks.back()->clear();
  }
  std::size_t received = 0;
  const auto sink = [&](std::string_view chunk) {
    while (!chunk.empty()) {
      const std::size_t i = received / bs;
      const std::size_t n = blocks[i]->append(chunk.substr(0, bs - received % bs));
      received += n;
      chunk.remove_prefix(n);
      // Each block goes to its reader as soon as it is whole, not when the whole range is in.
      if (done && (received % bs == 0 || received == length)) done(i, blocks[i]);
    }
  };
  const std::uint64_t got = ranges(object).read_range(offset, length, sink);
  if (got != length) {
    throw lakefs::ProtocolError("reading " + object.key + " (" + std::to_string(length) + " bytes at " +
                                std::to_string(offset) + "): got " + std::to_string(got) + " bytes");
  }
  blocks_fetched_.fetch_add(1, std::memory_order_relaxed);
  bytes_fetched_.fetch_add(length, std::memory_order_relaxed);
  return blocks;
}

void BlockReader::remember(const std::string& key, const Block& data) {
  // Called with mutex_ held.
  if (const auto it = memory_index_.find(key); it != memory_index_.end()) {
    memory_.splice(memory_.begin(), memory_, it->second);
    return;
  }
  memory_.emplace_front(key, data);
  memory_index_[key] = memory_.begin();
  while (memory_.size() > memory_blocks_) {
    memory_index_.erase(memory_.back().first);
    memory_.pop_back();
  }
}

void BlockReader::store_later(const std::string& key, const Block& block) noexcept {
  try {
    std::unique_lock lock(writes_mutex_);
    if (writes_.size() < options_.write_queue) {
      writes_.emplace_back(key, block);
      lock.unlock();
      writes_ready_.notify_one();
      return;
    }
  } catch (...) {
    // (no memory to queue it: as if the queue were full)
  }
  if (options_.cache_every_block)
    store(key, block);
  else
    blocks_not_cached_.fetch_add(1, std::memory_order_relaxed);
}

void BlockReader::store(const std::string& key, const Block& block) noexcept {
  try {
    cache_.put(key, *block);
  } catch (...) {
    // A block the disk cache could not take is fetched again when it is needed.
  }
}

void BlockReader::write_behind(const std::stop_token& stop) {
  for (;;) {
    std::pair<std::string, Block> item;
    {
      std::unique_lock lock(writes_mutex_);
      // Stopping ends the wait, not the work: what is queued is still written.
      writes_ready_.wait(lock, stop, [this] { return !writes_.empty(); });
      if (writes_.empty()) return;
      item = std::move(writes_.front());
      writes_.pop_front();
    }
    store(item.first, item.second);
  }
}

BlockReader::Piece BlockReader::source(const std::shared_ptr<const ObjectRef>& object, std::uint64_t index) {
  const std::uint64_t offset = index * options_.block_size;
  const std::size_t length =
      static_cast<std::size_t>(std::min<std::uint64_t>(options_.block_size, object->size - offset));
  const std::string key = BlockCache::key(object->checksum, object->size, options_.block_size, index);
  std::shared_future<Block> future;
  std::optional<std::promise<Block>> promise;
  for (bool disk_checked = false;; disk_checked = true) {
    {
      std::lock_guard lock(mutex_);
      if (const auto it = memory_index_.find(key); it != memory_index_.end()) {
        memory_.splice(memory_.begin(), memory_, it->second);
        memory_hits_.fetch_add(1, std::memory_order_relaxed);
        return {.memory = it->second->second, .length = length};
      }
      if (const auto it = in_flight_.find(key); it != in_flight_.end()) {
        future = it->second;
      } else if (disk_checked) {
        promise.emplace();
        future = promise->get_future().share();
        in_flight_.emplace(key, future);
      }
    }
    if (future.valid() && !promise) return {.memory = future.get(), .length = length};
    if (promise) break;
    // On disk: pinned (not read), outside the lock; gone meanwhile, it is fetched.
    if (auto file = cache_.open(key, length)) {
      disk_hits_.fetch_add(1, std::memory_order_relaxed);
      return {.file = std::make_shared<const BlockFile>(std::move(*file)), .length = length};
    }
  }
  try {
    Block data = std::move(fetch(*object, offset, length).front());
    {
      std::lock_guard lock(mutex_);
      remember(key, data);
      in_flight_.erase(key);
    }
    promise->set_value(data);
    // The reader's FUSE reply goes out when it returns: its block is written by the write-behind thread.
    store_later(key, data);
    return {.memory = std::move(data), .length = length};
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      in_flight_.erase(key);
    }
    promise->set_exception(std::current_exception());
    throw;
  }
}

void BlockReader::schedule(const std::shared_ptr<const ObjectRef>& object, std::uint64_t from, std::uint64_t to) {
  // Blocks already in memory or on their way are skipped; a block on disk is loaded by a job of its own; the rest
  // go out in runs of contiguous blocks, up to max_chunk_bytes per request (fewer, larger requests: less work for
  // lakeFS and the store per byte).
  const std::size_t bs = options_.block_size;
  const std::size_t max_chunk = std::max<std::size_t>(max_chunk_bytes / bs, 1);
  std::vector<Job> jobs;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queued) return;
    Job current;
    const auto flush = [&] {
      if (!current.blocks.empty()) jobs.push_back(std::move(current));
      current = Job{};
    };
    for (std::uint64_t i = from; i < to; ++i) {
      auto key = BlockCache::key(object->checksum, object->size, bs, i);
      if (memory_index_.contains(key) || in_flight_.contains(key)) {
        flush();
        continue;
      }
      // A block on disk is read ahead too (into memory, by a fetch thread, with direct I/O: the fetch threads
      // read several blocks at once, which a disk serves faster than one sequential reader), on its own.
      if (cache_.contains(key)) {
        flush();
        Job disk{.object = object, .first = i, .from_disk = true};
        std::promise<Block> promise;
        in_flight_.emplace(key, promise.get_future().share());
        disk.blocks.emplace_back(std::move(key), std::move(promise));
        jobs.push_back(std::move(disk));
        continue;
      }
      if (!current.blocks.empty() && current.blocks.size() >= max_chunk) flush();
      if (current.blocks.empty()) {
        current.object = object;
        current.first = i;
      }
      std::promise<Block> promise;
      in_flight_.emplace(key, promise.get_future().share());
      current.blocks.emplace_back(std::move(key), std::move(promise));
    }
    flush();
    for (auto& job : jobs) queue_.push_back(std::move(job));
  }
  if (!jobs.empty()) queue_ready_.notify_all();
}

void BlockReader::deliver(const std::string& key, std::promise<Block>& promise, Block block) {
  // Counted before anyone can have the block: a reader that got it sees it counted in stats().
  read_ahead_blocks_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    remember(key, block);
    in_flight_.erase(key);
  }
  promise.set_value(std::move(block));
}

void BlockReader::run(Job& job) {
  const std::size_t bs = options_.block_size;
  const auto& object = *job.object;
  const std::uint64_t offset = job.first * bs;
  const auto length =
      static_cast<std::size_t>(std::min<std::uint64_t>(object.size, (job.first + job.blocks.size()) * bs) - offset);
  std::size_t delivered = 0;
  std::vector<std::shared_ptr<Buffer>> data;
  try {
    if (job.from_disk) {
      auto& [key, promise] = job.blocks.front();
      auto block = pool_->acquire(length);
      if (cache_.read(key, length, *block)) {
        disk_hits_.fetch_add(1, std::memory_order_relaxed);
        deliver(key, promise, std::move(block));
        return;
      }
      // (the block left the disk cache since it was scheduled)
      data = fetch(object, offset, length);
      deliver(key, promise, data.front());
      store_later(key, data.front());
      return;
    }
    data = fetch(object, offset, length, [&](std::size_t i, const std::shared_ptr<Buffer>& block) {
      auto& [key, promise] = job.blocks[i];
      deliver(key, promise, block);
      delivered = i + 1;
    });
  } catch (...) {
    // A read-ahead that fails is only blocks the reader fetches itself (and reports) when it gets there. Blocks
    // already handed over keep their value.
    for (std::size_t i = delivered; i < job.blocks.size(); ++i) {
      auto& [key, promise] = job.blocks[i];
      {
        std::lock_guard lock(mutex_);
        in_flight_.erase(key);
      }
      promise.set_exception(std::current_exception());
    }
    return;
  }
  // Into the disk cache only once the reader has the blocks, and behind this thread, which goes on to its next
  // range: the disk holds up neither the reader nor the read-ahead.
  for (std::size_t i = 0; i < job.blocks.size(); ++i) store_later(job.blocks[i].first, data[i]);
}

void BlockReader::work(const std::stop_token& stop) {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      if (!queue_ready_.wait(lock, stop, [this] { return !queue_.empty(); })) break;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    run(job);
  }
  // Stopping: jobs nobody will run are answered, so no reader waits for them.
  std::unique_lock lock(mutex_);
  while (!queue_.empty()) {
    Job job = std::move(queue_.front());
    queue_.pop_front();
    for (auto& [key, promise] : job.blocks) {
      in_flight_.erase(key);
      promise.set_exception(std::make_exception_ptr(std::runtime_error("the mount is stopping")));
    }
  }
}

void BlockReader::read_ahead(const std::shared_ptr<const ObjectRef>& object, ReadState& state, std::size_t size,
                             std::uint64_t offset) {
  if (options_.read_ahead == 0) return;
  const std::size_t bs = options_.block_size;
  const std::uint64_t last = (offset + size - 1) / bs;
  const std::uint64_t blocks_in_object = (object->size + bs - 1) / bs;
  std::uint64_t from = 0, to = 0;
  {
    std::lock_guard lock(state.mutex);
    // Sequential: this read starts where the last one ended, or close behind or ahead of it (the kernel sends a
    // sequential reader's requests from several threads, not always in order). Anything else is random access.
    const bool sequential = offset + bs >= state.next_offset && offset <= state.next_offset + bs;
    const std::size_t max_window = std::max<std::size_t>(options_.read_ahead / bs, 1);
    if (sequential) {
      state.window = state.window == 0 ? 2 : std::min(state.window * 2, max_window);
    } else {
      state.window = 0;
      state.scheduled_until = 0;
    }
    state.next_offset = sequential ? std::max(state.next_offset, offset + size) : offset + size;
    // Topped up when less than half the window lies ahead, so requests cover half a window at a time rather
    // than one block per read.
    if (state.window > 0 && state.scheduled_until < last + 1 + (state.window + 1) / 2) {
      from = std::max(last + 1, state.scheduled_until);
      to = std::min(last + 1 + state.window, blocks_in_object);
      if (to > from) state.scheduled_until = to;
    }
  }
  if (to > from) schedule(object, from, to);
}

std::vector<BlockReader::Piece> BlockReader::pieces(const std::shared_ptr<const ObjectRef>& object, ReadState& state,
                                                    std::size_t size, std::uint64_t offset) {
  if (offset >= object->size || size == 0) return {};
  size = static_cast<std::size_t>(std::min<std::uint64_t>(size, object->size - offset));
  read_ahead(object, state, size, offset);
  const std::size_t bs = options_.block_size;
  std::vector<Piece> out;
  std::size_t done = 0;
  for (std::uint64_t i = offset / bs; done < size; ++i) {
    auto piece = source(object, i);
    piece.from = static_cast<std::size_t>(std::max(offset, i * bs) - i * bs);
    piece.length = std::min(piece.length - piece.from, size - done);
    done += piece.length;
    out.push_back(std::move(piece));
  }
  return out;
}

std::size_t BlockReader::read(const std::shared_ptr<const ObjectRef>& object, ReadState& state, char* out,
                              std::size_t size, std::uint64_t offset) {
  std::size_t done = 0;
  for (const auto& piece : pieces(object, state, size, offset)) {
    if (piece.memory) {
      std::memcpy(out + done, piece.memory->data() + piece.from, piece.length);
    } else if (!piece.file->read(out + done, piece.length, piece.from)) {
      throw std::runtime_error("a block of the disk cache could not be read");
    }
    done += piece.length;
  }
  return done;
}

}  // namespace lakefs_mount
