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
#include <optional>
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


class WriterBuf : public std::streambuf {
 public:
  WriterBuf(const WriteableObject& object, const WriterOptions& options)
      : buffer_size_(options.buffer_size == 0 ? default_buffer_size : options.buffer_size),
        max_chunks_((options.max_buffers == 0 ? default_max_buffers : options.max_buffers) + 1),
        stop_(options.call.stop) {
    // Before the upload thread starts: a bad value must fail here, with nothing sent.
    require_header_metadata(options.metadata);
    require_content_type(options.content_type);
    if (stop_.stop_requested()) {
      throw CancelledError("ObjectWriter of '" + object.path() + "': cancelled before it started");
    }
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
    request.call = options.call;
    // A stop must wake the upload thread while it waits for the caller's bytes (and the caller while it waits for
    // a free buffer): both wait on changed_.
    if (stop_.stop_possible()) wake_.emplace(stop_, Wake{this});

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
      if (!result_) throw InvalidStateError("ObjectWriter: the writer was discarded; there is no object");
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
    // Only an upload stopped on purpose (discarded) ends with neither a result nor an error.
    if (!result_) throw InvalidStateError("ObjectWriter: the upload was stopped; there is no object");
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
    changed_.wait(lock, [&] { return done_ || stop_.stop_requested() || !free_.empty() || allocated_ < max_chunks_; });
    if (!done_ && stop_.stop_requested()) {
      // The upload thread aborts the upload by itself (or has already): no object is created. The put area's
      // buffer was handed over: nothing more may be written into it.
      setp(nullptr, nullptr);
      throw cancelled();
    }
    if (done_) {
      if (error_) std::rethrow_exception(error_);
      // A success answer before the body's last chunk: the server did not wait for the whole object.
      throw ProtocolError("ObjectWriter: the server answered the upload before the writer was closed");
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
      changed_.wait(lock, [&] { return aborting_ || stop_.stop_requested() || finishing_ || !full_.empty(); });
      if (aborting_) throw TransferCancelled{};
      // Thrown out of libcurl's read callback: the upload ends before its last chunk, so nothing is staged.
      if (stop_.stop_requested()) throw cancelled();
      if (full_.empty()) return 0;  // finishing, all sent: libcurl sends the last chunk
      sending_ = std::move(full_.front());
      full_.pop_front();
      sending_pos_ = 0;
    } else if (aborting_.load()) {
      throw TransferCancelled{};
    } else if (stop_.stop_requested()) {
      throw cancelled();
    }
    const std::size_t n = std::min(size, sending_.len - sending_pos_);
    std::memcpy(buf, sending_.data.get() + sending_pos_, n);
    sending_pos_ += n;
    return n;
  }

  static CancelledError cancelled() {
    return CancelledError("ObjectWriter: cancelled (stop requested); the upload was aborted and there is no object");
  }

  // Wakes every wait on changed_ once the caller's token is stopped.
  struct Wake {
    WriterBuf* self;
    void operator()() const noexcept {
      std::lock_guard lock(self->mutex_);
      self->changed_.notify_all();
    }
  };

  void release_buffers() {
    std::lock_guard lock(mutex_);
    full_.clear();
    free_.clear();
    current_ = {};
    sending_ = {};
  }

  const std::size_t buffer_size_;
  const std::size_t max_chunks_;
  const std::stop_token stop_;

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
  // Last: unregistered first, before anything it touches is destroyed.
  std::optional<std::stop_callback<Wake>> wake_;
};

}  // namespace detail

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
