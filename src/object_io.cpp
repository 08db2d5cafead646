// ObjectReader: a streambuf over HTTP range requests, one block at a time,
// with one block of background read-ahead while access is sequential.
// ObjectWriter: a streambuf feeding one chunked upload on a background thread
// through a bounded pool of buffers.
#include "lakefs/object_io.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "detail/convert.hpp"
#include "detail/presign.hpp"
#include "detail/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"

namespace lakefs {
namespace detail {
namespace {

// Each range request costs the server a few milliseconds before the first
// byte; 16 MiB blocks keep that under a fifth of a sequential read's time.
constexpr std::size_t default_block_size = 16u << 20;
constexpr std::size_t default_buffer_size = 1u << 20;
constexpr std::size_t default_max_buffers = 4;

// Thrown from a transfer callback to abort the transfer on purpose.
struct TransferCancelled {};

struct Block {
  std::unique_ptr<char[]> data;
  std::size_t len = 0;
};

std::string unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

}  // namespace

// ---------------------------------------------------------------------------
// Reader

class ReaderBuf : public std::streambuf {
 public:
  ReaderBuf(const StoredObject& object, const ReaderOptions& options)
      : client_(object.client()),
        repo_(object.repo_id()),
        ref_(object.ref_id()),
        path_(object.path()),
        block_size_(options.block_size == 0 ? default_block_size : options.block_size),
        read_ahead_(options.read_ahead) {
    require_non_empty(path_, "object path");
    pre_signed_ = use_pre_sign(client_, options.pre_sign, "ObjectReader");
    info_ = object_call(repo_, ref_, path_, [&] {
      return to_object_info(client_.api().objects.stat_object(
          {.repository = repo_, .ref = ref_, .path = path_, .user_metadata = true, .presign = pre_signed_}));
    });
    size_ = static_cast<std::uint64_t>(std::max<std::int64_t>(info_.size_bytes, 0));
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
    const bool sequential = block == last_loaded_ + 1;
    Block loaded;
    if (ahead_ && ahead_->block == block) {
      auto ahead = std::move(*ahead_);
      ahead_.reset();
      loaded = ahead.result.get();  // rethrows the read-ahead's failure
    } else {
      cancel_ahead();
      loaded = std::move(spare_);
      fetch(block, loaded, nullptr);
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
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    ahead_.emplace(Ahead{block, {}, cancel});
    ahead_->result = std::async(std::launch::async, [this, block, cancel, buffer = std::move(spare_)]() mutable {
      fetch(block, buffer, cancel.get());
      return std::move(buffer);
    });
  }

  void cancel_ahead() noexcept {
    if (!ahead_) return;
    ahead_->cancel->store(true);
    try {
      ahead_->result.wait();
      spare_ = ahead_->result.get();  // keep the buffer when it completed anyway
    } catch (...) {
      // cancelled or failed: nobody wants this block
    }
    ahead_.reset();
  }

  // Fills `out` with block `block` of the object. Runs on the caller's thread or
  // on a read-ahead thread (then `cancel` aborts the transfer early). Only
  // immutable members are read here.
  void fetch(std::int64_t block, Block& out, const std::atomic<bool>* cancel) const {
    const std::uint64_t offset = static_cast<std::uint64_t>(block) * block_size_;
    const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(block_size_, size_ - offset));
    // Never more than the object needs: small objects get small buffers.
    if (!out.data) out.data = std::make_unique_for_overwrite<char[]>(std::min<std::uint64_t>(block_size_, size_));
    out.len = 0;
    const auto sink = [&](std::string_view chunk) {
      if (cancel != nullptr && cancel->load()) throw TransferCancelled{};
      if (chunk.size() > length - out.len) {
        throw ProtocolError("object '" + path_ + "': the server sent more bytes than the range asked for");
      }
      std::memcpy(out.data.get() + out.len, chunk.data(), chunk.size());
      out.len += chunk.size();
    };
    const std::string range = "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
    if (pre_signed_) {
      (void)presigned_get(client_, info_.physical_address, range, sink);
    } else {
      const auto response = object_call(repo_, ref_, path_, [&] {
        return client_.api().objects.get_object({.repository = repo_, .ref = ref_, .path = path_, .range = range},
                                                sink);
      });
      const auto etag = response.header("etag");
      if (etag && !info_.checksum.empty() && unquote(*etag) != info_.checksum) {
        throw Error("object '" + path_ + "' at '" + repo_ + "/" + ref_ +
                    "' changed while it was being read; open a new reader");
      }
    }
    if (out.len != length) {
      throw ProtocolError("object '" + path_ + "': the server sent " + std::to_string(out.len) + " bytes for a " +
                          std::to_string(length) + "-byte range");
    }
  }

