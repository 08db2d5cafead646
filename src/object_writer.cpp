// SPDX-License-Identifier: Apache-2.0
// ObjectWriter: a streambuf that either feeds one chunked upload through
// lakeFS on a background thread through a bounded pool of buffers, or
// (pre-signed) sends each filled part-sized buffer straight to the object
// store as a part of a multipart upload, a few parts at once.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "client_state.hpp"
#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"
#include "lakefs/object_io.hpp"
#include "model/convert.hpp"
#include "transfer/multipart_upload.hpp"
#include "transfer/object_io_support.hpp"
#include "transfer/presign.hpp"
#include "transfer/presigned_put.hpp"
#include "transfer/upload_route.hpp"

namespace lakefs {
namespace detail {

// What ObjectWriter needs of either way of uploading, and the outcome both keep.
class WriterBuf : public std::streambuf {
 public:
  virtual ObjectInfo close() = 0;
  virtual void discard() noexcept = 0;
  [[nodiscard]] bool is_open() const noexcept { return !closed_; }
  // Until the first byte leaves: changes what the upload will send (checked values only).
  virtual void set_content_type(std::string content_type) = 0;
  virtual void set_metadata(Metadata metadata) = 0;
  // Whether the caller's stop token asked the writer to stop.
  [[nodiscard]] virtual bool stop_requested() const noexcept = 0;

  // What the destructor needs to report a failed close(): the client (its logger), the object, the caller's handler.
  void set_owner(Client client, std::string address, std::function<void(std::exception_ptr)> on_error) {
    owner_.emplace(std::move(client));
    address_ = std::move(address);
    on_destructor_error_ = std::move(on_error);
  }

  // ~ObjectWriter() of a writer still open: discarded when abandoned (an exception unwinding, a write that threw,
  // a stop), else closed, a failure logged and handed to the caller's handler.
  void finish_in_destructor(bool abandoned) noexcept {
    if (!is_open()) return;
    if (abandoned || stop_requested()) {
      discard();
      return;
    }
    try {
      (void)close();
    } catch (...) {
      report_destructor_error(std::current_exception());
    }
  }

 protected:
  // tellp(): the bytes the caller has written, those handed over plus those in the put area. No other
  // position exists (the writer cannot seek).
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override {
    if (off != 0 || dir != std::ios_base::cur || (which & std::ios_base::out) == 0) return pos_type(off_type(-1));
    return pos_type(static_cast<off_type>(handed_over_ + static_cast<std::uint64_t>(pptr() - pbase())));
  }
  pos_type seekpos(pos_type, std::ios_base::openmode) override { return pos_type(off_type(-1)); }

  // close() once the writer is closed or discarded: the same outcome again.
  [[nodiscard]] ObjectInfo outcome_again() const {
    if (error_) std::rethrow_exception(error_);
    if (!result_) throw InvalidStateError("ObjectWriter: the writer was discarded; there is no object");
    return *result_;
  }

  static CancelledError cancelled() {
    return CancelledError("ObjectWriter: cancelled (stop requested); the upload was aborted and there is no object");
  }

  // Wakes every wait on the derived class's condition variable once the caller's token is stopped.
  struct Wake {
    std::mutex* mutex;
    std::condition_variable* changed;
    void operator()() const noexcept {
      std::lock_guard lock(*mutex);
      changed->notify_all();
    }
  };

  bool closed_ = false;
  std::uint64_t handed_over_ = 0;     // bytes of filled put areas handed to the upload (for tellp)
  std::exception_ptr error_;          // the upload's failure (guarded by the derived class's mutex while it runs)
  std::optional<ObjectInfo> result_;  // the object, once close() succeeded

 private:
  void report_destructor_error(const std::exception_ptr& error) noexcept {
    try {
      std::string what = "unknown error";
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        what = e.what();  // the SDK's messages hold no credential
      } catch (...) {
      }
      if (owner_) {
        const auto& logger = channel_of(*owner_).logger();
        if (logger.enabled(LogLevel::error)) {
          logger.write(LogLevel::error, "ObjectWriter of '" + address_ +
                                            "' left its scope without close(); the close() its destructor made failed, "
                                            "there is no object: " +
                                            what);
        }
      }
      if (on_destructor_error_) on_destructor_error_(error);
    } catch (...) {
      // a destructor reports what it can and never throws
    }
  }

