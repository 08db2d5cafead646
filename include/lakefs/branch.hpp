// SPDX-License-Identifier: Apache-2.0
// Branch: a Reference that can change: create, commit, revert, reset, write
// objects. Constructing one sends nothing.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lakefs/export.hpp"
#include "lakefs/reference.hpp"

namespace lakefs {

class WriteableObject;
class Transaction;
struct TransactionOptions;
class ImportManager;
struct ImportOptions;

/// Options of Branch::create().
struct LAKEFS_API BranchCreateOptions {
  /// Return the existing branch instead of failing with ConflictError.
  bool exist_ok = false;
  /// Hidden branches are left out of branch listings.
  bool hidden = false;
  /// Create it even in a read-only repository (lakeFS's `force`).
  bool force = false;
  /// Timeout, deadline, retry policy, cancellation and extra headers of its requests (see CallOptions).
  CallOptions call{};
};

/// Options of Branch::commit().
struct LAKEFS_API CommitOptions {
  /// Metadata of the commit (key/value pairs stored with it).
  Metadata metadata{};
  /// Commit even when nothing is staged; without it, lakeFS refuses an empty commit (BadRequestError).
  bool allow_empty = false;
  /// Override the commit's creation date.
  std::optional<Timestamp> date{};
  /// Commit even to a read-only repository (lakeFS's `force`).
  bool force = false;
  /// Timeout, deadline, retry policy, cancellation and extra headers of its requests (see CallOptions).
  CallOptions call{};
};

/// Options of Branch::cherry_pick().
struct LAKEFS_API CherryPickOptions {
  /// For a merge commit, the parent (1-based) whose changes are applied.
  int parent_number = 0;
  /// Timeout, deadline, retry policy, cancellation and extra headers of its requests (see CallOptions).
  CallOptions call{};
};

/// Options of Branch::revert().
struct LAKEFS_API RevertOptions {
  /// For a merge commit, the parent (1-based) to diff against.
  int parent_number = 0;
  /// Make the revert commit even when it changes nothing (the changes were
  /// already undone); without it, that is BadRequestError ("no changes").
  bool allow_empty = false;
  /// Revert even in a read-only repository (lakeFS's `force`).
  bool force = false;
  /// Timeout, deadline, retry policy, cancellation and extra headers of its requests (see CallOptions).
  CallOptions call{};
};

/// Options of Branch::uncommitted().
struct LAKEFS_API UncommittedOptions {
  /// Stop after this many changes.
  std::optional<std::size_t> max_amount{};
  /// Changes per request, 1–1000 (lakeFS's limit); as LogOptions::page_size.
  std::size_t page_size = 1000;
  /// Only changes to paths that start with this.
  std::string prefix{};
  /// Start after this path (a listing's resume_after()).
  std::string after{};
  /// As LogOptions::call.
  CallOptions call{};
};

/// Options of Branch::remove_objects().
struct LAKEFS_API RemoveObjectsOptions {
  /// Concurrent delete requests (each removes up to 1000 paths); 0 = the client's max_connections.
  std::size_t concurrency = 0;
  /// Timeout, retry policy and cancellation of the delete requests. Once
  /// `call.stop` is requested no new request starts, the running ones are
  /// aborted, and the call throws CancelledError. Deleting is not undone:
  /// chunks deleted before the stop stay deleted, and when a request was in
  /// flight (CancelledError::outcome_unknown() is true) the server may have
  /// deleted some or all of its chunk.
  CallOptions call{};
};

/// A branch of a repository: a Reference that can change. Creates and removes the branch, commits, reverts,
/// cherry-picks, resets, writes objects (object()), and runs transactions and imports. Constructing one sends
/// nothing; Repository::branch() makes one on the repository's client.
class LAKEFS_API Branch : public Reference {
 public:
  /// A handle to branch `id` of repository `repo_id`, on `client`; nothing is sent.
  Branch(std::string repo_id, std::string id, Client client = default_client());

  /// Creates the branch from `source_reference` (a branch, tag or commit id).
  Branch& create(const std::string& source_reference, BranchCreateOptions options = {});
  /// The same, from `source_reference.id()`.
  Branch& create(const Reference& source_reference, BranchCreateOptions options = {});

  /// Deletes the branch (its commits stay reachable from other refs).
  void remove(RemoveOptions options = {});

  /// The commit the branch currently points at.
  [[nodiscard]] Reference head(CallOptions call = {}) const;

  /// Commits staged changes; returns the new commit.
  Commit commit(const std::string& message, CommitOptions options = {});
  /// commit() as a task (include <lakefs/async/task.hpp>; docs/async.md): sent when awaited, on the client's
  /// engine; the task holds a copy of this handle. The pinned lakeFS commits synchronously, so this is one request.
  [[nodiscard]] async::Task<Commit> commit_async(std::string message, CommitOptions options = {}) const;

