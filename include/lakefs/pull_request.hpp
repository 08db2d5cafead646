// Pull requests (lakeFS's experimental API, in the open-source server too):
// a proposal to merge a source branch into a destination branch, opened,
// listed, merged or closed on a repository:
//
//   auto pr = repo.create_pull_request("feature", "main", "Add the 2024 data");
//   for (const lakefs::PullRequest& open : repo.pull_requests()) ...
//   std::string merge_commit = repo.merge_pull_request(pr.id);
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "lakefs/models.hpp"
#include "lakefs/policies.hpp"

namespace lakefs {

struct PullRequest {
  enum class Status { open, closed, merged, unknown };
  std::string id{};
  Status status = Status::unknown;
  std::string title{};
  /// Empty in listings: lakeFS sends it only to pull_request(id).
  std::string description{};
  std::string author{};
  std::string source_branch{};
  std::string destination_branch{};
  Timestamp creation_date{};
  /// Set once closed or merged.
  std::optional<Timestamp> closed_date{};
  /// The merge commit, once merged (pull_request(id) only).
  std::string merged_commit_id{};
  bool operator==(const PullRequest&) const = default;
};

[[nodiscard]] const char* to_string(PullRequest::Status status) noexcept;

struct PullRequestsOptions {
  /// Which pull requests: open (the default), closed (merged ones included) or all.
  enum class Which { open, closed, all } status = Which::open;
  std::optional<std::size_t> max_amount{};
  /// Pull requests per request, 1–1000; as LogOptions::page_size.
  std::size_t page_size = 1000;
  /// Only ids starting with this.
  std::string prefix{};
  /// Start after this id (a listing's resume_after()).
  std::string after{};
  CallOptions call{};
};

/// What update_pull_request changes; fields left unset stay as they are.
struct PullRequestUpdate {
  std::optional<std::string> title{};
  std::optional<std::string> description{};
};

}  // namespace lakefs