  std::optional<Client> owner_;
  std::string address_;
  std::function<void(std::exception_ptr)> on_destructor_error_;
};

namespace {

// Before anything is sent: a bad value or a stop already requested fails here.
void check_before_start(const WriteableObject& object, const WriterOptions& options) {
  require_header_metadata(options.metadata);
  require_content_type(options.content_type);
  if (options.call.stop.stop_requested()) {
    throw CancelledError("ObjectWriter of '" + object.path() + "': cancelled before it started");
  }
}

// Through lakeFS: one chunked upload fed from the caller's buffers.
class StreamingWriterBuf final : public WriterBuf {
 public:
  StreamingWriterBuf(const WriteableObject& object, const WriterOptions& options)
      : client_(object.client()),
        buffer_size_(options.buffer_size == 0 ? default_buffer_size : options.buffer_size),
        max_chunks_((options.max_buffers == 0 ? default_max_buffers : options.max_buffers) + 1),
        stop_(options.call.stop) {
    check_before_start(object, options);  // before the upload thread starts
    current_ = new_chunk_locked();
    setp(current_.data.get(), current_.data.get() + buffer_size_);

    request_ = api::UploadObjectRequest{
        .repository = object.repo_id(),
        .branch = object.ref_id(),
        .body_source = [this](char* buf, std::size_t size) { return body_source(buf, size); },
        .body_length = std::nullopt,  // unknown: chunked
        .path = object.path(),
    };
    if (!options.content_type.empty()) request_.content_type = options.content_type;
    if (options.exclusive) request_.if_none_match = "*";
    request_.extra_headers = user_metadata_headers(options.metadata);
    request_.call = options.call;
    // A stop must wake the upload thread while it waits for the caller's bytes (and the caller while it waits for
    // a free buffer): both wait on changed_.
    if (stop_.stop_possible()) wake_.emplace(stop_, Wake{&mutex_, &changed_});
  }

  void set_content_type(std::string content_type) override {
    require_unsent("content type");
    require_content_type(content_type);
    request_.content_type = std::move(content_type);
  }

  void set_metadata(Metadata metadata) override {
    require_unsent("metadata");
    require_header_metadata(metadata);
    request_.extra_headers = user_metadata_headers(metadata);
  }

  [[nodiscard]] bool stop_requested() const noexcept override { return stop_.stop_requested(); }

 private:
  void require_unsent(const char* what) const {
    if (closed_ || uploader_.joinable()) {
      throw InvalidStateError(std::string("ObjectWriter: the ") + what +
                              " can change only until the first byte is sent (the first buffer filled or close())");
    }
  }

