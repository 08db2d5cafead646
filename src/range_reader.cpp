// SPDX-License-Identifier: Apache-2.0
// Positional range reads (StoredObject::read_range into a buffer or a sink, ObjectRangeReader): one range request
// per read, through lakeFS or straight from the object store with a pre-signed URL that the reader keeps for all
// its reads and renews, every answer checked against the one version being read before a byte is taken.
#include "lakefs/range_reader.hpp"

#include <condition_variable>
#include <cstring>
#include <mutex>

#include "codec/validate.hpp"
#include "lakefs/errors.hpp"
#include "model/convert.hpp"
#include "transfer/object_get.hpp"
#include "transfer/presign.hpp"

namespace lakefs {
namespace detail {

class RangeSource {
 public:
  RangeSource(const StoredObject& object, ReadOptions options)
      : client_(object.client()),
        name_{object.repo_id(), object.ref_id(), object.path()},
        requested_pre_sign_(options.pre_sign),
        call_(std::move(options.call)),
        version_(unquote_etag(options.if_match)) {
    require_non_empty(name_.path, "object path");
  }

  [[nodiscard]] const std::string& path() const noexcept { return name_.path; }
  [[nodiscard]] const CallOptions& call() const noexcept { return call_; }

  [[nodiscard]] std::string etag() const {
    std::lock_guard lock(mutex_);
    return version_;
  }

  std::uint64_t size() {
    {
      std::lock_guard lock(mutex_);
      if (size_) return *size_;
    }
    const bool signed_url = pre_signed();
    auto info = stat(signed_url, call_);
    std::lock_guard lock(mutex_);
    if (signed_url && !url_) adopt_url(std::move(info));
    return *size_;
  }

  // `length` bytes from `offset` to `sink`, each once; returns how many. `what` names the operation in errors.
  std::uint64_t read(std::uint64_t offset, std::uint64_t length, const std::function<void(std::string_view)>& sink,
                     const CallOptions& call, const char* what) {
    if (length == 0) return 0;
    const std::string range = range_header(offset, length, std::string(what) + " of '" + name_.path + "'");

    std::uint64_t delivered = 0;  // bytes the sink has, over all attempts
    std::uint64_t received = 0;   // bytes of the current attempt's body
    std::optional<std::uint64_t> expected;
    const auto protocol_error = [&](const std::string& problem) {
      return ProtocolError(std::string(what) + " of '" + name_.path + "' (" + range + "): " + problem);
    };
    const bool signed_url = pre_signed();
    const auto start = [&](const http::Response& head) {
      received = 0;
      // Through lakeFS the answer's ETag is the version's checksum; a pre-signed URL reads the data of the version
      // whose stat gave it (a physical object is never rewritten), checked when the URL was fetched.
      if (!signed_url) check_version(head);
      if (head.status == 206) {
        const auto answered = content_range(head);
        if (answered && answered->first != offset) {
          throw protocol_error("the answer starts at byte " + std::to_string(answered->first));
        }
        expected = answered ? std::optional(answered->last - answered->first + 1) : content_length(head);
      } else if (offset != 0) {
        // A server that ignores the range sends the object from its start: refused before any byte is taken.
        throw protocol_error("HTTP " + std::to_string(head.status) + " to a range request");
      } else {
        expected = content_length(head);
      }
      if (expected && *expected > length) throw protocol_error("the answer is longer than the range");
    };
    const auto take = [&](std::string_view chunk) {
      if (chunk.size() > length - received) throw protocol_error("more bytes than the range asked for");
      // A request sent again after a failure answers from the range's start: what the sink has is skipped.
      if (received < delivered) {
        const auto skip = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), delivered - received));
        received += skip;
        chunk.remove_prefix(skip);
      }
      if (chunk.empty()) return;
      sink(chunk);
      received += chunk.size();
      delivered = received;
    };
    const auto restart = [&] { received = 0; };
    if (signed_url) {
      (void)presigned_get(client_, url(call), name_, range, take, restart, call, start);
    } else {
      (void)get_object_streamed(client_, name_, range, start, take, restart, call);
    }
    if (expected && received != *expected) {
      throw protocol_error("got " + std::to_string(received) + " of " + std::to_string(*expected) + " bytes");
    }
    return received;
  }

 private:
  // Whether reads go pre-signed: decided on the first read (it may ask the server once per client), then kept.
  bool pre_signed() {
    {
      std::lock_guard lock(mutex_);
      if (pre_signed_) return *pre_signed_;
    }
    const bool use = use_pre_sign(client_, requested_pre_sign_, "range read", call_);
    std::lock_guard lock(mutex_);
    if (!pre_signed_) pre_signed_ = use;
    return *pre_signed_;
  }

  // A stat (with a pre-signed URL when `signed_url`) that pins the version, or finds it replaced; sets size_.
  ObjectInfo stat(bool signed_url, const CallOptions& call) {
    auto info = StoredObject(name_.repo, name_.ref, name_.path, client_).stat({.pre_sign = signed_url, .call = call});
    std::lock_guard lock(mutex_);
    pin(info.checksum);
    size_ = static_cast<std::uint64_t>(std::max<std::int64_t>(info.size_bytes, 0));
    return info;
  }

  // The reader's pre-signed URL: the first read's stat fetches it (one stat however many threads start at once; the
  // others wait for it), later stats renew it (with the reader's call options: a renewal serves every thread).
  RenewableUrl& url(const CallOptions& call) {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return !opening_; });
    if (url_) return *url_;
    opening_ = true;
    lock.unlock();
    ObjectInfo info;
    try {
      info = stat(true, call);
    } catch (...) {
      lock.lock();
      opening_ = false;
      opened_.notify_all();
      throw;
    }
    lock.lock();
    if (!url_) adopt_url(std::move(info));  // (size() may have set one meanwhile)
    opening_ = false;
    opened_.notify_all();
    return *url_;
  }

  // Called with mutex_ held.
  void adopt_url(ObjectInfo info) {
    url_ = std::make_unique<RenewableUrl>(
        PresignedUrl{std::move(info.physical_address), info.physical_address_expiry}, [this] {
          auto fresh = stat(true, call_);
          return PresignedUrl{std::move(fresh.physical_address), fresh.physical_address_expiry};
        });
  }

  // Called with mutex_ held: the first version seen is the one read; another one is ObjectChangedError.
  void pin(const std::string& version) {
    if (version_.empty()) {
      version_ = version;
    } else if (version != version_) {
      throw ObjectChangedError(name_.repo, name_.ref, name_.path);
    }
  }

  void check_version(const http::Response& head) {
    const auto etag = head.header("etag");
    if (!etag) return;  // (lakeFS always sends it)
    std::lock_guard lock(mutex_);
    pin(unquote_etag(*etag));
  }

  const Client client_;
  const ObjectName name_;
  const std::optional<bool> requested_pre_sign_;
  const CallOptions call_;

  mutable std::mutex mutex_;  // never held during a request
  std::optional<bool> pre_signed_;
  std::string version_;
  std::optional<std::uint64_t> size_;
  std::unique_ptr<RenewableUrl> url_;  // set once, then shared by all reads
  bool opening_ = false;               // a stat for the first URL is under way
  std::condition_variable opened_;
};