  struct Ahead {
    std::int64_t block = -1;
    std::future<Block> result;
    std::shared_ptr<std::atomic<bool>> cancel;
  };

  // Immutable after construction (read by read-ahead threads).
  Client client_;
  std::string repo_, ref_, path_;
  std::size_t block_size_;
  bool read_ahead_;
  bool pre_signed_ = false;
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

// ---------------------------------------------------------------------------
// Writer

class WriterBuf : public std::streambuf {
 public:
  WriterBuf(const WriteableObject& object, const WriterOptions& options)
      : buffer_size_(options.buffer_size == 0 ? default_buffer_size : options.buffer_size),
        max_chunks_((options.max_buffers == 0 ? default_max_buffers : options.max_buffers) + 1) {
    // Before the upload thread starts: a bad value must fail here, with nothing sent.
    require_header_metadata(options.metadata);
    require_content_type(options.content_type);
    current_ = new_chunk_locked();
    setp(current_.data.get(), current_.data.get() + buffer_size_);

    api::UploadObjectRequest request{
        .repository = object.repo_id(),
        .branch = object.ref_id(),
        .body_source = [this](char* buf, std::size_t size) { return body_source(buf, size); },
        .body_length = std::nullopt,  // unknown: chunked
        .path = object.path(),
    };
    if (!options.content_type.empty()) request.content_type = options.content_type;
    if (options.exclusive) request.if_none_match = "*";
    request.extra_headers = user_metadata_headers(options.metadata);

    uploader_ = std::thread([this, client = object.client(), request = std::move(request)] {
      std::exception_ptr error;
      std::optional<ObjectInfo> result;
      try {
        result = object_call(request.repository, request.branch, request.path,
                             [&] { return to_object_info(client.api().objects.upload_object(request)); });
      } catch (const TransferCancelled&) {
        // discarded on purpose
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mutex_);
      error_ = error;
      result_ = std::move(result);
      done_ = true;
      changed_.notify_all();
    });
  }

  WriterBuf(const WriterBuf&) = delete;
  WriterBuf& operator=(const WriterBuf&) = delete;
  ~WriterBuf() override { discard(); }

  ObjectInfo close() {
    if (closed_) {
      if (error_) std::rethrow_exception(error_);
      if (!result_) throw Error("ObjectWriter: the writer was discarded; there is no object");
      return *result_;
    }
    if (pptr() != pbase()) {
      current_.len = static_cast<std::size_t>(pptr() - pbase());
      std::lock_guard lock(mutex_);
      full_.push_back(std::move(current_));
    }
    setp(nullptr, nullptr);
    {
      std::lock_guard lock(mutex_);
      finishing_ = true;
      changed_.notify_all();
    }
    uploader_.join();
    closed_ = true;
    release_buffers();
    if (error_) std::rethrow_exception(error_);
    if (!result_) throw Error("ObjectWriter: the upload ended without a result");
    return *result_;
  }

  void discard() noexcept {
    if (closed_) return;
    setp(nullptr, nullptr);
    {
      std::lock_guard lock(mutex_);
      aborting_ = true;  // the upload thread throws out of libcurl's read callback: no final chunk is sent
      changed_.notify_all();
    }
    uploader_.join();
    closed_ = true;
    result_.reset();
    error_ = nullptr;
    release_buffers();
  }

