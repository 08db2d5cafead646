// SPDX-License-Identifier: Apache-2.0
// Repository: the entry point to branches, tags, commits and objects.
// Constructing one sends nothing; create(), remove() and the getters do.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "lakefs/actions.hpp"
#include "lakefs/branch.hpp"
#include "lakefs/client.hpp"
#include "lakefs/export.hpp"
#include "lakefs/listing.hpp"
#include "lakefs/models.hpp"
#include "lakefs/pull_request.hpp"
#include "lakefs/reference.hpp"
#include "lakefs/refs_dump.hpp"
#include "lakefs/tag.hpp"

namespace lakefs {

/// Options of Repository::create().
struct LAKEFS_API RepositoryCreateOptions {
  /// Where the repository's data lives, e.g. "s3://bucket/path" or "local://name". Required.
  std::string storage_namespace{};
  /// The branch the repository starts with (with its initial commit).
  std::string default_branch = "main";
  /// Populate the repository with lakeFS's sample data.
  bool include_samples = false;
  /// Return the existing repository instead of failing with ConflictError.
  bool exist_ok = false;
  /// Create it without an initial commit or any branch (lakeFS's `bare`), e.g.
  /// as the target of a refs restore.
  bool bare = false;
  /// A read-only repository: lakeFS refuses every change (ForbiddenError)
  /// unless the call passes `force` (BranchCreateOptions, CommitOptions, …).
  bool read_only = false;
  /// The object store to create it in, on a server configured with several
  /// (lakeFS's `storage_id`); empty: the server's default.
  std::string storage_id{};
  /// Timeout, deadline, retry policy, cancellation and extra headers of its requests (see CallOptions).
  CallOptions call{};
};

/// The ephemeral branch of a transaction that is still on the server.
struct LAKEFS_API TransactionBranch {
  /// The hidden "tx-..." branch.
  Branch branch;
  /// When its transaction began (UTC, from the branch's name).
  Timestamp started{};
};

/// Options of the listings of repositories, branches and tags (repositories(), Repository::branches(),
/// Repository::tags()).
struct LAKEFS_API ListOptions {
  /// Stop after this many entries.
  std::optional<std::size_t> max_amount{};
  /// Entries per request, 1–1000 (lakeFS's limit); as LogOptions::page_size.
  std::size_t page_size = 1000;
  /// Only ids that start with this.
  std::string prefix{};
  /// Start after this id (a listing's resume_after()).
  std::string after{};
  /// As LogOptions::call.
  CallOptions call{};
};

/// A repository on a lakeFS server: the entry point to its branches, tags, commits and objects, and to its
/// settings (branch protection, garbage collection), action runs, pull requests and refs dumps. Constructing
/// one sends nothing; create(), remove() and the getters do.
class LAKEFS_API Repository {
 public:
  /// A handle to repository `id` on `client`; nothing is sent. An invalid id is InvalidArgumentError.
  explicit Repository(std::string id, Client client = default_client());

  /// The repository's id (its name).
  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  /// The client the handle sends through.
  [[nodiscard]] const Client& client() const noexcept { return client_; }

  /// Creates the repository; returns *this for chaining. ConflictError when it exists, unless
  /// `options.exist_ok` (then the existing one is checked to be readable and kept as it is).
  Repository& create(RepositoryCreateOptions options);
  /// Deletes the repository (its data in the storage namespace is kept).
  void remove(RemoveOptions options = {});

  /// The repository's properties: creation date, default branch, storage namespace, ...
  [[nodiscard]] RepositoryProperties properties(CallOptions call = {}) const;
  /// The block store holding the repository's data (properties().storage_id):
  /// empty on a server with one block store. Client::storage_config(id) describes it.
  [[nodiscard]] std::string storage_id(CallOptions call = {}) const;
  /// The repository's metadata (the key/value pairs set on it).
  [[nodiscard]] Metadata metadata(CallOptions call = {}) const;

  /// A handle to branch `id` of this repository (sends nothing).
  [[nodiscard]] Branch branch(std::string id) const { return Branch(id_, std::move(id), client_); }
  /// A handle to tag `id` of this repository (sends nothing).
  [[nodiscard]] Tag tag(std::string id) const { return Tag(id_, std::move(id), client_); }
  /// A read-only handle to any ref of this repository: branch, tag, commit id or expression (sends nothing).
  [[nodiscard]] Reference ref(std::string id) const { return Reference(id_, std::move(id), client_); }
  /// A read-only handle to commit `commit_id` (sends nothing).
  [[nodiscard]] Reference commit(std::string commit_id) const { return Reference(id_, std::move(commit_id), client_); }

  /// The repository's branches, by id.
  [[nodiscard]] Listing<Branch> branches(ListOptions options = {}) const;
  /// branches() with awaited pages (see Reference::objects_async).
  [[nodiscard]] AsyncListing<Branch> branches_async(ListOptions options = {}) const;
  /// The repository's tags, by id.
  [[nodiscard]] Listing<Tag> tags(ListOptions options = {}) const;
  /// tags() with awaited pages (see Reference::objects_async).
  [[nodiscard]] AsyncListing<Tag> tags_async(ListOptions options = {}) const;

  /// Ephemeral branches of transactions that began more than `older_than`
  /// ago and are still there, oldest first. A transaction removes its branch
  /// when it commits, rolls back or fails; one is left behind only when the
  /// process died mid-transaction, the server was unreachable at the end, or
  /// TransactionOptions::delete_branch_on_error was false. Recognised by name
  /// ("tx-YYYYMMDD-HHMMSS-<random>", UTC start), including hidden branches.
  [[nodiscard]] std::vector<TransactionBranch> stale_transactions(std::chrono::seconds older_than,
                                                                  CallOptions call = {}) const;

