// SPDX-License-Identifier: Apache-2.0
#include "lakefs/repository.hpp"

#include <algorithm>
#include <chrono>
#include <ostream>
#include <utility>

#include "api/model_codec.hpp"
#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "listing/async_pages.hpp"
#include "model/convert.hpp"
#include "transaction_names.hpp"

namespace lakefs {

Repository::Repository(std::string id, Client client) : id_(std::move(id)), client_(std::move(client)) {
  detail::require_repository_id(id_);
}

Repository& Repository::create(RepositoryCreateOptions options) {
  detail::require_non_empty(id_, "repository id");
  detail::require_non_empty(options.storage_namespace, "storage_namespace");
  auto& api = client_.api();
  try {
    api::CreateRepositoryRequest request{.body = {.name = id_,
                                                  .storage_namespace = options.storage_namespace,
                                                  .default_branch = options.default_branch,
                                                  .sample_data = options.include_samples}};
    if (options.bare) request.bare = true;
    if (options.read_only) request.body.read_only = true;
    if (!options.storage_id.empty()) request.body.storage_id = options.storage_id;
    request.call = options.call;
    (void)api.repositories.create_repository(request);
  } catch (const ConflictError&) {
    if (!options.exist_ok) throw;
    (void)properties(options.call);  // the existing repository must be readable to be "ok"
  }
  return *this;
}

void Repository::remove(RemoveOptions options) {
  detail::require_non_empty(id_, "repository id");
  api::DeleteRepositoryRequest request{.repository = id_, .call = options.call};
  if (options.force) request.force = true;
  client_.api().repositories.delete_repository(request);
}

namespace {

// The rules and the ETag that names their version (for If-Match), read through the client's raw send: the
// generated call returns the rules without the answer's headers.
std::pair<std::vector<api::BranchProtectionRule>, std::string> protection_rules_and_etag(const Client& client,
                                                                                         const std::string& repo,
                                                                                         const CallOptions& call) {
  http::Request request;
  request.call = call;
  request.method = "GET";
  request.path = "/repositories/";
  http::append_encoded(request.path, repo);
  request.path += "/settings/branch_protection";
  const http::Response response = client.send(std::move(request));
  std::vector<api::BranchProtectionRule> rules;
  api::decode_from_string(response.body, rules, "BranchProtectionRule[]");
  return {std::move(rules), std::string(response.header("etag").value_or(""))};
}

// Read, change, write back with If-Match; a concurrent change (412) makes it start over on the new rules.
template <typename Change>
void change_protection_rules(const Client& client, const std::string& repo, const CallOptions& call, Change change) {
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    auto [rules, etag] = protection_rules_and_etag(client, repo, call);
    if (!change(rules)) return;  // nothing to write
    api::SetBranchProtectionRulesRequest request{.repository = repo, .body = std::move(rules), .call = call};
    if (!etag.empty()) request.if_match = etag;
    try {
      client.api().repositories.set_branch_protection_rules(request);
      return;
    } catch (const PreconditionFailedError&) {
      if (attempt == kAttempts) throw;
    }
  }
}

}  // namespace

std::vector<std::string> Repository::branch_protection_rules(CallOptions call) const {
  detail::require_non_empty(id_, "repository id");
  std::vector<std::string> patterns;
  for (auto& rule :
       client_.api().repositories.get_branch_protection_rules({.repository = id_, .call = std::move(call)})) {
    patterns.push_back(std::move(rule.pattern));
  }
  return patterns;
}

void Repository::add_branch_protection_rule(const std::string& pattern, CallOptions call) {
  detail::require_non_empty(id_, "repository id");
  detail::require_non_empty(pattern, "branch protection pattern");
  change_protection_rules(client_, id_, call, [&](std::vector<api::BranchProtectionRule>& rules) {
    if (std::any_of(rules.begin(), rules.end(), [&](const auto& r) { return r.pattern == pattern; })) return false;
    rules.push_back({.pattern = pattern});
    return true;
  });
}

void Repository::remove_branch_protection_rule(const std::string& pattern, CallOptions call) {
  detail::require_non_empty(id_, "repository id");
  detail::require_non_empty(pattern, "branch protection pattern");
  change_protection_rules(client_, id_, call, [&](std::vector<api::BranchProtectionRule>& rules) {
    const auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& r) { return r.pattern == pattern; });
    if (it == rules.end()) {
      // Not found in the rules the GET answered: that answer is the one named.
      throw NotFoundError(404, "no branch protection rule '" + detail::printable(pattern) + "'", "", "GET",
                          "/repositories/" + id_ + "/settings/branch_protection");
    }
    rules.erase(it);
    return true;
  });
}

