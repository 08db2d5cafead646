// SPDX-License-Identifier: Apache-2.0
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

#include "lakefs/export.hpp"
#include "lakefs/models.hpp"
#include "lakefs/policies.hpp"

namespace lakefs {

/// A pull request: a proposal to merge a source branch into a destination branch.
struct LAKEFS_API PullRequest {
  /// Where the pull request stands.
  enum class Status { open, closed, merged, unknown };
  /// \var Status::open
  /// Open: neither merged nor closed yet.
  /// \var Status::closed
  /// Closed without being merged.
  /// \var Status::merged
  /// Merged into its destination.
  /// \var Status::unknown
  /// A status this SDK does not know.

  /// The pull request's id, as Repository::pull_request() and merge_pull_request() take it.
  std::string id{};
  /// Where the pull request stands.
  Status status = Status::unknown;
  /// The title.
  std::string title{};
  /// Empty in listings: lakeFS sends it only to pull_request(id).
  std::string description{};
  /// The user who opened it.
  std::string author{};
  /// The branch whose changes it proposes.
  std::string source_branch{};
  /// The branch it would merge into.
  std::string destination_branch{};
  /// When it was opened.
  Timestamp creation_date{};
  /// Set once closed or merged.
  std::optional<Timestamp> closed_date{};
  /// The merge commit, once merged (pull_request(id) only).
  std::string merged_commit_id{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const PullRequest&) const = default;
};

/// The status's name: "open", "closed", "merged" or "unknown".
[[nodiscard]] LAKEFS_API const char* to_string(PullRequest::Status status) noexcept;

/// Options of Repository::pull_requests().
struct LAKEFS_API PullRequestsOptions {
  /// Which pull requests: open (the default), closed (merged ones included) or all.
  enum class Which { open, closed, all } status = Which::open;
  /// \var Which::open
  /// The open pull requests.
  /// \var Which::closed
  /// The closed and the merged ones.
  /// \var Which::all
  /// Every pull request.
  /// \var status
  /// Which pull requests to list (Which::open by default).

  /// Stop after this many pull requests.
  std::optional<std::size_t> max_amount{};
  /// Pull requests per request, 1–1000; as LogOptions::page_size.
  std::size_t page_size = 1000;
  /// Only ids starting with this.
  std::string prefix{};
  /// Start after this id (a listing's resume_after()).
  std::string after{};
  /// As LogOptions::call.
  CallOptions call{};
};

/// What update_pull_request changes; fields left unset stay as they are.
struct LAKEFS_API PullRequestUpdate {
  /// The new title, when set.
  std::optional<std::string> title{};
  /// The new description, when set.
  std::optional<std::string> description{};
};

}  // namespace lakefs
