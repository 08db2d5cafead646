// SPDX-License-Identifier: Apache-2.0
// Reference: read-only access to any ref of a repository: a branch, a tag, a
// commit id, or an expression such as "main~2". Constructing one sends nothing.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "lakefs/async/listing.hpp"
#include "lakefs/client.hpp"
#include "lakefs/export.hpp"
#include "lakefs/listing.hpp"
#include "lakefs/models.hpp"
#include "lakefs/transfer.hpp"

namespace lakefs {

class Branch;
class StoredObject;

/// Options of removing a repository, branch or tag.
struct LAKEFS_API RemoveOptions {
  /// Remove it even from a read-only repository (lakeFS's `force`); without
  /// it, lakeFS refuses any change to a read-only repository (ForbiddenError).
  bool force = false;
  /// Timeout, deadline, retry policy, cancellation and extra headers of its requests (see CallOptions).
  CallOptions call{};
};

/// Options of Reference::log().
struct LAKEFS_API LogOptions {
  /// Stop after this many commits.
  std::optional<std::size_t> max_amount{};
  /// Items per request (lakeFS allows 1–1000; the default is the most). A
  /// smaller page answers sooner and holds less in memory; InvalidArgumentError
  /// (when the listing is created, before any request) outside 1–1000.
  std::size_t page_size = 1000;
  /// Only commits that touched these objects (paths).
  std::vector<std::string> objects{};
  /// Only commits that touched something under these prefixes.
  std::vector<std::string> prefixes{};
  /// Treat `objects`/`prefixes` as limits on the first parent line only.
  bool first_parent = false;
  /// Only commits created after this time.
  std::optional<Timestamp> since{};
  /// Only commits created at or before this time (filtered by the SDK: lakeFS has no such parameter).
  std::optional<Timestamp> until{};
  /// Stop at this commit (exclusive), e.g. a previous head.
  std::string stop_at{};
  /// With `objects`/`prefixes`: lakeFS stops its scan of the history once a
  /// page holds as many matching commits as asked (`page_size`, or fewer with
  /// `max_amount`), instead of scanning on to fill it; much faster for "the
  /// last commit that touched this path" (lakeFS's `limit`).
  bool limit = false;
  /// Start after this commit id (a listing's resume_after()); "" = the head.
  std::string after{};
  /// Timeout, retry policy and cancellation of every page request: once
  /// `call.stop` is requested, reaching a page that is not fetched yet throws
  /// CancelledError (a fetch in flight, read-ahead included, is aborted).
  CallOptions call{};
};

/// Options of Reference::diff().
struct LAKEFS_API DiffOptions {
  /// Stop after this many changes.
  std::optional<std::size_t> max_amount{};
  /// As LogOptions::page_size.
  std::size_t page_size = 1000;
  /// Only changes to paths that start with this.
  std::string prefix{};
  /// "/" groups changes under common prefixes.
  std::string delimiter{};
  /// Three-dot (changes since the merge base, the default) or two-dot.
  enum class Type { three_dot, two_dot } type = Type::three_dot;
  /// \var Type::three_dot
  /// The changes on the other reference since its merge base with this one (what a merge would bring).
  /// \var Type::two_dot
  /// Every difference between the two references' trees.
  /// \var type
  /// Three-dot (the default) or two-dot.

  /// Start after this path (a listing's resume_after()).
  std::string after{};
  /// As LogOptions::call.
  CallOptions call{};
};

/// Options of Reference::objects().
struct LAKEFS_API ListObjectsOptions {
  /// Stop after this many entries.
  std::optional<std::size_t> max_amount{};
  /// As LogOptions::page_size.
  std::size_t page_size = 1000;
  /// Only objects whose path starts with this.
  std::string prefix{};
  /// "/" lists one level: deeper paths come back as CommonPrefix entries.
  std::string delimiter{};
  /// Start after this path (a listing's resume_after()).
  std::string after{};
  /// Each ObjectInfo::physical_address is a pre-signed GET URL (with
  /// physical_address_expiry), as StatOptions::pre_sign. NotSupportedError when
  /// the server's block store cannot pre-sign.
  bool pre_sign = false;
  /// As LogOptions::call.
  CallOptions call{};
};

/// An entry of annotate(): an object or common prefix and the latest commit
/// that changed it.
struct LAKEFS_API Annotation {
  /// The object or common prefix.
  ObjectEntry entry{};
  /// The latest commit (merge commits aside: lakeFS's path-filtered log skips
  /// them) that touched the object, or anything under the prefix; nullopt when
  /// none did (e.g. only the initial commit, or only merges).
  std::optional<Commit> commit{};
};

/// Options of Reference::annotate().
struct LAKEFS_API AnnotateOptions {
  /// The objects under this prefix.
  std::string prefix{};
  /// Every object under `prefix` (true) or one level, with common prefixes (false, as `lakectl annotate`).
  bool recursive = false;
  /// Follow only the first parent of merge commits.
  bool first_parent = false;
  /// Stop after this many entries.
  std::optional<std::size_t> max_amount{};
  /// Entries per page (each page's commits are looked up together), 1–1000.
  std::size_t page_size = 100;
  /// Start after this path (a listing's resume_after()).
  std::string after{};
  /// Commit lookups in flight at once; 0 = the client's max_connections.
  std::size_t concurrency = 0;
  /// As LogOptions::call.
  CallOptions call{};
};

/// Options of Reference::merge_into().
struct LAKEFS_API MergeOptions {
  /// The merge commit's message; empty lets the server write one.
  std::string message{};
  /// The merge commit's metadata.
  Metadata metadata{};
  /// "dest-wins" or "source-wins" to resolve conflicts automatically.
  std::string strategy{};
  /// Make the merge commit even when the source brings no change.
  bool allow_empty = false;
  /// Squash: the merge commit has only the destination as parent, as if the changes were committed there.
  bool squash_merge = false;
  /// Merge even if the destination has uncommitted changes (forced).
  bool force = false;
  /// Timeout, deadline, retry policy, cancellation and extra headers of its requests (see CallOptions).
  CallOptions call{};
};

/// Read-only access to any ref of a repository: a branch, a tag, a commit id, or an expression such as
/// "main~2". Reads commits, logs, diffs and objects, and merges into a branch. Constructing one sends nothing;
/// Repository::ref() and Repository::commit() make one. Branch and Tag derive from it.
class LAKEFS_API Reference {
 public:
  /// A reference `id` in repository `repo_id`; nothing is sent to the server.
  Reference(std::string repo_id, std::string id, Client client = default_client());

