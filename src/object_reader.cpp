// SPDX-License-Identifier: Apache-2.0
// ObjectReader: a streambuf over an object's bytes, in one of two modes. Every request runs on the client's
// asynchronous engine or on the reading thread itself: the reader has no thread of its own.
//
// Streaming (the default): one open-ended GET from the reader's position, run on the engine, whose body reaches a
// StreamPipe. A caller reading into a large buffer gets the bytes copied straight from the transport's receive
// buffer into its own (the only copy in user space); between reads they wait in a bounded ring, so the connection
// keeps moving while the caller works. When the ring is full the transfer pauses (libcurl's pause: the engine stops
// reading that socket, TCP holds the sender back) until the caller has taken enough to make room: the caller's
// reads pull the body. A reader through lakeFS opens with that GET alone: its head gives the size and the ETag (the
// version), and a stat is sent only if info() is asked for.
//
// Blocks: after a seek the stream cannot serve (backwards, or further ahead than it has buffered), and from the
// start when read-ahead is off: range requests of one block each, made on the reading thread, with one block of
// read-ahead on the engine while access is sequential. Every block's ETag must be the version's, so an object
// replaced since the reader opened is ObjectChangedError rather than a mix of two versions.
#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include "async/via.hpp"
#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"
#include "lakefs/object_io.hpp"
#include "model/convert.hpp"
#include "object_tasks.hpp"
#include "transfer/object_get.hpp"
#include "transfer/object_io_support.hpp"
#include "transfer/presign.hpp"
#include "transport/paced_sink.hpp"

namespace lakefs {
namespace detail {

namespace {

// Reads of at least this many bytes bypass the get area: the stream copies into the caller's buffer directly.
constexpr std::size_t direct_read_threshold = 64u << 10;
// The get area for small reads (getline, >>, istreambuf_iterator) while streaming.
constexpr std::size_t stream_area_size = 64u << 10;

// Requests stop on a background transfer's own source when the caller's token is stopped.
struct StopForward {
  std::stop_source target;
  void operator()() noexcept { target.request_stop(); }
};

// A stop source of its own for a background transfer, stopped also when `caller` is.
struct OwnStop {
  std::stop_source source;
  std::unique_ptr<std::stop_callback<StopForward>> forward;

  explicit OwnStop(const std::stop_token& caller) {
    if (caller.stop_possible())
      forward = std::make_unique<std::stop_callback<StopForward>>(caller, StopForward{source});
  }
};

}  // namespace

// A bounded byte pipe from one producer (the transfer receiving a response body) to one consumer (the reader).
// A consumer waiting with a buffer of its own has the bytes copied straight into it; otherwise they wait in a ring
// of `capacity` bytes. A producer finding no room either pauses its transfer (offer: the engine's transfers; the
// consumer wakes it once the chunk fits) or blocks (push: any other transport).
class StreamPipe {
 public:
  explicit StreamPipe(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

  // Producer: takes all of `chunk` (true), or none (false) when it does not fit: `wake` is then called once it
  // does. Throws TransferCancelled once the consumer closed.
  bool offer(std::string_view chunk, const PacedSink::Wake& wake) {
    std::lock_guard lock(mutex_);
    if (closed_) throw TransferCancelled{};
    if (!fits(chunk.size())) {
      paused_for_ = chunk.size();
      wake_ = wake;
      return false;
    }
    put(chunk);
    return true;
  }

  // Producer: hands over `chunk`, blocking while there is no room. Throws TransferCancelled once the consumer closed.
  void push(std::string_view chunk) {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (closed_) throw TransferCancelled{};
      if (fits(chunk.size())) break;
      space_.wait(lock);
    }
    put(chunk);
  }

  // Producer: the stream ended, with `error` when it failed.
  void finish(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    finished_ = true;
    error_ = std::move(error);
    data_.notify_all();  // the reader, and a close() waiting for the end
  }

