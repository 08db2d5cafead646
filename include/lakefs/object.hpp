// StoredObject (read-only, from any reference) and WriteableObject (from a
// branch). Constructing one sends nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "lakefs/client.hpp"
#include "lakefs/models.hpp"
#include "lakefs/object_io.hpp"

namespace lakefs {

class Branch;

struct DownloadOptions {
  /// Read straight from the object store through a pre-signed URL. Unset = when
  /// the server supports them; true on a server that does not = NotSupportedError.
  std::optional<bool> pre_sign{};
  /// Timeout, retry policy and cancellation of the download's requests. A stop
  /// request aborts the transfer and throws CancelledError; the temporary file
  /// is removed (and an existing file at the target left untouched).
  CallOptions call{};
};

class StoredObject {
 public:
  StoredObject(std::string repo_id, std::string ref_id, std::string path, Client client = default_client());

  [[nodiscard]] const std::string& repo_id() const noexcept { return repo_id_; }
  [[nodiscard]] const std::string& ref_id() const noexcept { return ref_id_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const Client& client() const noexcept { return client_; }

  /// The object's metadata. Throws ObjectNotFoundError when it does not exist.
  [[nodiscard]] ObjectInfo stat() const;

  /// False only for a missing object; every other failure still throws.
  [[nodiscard]] bool exists() const;

  /// The whole object in memory (for small objects; stream big ones with reader()).
  [[nodiscard]] std::string read_all() const;

  /// `length` bytes from `offset` (fewer at the end of the object). A range that
  /// starts at or past the end is InvalidRangeError.
  [[nodiscard]] std::string read_range(std::uint64_t offset, std::uint64_t length) const;

  /// A seekable std::istream over the object (stats it now; see ObjectReader).
  [[nodiscard]] ObjectReader reader(ReaderOptions options = {}) const;

  /// Streams the object to `local_path`, through a temporary file in the same
  /// directory renamed into place at the end: a failed download leaves no
  /// partial file (and an existing file at `local_path` untouched).
  void download(const std::filesystem::path& local_path, const DownloadOptions& options = {}) const;

  /// Copies the object to `destination_path` on branch `destination` of the same
  /// repository (server-side, no data through the client); returns the copy.
  WriteableObject copy(const Branch& destination, std::string destination_path) const;
  WriteableObject copy(const std::string& destination_branch, std::string destination_path) const;

  bool operator==(const StoredObject& o) const noexcept {
    return repo_id_ == o.repo_id_ && ref_id_ == o.ref_id_ && path_ == o.path_;
  }

 protected:
  std::string repo_id_{};
  std::string ref_id_{};
  std::string path_{};
  Client client_{};
};

struct UploadOptions {
  /// Content-Type stored with the object; empty lets the server default it.
  std::string content_type{};
  /// User metadata stored with the object. Sent as X-Lakefs-Meta-<key> headers, so
  /// keys are case-insensitive: lakeFS stores them lower-cased.
  Metadata metadata{};
  /// Fail with ObjectExistsError instead of replacing an existing object
  /// (race-free: the server checks with If-None-Match).
  bool exclusive = false;
  /// Upload straight to the object store through a pre-signed URL, then link it
  /// (get-physical-address, PUT, link-physical-address). Unset = when the server
  /// supports them and the length is known; true on a server that does not, or
  /// for a stream of unknown length, = NotSupportedError.
  std::optional<bool> pre_sign{};
  /// Timeout, retry policy and cancellation of the upload's requests. A stop
  /// request aborts the upload before its body ends and throws CancelledError:
  /// lakeFS stages nothing from an incomplete body.
  CallOptions call{};
};

class WriteableObject : public StoredObject {
 public:
  WriteableObject(std::string repo_id, std::string branch_id, std::string path, Client client = default_client());

  /// Uploads `data` as the object's content; returns *this for chaining.
  WriteableObject& upload(std::string_view data, const UploadOptions& options = {});
  WriteableObject& upload(std::span<const std::byte> data, const UploadOptions& options = {});
  /// Uploads everything `in` yields, streamed (sent with its length when `in` is
  /// seekable, chunked otherwise). A read error on `in` aborts the upload: nothing is staged.
  WriteableObject& upload(std::istream& in, const UploadOptions& options = {});
  /// Uploads the file at `local_path`, streamed from disk.
  WriteableObject& upload_file(const std::filesystem::path& local_path, const UploadOptions& options = {});

  /// A std::ostream that uploads as it is written; see ObjectWriter. Destroyed
  /// without close() it leaves no object.
  [[nodiscard]] ObjectWriter writer(WriterOptions options = {}) const;

  /// Deletes the object (a staged change on the branch).
  void remove();

  /// The branch this object is written on.
  [[nodiscard]] Branch branch() const;

  /// Commits the branch: `branch.object(p).upload(d).commit("msg")`.
  Commit commit(const std::string& message);
};

}  // namespace lakefs