  // The upload starts with the first full buffer or at close(): until then its headers may change.
  void start_upload() {
    if (uploader_.joinable()) return;
    uploader_ = std::thread([this, client = client_, request = std::move(request_)] {
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

 public:
  StreamingWriterBuf(const StreamingWriterBuf&) = delete;
  StreamingWriterBuf& operator=(const StreamingWriterBuf&) = delete;
  ~StreamingWriterBuf() override { discard(); }

  ObjectInfo close() override {
    if (closed_) return outcome_again();
    if (pptr() != pbase()) {
      current_.len = static_cast<std::size_t>(pptr() - pbase());
      handed_over_ += current_.len;
      std::lock_guard lock(mutex_);
      full_.push_back(std::move(current_));
    }
    setp(nullptr, nullptr);
    {
      std::lock_guard lock(mutex_);
      finishing_ = true;
      changed_.notify_all();
    }
    if (!uploader_.joinable()) {
      if (stop_.stop_requested()) {
        closed_ = true;
        release_buffers();
        throw cancelled();  // nothing was sent
      }
      start_upload();
    }
    uploader_.join();
    closed_ = true;
    release_buffers();
    if (error_) std::rethrow_exception(error_);
    // Only an upload stopped on purpose (discarded) ends with neither a result nor an error.
    if (!result_) throw InvalidStateError("ObjectWriter: the upload was stopped; there is no object");
    return *result_;
  }

  void discard() noexcept override {
    if (closed_) return;
    setp(nullptr, nullptr);
    {
      std::lock_guard lock(mutex_);
      aborting_ = true;  // the upload thread throws out of libcurl's read callback: no final chunk is sent
      changed_.notify_all();
    }
    if (uploader_.joinable()) uploader_.join();
    closed_ = true;
    result_.reset();
    error_ = nullptr;
    release_buffers();
  }

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
    if (!uploader_.joinable()) {
      if (stop_.stop_requested()) {
        setp(nullptr, nullptr);  // nothing was sent, nothing will be
        throw cancelled();
      }
      start_upload();
    }
    std::unique_lock lock(mutex_);
    current_.len = static_cast<std::size_t>(pptr() - pbase());
    handed_over_ += current_.len;
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

  void release_buffers() {
    std::lock_guard lock(mutex_);
    full_.clear();
    free_.clear();
    current_ = {};
    sending_ = {};
  }

  const Client client_;
  api::UploadObjectRequest request_{};  // until the upload starts (then moved to its thread)
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

  Block current_{};  // the put area (writer's thread)
  Block sending_{};  // being copied to libcurl (upload thread)
  std::size_t sending_pos_ = 0;
  std::thread uploader_;
  // Last: unregistered first, before anything it touches is destroyed.
  std::optional<std::stop_callback<Wake>> wake_;
};

// Whether a writer goes straight to the object store (upload_route: a writer's bytes come as they are written, in
// parts): `options.pre_sign` when set, else whether the server supports pre-signed multipart uploads. Throws
// NotSupportedError for a combination that cannot be honoured.
bool pre_signed_writer(const WriteableObject& object, const WriterOptions& options) {
  const std::string what = "ObjectWriter of '" + object.path() + "'";
  (void)plan_part_size(0, options.part_size, default_writer_part_size, what);  // rejects a part_size below 5 MiB
  const UploadRoute route = upload_route(
      {.in_parts = true, .pre_sign = options.pre_sign, .conditional = options.exclusive},
      [&] { return store_capabilities(object.client(), options.call); }, what);
  return route == UploadRoute::presigned_multipart;
}

// Pre-signed: the caller fills part-sized buffers; each full one goes as the next part of a multipart upload
// (started when the first part fills), PUT straight to the object store by a task on the client's engine, at most
// `max_buffers` at once; no thread of its own. An object that ends within its first part goes as one pre-signed
// PUT instead, linked at close().
class PresignedWriterBuf final : public WriterBuf {
 public:
  PresignedWriterBuf(const WriteableObject& object, const WriterOptions& options)
      : client_(object.client()),
        object_{object.repo_id(), object.ref_id(), object.path()},
        part_size_(options.part_size == 0 ? default_writer_part_size : options.part_size),
        max_outstanding_(options.max_buffers == 0 ? default_max_buffers : options.max_buffers),
        stop_(options.call.stop) {
    check_before_start(object, options);
    upload_options_.content_type = options.content_type;
    upload_options_.metadata = options.metadata;
    upload_options_.call = options.call;
    current_ = new_block();
    setp(current_.data.get(), current_.data.get() + part_size_);
    if (stop_.stop_possible()) wake_.emplace(stop_, Wake{&mutex_, &changed_});
  }

  void set_content_type(std::string content_type) override {
    require_unsent("content type");
    require_content_type(content_type);
    upload_options_.content_type = std::move(content_type);
  }

  void set_metadata(Metadata metadata) override {
    require_unsent("metadata");
    require_header_metadata(metadata);
    upload_options_.metadata = std::move(metadata);
  }

  [[nodiscard]] bool stop_requested() const noexcept override { return stop_.stop_requested(); }

  PresignedWriterBuf(const PresignedWriterBuf&) = delete;
  PresignedWriterBuf& operator=(const PresignedWriterBuf&) = delete;
  ~PresignedWriterBuf() override { discard(); }

  ObjectInfo close() override {
    if (closed_) return outcome_again();
    if (upload_) async::detail::check_not_on_engine_thread("ObjectWriter");  // its parts are the engine's to finish
    closed_ = true;
    try {
      throw_if_failed();
      const auto len = static_cast<std::size_t>(pptr() - pbase());
      handed_over_ += len;
      setp(nullptr, nullptr);
      if (!upload_) {
        result_ = put_whole(len);
      } else {
        if (len > 0) send(Block{std::move(current_.data), len});
        wait_for_parts();
        throw_if_failed();
        result_ = upload_->complete(upload_options_.content_type, upload_options_.metadata);
      }
    } catch (...) {
      fail(std::current_exception());
      release_buffers();
      throw;
    }
    release_buffers();
    return *result_;
  }

  void discard() noexcept override {
    if (closed_) return;
    closed_ = true;
    setp(nullptr, nullptr);
    shut_down();
    result_.reset();
    error_ = nullptr;
    release_buffers();
  }

 protected:
  int_type overflow(int_type ch) override {
    if (closed_) return traits_type::eof();
    if (pptr() == epptr()) {
      try {
        hand_over_current();
      } catch (...) {
        fail(std::current_exception());
        throw;
      }
    }
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }

  int sync() override {
    // Parts leave as they fill; flushing only reports a failed (or stopped) upload.
    if (!closed_) throw_if_failed();
    return 0;
  }

 private:
  // The put area is a full part and more bytes follow: once fewer than max_outstanding_ parts are in flight, send
  // it and take a free buffer (at most max_outstanding_ parts in flight while the caller fills the next one).
  void hand_over_current() {
    async::detail::check_not_on_engine_thread("ObjectWriter");  // the engine must finish the parts waited for
    throw_if_failed();
    if (next_number_ == max_parts) {
      throw InvalidArgumentError("ObjectWriter of '" + object_.path + "': the object outgrew " +
                                 std::to_string(max_parts) + " parts of " + std::to_string(part_size_) +
                                 " bytes (the object store's limit); set a larger part_size");
    }
    if (!upload_) start_multipart();
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return error_ || stop_.stop_requested() || outstanding_ < max_outstanding_; });
    }
    throw_if_failed();
    send(Block{std::move(current_.data), part_size_});
    handed_over_ += part_size_;
    setp(nullptr, nullptr);  // the full buffer is its part's now
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      current_ = std::move(free_.back());
      free_.pop_back();
    } else {
      current_ = new_block();
    }
    setp(current_.data.get(), current_.data.get() + part_size_);
  }