  // Consumer: copies between `min` and `size` bytes into `out` (fewer only when the stream ended); 0 at the end.
  // Rethrows the producer's error when it came before `min` bytes did.
  std::size_t read(char* out, std::size_t size, std::size_t min) {
    PacedSink::Wake wake;
    std::unique_lock lock(mutex_);
    std::size_t got = take(out, size);
    if (got < min && !finished_) {
      target_ = out + got;
      target_size_ = size - got;
      target_min_ = min - got;
      target_filled_ = 0;
      waiting_ = true;
      space_.notify_one();
      wake = wake_if_fits();
      if (wake) {
        lock.unlock();
        wake();
        lock.lock();
      }
      data_.wait(lock, [&] { return target_filled_ >= target_min_ || finished_; });
      got += target_filled_;
      waiting_ = false;
      target_ = nullptr;
      target_size_ = target_filled_ = target_min_ = 0;
      // The ring may have been written after the target filled up: take what fits.
      got += take(out + got, size - got);
    }
    // A failure before `min` bytes is the read's failure (what was copied does not count).
    if (got < min && finished_ && error_) std::rethrow_exception(error_);
    wake = wake_if_fits();
    lock.unlock();
    if (wake) wake();
    return got;
  }

  // Consumer: no more bytes wanted; the producer's next chunk throws TransferCancelled (a paused one is woken for
  // it). Then waits until the producer has finished.
  void close_and_wait() {
    PacedSink::Wake wake;
    std::unique_lock lock(mutex_);
    closed_ = true;
    space_.notify_one();
    if (paused_for_ != 0) {
      paused_for_ = 0;
      wake = std::move(wake_);
    }
    lock.unlock();
    if (wake) wake();
    lock.lock();
    data_.wait(lock, [&] { return finished_; });
  }

  // Producer, before its first chunk: the stream has at most `bytes` left, so a larger ring would only waste memory.
  void limit(std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    if (!ring_) capacity_ = static_cast<std::size_t>(std::clamp<std::uint64_t>(bytes, 1, capacity_));
  }

  // Bytes received and not yet taken.
  [[nodiscard]] std::size_t buffered() {
    std::lock_guard lock(mutex_);
    return stored_;
  }

  // Consumer: drops `n` buffered bytes (n <= buffered()).
  void skip(std::size_t n) {
    std::unique_lock lock(mutex_);
    n = std::min(n, stored_);
    head_ = (head_ + n) % capacity_;
    stored_ -= n;
    if (stored_ == 0) head_ = 0;
    space_.notify_one();
    const PacedSink::Wake wake = wake_if_fits();
    lock.unlock();
    if (wake) wake();
  }

 private:
  // Whether a chunk of `n` bytes can be taken now (lock held): into a waiting reader's buffer and the ring's free
  // space, or into an empty ring (grown for a chunk larger than the ring: a transport's chunk is never split).
  [[nodiscard]] bool fits(std::size_t n) const noexcept {
    const std::size_t target_room = waiting_ ? target_size_ - target_filled_ : 0;
    return stored_ == 0 || n <= target_room + (capacity_ - stored_);
  }

  // Copies all of `chunk` (it fits) to the waiting reader's buffer, then the ring (lock held).
  void put(std::string_view chunk) {
    if (waiting_ && target_filled_ < target_size_) {
      const std::size_t n = std::min(chunk.size(), target_size_ - target_filled_);
      std::memcpy(target_ + target_filled_, chunk.data(), n);
      target_filled_ += n;
      chunk.remove_prefix(n);
      if (target_filled_ >= target_min_) data_.notify_all();
    }
    if (chunk.empty()) return;
    if (stored_ == 0 && chunk.size() > capacity_) {
      ring_.reset();
      capacity_ = chunk.size();
      head_ = 0;
    }
    if (!ring_) ring_ = std::make_unique_for_overwrite<char[]>(capacity_);
    while (!chunk.empty()) {
      const std::size_t tail = (head_ + stored_) % capacity_;
      const std::size_t n = std::min(chunk.size(), capacity_ - tail);
      std::memcpy(ring_.get() + tail, chunk.data(), n);
      stored_ += n;
      chunk.remove_prefix(n);
    }
    if (waiting_) data_.notify_all();
  }

