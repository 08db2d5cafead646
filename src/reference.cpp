// SPDX-License-Identifier: Apache-2.0
#include "lakefs/reference.hpp"

#include <optional>
#include <ostream>
#include <utility>

#include "async/batch.hpp"
#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/branch.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"
#include "listing/async_pages.hpp"
#include "model/convert.hpp"
#include "transfer/presign.hpp"

namespace lakefs {
namespace {

// Awaits the one-commit log of an annotated entry and records its commit.
async::Task<void> record_latest_commit(async::Task<api::CommitList> request, Annotation& item) {
  api::CommitList log = co_await std::move(request);
  if (!log.results.empty()) item.commit = detail::to_commit(std::move(log.results.front()));
}

}  // namespace

Reference::Reference(std::string repo_id, std::string id, Client client)
    : repo_id_(std::move(repo_id)), id_(std::move(id)), client_(std::move(client)) {
  detail::require_repository_id(repo_id_);
  detail::require_ref(id_, "reference id");
}

Commit Reference::get_commit(CallOptions call) const {
  detail::require_non_empty(repo_id_, "repository id");
  detail::require_non_empty(id_, "reference id");
  return detail::to_commit(
      client_.api().commits.get_commit({.repository = repo_id_, .commit_id = id_, .call = std::move(call)}));
}

namespace {

// The requests of a log and of a diff, made alike for the synchronous listings and their awaited forms.
struct LogQuery {
  std::string repo, ref;
  LogOptions options;
  std::optional<std::string> since;

  // Checks the arguments (nothing is sent).
  LogQuery(std::string r, std::string f, LogOptions o) : repo(std::move(r)), ref(std::move(f)), options(std::move(o)) {
    detail::require_non_empty(repo, "repository id");
    detail::require_non_empty(ref, "reference id");
    detail::require_page_size(options.page_size);
    if (options.since) since = detail::to_rfc3339(*options.since);
  }
  [[nodiscard]] api::LogCommitsRequest request(const std::string& after, std::size_t amount,
                                               const CallOptions& call) const {
    return {.repository = repo,
            .ref = ref,
            .after = after.empty() ? std::nullopt : std::optional(after),
            .amount = static_cast<std::int64_t>(amount),
            .objects = options.objects,
            .prefixes = options.prefixes,
            .limit = options.limit ? std::optional(true) : std::nullopt,
            .first_parent = options.first_parent,
            .since = since,
            .stop_at = options.stop_at.empty() ? std::nullopt : std::optional(options.stop_at),
            .call = call};
  }
  // The API has no "until": filtered here.
  [[nodiscard]] auto decoder() const {
    return [until = options.until](std::string_view body, std::vector<Commit>& items) {
      detail::decode_commits(body, items);
      if (until) std::erase_if(items, [&](const Commit& c) { return c.creation_date > *until; });
    };
  }
};

struct DiffQuery {
  std::string repo, left, right;
  DiffOptions options;

