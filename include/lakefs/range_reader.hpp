// SPDX-License-Identifier: Apache-2.0
// ObjectRangeReader: positional reads of one version of an object into the
// caller's buffer or sink, from many threads at once, with one pre-signed URL
// kept and renewed for all of them. See docs/objects-and-io.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "lakefs/client.hpp"
#include "lakefs/export.hpp"
#include "lakefs/object.hpp"

namespace lakefs {

namespace detail {
class RangeSource;
}  // namespace detail

/// Reads byte ranges of one object at any offsets, like pread(2): each read
/// is one range request, written straight into the caller's buffer (or handed
/// to its sink), with no buffering and no read-ahead of its own. Made by
/// StoredObject::range_reader(); constructing one sends nothing.
///
/// One version: the reader reads the version ReadOptions::if_match names, or
/// else the one its first request finds, and every later read checks it: an
/// object replaced meanwhile is ObjectChangedError, never a mix of versions.
///
/// Pre-signed (ReadOptions::pre_sign; unset = when the server supports it):
/// the first read stats the object for a URL, and every read after it goes
/// straight to the object store with that URL, until it is renewed (with a
/// new stat) shortly before it expires, or once when the store rejects it.
///
/// Thread-safe: any number of threads may read through one reader (or its
/// copies, which share its version and URL) at once. No lock is held while a
/// read transfers bytes.
class LAKEFS_API ObjectRangeReader {
 public:
  /// A reader of `object`; see StoredObject::range_reader().
  explicit ObjectRangeReader(const StoredObject& object, ReadOptions options = {});

  /// The object's path.
  [[nodiscard]] const std::string& path() const noexcept;
  /// The object's size in bytes: stats the object on the first call (none
  /// after it), and checks it is the version being read (ObjectChangedError).
  [[nodiscard]] std::uint64_t size() const;
  /// The ETag of the version being read: ReadOptions::if_match (unquoted), or
  /// what the first request found; empty before that.
  [[nodiscard]] std::string etag() const;

  /// Up to `buffer.size()` bytes from `offset` into `buffer`, with the
  /// reader's CallOptions; returns how many (fewer only at the end of the
  /// object). An empty buffer sends nothing. Errors: InvalidRangeError for a
  /// range that starts at or past the end (the server's answer),
  /// InvalidArgumentError for an offset beyond 2^63 - 1 (nothing sent),
  /// ObjectChangedError, ObjectNotFoundError and the other server, store and
  /// transport errors, CancelledError. On an error the buffer's content is
  /// unspecified.
  std::size_t read_range(std::uint64_t offset, std::span<std::byte> buffer) const;
  /// The same with the timeout, retries and cancellation of `call`.
  std::size_t read_range(std::uint64_t offset, std::span<std::byte> buffer, CallOptions call) const;
  /// `length` bytes from `offset` handed to `sink` as they arrive, each once
  /// and in order; returns how many. Errors as the buffer form; what `sink`
  /// throws aborts the read and is rethrown.
  std::uint64_t read_range(std::uint64_t offset, std::uint64_t length,
                           const std::function<void(std::string_view)>& sink) const;
  /// The same with the timeout, retries and cancellation of `call`.
  std::uint64_t read_range(std::uint64_t offset, std::uint64_t length,
                           const std::function<void(std::string_view)>& sink, CallOptions call) const;

 private:
  std::shared_ptr<detail::RangeSource> source_;
};

}  // namespace lakefs