  // The wake of a paused producer whose chunk fits now, taken (lock held); empty otherwise.
  [[nodiscard]] PacedSink::Wake wake_if_fits() {
    if (paused_for_ == 0 || !fits(paused_for_)) return {};
    paused_for_ = 0;
    return std::move(wake_);
  }

  // Moves up to `size` ring bytes to `out` (lock held).
  std::size_t take(char* out, std::size_t size) {
    std::size_t got = 0;
    while (got < size && stored_ > 0) {
      const std::size_t n = std::min({size - got, stored_, capacity_ - head_});
      std::memcpy(out + got, ring_.get() + head_, n);
      head_ = (head_ + n) % capacity_;
      stored_ -= n;
      got += n;
    }
    if (stored_ == 0) head_ = 0;
    if (got > 0) space_.notify_one();
    return got;
  }

  std::mutex mutex_;
  std::condition_variable data_;   // the consumer waits for bytes (or, closing, for the end)
  std::condition_variable space_;  // a pushing producer waits for room
  std::size_t capacity_;
  std::unique_ptr<char[]> ring_;  // allocated when first needed
  std::size_t head_ = 0, stored_ = 0;
  char* target_ = nullptr;
  std::size_t target_size_ = 0, target_filled_ = 0, target_min_ = 0;
  bool waiting_ = false;
  bool finished_ = false;
  bool closed_ = false;
  std::exception_ptr error_;
  // A paused producer: the size of the chunk it could not hand over (0: none), and how to wake it.
  std::size_t paused_for_ = 0;
  PacedSink::Wake wake_;
};

class ReaderBuf : public std::streambuf {
 public:
  ReaderBuf(const StoredObject& object, const ReaderOptions& options)
      : client_(object.client()),
        name_{object.repo_id(), object.ref_id(), object.path()},
        block_size_(options.block_size == 0 ? default_block_size : options.block_size),
        read_ahead_(options.read_ahead),
        call_(options.call) {
    require_non_empty(name_.path, "object path");
    async::detail::check_not_on_engine_thread("ObjectReader");
    pre_signed_ = use_pre_sign(client_, options.pre_sign, "ObjectReader", options.call);
    if (pre_signed_ || !read_ahead_) {
      // The pre-signed URL comes from a stat; without read-ahead the reader reads blocks, which need the size first.
      info_ = object.stat({.pre_sign = pre_signed_, .call = call_});
      have_stat_ = true;
      size_ = static_cast<std::uint64_t>(std::max<std::int64_t>(info_.size_bytes, 0));
      version_ = info_.checksum;
      if (pre_signed_) {
        // The URL stays private: info() must not hand out a live bearer credential nobody asked for.
        url_ = std::make_unique<SharedUrl>(std::move(info_.physical_address), [this] { return renew_url(); });
        info_.physical_address.clear();
        info_.physical_address_expiry.reset();
      }
    }
    if (read_ahead_) {
      start_stream(0);
    } else {
      streaming_ = false;
    }
  }

  ReaderBuf(const ReaderBuf&) = delete;
  ReaderBuf& operator=(const ReaderBuf&) = delete;
  ~ReaderBuf() override {
    stop_stream();
    cancel_ahead();
  }

  [[nodiscard]] const ObjectInfo& info() const {
    if (!have_stat_) {
      auto info = StoredObject(name_.repo, name_.ref, name_.path, client_).stat({.call = call_});
      if (!version_.empty() && info.checksum != version_) throw ObjectChangedError(name_.repo, name_.ref, name_.path);
      info_ = std::move(info);
      have_stat_ = true;
    }
    return info_;
  }
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }

 protected:
  int_type underflow() override {
    if (gptr() != nullptr && gptr() < egptr()) return traits_type::to_int_type(*gptr());
    check_stop();
    const std::uint64_t pos = position();
    if (pos >= size_) return traits_type::eof();
    if (streaming_ && catch_up(pos)) {
      if (!area_) area_ = std::make_unique_for_overwrite<char[]>(stream_area_size);
      const std::size_t n = take(area_.get(), std::min<std::uint64_t>(stream_area_size, size_ - pos), 1);
      base_ = pos;
      setg(area_.get(), area_.get(), area_.get() + n);
      if (n == 0) return traits_type::eof();
      return traits_type::to_int_type(*gptr());
    }
    const auto block = static_cast<std::int64_t>(pos / block_size_);
    if (block != current_block_) load(block);
    show(pos);
    return traits_type::to_int_type(*gptr());
  }