namespace {

std::function<void(std::string_view)> into(std::span<std::byte> buffer, std::size_t& filled) {
  return [buffer, &filled](std::string_view chunk) {
    std::memcpy(buffer.data() + filled, chunk.data(), chunk.size());  // (never more than the range: checked)
    filled += chunk.size();
  };
}

}  // namespace
}  // namespace detail

ObjectRangeReader::ObjectRangeReader(const StoredObject& object, ReadOptions options)
    : source_(std::make_shared<detail::RangeSource>(object, std::move(options))) {}

const std::string& ObjectRangeReader::path() const noexcept { return source_->path(); }

std::uint64_t ObjectRangeReader::size() const { return source_->size(); }

std::string ObjectRangeReader::etag() const { return source_->etag(); }

std::size_t ObjectRangeReader::read_range(std::uint64_t offset, std::span<std::byte> buffer) const {
  return read_range(offset, buffer, source_->call());
}

std::size_t ObjectRangeReader::read_range(std::uint64_t offset, std::span<std::byte> buffer, CallOptions call) const {
  std::size_t filled = 0;
  (void)source_->read(offset, buffer.size(), detail::into(buffer, filled), call, "read_range");
  return filled;
}

std::uint64_t ObjectRangeReader::read_range(std::uint64_t offset, std::uint64_t length,
                                            const std::function<void(std::string_view)>& sink) const {
  return read_range(offset, length, sink, source_->call());
}

std::uint64_t ObjectRangeReader::read_range(std::uint64_t offset, std::uint64_t length,
                                            const std::function<void(std::string_view)>& sink, CallOptions call) const {
  return source_->read(offset, length, sink, call, "read_range");
}

std::size_t StoredObject::read_range(std::uint64_t offset, std::span<std::byte> buffer, ReadOptions options) const {
  const CallOptions call = options.call;
  return ObjectRangeReader(*this, std::move(options)).read_range(offset, buffer, call);
}

std::uint64_t StoredObject::read_range_to(std::uint64_t offset, std::uint64_t length,
                                          const std::function<void(std::string_view)>& sink,
                                          ReadOptions options) const {
  const CallOptions call = options.call;
  return ObjectRangeReader(*this, std::move(options)).read_range(offset, length, sink, call);
}

ObjectRangeReader StoredObject::range_reader(ReadOptions options) const {
  return ObjectRangeReader(*this, std::move(options));
}

}  // namespace lakefs
