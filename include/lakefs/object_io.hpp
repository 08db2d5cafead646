// SPDX-License-Identifier: Apache-2.0
// Streaming object I/O: ObjectReader (a seekable std::istream over HTTP range
// requests) and ObjectWriter (a std::ostream whose bytes flow to the server
// while the caller writes). Both work in memory bounded by their options,
// whatever the object's size. See docs/objects-and-io.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "lakefs/export.hpp"
#include "lakefs/client.hpp"
#include "lakefs/models.hpp"
#include "lakefs/policies.hpp"

namespace lakefs {

class StoredObject;
class WriteableObject;

/// Options of an ObjectReader (StoredObject::reader()).
struct LAKEFS_API ReaderOptions {
  /// Bytes the reader buffers ahead of the caller while it streams, and bytes
  /// per range request once it reads ranges (after a seek, or without
  /// read-ahead). 0 = 16 MiB. A reader holds at most two blocks (never more
  /// than the object's size).
  std::size_t block_size = 0;
  /// Stream: read the object with one GET from the start, receiving in the
  /// background up to `block_size` bytes ahead of the caller, and switch to
  /// range requests (with one block of read-ahead while access is sequential)
  /// only when the caller seeks somewhere the stream cannot serve. false = no
  /// background transfer at all: one range request of `block_size` bytes
  /// whenever the caller needs a block it does not have.
  bool read_ahead = true;
  /// Read straight from the object store through pre-signed URLs. Unset (the
  /// default) = when the server supports them; true on a server that does not
  /// = NotSupportedError.
  std::optional<bool> pre_sign{};
  /// Timeout and retry policy of each request the reader sends (the stream's
  /// GET, every range request, read-ahead included, a stat), and cancellation:
  /// once `call.stop` is requested, a read that needs bytes throws
  /// CancelledError (a transfer in flight, read-ahead included, is aborted).
  CallOptions call{};
};

namespace detail {
class ReaderBuf;
class WriterBuf;
}  // namespace detail

/// A std::istream over one object, as of the moment it was opened: read,
/// getline, >>, seekg/tellg (beg, cur, end) and std::istreambuf_iterator all
/// work. Reading past the end sets eof, as with a file; a server or transport
/// failure throws the SDK's typed error (the stream's exception mask includes
/// badbit). Seeking before the start fails the stream.
///
/// Read front to back, the reader streams the object in one GET, copying
/// bytes straight into the caller's buffer when it reads 64 KiB or more at a
/// time; that one answer is one version of the object, even if the object is
/// replaced meanwhile. After a seek it reads ranges, each checked against the
/// version it opened (the ETag of its first answer): if the object was
/// replaced, the read throws lakefs::ObjectChangedError rather than mixing
/// two versions. Read through pre-signed URLs (straight from the object
/// store), the reader keeps reading the version it opened, whose data the
/// store keeps at its own address, and renews an expired URL with a new stat;
/// a replacement shows there, as ObjectChangedError.
class LAKEFS_API ObjectReader : public std::istream {
 public:
  /// Opens `object`: through lakeFS with read-ahead, the stream's GET (its
  /// answer gives the size and version; no stat); otherwise a stat (which also
  /// gives the pre-signed URL). ObjectNotFoundError if the object is missing.
  explicit ObjectReader(const StoredObject& object, ReaderOptions options = {});
  /// Takes over `other`'s stream and position; `other` is left without one (destroy it, do not read from it).
  ObjectReader(ObjectReader&& other) noexcept;
  ObjectReader& operator=(ObjectReader&&) = delete;
  ~ObjectReader() override;

  /// What the object was when the reader opened it. A reader that opened
  /// without a stat (streaming through lakeFS) sends one on the first call, and
  /// throws ObjectChangedError if the object is no longer the version it reads.
  /// When the reader reads through a pre-signed URL, physical_address and
  /// physical_address_expiry are empty: the URL is a live credential, kept
  /// inside the reader (ask for one with StoredObject::presigned_url() or
  /// stat({.pre_sign = true})).
  [[nodiscard]] const ObjectInfo& info() const;
  /// The object's size in bytes.
  [[nodiscard]] std::uint64_t size() const noexcept;

