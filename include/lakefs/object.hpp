// StoredObject (read-only, from any reference) and WriteableObject (from a
// branch). Constructing one sends nothing.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "lakefs/client.hpp"
#include "lakefs/models.hpp"

namespace lakefs {

class Branch;

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
};

class WriteableObject : public StoredObject {
 public:
  WriteableObject(std::string repo_id, std::string branch_id, std::string path, Client client = default_client());

  /// Uploads `data` as the object's content; returns *this for chaining.
  WriteableObject& upload(std::string_view data, const UploadOptions& options = {});
  WriteableObject& upload(std::span<const std::byte> data, const UploadOptions& options = {});

  /// Deletes the object (a staged change on the branch).
  void remove();

  /// The branch this object is written on.
  [[nodiscard]] Branch branch() const;

  /// Commits the branch: `branch.object(p).upload(d).commit("msg")`.
  Commit commit(const std::string& message);
};

}  // namespace lakefs