  void require_unsent(const char* what) const {
    if (closed_ || upload_) {
      throw InvalidStateError(std::string("ObjectWriter: the ") + what +
                              " can change only until the first byte is sent (the first part filled or close())");
    }
  }

  void start_multipart() {
    upload_ = std::make_unique<MultipartUpload>(client_, object_, 0, upload_options_.call);
    part_headers_ = presigned_put_headers(store_capabilities(client_, upload_options_.call));
  }

  // Sends `block` as the next part: a task on the client's engine, which gives the buffer back (or records the
  // failure; put_part has then stopped the other parts in flight) when it ends. Never blocks.
  void send(Block block) {
    const char* data = block.data.get();
    async::Task<void> part = upload_->put_part(
        Via::engine, next_number_++, block.len,
        [data](std::uint64_t at, char* buf, std::size_t size) {
          std::memcpy(buf, data + at, size);
          return size;
        },
        part_headers_);
    {
      std::lock_guard lock(mutex_);
      ++outstanding_;
    }
    async::spawn(std::move(part), [this, block = std::move(block)](async::Outcome<void> ended) mutable {
      std::lock_guard lock(mutex_);
      --outstanding_;
      if (!ended.has_value()) {
        if (!error_) error_ = ended.error();
      } else {
        free_.push_back(std::move(block));
      }
      changed_.notify_all();  // under the lock: the writer cannot return and destroy changed_ first
    });
  }

