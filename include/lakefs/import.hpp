// SPDX-License-Identifier: Apache-2.0
// ImportManager: brings objects that already live in the object store into a
// branch without copying them (lakeFS records pointers to them), as one
// import commit. The import runs on the server; the manager starts it, polls
// its progress, waits for it, or cancels it.
//
//   auto status = branch.import_data({.commit_message = "import raw"})
//                     .prefix("s3://bucket/raw/", "datasets/raw/")
//                     .object("s3://bucket/meta.json", "datasets/meta.json")
//                     .run({.on_progress = [](const lakefs::ImportStatus& s) {
//                       std::cout << s.ingested_objects << " objects\n";
//                     }});
//
// An import REPLACES the destination: after it, every object under each
// destination prefix on the branch is exactly what the import brought in.
// The branch must have no uncommitted changes when the import commits.
// See docs/imports.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lakefs/branch.hpp"
#include "lakefs/export.hpp"
#include "lakefs/models.hpp"

namespace lakefs {

/// Options of an import (Branch::import_data()): its commit, and whether it goes through a side branch.
struct LAKEFS_API ImportOptions {
  /// Message of the import commit; empty lets the server choose ("Import objects").
  std::string commit_message{};
  /// Metadata of the import commit.
  Metadata commit_metadata{};
  /// Import even into a read-only repository.
  bool force = false;
  /// Import into a side branch and merge it into this one (lakectl's former
  /// `import --merge`): the import commit lands on `side_branch` (created from
  /// this branch when missing), and wait() then merges it into this branch. So
  /// the import replaces the destination prefixes only as of the side branch's
  /// base, this branch's own changes since then are kept (a conflict is
  /// MergeConflictError, the import commit staying on the side branch), and
  /// this branch may have uncommitted changes while the import runs.
  bool merge = false;
  /// The side branch of `merge`; empty = "_<branch>_imported" (lakectl's name).
  std::string side_branch{};
  /// Message of the merge commit; empty lets the server choose.
  std::string merge_message{};
};

/// Where imported objects come from and where they land on the branch.
struct LAKEFS_API ImportSource {
  /// Whether the source is a prefix or a single object.
  enum class Type { prefix, object };
  /// \var Type::prefix
  /// Every object under the source URI, placed under the destination prefix.
  /// \var Type::object
  /// One object, placed at the destination path.

  /// Whether `uri` is a prefix or a single object.
  Type type = Type::prefix;
  /// Object-store URI, e.g. "s3://bucket/raw/" or "local:///data/raw".
  std::string uri{};
  /// Path on the branch: a prefix for Type::prefix, the object's path for Type::object.
  std::string destination{};
  /// Equal when every member is.
  bool operator==(const ImportSource&) const = default;
};

/// The state of an import as the server reports it.
struct LAKEFS_API ImportStatus {
  /// True once the import commit exists.
  bool completed = false;
  /// When the server last updated this status.
  Timestamp update_time{};
  /// Objects ingested so far.
  std::int64_t ingested_objects = 0;
  /// The imported metarange, once there is one.
  std::string metarange_id{};
  /// The import commit, once completed.
  std::optional<Commit> commit{};
  /// The server's error message when the import failed; a cancelled import reports one containing "Canceled".
  std::optional<std::string> error{};
  /// With ImportOptions::merge, the merge commit on the branch, once wait() has merged.
  std::optional<std::string> merge_commit{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const ImportStatus&) const = default;
};

/// Prints a one-line summary, e.g. "ImportStatus(running, 1200 objects)", with the commit id or the error when
/// there is one.
LAKEFS_API std::ostream& operator<<(std::ostream& os, const ImportStatus& status);

/// Options of ImportManager::start(): the import commit's message and metadata for this start, and the call's
/// options.
struct LAKEFS_API ImportStartOptions {
  /// Message of the import commit instead of ImportOptions::commit_message.
  std::optional<std::string> commit_message{};
  /// Metadata of the import commit instead of ImportOptions::commit_metadata.
  std::optional<Metadata> commit_metadata{};
  /// Timeout and retry policy of the request; its stop token is checked before
  /// the request is sent (CancelledError, nothing started) but never
  /// interrupts it, so a started import always has a known id.
  CallOptions call{};
};

/// Options of ImportManager::run() and ImportManager::wait(): the import commit's message and metadata (run()
/// only), progress callback, poll interval, timeouts and cancellation.
struct LAKEFS_API ImportRunOptions {
  /// run(): message of the import commit instead of ImportOptions::commit_message.
  std::optional<std::string> commit_message{};
  /// run(): metadata of the import commit instead of ImportOptions::commit_metadata.
  std::optional<Metadata> commit_metadata{};
  /// Called with the status after every poll, including the last one.
  std::function<void(const ImportStatus&)> on_progress{};
  /// Time between two status polls (lakeFS refreshes the status about once a second).
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
  /// Timeout and retry policy of every request (start, status polls, cancel),
  /// and cancellation: once `call.stop` is requested, the wait (a poll in
  /// flight or the sleep between polls) ends at once, the import is cancelled
  /// on the server (as cancel()), and CancelledError is thrown with
  /// outcome_unknown() true: lakeFS stops the import's work only at its next
  /// status refresh (within about a second) and publishes completion only
  /// then, so an import that reached its commit before that has committed,
  /// whole, never in part (check branch().head()). A stop that comes after the
  /// server reported the import completed changes nothing: the final status is returned.
  CallOptions call{};
};

namespace detail {
struct ImportMergeRecord;
}  // namespace detail

/// Builds and drives one import into one branch. Cheap to copy; a copy made
/// after start() refers to the same server-side import.
class LAKEFS_API ImportManager {
 public:
  /// An import into `branch` with `options`, with no sources yet (sends nothing); Branch::import_data() makes one.
  explicit ImportManager(Branch branch, ImportOptions options = {});