std::optional<GarbageCollectionRules> Repository::gc_rules(CallOptions call) const {
  detail::require_non_empty(id_, "repository id");
  api::GarbageCollectionRules rules;
  try {
    rules = client_.api().repositories.get_gc_rules({.repository = id_, .call = call});
  } catch (const NotFoundError&) {
    (void)properties(std::move(call));  // a missing repository is NotFoundError; a repository without rules has none
    return std::nullopt;
  }
  GarbageCollectionRules out{.default_retention_days = rules.default_retention_days,
                             .unknown_fields = detail::to_unknown_fields(rules.unknown_fields)};
  for (const auto& rule : rules.branches) out.branch_retention_days[rule.branch_id] = rule.retention_days;
  return out;
}

void Repository::set_gc_rules(const GarbageCollectionRules& rules, CallOptions call) {
  detail::require_non_empty(id_, "repository id");
  // What the server sent that this SDK does not know goes back as it came (a gc_rules() → set_gc_rules() round trip).
  api::GarbageCollectionRules body{
      .default_retention_days = rules.default_retention_days,
      .unknown_fields = detail::to_api_fields(rules.unknown_fields, {"default_retention_days", "branches"})};
  for (const auto& [branch, days] : rules.branch_retention_days) {
    detail::require_branch_id(branch);
    body.branches.push_back({.branch_id = branch, .retention_days = days});
  }
  client_.api().repositories.set_gc_rules({.repository = id_, .body = std::move(body), .call = std::move(call)});
}

void Repository::delete_gc_rules(CallOptions call) {
  detail::require_non_empty(id_, "repository id");
  try {
    client_.api().repositories.delete_gc_rules({.repository = id_, .call = call});
  } catch (const NotFoundError&) {
    (void)properties(std::move(call));  // none to delete is fine; a missing repository is not
  }
}

RepositoryProperties Repository::properties(CallOptions call) const {
  detail::require_non_empty(id_, "repository id");
  return detail::to_properties(client_.api().repositories.get_repository({.repository = id_, .call = std::move(call)}));
}

std::string Repository::storage_id(CallOptions call) const { return properties(std::move(call)).storage_id; }

Metadata Repository::metadata(CallOptions call) const {
  detail::require_non_empty(id_, "repository id");
  return client_.api().repositories.get_repository_metadata({.repository = id_, .call = std::move(call)});
}

namespace {

// Branches and tags list the same way: refs of a repository, as handles. `list_fn(api, ListQuery)` gives the
// answer of one page (a task of it for the awaited forms).
struct ListQuery {
  std::string repo, prefix, after;
  std::int64_t amount = 0;
  CallOptions call;
};

template <typename Handle>
auto ref_decoder(const Client& client, const std::string& repo) {
  return [client, repo](std::string_view body, std::vector<Handle>& items) {
    std::vector<std::string> ids;
    detail::decode_ref_ids(body, ids);
    items.reserve(items.size() + ids.size());
    for (auto& id : ids) items.emplace_back(repo, std::move(id), client);
  };
}

template <typename Handle, typename ListFn>
Listing<Handle> ref_listing(const Client& client, const std::string& repo, const ListOptions& options, ListFn list_fn) {
  detail::require_page_size(options.page_size);
  return Listing<Handle>(
      [client, repo, prefix = options.prefix, list_fn](const std::string& after, std::size_t amount,
                                                       const CallOptions& call) {
        return detail::raw_page(
            list_fn(client.api(), ListQuery{repo, prefix, after, static_cast<std::int64_t>(amount), call}), "RefList");
      },
      ref_decoder<Handle>(client, repo), options.max_amount, options.page_size, options.after,
      [](const Handle& h) { return h.id(); }, options.call);
}

template <typename Handle, typename ListFn>
AsyncListing<Handle> ref_listing_async(const Client& client, const std::string& repo, const ListOptions& options,
                                       ListFn list_fn) {
  detail::require_page_size(options.page_size);
  return AsyncListing<Handle>(
      detail::async_pages<Handle>(
          [client, repo, prefix = options.prefix, call = options.call, list_fn](const std::string& after,
                                                                                std::size_t amount) {
            return list_fn(client.api(), ListQuery{repo, prefix, after, static_cast<std::int64_t>(amount), call});
          },
          "RefList", ref_decoder<Handle>(client, repo)),
      options.max_amount, options.page_size, options.after);
}

api::ListBranchesRequest branches_request(const ListQuery& q) {
  return {.repository = q.repo, .prefix = q.prefix, .after = q.after, .amount = q.amount, .call = q.call};
}
api::ListTagsRequest tags_request(const ListQuery& q) {
  return {.repository = q.repo, .prefix = q.prefix, .after = q.after, .amount = q.amount, .call = q.call};
}

}  // namespace

