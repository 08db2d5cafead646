// ObjectReader: a streambuf over HTTP range requests, one block at a time,
// with one block of background read-ahead while access is sequential.
#include "lakefs/object_io.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "detail/convert.hpp"
#include "detail/object_io_support.hpp"
#include "detail/presign.hpp"
#include "detail/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"

namespace lakefs {
namespace detail {


class ReaderBuf : public std::streambuf {
 public:
  ReaderBuf(const StoredObject& object, const ReaderOptions& options)
      : client_(object.client()),
        repo_(object.repo_id()),
        ref_(object.ref_id()),
        path_(object.path()),
        block_size_(options.block_size == 0 ? default_block_size : options.block_size),
        read_ahead_(options.read_ahead),
        call_(options.call) {
    require_non_empty(path_, "object path");
    pre_signed_ = use_pre_sign(client_, options.pre_sign, "ObjectReader");
    info_ = object.stat({.pre_sign = pre_signed_, .call = call_});
    size_ = static_cast<std::uint64_t>(std::max<std::int64_t>(info_.size_bytes, 0));
    if (pre_signed_) {
      // The URL stays private: info() must not hand out a live bearer credential nobody asked for.
      url_ = std::make_unique<RenewableUrl>(std::move(info_.physical_address), [this] { return renew_url(); });
      info_.physical_address.clear();
      info_.physical_address_expiry.reset();
    }
  }

  ReaderBuf(const ReaderBuf&) = delete;
  ReaderBuf& operator=(const ReaderBuf&) = delete;
  ~ReaderBuf() override { cancel_ahead(); }

  [[nodiscard]] const ObjectInfo& info() const noexcept { return info_; }
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }

