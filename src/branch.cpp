// SPDX-License-Identifier: Apache-2.0
#include "lakefs/branch.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include "async/batch.hpp"
#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"
#include "listing/async_pages.hpp"
#include "model/convert.hpp"
#include "transport/error_mapping.hpp"

namespace lakefs {

namespace {
// lakeFS's limit on paths per deleteObjects request.
constexpr std::size_t kDeleteChunk = 1000;

// What the delete requests of one remove_objects report.
struct RemoveProgress {
  std::atomic<std::size_t> completed{0};   // requests the server answered
  std::atomic<bool> maybe_applied{false};  // a request aborted by the stop may have deleted (some of) its chunk
  std::mutex mutex;                        // guards failures
  std::vector<api::ObjectError> failures;  // the objects lakeFS could not delete
};

// Awaits one delete request and records its answer.
async::Task<void> record_chunk(async::Task<api::ObjectErrorList> request, RemoveProgress& progress) {
  std::optional<api::ObjectErrorList> answer;
  try {
    answer.emplace(co_await std::move(request));
  } catch (const CancelledError& e) {
    if (e.outcome_unknown()) progress.maybe_applied.store(true);
    throw;
  }
  progress.completed.fetch_add(1);
  if (!answer->errors.empty()) {
    std::lock_guard lock(progress.mutex);
    progress.failures.insert(progress.failures.end(), answer->errors.begin(), answer->errors.end());
  }
}
}  // namespace

Branch::Branch(std::string repo_id, std::string id, Client client)
    : Reference(std::move(repo_id), std::move(id), std::move(client)) {
  detail::require_branch_id(id_);
}

Branch& Branch::create(const Reference& source_reference, BranchCreateOptions options) {
  return create(source_reference.id(), std::move(options));
}

Branch& Branch::create(const std::string& source_reference, BranchCreateOptions options) {
  detail::require_non_empty(repo_id_, "repository id");
  detail::require_non_empty(id_, "branch id");
  detail::require_ref(source_reference, "source reference");
  try {
    api::BranchCreation body{.name = id_, .source = source_reference};
    if (options.hidden) body.hidden = true;
    if (options.force) body.force = true;
    (void)client_.api().branches.create_branch({.repository = repo_id_, .body = body, .call = options.call});
  } catch (const ConflictError&) {
    if (!options.exist_ok) throw;
    (void)head(options.call);  // "ok" only if the branch really is there
  }
  return *this;
}

void Branch::remove(RemoveOptions options) {
  detail::require_non_empty(id_, "branch id");
  api::DeleteBranchRequest request{.repository = repo_id_, .branch = id_, .call = std::move(options.call)};
  if (options.force) request.force = true;
  client_.api().branches.delete_branch(request);
}

Reference Branch::head(CallOptions call) const {
  detail::require_non_empty(id_, "branch id");
  auto ref = client_.api().branches.get_branch({.repository = repo_id_, .branch = id_, .call = std::move(call)});
  return Reference(repo_id_, std::move(ref.commit_id), client_);
}

namespace {

api::CommitRequest commit_request(const std::string& repo, const std::string& branch, const std::string& message,
                                  CommitOptions options) {
  detail::require_non_empty(branch, "branch id");
  detail::require_non_empty(message, "commit message");
  api::CommitCreation body{.message = message};
  if (!options.metadata.empty()) body.metadata = std::move(options.metadata);
  if (options.allow_empty) body.allow_empty = true;
  if (options.date) body.date = options.date->time_since_epoch().count();
  if (options.force) body.force = true;
  return {.repository = repo, .branch = branch, .body = std::move(body), .call = std::move(options.call)};
}

async::Task<Commit> commit_task(Client client, std::string repo, std::string branch, std::string message,
                                CommitOptions options) {
  api::CommitRequest request = commit_request(repo, branch, message, std::move(options));
  api::Commit commit = co_await client.api().commits.commit_async(std::move(request));
  co_return detail::to_commit(std::move(commit));
}

}  // namespace

Commit Branch::commit(const std::string& message, CommitOptions options) {
  return detail::to_commit(client_.api().commits.commit(commit_request(repo_id_, id_, message, std::move(options))));
}

async::Task<Commit> Branch::commit_async(std::string message, CommitOptions options) const {
  return commit_task(client_, repo_id_, id_, std::move(message), std::move(options));
}

Commit Branch::revert(const Reference& reference, RevertOptions options) {
  detail::require_same_repository(repo_id_, reference.repo_id(), "the reference to revert");
  return revert(reference.id(), std::move(options));
}

Commit Branch::revert(const std::string& reference, RevertOptions options) {
  detail::require_non_empty(id_, "branch id");
  detail::require_ref(reference, "reference to revert");
  api::RevertCreation body{.ref = reference, .parent_number = options.parent_number};
  if (options.allow_empty) body.allow_empty = true;
  if (options.force) body.force = true;
  client_.api().branches.revert_branch({.repository = repo_id_, .branch = id_, .body = body, .call = options.call});
  return head(options.call).get_commit(options.call);
}

Commit Branch::cherry_pick(const Reference& reference, CherryPickOptions options) {
  detail::require_same_repository(repo_id_, reference.repo_id(), "the reference to cherry-pick");
  return cherry_pick(reference.id(), std::move(options));
}

Commit Branch::cherry_pick(const std::string& reference, CherryPickOptions options) {
  detail::require_non_empty(id_, "branch id");
  detail::require_ref(reference, "reference to cherry-pick");
  api::CherryPickCreation body{.ref = reference};
  if (options.parent_number > 0) body.parent_number = options.parent_number;
  return detail::to_commit(client_.api().branches.cherry_pick(
      {.repository = repo_id_, .branch = id_, .body = body, .call = std::move(options.call)}));
}

void Branch::reset_changes(CallOptions call) {
  detail::require_non_empty(id_, "branch id");
  client_.api().branches.reset_branch({.repository = repo_id_,
                                       .branch = id_,
                                       .body = {.type = api::Enum<api::ResetCreationType>("reset")},
                                       .call = std::move(call)});
}

void Branch::reset_object(const std::string& path, CallOptions call) {
  detail::require_object_path(path);
  client_.api().branches.reset_branch({.repository = repo_id_,
                                       .branch = id_,
                                       .body = {.type = api::Enum<api::ResetCreationType>("object"), .path = path},
                                       .call = std::move(call)});
}

void Branch::reset_prefix(const std::string& prefix, CallOptions call) {
  detail::require_object_path(prefix, "prefix");
  client_.api().branches.reset_branch(
      {.repository = repo_id_,
       .branch = id_,
       .body = {.type = api::Enum<api::ResetCreationType>("common_prefix"), .path = prefix},
       .call = std::move(call)});
}

namespace {

// The request of an uncommitted-changes page, made alike for uncommitted() and uncommitted_async().
api::DiffBranchRequest uncommitted_request(const std::string& repo, const std::string& branch,
                                           const std::string& prefix, const std::string& after, std::size_t amount,
                                           const CallOptions& call) {
  return {.repository = repo,
          .branch = branch,
          .after = after,
          .amount = static_cast<std::int64_t>(amount),
          .prefix = prefix,
          .call = call};
}

void decode_uncommitted(std::string_view body, std::vector<Change>& items) { detail::decode_changes(body, items); }

}  // namespace

Listing<Change> Branch::uncommitted(UncommittedOptions options) const {
  detail::require_non_empty(id_, "branch id");
  detail::require_page_size(options.page_size);
  return Listing<Change>(
      [client = client_, repo = repo_id_, branch = id_, prefix = options.prefix](
          const std::string& after, std::size_t amount, const CallOptions& call) {
        return detail::raw_page(
            client.api().branches.diff_branch_raw(uncommitted_request(repo, branch, prefix, after, amount, call)),
            "DiffList");
      },
      decode_uncommitted, options.max_amount, options.page_size, options.after, [](const Change& c) { return c.path; },
      options.call);
}

AsyncListing<Change> Branch::uncommitted_async(UncommittedOptions options) const {
  detail::require_non_empty(id_, "branch id");
  detail::require_page_size(options.page_size);
  return AsyncListing<Change>(detail::async_pages<Change>(
                                  [client = client_, repo = repo_id_, branch = id_, prefix = options.prefix,
                                   call = options.call](const std::string& after, std::size_t amount) {
                                    return client.api().branches.diff_branch_raw_async(
                                        uncommitted_request(repo, branch, prefix, after, amount, call));
                                  },
                                  "DiffList", decode_uncommitted),
                              options.max_amount, options.page_size, options.after);
}

void Branch::remove_objects(std::initializer_list<std::string_view> paths, RemoveObjectsOptions options) {
  const std::vector<std::string> owned(paths.begin(), paths.end());
  remove_objects(std::span<const std::string>(owned), std::move(options));
}

std::string Branch::path_on_this_branch(const StoredObject& object) const {
  detail::require_same_repository(repo_id_, object.repo_id(), "object '" + detail::printable(object.path()) + "'");
  return object.path();
}

void Branch::remove_objects(std::span<const std::string> paths, RemoveObjectsOptions options) {
  detail::require_non_empty(id_, "branch id");
  if (paths.empty()) return;
  const std::size_t workers =
      std::max<std::size_t>(1, options.concurrency ? options.concurrency : client_.options().max_connections);
  const std::size_t chunks = (paths.size() + kDeleteChunk - 1) / kDeleteChunk;
  const std::stop_token& stop = options.call.stop;

  RemoveProgress progress;
  std::exception_ptr error;
  try {
    // Once stop is requested no new request starts; one in flight is aborted (CancelledError).
    detail::run_batch("remove_objects", chunks, workers, stop, [&](std::size_t c) {
      const auto begin = paths.begin() + static_cast<std::ptrdiff_t>(c * kDeleteChunk);
      const auto end = paths.begin() + static_cast<std::ptrdiff_t>(std::min(paths.size(), (c + 1) * kDeleteChunk));
      api::DeleteObjectsRequest request{.repository = repo_id_,
                                        .branch = id_,
                                        .body = {.paths = std::vector<std::string>(begin, end)},
                                        .call = options.call};
      return record_chunk(client_.api().objects.delete_objects_async(std::move(request)), progress);
    });
  } catch (...) {
    error = std::current_exception();
  }
  const std::size_t completed = progress.completed.load();
  if (stop.stop_requested() && completed < chunks) {
    throw CancelledError("remove_objects on " + repo_id_ + "/" + id_ + ": cancelled after " +
                             std::to_string(completed) + " of " + std::to_string(chunks) +
                             " delete requests (of up to " + std::to_string(kDeleteChunk) +
                             " paths each); deleted objects stay deleted",
                         progress.maybe_applied.load());
  }
  std::vector<api::ObjectError>& failures = progress.failures;
  if (error) std::rethrow_exception(error);
  if (!failures.empty()) {
    // lakeFS answered, listing the objects it could not delete, each with its own status and message.
    const std::string path = "/repositories/" + repo_id_ + "/branches/" + id_ + "/objects/delete";
    std::vector<BatchError::Failure> items;
    items.reserve(failures.size());
    for (const auto& f : failures) {
      items.push_back({f.path.value_or(""), detail::item_error(static_cast<int>(f.status_code),
                                                               f.path.value_or("?") + ": " + f.message, "POST", path)});
    }
    throw BatchError("remove_objects on " + repo_id_ + "/" + id_ + ": could not remove " +
                         std::to_string(failures.size()) + " of " + std::to_string(paths.size()) +
                         " object(s), e.g. '" + failures.front().path.value_or("?") + "': " + failures.front().message +
                         " (the others were deleted)",
                     std::move(items));
  }
}

WriteableObject Branch::object(std::string path) const {
  return WriteableObject(repo_id_, id_, std::move(path), client_);
}

}  // namespace lakefs
