// Repository: the entry point to branches, tags, commits and objects.
// Constructing one sends nothing; create(), remove() and the getters do.
#pragma once

#include <optional>
#include <string>

#include "lakefs/branch.hpp"
#include "lakefs/client.hpp"
#include "lakefs/listing.hpp"
#include "lakefs/models.hpp"
#include "lakefs/reference.hpp"
#include "lakefs/tag.hpp"

namespace lakefs {

struct RepositoryCreateOptions {
  /// Where the repository's data lives, e.g. "s3://bucket/path" or "local://name".
  std::string storage_namespace{};
  std::string default_branch = "main";
  /// Populate the repository with lakeFS's sample data.
  bool include_samples = false;
  /// Return the existing repository instead of failing with ConflictError.
  bool exist_ok = false;
};

struct ListOptions {
  std::optional<std::size_t> max_amount{};
  std::string prefix{};
  std::string after{};
};

class Repository {
 public:
  explicit Repository(std::string id, Client client = default_client());

  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  [[nodiscard]] const Client& client() const noexcept { return client_; }

  Repository& create(RepositoryCreateOptions options);
  /// Deletes the repository (its data in the storage namespace is kept).
  void remove();

  [[nodiscard]] RepositoryProperties properties() const;
  [[nodiscard]] Metadata metadata() const;

  [[nodiscard]] Branch branch(std::string id) const { return Branch(id_, std::move(id), client_); }
  [[nodiscard]] Tag tag(std::string id) const { return Tag(id_, std::move(id), client_); }
  [[nodiscard]] Reference ref(std::string id) const { return Reference(id_, std::move(id), client_); }
  [[nodiscard]] Reference commit(std::string commit_id) const { return Reference(id_, std::move(commit_id), client_); }

  [[nodiscard]] Listing<Branch> branches(ListOptions options = {}) const;
  [[nodiscard]] Listing<Tag> tags(ListOptions options = {}) const;

  bool operator==(const Repository& other) const noexcept { return id_ == other.id_; }

 private:
  std::string id_{};
  Client client_{};
};

/// A repository handle on the default client (sends nothing).
[[nodiscard]] Repository repository(std::string id);

/// All repositories the client can see.
[[nodiscard]] Listing<Repository> repositories(ListOptions options = {}, Client client = default_client());

std::ostream& operator<<(std::ostream& os, const Repository& repo);

}  // namespace lakefs