 protected:
  int_type underflow() override {
    if (gptr() != nullptr && gptr() < egptr()) return traits_type::to_int_type(*gptr());
    const std::uint64_t pos = position();
    if (pos >= size_) return traits_type::eof();
    const auto block = static_cast<std::int64_t>(pos / block_size_);
    if (block != current_block_) load(block);
    show(pos);
    return traits_type::to_int_type(*gptr());
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
  [[nodiscard]] std::uint64_t position() const {
    return base_ + static_cast<std::uint64_t>(gptr() - eback());  // both null when nothing is shown
  }

  // Shows the current block with the get pointer at `pos` (inside the block).
  void show(std::uint64_t pos) {
    base_ = static_cast<std::uint64_t>(current_block_) * block_size_;
    char* data = current_.data.get();
    setg(data, data + (pos - base_), data + current_.len);
  }

  pos_type seek_to(std::int64_t target) {
    if (target < 0) return pos_type(off_type(-1));
    const auto pos = static_cast<std::uint64_t>(target);
    if (pos == position()) return pos_type(off_type(target));  // tellg(): no side effects
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

  void load(std::int64_t block) {
    // Checked here too: a block the read-ahead completed just before the stop is not handed out after it.
    if (call_.stop.stop_requested()) throw CancelledError("ObjectReader of '" + path_ + "': cancelled");
    const bool sequential = block == last_loaded_ + 1;
    Block loaded;
    if (ahead_ && ahead_->block == block) {
      auto ahead = std::move(*ahead_);
      ahead_.reset();
      loaded = ahead.result.get();  // rethrows the read-ahead's failure
    } else {
      cancel_ahead();
      loaded = std::move(spare_);
      fetch(block, loaded, call_);
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
    // The read-ahead stops on its own source: when the reader leaves the block or closes, and when the caller's
    // token is stopped (forwarded by a stop_callback).
    std::stop_source stop;
    std::unique_ptr<std::stop_callback<StopForward>> forward;
    if (call_.stop.stop_possible()) {
      forward = std::make_unique<std::stop_callback<StopForward>>(call_.stop, StopForward{stop});
    }
    CallOptions call = call_;
    call.stop = stop.get_token();
    ahead_.emplace(Ahead{block, {}, stop, std::move(forward)});
    ahead_->result =
        std::async(std::launch::async, [this, block, call = std::move(call), buffer = std::move(spare_)]() mutable {
          fetch(block, buffer, call);
          return std::move(buffer);
        });
  }

  void cancel_ahead() noexcept {
    if (!ahead_) return;
    ahead_->stop.request_stop();  // aborts the transfer in flight
    try {
      ahead_->result.wait();
      spare_ = ahead_->result.get();  // keep the buffer when it completed anyway
    } catch (...) {
      // cancelled or failed: nobody wants this block
    }
    ahead_.reset();
  }

  // Fills `out` with block `block` of the object. Runs on the caller's thread or
  // on a read-ahead thread (then `call.stop` is the read-ahead's own). A stop
  // aborts the transfer with CancelledError. Only immutable members are read here.
  void fetch(std::int64_t block, Block& out, const CallOptions& call) const {
    const std::uint64_t offset = static_cast<std::uint64_t>(block) * block_size_;
    const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(block_size_, size_ - offset));
    // Never more than the object needs: small objects get small buffers.
    if (!out.data) out.data = std::make_unique_for_overwrite<char[]>(std::min<std::uint64_t>(block_size_, size_));
    out.len = 0;
    const auto sink = [&](std::string_view chunk) {
      if (call.stop.stop_requested()) throw CancelledError("ObjectReader of '" + path_ + "': cancelled");
      if (chunk.size() > length - out.len) {
        throw ProtocolError("object '" + path_ + "': the server sent more bytes than the range asked for");
      }
      std::memcpy(out.data.get() + out.len, chunk.data(), chunk.size());
      out.len += chunk.size();
    };
    const std::string range = "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
    if (pre_signed_) {
      (void)presigned_get(client_, *url_, {repo_, ref_, path_}, range, sink, [&] { out.len = 0; }, call);
    } else {
      const auto response = object_call(repo_, ref_, path_, [&] {
        return client_.api().objects.get_object(
            {.repository = repo_, .ref = ref_, .path = path_, .range = range, .call = call}, sink);
      });
      const auto etag = response.header("etag");
      if (etag && !info_.checksum.empty() && unquote_etag(*etag) != info_.checksum) {
        throw ObjectChangedError(repo_, ref_, path_);
      }
    }
    if (out.len != length) {
      throw ProtocolError("object '" + path_ + "': the server sent " + std::to_string(out.len) + " bytes for a " +
                          std::to_string(length) + "-byte range");
    }
  }

  // A fresh pre-signed URL after the store rejected the last one (expired): from a new stat, which is also where an
  // object replaced since the reader opened shows (until then the old URL reads the old version consistently).
  std::string renew_url() const {
    auto fresh = StoredObject(repo_, ref_, path_, client_).stat({.pre_sign = true, .call = call_});
    if (fresh.checksum != info_.checksum) throw ObjectChangedError(repo_, ref_, path_);
    return std::move(fresh.physical_address);
  }

  // Requests stop on a read-ahead's source when the caller's token is stopped.
  struct StopForward {
    std::stop_source target;
    void operator()() noexcept { target.request_stop(); }
  };

  struct Ahead {
    std::int64_t block = -1;
    std::future<Block> result;
    std::stop_source stop;
    std::unique_ptr<std::stop_callback<StopForward>> forward;
  };

  // Immutable after construction (read by read-ahead threads).
  Client client_;
  std::string repo_, ref_, path_;
  std::size_t block_size_;
  bool read_ahead_;
  CallOptions call_;
  bool pre_signed_ = false;
  std::unique_ptr<RenewableUrl> url_;  // pre-signed: thread-safe, shared with the read-ahead
  ObjectInfo info_{};
  std::uint64_t size_ = 0;

  // Owned by the reading thread.
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

const ObjectInfo& ObjectReader::info() const noexcept { return buf_->info(); }

std::uint64_t ObjectReader::size() const noexcept { return buf_->size(); }

}  // namespace lakefs