  /// Adds every object under `source_uri` (a prefix), placed under `destination`.
  ImportManager& prefix(std::string source_uri, std::string destination);
  /// Adds the single object `source_uri`, placed at path `destination`.
  ImportManager& object(std::string source_uri, std::string destination);

  /// The branch the import is for.
  [[nodiscard]] const Branch& branch() const noexcept { return branch_; }
  /// Where the import commit lands: branch(), or the side branch with ImportOptions::merge.
  [[nodiscard]] const Branch& import_branch() const noexcept { return target_; }
  /// The options the import was made with.
  [[nodiscard]] const ImportOptions& options() const noexcept { return options_; }
  /// The sources added so far, in the order they were added.
  [[nodiscard]] const std::vector<ImportSource>& sources() const noexcept { return sources_; }
  /// The server's id of the import; empty before start().
  [[nodiscard]] const std::string& import_id() const noexcept { return import_id_; }

  /// Starts the import on the server and returns its id. Throws
  /// InvalidArgumentError without sources, ImportError when already started,
  /// and the server's errors (e.g. NotFoundError for a missing branch).
  /// See ImportStartOptions.
  std::string start(ImportStartOptions options = {});

  /// The current status (one request, with `call`'s timeout, retry policy and
  /// cancellation). ImportError before start().
  [[nodiscard]] ImportStatus status(CallOptions call = {}) const;
  /// status() as a task (include <lakefs/async/task.hpp>; docs/async.md), on the client's engine.
  [[nodiscard]] async::Task<ImportStatus> status_async(CallOptions call = {}) const;

  /// Polls until the import completes and returns the final status; with
  /// ImportOptions::merge it then merges the side branch into branch() (once:
  /// a later wait() returns the same merge commit). Throws
  /// ImportError with the server's message when the import failed or was
  /// cancelled, and ImportError before start(). With options.call.stop: see
  /// ImportRunOptions::call (a stop cancels the import on the server and
  /// throws CancelledError).
  /// Polls every `options.poll_interval`, calling `options.on_progress` after every poll.
  ImportStatus wait(ImportRunOptions options = {}) const;
  /// wait() as a task, on the client's engine: the polls are requests there and the time between them an engine
  /// timer (no thread sleeps). `options.on_progress` runs on the engine thread (never block in it). A stop
  /// (`options.call.stop`, or the token the task inherits) cancels the import on the server and throws
  /// CancelledError, as wait() does. Await one wait of an import at a time.
  [[nodiscard]] async::Task<ImportStatus> wait_async(ImportRunOptions options = {}) const;

  /// start() with the options' commit message, metadata and call, then
  /// wait(options): a stop request at any point leaves no import running on the server.
  ImportStatus run(ImportRunOptions options = {});

  /// Asks the server to stop the import; a later status() reports the error
  /// "Canceled". Throws ImportError before start() and when the import has
  /// already completed. `call` sets the request's timeout, retry policy and cancellation.
  void cancel(CallOptions call = {});

 private:
  Branch branch_;
  Branch target_;
  ImportOptions options_{};
  // The merge of an ImportOptions::merge import, once made: shared by the copies of a started import and by a
  // wait_async() task, which may outlive this manager.
  std::shared_ptr<detail::ImportMergeRecord> merge_record_;
  std::vector<ImportSource> sources_{};
  std::string import_id_{};
};

}  // namespace lakefs