  std::streamsize xsgetn(char* out, std::streamsize count) override {
    if (!streaming_) return std::streambuf::xsgetn(out, count);
    std::streamsize got = 0;
    while (got < count) {
      if (gptr() != nullptr && gptr() < egptr()) {
        const auto n = std::min<std::streamsize>(egptr() - gptr(), count - got);
        std::memcpy(out + got, gptr(), static_cast<std::size_t>(n));
        gbump(static_cast<int>(n));
        got += n;
        continue;
      }
      const auto wanted = static_cast<std::size_t>(count - got);
      if (wanted < direct_read_threshold || !streaming_) {
        if (traits_type::eq_int_type(underflow(), traits_type::eof())) break;
        continue;
      }
      check_stop();
      const std::uint64_t pos = position();
      if (pos >= size_) break;
      if (!catch_up(pos)) continue;  // the stream cannot serve `pos`: blocks from here on
      // Straight into the caller's buffer.
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(wanted, size_ - pos));
      const std::size_t n = take(out + got, want, want);
      setg(nullptr, nullptr, nullptr);
      base_ = pos + n;
      got += static_cast<std::streamsize>(n);
      if (n < want) break;
    }
    return got;
  }

  std::streamsize showmanyc() override {
    const std::uint64_t pos = position();
    return pos < size_ ? static_cast<std::streamsize>(size_ - pos) : -1;
  }

  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override {
    if ((which & std::ios_base::in) == 0) return pos_type(off_type(-1));
    std::int64_t base = 0;
    if (dir == std::ios_base::cur) base = static_cast<std::int64_t>(position());
    if (dir == std::ios_base::end) base = static_cast<std::int64_t>(size_);
    std::int64_t target = 0;
    // A target outside int64 is a failed seek, like any other impossible position.
    if (__builtin_add_overflow(base, static_cast<std::int64_t>(off), &target)) return pos_type(off_type(-1));
    return seek_to(target);
  }

  pos_type seekpos(pos_type pos, std::ios_base::openmode which) override {
    if ((which & std::ios_base::in) == 0) return pos_type(off_type(-1));
    return seek_to(static_cast<std::int64_t>(off_type(pos)));
  }

 private:
  // Object offset of the next byte the caller reads: base_ is the offset of eback() (or the position itself when
  // nothing is shown).
  [[nodiscard]] std::uint64_t position() const { return base_ + static_cast<std::uint64_t>(gptr() - eback()); }

  void check_stop() const {
    if (call_.stop.stop_requested()) throw CancelledError("ObjectReader of '" + name_.path + "': cancelled");
  }

  pos_type seek_to(std::int64_t target) {
    if (target < 0) return pos_type(off_type(-1));
    const auto pos = static_cast<std::uint64_t>(target);
    const std::uint64_t here = position();
    if (pos == here) return pos_type(off_type(target));  // tellg(): no side effects
    if (streaming_) {
      if (eback() != nullptr && pos >= base_ && pos < base_ + static_cast<std::uint64_t>(egptr() - eback())) {
        setg(eback(), eback() + (pos - base_), egptr());  // inside the get area
        return pos_type(off_type(target));
      }
      // Only noted: the next read decides whether the stream can serve it (catch_up), so that seekg(0, end),
      // tellg(), seekg(0) leaves the stream as it was.
      stream_pos_ = stream_end();
      stream_pos_valid_ = true;
      setg(nullptr, nullptr, nullptr);
      base_ = pos;
      return pos_type(off_type(target));
    }
    const auto block = static_cast<std::int64_t>(pos / block_size_);
    if (block == current_block_ && pos < size_) {
      show(pos);
    } else {
      // Leaving the block: a read-ahead for anything but the target block is wasted.
      if (ahead_ && ahead_->block != block) cancel_ahead();
      setg(nullptr, nullptr, nullptr);
      base_ = pos;
    }
    return pos_type(off_type(target));
  }