  /// Branch protection (lakectl's branch-protect): branches whose id matches
  /// one of these patterns ("main", "release-*") take no direct commit or
  /// deletion, only merges. The patterns, in no particular order. lakeFS
  /// caches a repository's settings for a few seconds, so a change takes
  /// effect on writes shortly after the call returns.
  [[nodiscard]] std::vector<std::string> branch_protection_rules(CallOptions call = {}) const;
  /// Adds a rule (nothing if the pattern is already there). The rules are read
  /// and written back with If-Match, so a concurrent change by another client
  /// is not lost: on a conflict the change is made again on the new rules.
  /// Except for a repository's first rule: with no rules yet there is no
  /// version to match (lakeFS refuses an empty If-Match), so that write is
  /// unconditional and a rule another client adds at the same moment can be
  /// overwritten.
  void add_branch_protection_rule(const std::string& pattern, CallOptions call = {});
  /// Removes a rule; NotFoundError when there is no such pattern.
  void remove_branch_protection_rule(const std::string& pattern, CallOptions call = {});

  /// Garbage-collection rules (lakectl gc get-config / set-config /
  /// delete-config); std::nullopt when none are set.
  [[nodiscard]] std::optional<GarbageCollectionRules> gc_rules(CallOptions call = {}) const;
  /// Replaces them.
  void set_gc_rules(const GarbageCollectionRules& rules, CallOptions call = {});
  /// Removes them (nothing if none are set).
  void delete_gc_rules(CallOptions call = {});

  /// Runs of the repository's actions (lakectl actions runs list), in run id
  /// order. lakeFS records a run only for events some action file matches.
  [[nodiscard]] Listing<ActionRun> action_runs(ActionRunsOptions options = {}) const;
  /// One run (lakectl actions runs describe); NotFoundError for an unknown id.
  [[nodiscard]] ActionRun action_run(const std::string& run_id, CallOptions call = {}) const;
  /// The hooks of a run, in the order they ran.
  [[nodiscard]] Listing<HookRun> hook_runs(const std::string& run_id, HookRunsOptions options = {}) const;
  /// What a hook wrote while it ran (a Lua hook's error and traceback, a
  /// webhook's request and answer); empty for a skipped hook.
  [[nodiscard]] std::string hook_output(const std::string& run_id, const std::string& hook_run_id,
                                        CallOptions call = {}) const;

  /// Opens a pull request to merge `source_branch` into `destination_branch`
  /// and returns it as the server has it (two requests: create, then get).
  /// BadRequestError when both are the same branch, NotFoundError when one is missing.
  PullRequest create_pull_request(const std::string& source_branch, const std::string& destination_branch,
                                  const std::string& title, const std::string& description = {},
                                  CallOptions call = {}) const;
  /// The repository's pull requests (the open ones by default); listings leave descriptions empty.
  [[nodiscard]] Listing<PullRequest> pull_requests(PullRequestsOptions options = {}) const;
  /// One pull request, with its description and merge commit; NotFoundError for an unknown id.
  [[nodiscard]] PullRequest pull_request(const std::string& id, CallOptions call = {}) const;
  /// Merges an open pull request's source into its destination and returns the
  /// merge commit id; the pull request becomes merged. Sent at most once (a
  /// retry could not tell its own merge from an earlier one): when the outcome
  /// is unknown, the error says so and pull_request(id).status tells. A merge
  /// conflict is MergeConflictError and leaves it open; a pull request that is
  /// not open is BadRequestError.
  std::string merge_pull_request(const std::string& id, CallOptions call = {}) const;
  /// Closes a pull request without merging it.
  void close_pull_request(const std::string& id, CallOptions call = {}) const;
  /// Changes a pull request's title and/or description.
  void update_pull_request(const std::string& id, const PullRequestUpdate& update, CallOptions call = {}) const;

  /// Writes the repository's refs (commits, tags, branches) as metaranges to
  /// its storage namespace and waits for it (lakectl refs-dump). Throws
  /// TaskFailedError when the server reports the task failed.
  RefsDump dump_refs(RefsTaskOptions options = {}) const;
  /// Restores a dump into this repository, which must be bare (created with
  /// `.bare = true`, so it has no commit yet: BadRequestError otherwise) and
  /// on the storage namespace the dump was written to, and waits for it
  /// (lakectl refs-restore). A stop in `options.call` ends the wait with
  /// CancelledError (outcome_unknown(): the restore runs on to its end).
  void restore_refs(const RefsDump& dump, RefsTaskOptions options = {}) const;

  /// Removes the branches stale_transactions(older_than) finds and returns
  /// them. Choose an age that no live transaction reaches: a transaction
  /// whose branch is removed fails at commit with the source untouched.
  std::vector<TransactionBranch> remove_stale_transactions(std::chrono::seconds older_than,
                                                           CallOptions call = {}) const;

  /// The same repository id (the clients are not compared).
  bool operator==(const Repository& other) const noexcept { return id_ == other.id_; }

 private:
  std::string id_{};
  Client client_{};
};

/// A repository handle on the default client (sends nothing).
[[nodiscard]] LAKEFS_API Repository repository(std::string id);

/// All repositories the client can see.
[[nodiscard]] LAKEFS_API Listing<Repository> repositories(ListOptions options = {}, Client client = default_client());
/// repositories() with awaited pages (see Reference::objects_async).
[[nodiscard]] LAKEFS_API AsyncListing<Repository> repositories_async(ListOptions options = {},
                                                                     Client client = default_client());

/// Prints "Repository(<id>)".
LAKEFS_API std::ostream& operator<<(std::ostream& os, const Repository& repo);

}  // namespace lakefs