  /// Reverts the changes `reference` introduced (a new commit). For a merge
  /// commit, `options.parent_number` (1-based) picks the parent to diff against.
  Commit revert(const std::string& reference, RevertOptions options = {});
  /// The same for a handle; one of another repository is InvalidArgumentError (nothing is sent).
  Commit revert(const Reference& reference, RevertOptions options = {});

  /// Applies the changes `reference` introduced onto this branch (a new commit).
  /// For a merge commit, `options.parent_number` (1-based) picks the parent whose changes are applied.
  Commit cherry_pick(const std::string& reference, CherryPickOptions options = {});
  /// The same for a handle; one of another repository is InvalidArgumentError (nothing is sent).
  Commit cherry_pick(const Reference& reference, CherryPickOptions options = {});

  /// Drops all uncommitted changes on the branch.
  void reset_changes(CallOptions call = {});
  /// Drops the uncommitted change of one object.
  void reset_object(const std::string& path, CallOptions call = {});
  /// Drops uncommitted changes under a prefix.
  void reset_prefix(const std::string& prefix, CallOptions call = {});

  /// Staged, uncommitted changes.
  [[nodiscard]] Listing<Change> uncommitted(UncommittedOptions options = {}) const;
  /// uncommitted() with awaited pages (see Reference::objects_async).
  [[nodiscard]] AsyncListing<Change> uncommitted_async(UncommittedOptions options = {}) const;

  /// Deletes many objects, in chunks of the server's limit (1000), concurrently.
  void remove_objects(std::span<const std::string> paths, RemoveObjectsOptions options = {});
  /// The same for paths in braces: `remove_objects({"a.csv", "b.csv"})`.
  void remove_objects(std::initializer_list<std::string_view> paths, RemoveObjectsOptions options = {});
  /// The same for any range of paths (a std::set, a std::list, string_views,
  /// ...) or of object handles (StoredObject, WriteableObject: their paths on
  /// this branch; a handle of another repository is InvalidArgumentError
  /// before anything is sent).
  template <std::ranges::input_range Range>
  requires(!std::is_convertible_v<Range, std::span<const std::string>>) void remove_objects(
      Range&& items, RemoveObjectsOptions options = {}) {
    std::vector<std::string> paths;
    if constexpr (std::ranges::sized_range<Range>) paths.reserve(std::ranges::size(items));
    for (auto&& item : items) {
      if constexpr (std::is_convertible_v<decltype(item), std::string_view>) {
        paths.emplace_back(std::string_view(item));
      } else {
        paths.push_back(path_on_this_branch(item));
      }
    }
    remove_objects(std::span<const std::string>(paths), std::move(options));
  }

  /// A writeable handle to the object at `path` (sends nothing).
  [[nodiscard]] WriteableObject object(std::string path) const;

 private:
  // The path of `object` (a handle on any ref), once it is known to be of this repository.
  [[nodiscard]] std::string path_on_this_branch(const StoredObject& object) const;

 public:
  /// Uploads every regular file under `local_dir` to `prefix` + its relative path
  /// ('/'-separated; a '/' is put between a non-empty prefix and the path),
  /// concurrently, each file streamed from disk. Symlinks and special files are
  /// skipped with a note. Failures are collected in the summary; see docs/objects-and-io.md.
  [[nodiscard]] TransferSummary upload_directory(const std::filesystem::path& local_dir, const std::string& prefix,
                                                 UploadDirectoryOptions options = {}) const;

  /// Runs `fn` in a transaction on a hidden ephemeral branch, then commits,
  /// merges into this branch, tags if asked, and returns the merge commit;
  /// if `fn` throws, nothing reaches this branch and the exception propagates
  /// unchanged. Include <lakefs/transaction.hpp>; see docs/transactions.md.
  /// `options` give the transaction's commit message, metadata, tag, error handling and the CallOptions of its
  /// own requests.
  Commit transact(const std::function<void(Transaction&)>& fn, TransactionOptions options);
  /// The same, with default options.
  Commit transact(const std::function<void(Transaction&)>& fn);

  /// The explicit form: commit() or rollback() the returned transaction;
  /// destroying it without either rolls it back. `options` as for transact().
  [[nodiscard]] Transaction begin_transaction(TransactionOptions options);
  /// The same, with default options.
  [[nodiscard]] Transaction begin_transaction();

  /// Imports objects from the object store into this branch (sends nothing
  /// until start()/run()). Include <lakefs/import.hpp>; see docs/imports.md.
  /// `options` give the import commit's message and metadata (start() and
  /// run() may replace them) and the merge mode.
  [[nodiscard]] ImportManager import_data(ImportOptions options) const;
  /// The same, with default options.
  [[nodiscard]] ImportManager import_data() const;
};

}  // namespace lakefs