  [[nodiscard]] api::DiffRefsRequest request(const std::string& after, std::size_t amount,
                                             const CallOptions& call) const {
    return {.repository = repo,
            .left_ref = left,
            .right_ref = right,
            .after = after,
            .amount = static_cast<std::int64_t>(amount),
            .prefix = options.prefix,
            .delimiter = options.delimiter,
            .type = options.type == DiffOptions::Type::two_dot ? "two_dot" : "three_dot",
            .call = call};
  }
};

void decode_diff(std::string_view body, std::vector<Change>& items) { detail::decode_changes(body, items); }

// The diff of `left` against `right`, its arguments checked (nothing is sent).
DiffQuery checked_diff(const std::string& repo, const std::string& left, const std::string& right,
                       const DiffOptions& options) {
  detail::require_non_empty(repo, "repository id");
  detail::require_non_empty(left, "reference id");
  detail::require_ref(right, "other reference");
  detail::require_page_size(options.page_size);
  return DiffQuery{repo, left, right, options};
}

}  // namespace

Listing<Commit> Reference::log(LogOptions options) const {
  const LogQuery query(repo_id_, id_, std::move(options));
  const LogOptions& o = query.options;
  return Listing<Commit>(
      [client = client_, query](const std::string& after, std::size_t amount, const CallOptions& call) {
        return detail::raw_page(client.api().refs.log_commits_raw(query.request(after, amount, call)), "CommitList");
      },
      query.decoder(), o.max_amount, o.page_size, o.after, [](const Commit& c) { return c.id; }, o.call);
}

AsyncListing<Commit> Reference::log_async(LogOptions options) const {
  const LogQuery query(repo_id_, id_, std::move(options));
  const LogOptions& o = query.options;
  return AsyncListing<Commit>(
      detail::async_pages<Commit>(
          [client = client_, query](const std::string& after, std::size_t amount) {
            return client.api().refs.log_commits_raw_async(query.request(after, amount, query.options.call));
          },
          "CommitList", query.decoder()),
      o.max_amount, o.page_size, o.after);
}

Listing<Change> Reference::diff(const Reference& other, DiffOptions options) const {
  return diff(other.id(), std::move(options));
}

Listing<Change> Reference::diff(const std::string& other_ref, DiffOptions options) const {
  const DiffQuery query = checked_diff(repo_id_, id_, other_ref, options);
  return Listing<Change>(
      [client = client_, query](const std::string& after, std::size_t amount, const CallOptions& call) {
        return detail::raw_page(client.api().refs.diff_refs_raw(query.request(after, amount, call)), "DiffList");
      },
      decode_diff, options.max_amount, options.page_size, options.after, [](const Change& c) { return c.path; },
      options.call);
}

AsyncListing<Change> Reference::diff_async(const Reference& other, DiffOptions options) const {
  return diff_async(other.id(), std::move(options));
}

AsyncListing<Change> Reference::diff_async(const std::string& other_ref, DiffOptions options) const {
  const DiffQuery query = checked_diff(repo_id_, id_, other_ref, options);
  return AsyncListing<Change>(
      detail::async_pages<Change>(
          [client = client_, query](const std::string& after, std::size_t amount) {
            return client.api().refs.diff_refs_raw_async(query.request(after, amount, query.options.call));
          },
          "DiffList", decode_diff),
      options.max_amount, options.page_size, options.after);
}

Listing<ObjectEntry> Reference::objects(ListObjectsOptions options) const {
  detail::require_non_empty(repo_id_, "repository id");
  detail::require_non_empty(id_, "reference id");
  detail::require_page_size(options.page_size);
  if (options.pre_sign) (void)detail::use_pre_sign(client_, true, "objects (pre_sign = true)", options.call);
  auto client = client_;
  auto repo = repo_id_;
  auto ref = id_;
  return Listing<ObjectEntry>(
      [client, repo, ref, options](const std::string& after, std::size_t amount, const CallOptions& call) {
        return detail::raw_page(client.api().objects.list_objects_raw({.repository = repo,
                                                                       .ref = ref,
                                                                       .user_metadata = true,
                                                                       .presign = options.pre_sign,
                                                                       .after = after,
                                                                       .amount = static_cast<std::int64_t>(amount),
                                                                       .delimiter = options.delimiter,
                                                                       .prefix = options.prefix,
                                                                       .call = call}),
                                "ObjectStatsList");
      },
      [](std::string_view body, std::vector<ObjectEntry>& items) { detail::decode_objects(body, items); },
      options.max_amount, options.page_size, options.after, [](const ObjectEntry& e) { return e.path(); },
      options.call);
}

namespace {

async::Task<Page<ObjectEntry>> objects_page(Client client, std::string repo, std::string ref,
                                            ListObjectsOptions options, std::string after, std::size_t amount) {
  if (options.pre_sign) co_await detail::require_pre_sign_async(client, "objects (pre_sign = true)", options.call);
  api::ListObjectsRequest request{.repository = repo,
                                  .ref = ref,
                                  .user_metadata = true,
                                  .presign = options.pre_sign,
                                  .after = std::move(after),
                                  .amount = static_cast<std::int64_t>(amount),
                                  .delimiter = options.delimiter,
                                  .prefix = options.prefix,
                                  .call = options.call};
  http::Response response = co_await client.api().objects.list_objects_raw_async(std::move(request));
  RawPage raw = detail::raw_page(std::move(response), "ObjectStatsList");
  Page<ObjectEntry> page;
  detail::decode_objects(raw.body, page.items);
  page.next_after = std::move(raw.next_after);
  co_return page;
}

}  // namespace

AsyncListing<ObjectEntry> Reference::objects_async(ListObjectsOptions options) const {
  detail::require_non_empty(repo_id_, "repository id");
  detail::require_non_empty(id_, "reference id");
  detail::require_page_size(options.page_size);
  const auto max_amount = options.max_amount;
  const auto page_size = options.page_size;
  std::string after = options.after;
  return AsyncListing<ObjectEntry>(
      [client = client_, repo = repo_id_, ref = id_, options = std::move(options)](std::string after,
                                                                                   std::size_t amount) {
        return objects_page(client, repo, ref, options, std::move(after), amount);
      },
      max_amount, page_size, std::move(after));
}

Listing<Annotation> Reference::annotate(AnnotateOptions options) const {
  detail::require_non_empty(repo_id_, "repository id");
  detail::require_non_empty(id_, "reference id");
  detail::require_page_size(options.page_size);
  auto client = client_;
  auto repo = repo_id_;
  auto ref = id_;
  const std::size_t workers =
      std::max<std::size_t>(1, options.concurrency ? options.concurrency : client_.options().max_connections);
  auto fetch = [client, repo, ref, options, workers](const std::string& after, std::size_t amount,
                                                     const CallOptions& call) {
    auto raw = detail::raw_page(client.api().objects.list_objects_raw({.repository = repo,
                                                                       .ref = ref,
                                                                       .after = after,
                                                                       .amount = static_cast<std::int64_t>(amount),
                                                                       .delimiter = options.recursive ? "" : "/",
                                                                       .prefix = options.prefix,
                                                                       .call = call}),
                                "ObjectStatsList");
    std::vector<ObjectEntry> entries;
    detail::decode_objects(raw.body, entries);
    Page<Annotation> page;
    page.next_after = std::move(raw.next_after);
    page.items.resize(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) page.items[i].entry = std::move(entries[i]);
    // The latest commit of each entry: one log request each, `workers` at a time.
    detail::run_batch("annotate", page.items.size(), workers, call.stop, [&](std::size_t i) {
      auto& item = page.items[i];
      api::LogCommitsRequest request{.repository = repo,
                                     .ref = ref,
                                     .amount = 1,
                                     .limit = true,
                                     .first_parent = options.first_parent,
                                     .call = call};
      if (item.entry.is_object()) {
        request.objects = {item.entry.path()};
      } else {
        request.prefixes = {item.entry.path()};
      }
      return record_latest_commit(client.api().refs.log_commits_async(std::move(request)), item);
    });
    if (call.stop.stop_requested()) throw CancelledError("annotate: cancelled");
    return page;
  };
  return Listing<Annotation>(
      std::move(fetch), options.max_amount, options.page_size, options.after,
      [](const Annotation& a) { return a.entry.path(); }, options.call);
}

std::string Reference::merge_into(const Branch& destination, MergeOptions options) const {
  detail::require_same_repository(repo_id_, destination.repo_id(), "the destination branch");
  return merge_into(destination.id(), std::move(options));
}

namespace {

api::MergeIntoBranchRequest merge_request(const std::string& repo, const std::string& source,
                                          const std::string& destination, MergeOptions options) {
  detail::require_non_empty(repo, "repository id");
  detail::require_non_empty(source, "reference id");
  detail::require_branch_id(destination, "destination branch");
  api::Merge body;
  if (!options.message.empty()) body.message = std::move(options.message);
  if (!options.metadata.empty()) body.metadata = std::move(options.metadata);
  if (!options.strategy.empty()) body.strategy = std::move(options.strategy);
  if (options.force) body.force = true;
  if (options.allow_empty) body.allow_empty = true;
  if (options.squash_merge) body.squash_merge = true;
  return {.repository = repo,
          .source_ref = source,
          .destination_branch = destination,
          .body = std::move(body),
          .call = std::move(options.call)};
}

async::Task<std::string> merge_task(Client client, std::string repo, std::string source, std::string destination,
                                    MergeOptions options) {
  api::MergeIntoBranchRequest request = merge_request(repo, source, destination, std::move(options));
  std::optional<ConflictError> conflict;
  std::string reference;
  try {
    api::MergeResult result = co_await client.api().refs.merge_into_branch_async(std::move(request));
    reference = std::move(result.reference);
  } catch (const ConflictError& e) {
    conflict.emplace(e);
  }
  if (conflict) throw MergeConflictError(*conflict, source, destination);
  co_return reference;
}

}  // namespace

std::string Reference::merge_into(const std::string& destination_branch, MergeOptions options) const {
  try {
    return client_.api()
        .refs.merge_into_branch(merge_request(repo_id_, id_, destination_branch, std::move(options)))
        .reference;
  } catch (const ConflictError& e) {
    // lakeFS's 409 body ({"reference":""}) says nothing: name the conflict and both refs.
    throw MergeConflictError(e, id_, destination_branch);
  }
}

async::Task<std::string> Reference::merge_into_async(std::string destination_branch, MergeOptions options) const {
  return merge_task(client_, repo_id_, id_, std::move(destination_branch), std::move(options));
}

Reference Reference::merge_base(const Branch& destination_branch, CallOptions call) const {
  detail::require_same_repository(repo_id_, destination_branch.repo_id(), "the destination branch");
  return merge_base(destination_branch.id(), std::move(call));
}

Reference Reference::merge_base(const std::string& destination_branch, CallOptions call) const {
  detail::require_non_empty(repo_id_, "repository id");
  detail::require_ref(id_, "reference");
  detail::require_branch_id(destination_branch, "destination branch");
  auto result = client_.api().refs.find_merge_base(
      {.repository = repo_id_, .source_ref = id_, .destination_branch = destination_branch, .call = std::move(call)});
  return Reference(repo_id_, std::move(result.base_commit_id), client_);
}

StoredObject Reference::object(std::string path) const { return StoredObject(repo_id_, id_, std::move(path), client_); }

std::ostream& operator<<(std::ostream& os, const Reference& ref) {
  return os << "Reference(" << ref.repo_id() << "@" << ref.id() << ")";
}

}  // namespace lakefs