  [[nodiscard]] bool is_open() const noexcept { return !closed_; }

 protected:
  int_type overflow(int_type ch) override {
    if (closed_) return traits_type::eof();
    hand_over_current();  // throws the upload's error once it has failed
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }

  int sync() override {
    // Bytes leave as buffers fill; flushing only reports a failed upload.
    std::lock_guard lock(mutex_);
    if (done_ && error_) std::rethrow_exception(error_);
    return 0;
  }

 private:
  // Queues the filled put area and makes a free buffer the new put area,
  // waiting while all buffers are in flight.
  void hand_over_current() {
    std::unique_lock lock(mutex_);
    current_.len = static_cast<std::size_t>(pptr() - pbase());
    if (current_.len > 0) full_.push_back(std::move(current_));
    changed_.notify_all();
    changed_.wait(lock, [&] { return done_ || !free_.empty() || allocated_ < max_chunks_; });
    if (done_) {
      if (error_) std::rethrow_exception(error_);
      throw Error("ObjectWriter: the upload ended before the writer was closed");
    }
    if (!free_.empty()) {
      current_ = std::move(free_.back());
      free_.pop_back();
    } else {
      current_ = new_chunk_locked();
    }
    current_.len = 0;
    setp(current_.data.get(), current_.data.get() + buffer_size_);
  }

  Block new_chunk_locked() {
    ++allocated_;
    return Block{std::make_unique_for_overwrite<char[]>(buffer_size_), 0};
  }

  // libcurl's read callback, on the upload thread.
  std::size_t body_source(char* buf, std::size_t size) {
    if (sending_pos_ == sending_.len) {
      std::unique_lock lock(mutex_);
      if (sending_.data) free_.push_back(std::move(sending_));
      changed_.notify_all();
      changed_.wait(lock, [&] { return aborting_ || finishing_ || !full_.empty(); });
      if (aborting_) throw TransferCancelled{};
      if (full_.empty()) return 0;  // finishing, all sent: libcurl sends the last chunk
      sending_ = std::move(full_.front());
      full_.pop_front();
      sending_pos_ = 0;
    } else if (aborting_.load()) {
      throw TransferCancelled{};
    }
    const std::size_t n = std::min(size, sending_.len - sending_pos_);
    std::memcpy(buf, sending_.data.get() + sending_pos_, n);
    sending_pos_ += n;
    return n;
  }

  void release_buffers() {
    std::lock_guard lock(mutex_);
    full_.clear();
    free_.clear();
    current_ = {};
    sending_ = {};
  }

  const std::size_t buffer_size_;
  const std::size_t max_chunks_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Block> full_;
  std::vector<Block> free_;
  std::size_t allocated_ = 0;
  bool finishing_ = false;
  std::atomic<bool> aborting_{false};
  bool done_ = false;
  std::exception_ptr error_;
  std::optional<ObjectInfo> result_;

  Block current_{};  // the put area (writer's thread)
  Block sending_{};  // being copied to libcurl (upload thread)
  std::size_t sending_pos_ = 0;
  bool closed_ = false;
  std::thread uploader_;
};

}  // namespace detail

// ---------------------------------------------------------------------------

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

ObjectWriter::ObjectWriter(const WriteableObject& object, WriterOptions options)
    : std::ostream(nullptr), buf_(std::make_unique<detail::WriterBuf>(object, options)) {
  rdbuf(buf_.get());
  exceptions(std::ios_base::badbit);
}

ObjectWriter::ObjectWriter(ObjectWriter&& other) noexcept
    : std::ostream(std::move(other)), buf_(std::move(other.buf_)) {
  set_rdbuf(buf_.get());
}

ObjectWriter::~ObjectWriter() {
  if (buf_) buf_->discard();
}

ObjectInfo ObjectWriter::close() { return buf_->close(); }

void ObjectWriter::discard() noexcept { buf_->discard(); }

bool ObjectWriter::is_open() const noexcept { return buf_ && buf_->is_open(); }

}  // namespace lakefs
