// Reference: read-only access to any ref of a repository: a branch, a tag, a
// commit id, or an expression such as "main~2". Constructing one sends nothing.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lakefs/client.hpp"
#include "lakefs/listing.hpp"
#include "lakefs/models.hpp"
#include "lakefs/transfer.hpp"

namespace lakefs {

class Branch;
class StoredObject;

/// Options of removing a repository, branch or tag.
struct RemoveOptions {
  /// Remove it even from a read-only repository (lakeFS's `force`); without
  /// it, lakeFS refuses any change to a read-only repository (ForbiddenError).
  bool force = false;
};

struct LogOptions {
  /// Stop after this many commits.
  std::optional<std::size_t> max_amount{};
  /// Items per request (lakeFS allows 1–1000; the default is the most). A
  /// smaller page answers sooner and holds less in memory; InvalidArgumentError
  /// (when the listing is created, before any request) outside 1–1000.
  std::size_t page_size = 1000;
  /// Only commits that touched these objects / prefixes.
  std::vector<std::string> objects{};
  std::vector<std::string> prefixes{};
  /// Treat `objects`/`prefixes` as limits on the first parent line only.
  bool first_parent = false;
  /// Only commits created after / before these times.
  std::optional<Timestamp> since{};
  std::optional<Timestamp> until{};
  /// Stop at this commit (exclusive), e.g. a previous head.
  std::string stop_at{};
  /// Start after this commit id (a listing's resume_after()); "" = the head.
  std::string after{};
  /// Timeout, retry policy and cancellation of every page request: once
  /// `call.stop` is requested, reaching a page that is not fetched yet throws
  /// CancelledError (a fetch in flight, read-ahead included, is aborted).
  CallOptions call{};
};

struct DiffOptions {
  /// Stop after this many changes.
  std::optional<std::size_t> max_amount{};
  /// As LogOptions::page_size.
  std::size_t page_size = 1000;
  std::string prefix{};
  /// "/" groups changes under common prefixes.
  std::string delimiter{};
  /// Three-dot (changes since the merge base, the default) or two-dot.
  enum class Type { three_dot, two_dot } type = Type::three_dot;
  /// Start after this path (a listing's resume_after()).
  std::string after{};
  /// As LogOptions::call.
  CallOptions call{};
};

struct ListObjectsOptions {
  /// Stop after this many entries.
  std::optional<std::size_t> max_amount{};
  /// As LogOptions::page_size.
  std::size_t page_size = 1000;
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

/// An entry of an object listing: an object, or a common prefix.
using ObjectEntry = std::variant<ObjectInfo, CommonPrefix>;

/// An entry of annotate(): an object or common prefix and the latest commit
/// that changed it.
struct Annotation {
  ObjectEntry entry{};
  /// The latest commit (merge commits aside: lakeFS's path-filtered log skips
  /// them) that touched the object, or anything under the prefix; nullopt when
  /// none did (e.g. only the initial commit, or only merges).
  std::optional<Commit> commit{};
};

struct AnnotateOptions {
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

struct MergeOptions {
  std::string message{};
  Metadata metadata{};
  /// "dest-wins" or "source-wins" to resolve conflicts automatically.
  std::string strategy{};
  bool allow_empty = false;
  bool squash_merge = false;
  /// Merge even if the destination has uncommitted changes (forced).
  bool force = false;
};

class Reference {
 public:
  /// A reference `id` in repository `repo_id`; nothing is sent to the server.
  Reference(std::string repo_id, std::string id, Client client = default_client());

  [[nodiscard]] const std::string& repo_id() const noexcept { return repo_id_; }
  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  [[nodiscard]] const Client& client() const noexcept { return client_; }

  /// The commit this reference points at.
  [[nodiscard]] Commit get_commit() const;

  /// Commits reachable from this reference, newest first.
  [[nodiscard]] Listing<Commit> log(LogOptions options = {}) const;

  /// Changes between this reference and `other`.
  [[nodiscard]] Listing<Change> diff(const Reference& other, DiffOptions options = {}) const;
  [[nodiscard]] Listing<Change> diff(const std::string& other_ref, DiffOptions options = {}) const;

  /// Objects (and common prefixes, with a delimiter) at this reference.
  [[nodiscard]] Listing<ObjectEntry> objects(ListObjectsOptions options = {}) const;
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

  /// The best common ancestor of this reference and `destination_branch`,
  /// the commit a merge between them would start from (lakectl find-merge-base).
  [[nodiscard]] Reference merge_base(const Branch& destination_branch) const;
  [[nodiscard]] Reference merge_base(const std::string& destination_branch) const;

  /// A read-only handle to the object at `path` (sends nothing).
  [[nodiscard]] StoredObject object(std::string path) const;

  /// Downloads every object under `prefix` into `local_dir`, keeping the layout
  /// below the prefix ("p/a/b.csv" with prefix "p/" → local_dir/a/b.csv),
  /// concurrently, each file streamed to a temporary name and renamed into place.
  /// Keys that would escape `local_dir` ("..", absolute) are skipped. Failures
  /// are collected in the summary; see docs/objects-and-io.md.
  [[nodiscard]] TransferSummary download_prefix(const std::string& prefix, const std::filesystem::path& local_dir,
                                                const DownloadPrefixOptions& options = {}) const;

  bool operator==(const Reference& other) const noexcept { return repo_id_ == other.repo_id_ && id_ == other.id_; }

 protected:
  std::string repo_id_{};
  std::string id_{};
  Client client_{};
};

std::ostream& operator<<(std::ostream& os, const Reference& ref);

}  // namespace lakefs