 private:
  std::unique_ptr<detail::ReaderBuf> buf_;
};

/// Options of an ObjectWriter (WriteableObject::writer()).
struct LAKEFS_API WriterOptions {
  /// Content-Type stored with the object; empty = application/octet-stream.
  std::string content_type{};
  /// User metadata (sent as X-Lakefs-Meta-* headers; keys are stored lower-cased).
  Metadata metadata{};
  /// Fail with ObjectExistsError if the path already has an object (If-None-Match: *).
  /// lakeFS checks it on an upload through lakeFS but not when it completes a
  /// pre-signed multipart upload: an exclusive writer streams through lakeFS,
  /// and exclusive with pre_sign = true is NotSupportedError.
  bool exclusive = false;
  /// Upload straight to the object store: a pre-signed multipart upload whose
  /// parts (part_size bytes each) go up while the caller writes, or one
  /// pre-signed PUT when the whole object fits in the first part. Unset = when
  /// the server supports pre-signed multipart uploads (and the writer is not
  /// exclusive); true on a server that does not = NotSupportedError; false =
  /// one chunked upload through lakeFS.
  std::optional<bool> pre_sign{};
  /// Pre-signed: bytes per part (at least 5 MiB, the object store's minimum
  /// for all parts but the last, else InvalidArgumentError). 0 = 8 MiB. The
  /// object may have at most 10,000 parts: a write past that throws
  /// InvalidArgumentError (and the upload is aborted).
  std::size_t part_size = 0;
  /// Through lakeFS: size of each buffer handed to the upload. 0 = 1 MiB.
  std::size_t buffer_size = 0;
  /// Filled buffers (parts, when pre-signed) that may wait for the network
  /// before a write blocks; pre-signed, also the parts sent at once (on the
  /// client's asynchronous engine).
  /// 0 = 4. Peak memory is about buffer_size (or part_size) × (max_buffers + 1),
  /// whatever the object's size.
  std::size_t max_buffers = 0;
  /// Timeout and retry policy of the upload's requests, and cancellation: a
  /// stop request aborts the upload at once (also while it waits for the
  /// caller's bytes; pre-signed, the parts in flight), and the writer then
  /// fails like a discarded one: no object, and the next write, flush() and
  /// close() throw CancelledError. Through lakeFS the timeout covers the whole
  /// upload, including the time the caller takes to write; pre-signed it
  /// applies to each request (each part).
  CallOptions call{};
  /// Called, from the destructor, with the error of the close() the destructor
  /// makes for a writer left without close() or discard() when no exception
  /// is unwinding (see ~ObjectWriter()); the error is also logged at error
  /// level through the client's logger. Unset = logged only. Must not throw
  /// (an exception from it is ignored).
  std::function<void(std::exception_ptr)> on_destructor_error{};
};

/// A std::ostream that uploads one object as it is written. Through lakeFS:
/// one streaming (chunked) upload runs on a background thread, fed through a
/// bounded set of buffers, so the bytes reach the server while the caller is
/// still writing. Pre-signed (see WriterOptions::pre_sign): each part_size
/// buffer the caller fills is sent as the next part of a multipart upload
/// straight to the object store by the client's asynchronous engine (up to
/// max_buffers parts in flight; no thread of the writer's own), and close()
/// sends the last part and completes it; an object that ends within its first
/// part goes as one pre-signed PUT. Not for an engine thread (a continuation):
/// a full part or close() there is InvalidStateError.
///
/// The object appears when close() succeeds. A writer that leaves its scope
/// normally without close() is closed by its destructor, as a std::ofstream
/// is (and as Python's `with obj.writer()` uploads on a clean exit); a
/// destructor cannot throw, so a failure there is logged and handed to
/// WriterOptions::on_destructor_error: call close() to get it as an
/// exception. **A writer destroyed while an exception unwinds, or discarded,
/// leaves no object and no change on the branch**: through lakeFS the upload
/// is aborted before its last chunk, and lakeFS stages nothing from an
/// incomplete body; pre-signed, the multipart upload is aborted (its parts
/// removed from the store). A failed upload throws its typed error from the
/// next write (the stream's exception mask includes badbit) and from close(),
/// and leaves nothing behind either.
///
/// flush() does not force a partly filled buffer out; bytes leave as buffers
/// fill, and close() sends the rest. Through lakeFS, a writer idle for longer
/// than the transport's low-speed timeout (60 s by default) fails, as the
/// connection stalls; pre-signed, no connection waits for the caller.
class LAKEFS_API ObjectWriter : public std::ostream {
 public:
  /// Prepares the upload to `object`; nothing is sent until the first buffer
  /// (through lakeFS) or part (pre-signed) fills, or close().
  explicit ObjectWriter(const WriteableObject& object, WriterOptions options = {});
  /// Takes over `other`'s upload; `other` is left without one (destroy it, do not use it).
  ObjectWriter(ObjectWriter&& other) noexcept;
  ObjectWriter& operator=(ObjectWriter&&) = delete;
  /// A writer still open (neither close() nor discard() called): left while an
  /// exception unwinds (std::uncaught_exceptions() above its count when this
  /// writer was constructed), after a write threw (bad()) or once its stop was
  /// requested, the upload is discarded: no object. Left normally, it is
  /// closed: the object is created; if that close() fails, there is no object,
  /// and the error is logged (error level, the client's logger) and passed to
  /// WriterOptions::on_destructor_error. Never throws.
  ~ObjectWriter() override;

  /// Sends what is left, waits for the server, and returns the new object's
  /// info. Throws the upload's error if it failed (nothing is staged then).
  /// Calling it again returns the same info.
  ObjectInfo close();

  /// Abandons the upload: no object is created. Never throws.
  void discard() noexcept;

  /// True until close() or discard().
  [[nodiscard]] bool is_open() const noexcept;

  /// Change the content type or the user metadata (as WriterOptions'), until
  /// the first byte is sent: before the first buffer or part fills and before
  /// close(). Afterwards InvalidStateError (nothing changes); a bad value is
  /// InvalidArgumentError, as in WriterOptions.
  ObjectWriter& set_content_type(std::string content_type);
  /// The same for the user metadata.
  ObjectWriter& set_metadata(Metadata metadata);

  // tellp() (std::ostream's) gives the bytes written so far, until close() and after it; the writer cannot
  // seek (seekp fails).

 private:
  std::unique_ptr<detail::WriterBuf> buf_;
  int uncaught_exceptions_ = std::uncaught_exceptions();  // at construction: the destructor's "unwinding" test
};

}  // namespace lakefs
