// SPDX-License-Identifier: Apache-2.0
// Repository: pull requests.
#include "lakefs/pull_request.hpp"

#include <utility>

#include "api/model_codec.hpp"
#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/repository.hpp"
#include "model/convert.hpp"

namespace lakefs {

const char* to_string(PullRequest::Status status) noexcept {
  switch (status) {
    case PullRequest::Status::open:
      return "open";
    case PullRequest::Status::closed:
      return "closed";
    case PullRequest::Status::merged:
      return "merged";
    case PullRequest::Status::unknown:
      break;
  }
  return "unknown";
}

namespace {

PullRequest to_pull_request(api::PullRequest&& p) {
  PullRequest out;
  out.id = std::move(p.id);
  switch (p.status.value()) {
    case api::PullRequestBasicStatus::open:
      out.status = PullRequest::Status::open;
      break;
    case api::PullRequestBasicStatus::closed:
      out.status = PullRequest::Status::closed;
      break;
    case api::PullRequestBasicStatus::merged:
      out.status = PullRequest::Status::merged;
      break;
    case api::PullRequestBasicStatus::unknown:
      break;
  }
  out.title = std::move(p.title);
  out.description = std::move(p.description).value_or("");
  out.author = std::move(p.author);
  out.source_branch = std::move(p.source_branch);
  out.destination_branch = std::move(p.destination_branch);
  out.creation_date = detail::parse_rfc3339(p.creation_date).value_or(Timestamp{});
  if (p.closed_date) out.closed_date = detail::parse_rfc3339(*p.closed_date);
  out.merged_commit_id = std::move(p.merged_commit_id).value_or("");
  out.unknown_fields = detail::to_unknown_fields(p.unknown_fields);
  return out;
}

}  // namespace

PullRequest Repository::create_pull_request(const std::string& source_branch, const std::string& destination_branch,
                                            const std::string& title, const std::string& description,
                                            CallOptions call) const {
  detail::require_branch_id(source_branch, "source branch");
  detail::require_branch_id(destination_branch, "destination branch");
  detail::require_non_empty(title, "pull request title");
  api::PullRequestCreation body{
      .title = title, .source_branch = source_branch, .destination_branch = destination_branch};
  if (!description.empty()) body.description = description;
  const auto created =
      client_.api().pulls.create_pull_request({.repository = id_, .body = std::move(body), .call = call});
  return pull_request(created.id, std::move(call));
}

Listing<PullRequest> Repository::pull_requests(PullRequestsOptions options) const {
  detail::require_page_size(options.page_size);
  auto client = client_;
  auto repo = id_;
  const char* status = options.status == PullRequestsOptions::Which::open     ? "open"
                       : options.status == PullRequestsOptions::Which::closed ? "closed"
                                                                              : "all";
  return Listing<PullRequest>(
      [client, repo, status, prefix = options.prefix](const std::string& after, std::size_t amount,
                                                      const CallOptions& call) {
        return detail::raw_page(client.api().pulls.list_pull_requests_raw(
                                    {.repository = repo,
                                     .prefix = prefix.empty() ? std::nullopt : std::optional<std::string>(prefix),
                                     .after = after,
                                     .amount = static_cast<std::int64_t>(amount),
                                     .status = status,
                                     .call = call}),
                                "PullRequestsList");
      },
      [](std::string_view body, std::vector<PullRequest>& items) {
        api::PullRequestsList list;
        api::decode_from_string(body, list, "PullRequestsList");
        items.reserve(items.size() + list.results.size());
        for (auto& p : list.results) items.push_back(to_pull_request(std::move(p)));
      },
      options.max_amount, options.page_size, options.after, [](const PullRequest& p) { return p.id; }, options.call);
}

PullRequest Repository::pull_request(const std::string& id, CallOptions call) const {
  detail::require_non_empty(id, "pull request id");
  return to_pull_request(
      client_.api().pulls.get_pull_request({.repository = id_, .pull_request = id, .call = std::move(call)}));
}

std::string Repository::merge_pull_request(const std::string& id, CallOptions call) const {
  detail::require_non_empty(id, "pull request id");
  try {
    return client_.api().pulls.merge_pull_request({.repository = id_, .pull_request = id, .call = call}).reference;
  } catch (const ConflictError& e) {
    // lakeFS's 409 names neither side: read them from the pull request (which stays open).
    const auto pr = pull_request(id, std::move(call));
    throw MergeConflictError(e, pr.source_branch, pr.destination_branch);
  }
}

void Repository::close_pull_request(const std::string& id, CallOptions call) const {
  detail::require_non_empty(id, "pull request id");
  client_.api().pulls.update_pull_request({.repository = id_,
                                           .pull_request = id,
                                           .body = {.status = api::PullRequestBasicStatus::closed},
                                           .call = std::move(call)});
}

void Repository::update_pull_request(const std::string& id, const PullRequestUpdate& update, CallOptions call) const {
  detail::require_non_empty(id, "pull request id");
  if (!update.title && !update.description) return;
  if (update.title) detail::require_non_empty(*update.title, "pull request title");
  client_.api().pulls.update_pull_request({.repository = id_,
                                           .pull_request = id,
                                           .body = {.title = update.title, .description = update.description},
                                           .call = std::move(call)});
}

}  // namespace lakefs