  /// The repository's id.
  [[nodiscard]] const std::string& repo_id() const noexcept { return repo_id_; }
  /// The reference as given: a branch or tag name, a commit id or an expression.
  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  /// The client the handle sends through.
  [[nodiscard]] const Client& client() const noexcept { return client_; }

  /// The commit this reference points at.
  [[nodiscard]] Commit get_commit(CallOptions call = {}) const;

  /// Commits reachable from this reference, newest first.
  [[nodiscard]] Listing<Commit> log(LogOptions options = {}) const;
  /// log() with awaited pages (see objects_async).
  [[nodiscard]] AsyncListing<Commit> log_async(LogOptions options = {}) const;

  /// Changes between this reference and `other`.
  [[nodiscard]] Listing<Change> diff(const Reference& other, DiffOptions options = {}) const;
  /// The same, against the ref named `other_ref` of this repository.
  [[nodiscard]] Listing<Change> diff(const std::string& other_ref, DiffOptions options = {}) const;
  /// diff() with awaited pages (see objects_async).
  [[nodiscard]] AsyncListing<Change> diff_async(const Reference& other, DiffOptions options = {}) const;
  /// diff() against `other_ref` with awaited pages (see objects_async).
  [[nodiscard]] AsyncListing<Change> diff_async(const std::string& other_ref, DiffOptions options = {}) const;

  /// Objects (and common prefixes, with a delimiter) at this reference.
  [[nodiscard]] Listing<ObjectEntry> objects(ListObjectsOptions options = {}) const;
  /// objects() with awaited pages (see AsyncListing, docs/async.md): each page one request on the client's engine.
  /// Arguments are checked now (InvalidArgumentError); nothing is sent until a page is awaited.
  [[nodiscard]] AsyncListing<ObjectEntry> objects_async(ListObjectsOptions options = {}) const;
  /// Each object (or common prefix) under a prefix with the latest commit that
  /// changed it (lakectl annotate): a listing page, then one log request per
  /// entry, `concurrency` at a time, while the next page is read ahead.
  [[nodiscard]] Listing<Annotation> annotate(AnnotateOptions options = {}) const;

  /// Merges this reference into `destination`; returns the resulting commit id.
  /// A conflict (the same paths changed on both sides) is MergeConflictError;
  /// a destination in another repository is InvalidArgumentError (nothing is sent).
  std::string merge_into(const Branch& destination, MergeOptions options = {}) const;
  /// The same, into the branch named `destination_branch` of this repository.
  std::string merge_into(const std::string& destination_branch, MergeOptions options = {}) const;
  /// merge_into() the branch named `destination_branch`, as a task (include <lakefs/async/task.hpp>;
  /// docs/async.md): one request on the client's engine, the same errors.
  [[nodiscard]] async::Task<std::string> merge_into_async(std::string destination_branch,
                                                          MergeOptions options = {}) const;

  /// The best common ancestor of this reference and `destination_branch`,
  /// the commit a merge between them would start from (lakectl find-merge-base).
  /// A branch of another repository is InvalidArgumentError (nothing is sent).
  [[nodiscard]] Reference merge_base(const Branch& destination_branch, CallOptions call = {}) const;
  /// The same, with the branch named `destination_branch` of this repository.
  [[nodiscard]] Reference merge_base(const std::string& destination_branch, CallOptions call = {}) const;

  /// A read-only handle to the object at `path` (sends nothing).
  [[nodiscard]] StoredObject object(std::string path) const;

  /// Downloads every object under `prefix` into `local_dir`, keeping the layout
  /// below the prefix ("p/a/b.csv" with prefix "p/" → local_dir/a/b.csv),
  /// concurrently, each file streamed to a temporary name and renamed into place.
  /// Keys that would escape `local_dir` ("..", absolute) are skipped. Failures
  /// are collected in the summary; see docs/objects-and-io.md.
  [[nodiscard]] TransferSummary download_prefix(const std::string& prefix, const std::filesystem::path& local_dir,
                                                DownloadPrefixOptions options = {}) const;

  /// The same ref of the same repository, as written (the clients are not compared; "main" and the commit it
  /// points at are different references).
  bool operator==(const Reference& other) const noexcept { return repo_id_ == other.repo_id_ && id_ == other.id_; }

 protected:
  /// The repository's id (repo_id()).
  std::string repo_id_{};
  /// The reference (id()).
  std::string id_{};
  /// The client (client()).
  Client client_{};
};

/// Prints "Reference(<repository>@<ref>)".
LAKEFS_API std::ostream& operator<<(std::ostream& os, const Reference& ref);

}  // namespace lakefs