  // Until no part is in flight (each task's last touch of this writer is under mutex_).
  void wait_for_parts() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return outstanding_ == 0; });
  }

  // An object within its first part: one pre-signed PUT of the put area, linked to the path.
  ObjectInfo put_whole(std::size_t len) {
    std::size_t sent = 0;
    const char* data = current_.data.get();
    return put_and_link(
        {client_, object_, upload_options_},
        [&](char* buf, std::size_t size) {
          const std::size_t n = std::min(size, len - sent);
          std::memcpy(buf, data + sent, n);
          sent += n;
          return n;
        },
        [&] { sent = 0; }, len);
  }

  // Throws the upload's failure (or CancelledError once the caller's stop came), after shutting the upload down.
  void throw_if_failed() {
    std::exception_ptr error;
    {
      std::lock_guard lock(mutex_);
      if (!error_ && stop_.stop_requested()) error_ = std::make_exception_ptr(cancelled());
      error = error_;
    }
    if (!error) return;
    setp(nullptr, nullptr);
    shut_down();
    std::rethrow_exception(error);
  }

  // Records the writer's first failure and shuts the upload down: no object.
  void fail(std::exception_ptr error) noexcept {
    {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::move(error);
    }
    setp(nullptr, nullptr);
    shut_down();
  }

  // Stops the parts in flight, waits for their tasks, and aborts the multipart upload. Idempotent; never throws.
  void shut_down() noexcept {
    if (upload_) upload_->fail(std::make_exception_ptr(cancelled()));  // only stops the parts in flight
    wait_for_parts();
    if (upload_) upload_->abort();
  }

  Block new_block() const { return Block{std::make_unique_for_overwrite<char[]>(part_size_), 0}; }

  void release_buffers() {
    std::lock_guard lock(mutex_);
    free_.clear();
    current_ = {};
  }

  const Client client_;
  const ObjectName object_;
  const std::size_t part_size_;
  const std::size_t max_outstanding_;
  const std::stop_token stop_;
  UploadOptions upload_options_{};  // content type, metadata and call, as the upload helpers take them

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Block> free_;      // sent parts' buffers, for reuse
  std::size_t outstanding_ = 0;  // parts in flight

  Block current_{};  // the put area (writer's thread)
  std::uint64_t next_number_ = 1;
  std::unique_ptr<MultipartUpload> upload_;  // from the first full part on
  std::vector<http::Header> part_headers_;   // what each part's PUT carries (the store's)
  // Last: unregistered first, before anything it touches is destroyed.
  std::optional<std::stop_callback<Wake>> wake_;
};

}  // namespace

std::unique_ptr<WriterBuf> make_writer_buf(const WriteableObject& object, const WriterOptions& options) {
  std::unique_ptr<WriterBuf> buf;
  if (pre_signed_writer(object, options)) {
    buf = std::make_unique<PresignedWriterBuf>(object, options);
  } else {
    buf = std::make_unique<StreamingWriterBuf>(object, options);
  }
  buf->set_owner(object.client(), "lakefs://" + object.repo_id() + "/" + object.ref_id() + "/" + object.path(),
                 options.on_destructor_error);
  return buf;
}

}  // namespace detail

ObjectWriter::ObjectWriter(const WriteableObject& object, WriterOptions options)
    : std::ostream(nullptr), buf_(detail::make_writer_buf(object, options)) {
  rdbuf(buf_.get());
  exceptions(std::ios_base::badbit);
}

ObjectWriter::ObjectWriter(ObjectWriter&& other) noexcept
    : std::ostream(std::move(other)), buf_(std::move(other.buf_)) {
  set_rdbuf(buf_.get());
}

ObjectWriter::~ObjectWriter() {
  if (buf_) buf_->finish_in_destructor(std::uncaught_exceptions() > uncaught_exceptions_ || bad());
}

ObjectInfo ObjectWriter::close() { return buf_->close(); }

void ObjectWriter::discard() noexcept { buf_->discard(); }

bool ObjectWriter::is_open() const noexcept { return buf_ && buf_->is_open(); }

ObjectWriter& ObjectWriter::set_content_type(std::string content_type) {
  if (!buf_) throw InvalidStateError("ObjectWriter: moved from");
  buf_->set_content_type(std::move(content_type));
  return *this;
}

ObjectWriter& ObjectWriter::set_metadata(Metadata metadata) {
  if (!buf_) throw InvalidStateError("ObjectWriter: moved from");
  buf_->set_metadata(std::move(metadata));
  return *this;
}

}  // namespace lakefs