  // --- streaming ---

  // Object offset of the next byte the stream hands over: the end of the get area, or the position when nothing is
  // shown (the stream is then at the position, unless a seek moved the position since: see stream_pos_).
  [[nodiscard]] std::uint64_t stream_end() const {
    if (eback() == nullptr) return stream_pos_valid_ ? stream_pos_ : base_;
    return base_ + static_cast<std::uint64_t>(egptr() - eback());
  }

  // Before taking from the stream for position `pos` (nothing shown): whether the stream serves it, after skipping
  // what lies before it when that is already received. Otherwise the stream ends and the reader reads blocks.
  bool catch_up(std::uint64_t pos) {
    if (!stream_pos_valid_) return true;
    const std::uint64_t at = stream_pos_;
    stream_pos_valid_ = false;
    if (pos == at) return true;
    if (pos > at && pos - at <= stream_->pipe.buffered()) {
      stream_->pipe.skip(static_cast<std::size_t>(pos - at));
      return true;
    }
    stop_stream();
    streaming_ = false;
    return false;
  }

  // One open-ended GET and where its body goes. Shared by the reader and the task running the GET on the engine
  // (its body_sink holds it as a PacedSink); the reader waits for the task's end before it lets go.
  class Stream final : public PacedSink {
   public:
    Stream(std::size_t capacity, const std::stop_token& caller) : pipe(capacity), stop(caller) {}

    // The engine's transfer: all of the chunk past what a retry sends again, or none (the transfer pauses).
    bool offer(std::string_view chunk, const Wake& wake) override {
      return hand_over(chunk, [&](std::string_view fresh) { return pipe.offer(fresh, wake); });
    }
    // Another transport's thread (a custom Transport): blocks while the reader is behind.
    void push(std::string_view chunk) override {
      (void)hand_over(chunk, [&](std::string_view fresh) {
        pipe.push(fresh);
        return true;
      });
    }

    StreamPipe pipe;
    OwnStop stop;
    // Set once the response's head was checked (the constructor of a reader through lakeFS waits for it).
    std::promise<void> opened;
    bool opened_set = false;  // the producer's side of `opened`
    std::string path;         // for messages
    // The producer's count: body bytes handed over, bytes a retried attempt sends again (the pipe has them), and
    // bytes the stream should have (unknown: the most there is).
    std::uint64_t delivered = 0;
    std::uint64_t skip = 0;
    std::uint64_t expected = std::numeric_limits<std::uint64_t>::max();

   private:
    // Gives `put` the bytes of `chunk` past what a retry sends again; counts them once `put` took them (true).
    template <typename Put>
    bool hand_over(std::string_view chunk, Put put) {
      const auto repeated = static_cast<std::size_t>(std::min<std::uint64_t>(skip, chunk.size()));
      const std::string_view fresh = chunk.substr(repeated);
      if (fresh.size() > expected - delivered) {
        throw ProtocolError("object '" + path + "': the server sent more bytes than the object has");
      }
      if (!fresh.empty() && !put(fresh)) return false;
      skip -= repeated;
      delivered += fresh.size();
      return true;
    }
  };