Listing<Branch> Repository::branches(ListOptions options) const {
  return ref_listing<Branch>(client_, id_, options, [](api::Api& api, const ListQuery& q) {
    return api.branches.list_branches_raw(branches_request(q));
  });
}

AsyncListing<Branch> Repository::branches_async(ListOptions options) const {
  return ref_listing_async<Branch>(client_, id_, options, [](api::Api& api, const ListQuery& q) {
    return api.branches.list_branches_raw_async(branches_request(q));
  });
}

Listing<Tag> Repository::tags(ListOptions options) const {
  return ref_listing<Tag>(client_, id_, options,
                          [](api::Api& api, const ListQuery& q) { return api.tags.list_tags_raw(tags_request(q)); });
}

AsyncListing<Tag> Repository::tags_async(ListOptions options) const {
  return ref_listing_async<Tag>(client_, id_, options, [](api::Api& api, const ListQuery& q) {
    return api.tags.list_tags_raw_async(tags_request(q));
  });
}

std::vector<TransactionBranch> Repository::stale_transactions(std::chrono::seconds older_than, CallOptions call) const {
  if (older_than.count() < 0) throw InvalidArgumentError("stale_transactions: older_than must not be negative");
  const auto cutoff = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - older_than;
  std::vector<TransactionBranch> found;
  std::string after;
  for (;;) {
    auto page = client_.api().branches.list_branches(
        {.repository = id_, .prefix = "tx-", .after = after, .amount = 1000, .show_hidden = true, .call = call});
    for (auto& ref : page.results) {
      const auto started = detail::transaction_started(ref.id);
      if (started && *started <= cutoff) found.push_back({Branch(id_, std::move(ref.id), client_), *started});
    }
    if (!page.pagination.has_more) break;
    after = page.pagination.next_offset;
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.started < b.started; });
  return found;
}

std::vector<TransactionBranch> Repository::remove_stale_transactions(std::chrono::seconds older_than,
                                                                     CallOptions call) const {
  auto stale = stale_transactions(older_than, call);
  for (auto& tx : stale) {
    try {
      tx.branch.remove({.call = call});
    } catch (const NotFoundError&) {
      // removed meanwhile (by its own transaction, or another cleaner): gone either way
    }
  }
  return stale;
}

Repository repository(std::string id) { return Repository(std::move(id)); }

namespace {

api::ListRepositoriesRequest repositories_request(const std::string& prefix, const std::string& after,
                                                  std::size_t amount, const CallOptions& call) {
  return {.prefix = prefix, .after = after, .amount = static_cast<std::int64_t>(amount), .call = call};
}

auto repository_decoder(const Client& client) {
  return [client](std::string_view body, std::vector<Repository>& items) {
    std::vector<std::string> ids;
    detail::decode_repository_ids(body, ids);
    items.reserve(items.size() + ids.size());
    for (auto& id : ids) items.emplace_back(std::move(id), client);
  };
}

}  // namespace

Listing<Repository> repositories(ListOptions options, Client client) {
  detail::require_page_size(options.page_size);
  return Listing<Repository>(
      [client, prefix = options.prefix](const std::string& after, std::size_t amount, const CallOptions& call) {
        return detail::raw_page(
            client.api().repositories.list_repositories_raw(repositories_request(prefix, after, amount, call)),
            "RepositoryList");
      },
      repository_decoder(client), options.max_amount, options.page_size, options.after,
      [](const Repository& r) { return r.id(); }, options.call);
}

AsyncListing<Repository> repositories_async(ListOptions options, Client client) {
  detail::require_page_size(options.page_size);
  return AsyncListing<Repository>(
      detail::async_pages<Repository>(
          [client, prefix = options.prefix, call = options.call](const std::string& after, std::size_t amount) {
            return client.api().repositories.list_repositories_raw_async(
                repositories_request(prefix, after, amount, call));
          },
          "RepositoryList", repository_decoder(client)),
      options.max_amount, options.page_size, options.after);
}

std::ostream& operator<<(std::ostream& os, const Repository& repo) { return os << "Repository(" << repo.id() << ")"; }

}  // namespace lakefs