  // Opens the stream at `offset` (the reader's position), its GET on the engine. The first stream of a reader
  // through lakeFS learns the object's size and version from the head of its answer; the constructor waits for it.
  void start_stream(std::uint64_t offset) {
    const bool first = version_.empty() && !have_stat_;
    auto stream = std::make_shared<Stream>(block_size_, call_.stop);
    stream->path = name_.path;
    if (!first) stream->expected = size_ - std::min(size_, offset);
    auto opened = stream->opened.get_future();
    stream_ = stream;
    streaming_ = true;
    base_ = offset;
    async::spawn(run_stream(stream, offset, first), [stream](async::Outcome<void> outcome) {
      std::exception_ptr error = outcome.error();
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const TransferCancelled&) {
          error = nullptr;  // the reader closed the stream: nobody waits for the rest
        } catch (...) {
        }
      }
      if (!stream->opened_set) {
        stream->opened.set_exception(error ? error : std::make_exception_ptr(CancelledError("ObjectReader: closed")));
      }
      stream->pipe.finish(error);
    });
    if (first) {
      try {
        opened.get();  // the head, or the failure to open (a missing object, a transport error)
      } catch (...) {
        stop_stream();
        throw;
      }
      if (size_unknown_) {
        // A body a proxy compressed (Content-Encoding) or sent chunked does not tell the object's size: a stat
        // does, checked against the version being read.
        const auto info = StoredObject(name_.repo, name_.ref, name_.path, client_).stat({.call = call_});
        if (!version_.empty() && info.checksum != version_) {
          stop_stream();
          throw ObjectChangedError(name_.repo, name_.ref, name_.path);
        }
        size_ = static_cast<std::uint64_t>(std::max<std::int64_t>(info.size_bytes, 0));
      }
    }
  }

  // The producer: the GET of the body from `offset` to the end, on the engine. Reads only immutable members, and
  // writes version_, size_ and size_unknown_ (a first stream) before it sets `opened`, which the constructor waits
  // for. A retried attempt starts at `offset` again: what the pipe already has is skipped, not repeated (the
  // version is checked again on its head; a pre-signed URL names one immutable physical object).
  async::Task<void> run_stream(std::shared_ptr<Stream> stream, std::uint64_t offset, bool learn) {
    Stream& s = *stream;
    const auto start = [this, &s, learn](const http::Response& head) {
      if (!pre_signed_) {
        if (!s.opened_set && learn) {
          const auto etag = head.header("etag");
          version_ = etag ? unquote_etag(*etag) : std::string();
        } else {
          check_version(head);
        }
      }
      if (s.opened_set) return;
      if (learn) {
        if (head.status != 200) {
          throw ProtocolError("object '" + name_.path + "': the server answered HTTP " + std::to_string(head.status) +
                              " to a GET without a range");
        }
        const auto encoding = head.header("content-encoding");
        const auto length = encoding && *encoding != "identity" ? std::nullopt : content_length(head);
        if (length) {
          size_ = *length;
          s.expected = *length;
        } else {
          size_unknown_ = true;  // the constructor asks a stat
        }
      }
      if (s.expected != std::numeric_limits<std::uint64_t>::max()) s.pipe.limit(s.expected);
      s.opened_set = true;
      s.opened.set_value();
    };
    const std::string range = offset == 0 ? std::string() : "bytes=" + std::to_string(offset) + "-";
    http::Request request;
    if (pre_signed_) {
      if (!range.empty()) request.headers.emplace_back("Range", range);
    } else {
      request = object_get_request(name_, range);
    }
    request.body_start = start;
    request.body_sink = PacedSinkRef{stream};
    request.restart_body = [&s] { s.skip = s.delivered; };
    request.call = call_;
    request.call.stop = s.stop.source.get_token();
    if (pre_signed_) {
      (void)co_await presigned_send(Via::engine, client_, *url_, name_, std::move(request));
    } else {
      (void)co_await object_task(send_via(Via::engine, client_, std::move(request)), name_.repo, name_.ref, name_.path);
    }
    if (!s.opened_set) start(http::Response{.status = 200, .body = {}, .headers = {}});  // not reached: the hook runs
    if (s.expected != std::numeric_limits<std::uint64_t>::max() && s.delivered != s.expected) {
      throw ProtocolError("object '" + name_.path + "': the server sent " + std::to_string(s.delivered) +
                          " bytes of the " + std::to_string(s.expected) + " the object has from offset " +
                          std::to_string(offset));
    }
  }

  // Takes between `min` and `size` bytes of the stream into `out`.
  std::size_t take(char* out, std::size_t size, std::size_t min) {
    async::detail::check_not_on_engine_thread("ObjectReader");  // the engine must deliver what is waited for
    const std::size_t n = stream_->pipe.read(out, size, min);
    if (n == 0 && size > 0) {
      throw ProtocolError("object '" + name_.path + "': the stream ended before the object's end");
    }
    return n;
  }

  // Ends the stream: its transfer is stopped (a paused one too) and waited for.
  void stop_stream() noexcept {
    if (!stream_) return;
    stream_->stop.source.request_stop();  // a transfer waiting on the network is aborted too
    stream_->pipe.close_and_wait();
    stream_.reset();
    area_.reset();
  }

  // --- blocks ---

  // Shows the current block with the get pointer at `pos` (inside the block).
  void show(std::uint64_t pos) {
    base_ = static_cast<std::uint64_t>(current_block_) * block_size_;
    char* data = current_.data.get();
    setg(data, data + (pos - base_), data + current_.len);
  }

  void load(std::int64_t block) {
    // Checked here too: a block the read-ahead completed just before the stop is not handed out after it.
    check_stop();
    const bool sequential = block == last_loaded_ + 1;
    Block loaded;
    if (ahead_ && ahead_->block == block) {
      auto ahead = std::move(*ahead_);
      ahead_.reset();
      loaded = ahead.result.get();  // rethrows the read-ahead's failure
    } else {
      cancel_ahead();
      loaded = std::move(spare_);
      async::detail::check_not_on_engine_thread("ObjectReader");  // a read-ahead may be the engine's to finish
      run_on_caller(fetch(Via::caller, block, loaded, call_));
    }
    setg(nullptr, nullptr, nullptr);
    base_ = static_cast<std::uint64_t>(block) * block_size_;
    spare_ = std::move(current_);
    current_ = std::move(loaded);
    current_block_ = block;
    last_loaded_ = block;
    const auto next = block + 1;
    if (read_ahead_ && sequential && static_cast<std::uint64_t>(next) * block_size_ < size_) start_ahead(next);
  }

  void start_ahead(std::int64_t block) {
    // The read-ahead runs on the engine and stops on its own source: when the reader leaves the block or closes,
    // and when the caller's token is stopped (forwarded).
    auto stop = std::make_unique<OwnStop>(call_.stop);
    CallOptions call = call_;
    call.stop = stop->source.get_token();
    ahead_.emplace(Ahead{block, {}, std::move(stop)});
    ahead_->result = async::spawn(fetch_ahead(block, std::move(spare_), std::move(call)));
  }

  async::Task<Block> fetch_ahead(std::int64_t block, Block buffer, CallOptions call) {
    co_await fetch(Via::engine, block, buffer, call);
    co_return std::move(buffer);
  }

  void cancel_ahead() noexcept {
    if (!ahead_) return;
    ahead_->stop->source.request_stop();  // aborts the transfer in flight
    try {
      ahead_->result.wait();
      spare_ = ahead_->result.get();  // keep the buffer when it completed anyway
    } catch (...) {
      // cancelled or failed: nobody wants this block
    }
    ahead_.reset();
  }

  // Fills `out` with block `block` of the object: on the reading thread (Via::caller) or, for the read-ahead, on
  // the engine (then `call.stop` is the read-ahead's own). A stop aborts the transfer with CancelledError. Only
  // immutable members are read here. `out` and `call` outlive the task.
  async::Task<void> fetch(Via via, std::int64_t block, Block& out, const CallOptions& call) const {
    const std::uint64_t offset = static_cast<std::uint64_t>(block) * block_size_;
    const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(block_size_, size_ - offset));
    // Never more than the object needs: small objects get small buffers.
    if (!out.data) out.data = std::make_unique_for_overwrite<char[]>(std::min<std::uint64_t>(block_size_, size_));
    out.len = 0;
    const std::string range = "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
    http::Request request;
    if (pre_signed_) {
      request.headers.emplace_back("Range", range);
    } else {
      request = object_get_request(name_, range);
      // The version is checked before any byte is taken: a replaced object never reaches the caller's buffer.
      request.body_start = [this](const http::Response& head) { check_version(head); };
    }
    request.body_sink = [this, &out, &call, length](std::string_view chunk) {
      if (call.stop.stop_requested()) throw CancelledError("ObjectReader of '" + name_.path + "': cancelled");
      if (chunk.size() > length - out.len) {
        throw ProtocolError("object '" + name_.path + "': the server sent more bytes than the range asked for");
      }
      std::memcpy(out.data.get() + out.len, chunk.data(), chunk.size());
      out.len += chunk.size();
    };
    request.restart_body = [&out] { out.len = 0; };
    request.call = call;
    if (pre_signed_) {
      (void)co_await presigned_send(via, client_, *url_, name_, std::move(request));
    } else {
      (void)co_await object_task(send_via(via, client_, std::move(request)), name_.repo, name_.ref, name_.path);
    }
    if (out.len != length) {
      throw ProtocolError("object '" + name_.path + "': the server sent " + std::to_string(out.len) + " bytes for a " +
                          std::to_string(length) + "-byte range");
    }
  }

  // ObjectChangedError when the answer `head` (through lakeFS: its ETag is the checksum) is of another version.
  void check_version(const http::Response& head) const {
    const auto etag = head.header("etag");
    if (etag && !version_.empty() && unquote_etag(*etag) != version_) {
      throw ObjectChangedError(name_.repo, name_.ref, name_.path);
    }
  }

  // A fresh pre-signed URL after the store rejected the last one (expired): from a new stat, which is also where an
  // object replaced since the reader opened shows (until then the old URL reads the old version consistently).
  // Asked where the rejected request ran: on the engine (the stream, a read-ahead) or on the reading thread.
  async::Task<std::string> renew_url() const {
    const StoredObject object(name_.repo, name_.ref, name_.path, client_);
    const StatOptions stat{.pre_sign = true, .call = call_};  // named: GCC 12 and braced temporaries in co_await
    ObjectInfo fresh;
    if (async::on_engine_thread()) {
      fresh = co_await detail::stat_unadmitted(object, stat);
    } else {
      fresh = object.stat(stat);
    }
    if (fresh.checksum != version_) throw ObjectChangedError(name_.repo, name_.ref, name_.path);
    co_return std::move(fresh.physical_address);
  }

  struct Ahead {
    std::int64_t block = -1;
    std::future<Block> result;
    std::unique_ptr<OwnStop> stop;
  };

  // Fixed once the reader is open (read by the stream and read-ahead threads).
  Client client_;
  ObjectName name_;
  std::size_t block_size_;
  bool read_ahead_;
  CallOptions call_;
  bool pre_signed_ = false;
  std::unique_ptr<SharedUrl> url_;  // pre-signed: thread-safe, shared by the stream and the blocks
  std::string version_;             // the ETag (lakeFS checksum) of the version being read
  std::uint64_t size_ = 0;
  bool size_unknown_ = false;  // a first stream's head did not tell the size (set before `opened`)

  // Owned by the reading thread.
  mutable ObjectInfo info_{};
  mutable bool have_stat_ = false;
  bool streaming_ = true;
  std::shared_ptr<Stream> stream_;
  std::unique_ptr<char[]> area_;  // the get area while streaming
  // After a seek while streaming: the offset of the stream's next byte, which the position no longer tells.
  std::uint64_t stream_pos_ = 0;
  bool stream_pos_valid_ = false;
  Block current_{};
  Block spare_{};
  std::int64_t current_block_ = -1;
  std::int64_t last_loaded_ = -1;  // block 0 counts as sequential
  std::uint64_t base_ = 0;         // object offset of eback() (or of the position, when nothing is shown)
  std::optional<Ahead> ahead_{};
};

}  // namespace detail

ObjectReader::ObjectReader(const StoredObject& object, ReaderOptions options)
    : std::istream(nullptr), buf_(std::make_unique<detail::ReaderBuf>(object, options)) {
  rdbuf(buf_.get());
  exceptions(std::ios_base::badbit);
}

ObjectReader::ObjectReader(ObjectReader&& other) noexcept
    : std::istream(std::move(other)), buf_(std::move(other.buf_)) {
  set_rdbuf(buf_.get());
}

ObjectReader::~ObjectReader() = default;

const ObjectInfo& ObjectReader::info() const { return buf_->info(); }

std::uint64_t ObjectReader::size() const noexcept { return buf_->size(); }

}  // namespace lakefs
