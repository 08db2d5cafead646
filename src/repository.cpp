#include "lakefs/repository.hpp"

#include <algorithm>
#include <chrono>
#include <ostream>

#include "detail/convert.hpp"
#include "detail/transaction_names.hpp"
#include "detail/validate.hpp"
#include "lakefs/api/api.hpp"

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
    (void)api.repositories.create_repository(request);
  } catch (const ConflictError&) {
    if (!options.exist_ok) throw;
    (void)properties();  // the existing repository must be readable to be "ok"
  }
  return *this;
}

void Repository::remove(RemoveOptions options) {
  detail::require_non_empty(id_, "repository id");
  api::DeleteRepositoryRequest request{.repository = id_};
  if (options.force) request.force = true;
  client_.api().repositories.delete_repository(request);
}

RepositoryProperties Repository::properties() const {
  detail::require_non_empty(id_, "repository id");
  return detail::to_properties(client_.api().repositories.get_repository({.repository = id_}));
}

Metadata Repository::metadata() const {
  detail::require_non_empty(id_, "repository id");
  return client_.api().repositories.get_repository_metadata({.repository = id_});
}

namespace {

// Branches and tags list the same way: refs of a repository, as handles.
template <typename Handle, typename ListFn>
Listing<Handle> ref_listing(const Client& client, const std::string& repo, const ListOptions& options, ListFn list_fn) {
  detail::require_page_size(options.page_size);
  return Listing<Handle>(
      [client, repo, prefix = options.prefix, start = options.after, call = options.call, list_fn](
          const std::string& after, std::size_t amount) {
        return detail::raw_page(
            list_fn(client.api(), repo, prefix, after.empty() ? start : after, static_cast<std::int64_t>(amount), call),
            "RefList");
      },
      [client, repo](std::string_view body, std::vector<Handle>& items) {
        std::vector<std::string> ids;
        detail::decode_ref_ids(body, ids);
        items.reserve(items.size() + ids.size());
        for (auto& id : ids) items.emplace_back(repo, std::move(id), client);
      },
      options.max_amount, options.page_size);
}

}  // namespace

Listing<Branch> Repository::branches(ListOptions options) const {
  return ref_listing<Branch>(
      client_, id_, options,
      [](api::Api& api, const std::string& repo, const std::string& prefix, const std::string& after,
         std::int64_t amount, const CallOptions& call) {
        return api.branches.list_branches_raw(
            {.repository = repo, .prefix = prefix, .after = after, .amount = amount, .call = call});
      });
}

Listing<Tag> Repository::tags(ListOptions options) const {
  return ref_listing<Tag>(client_, id_, options,
                          [](api::Api& api, const std::string& repo, const std::string& prefix,
                             const std::string& after, std::int64_t amount, const CallOptions& call) {
                            return api.tags.list_tags_raw(
                                {.repository = repo, .prefix = prefix, .after = after, .amount = amount, .call = call});
                          });
}

std::vector<TransactionBranch> Repository::stale_transactions(std::chrono::seconds older_than) const {
  if (older_than.count() < 0) throw InvalidArgumentError("stale_transactions: older_than must not be negative");
  const auto cutoff = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - older_than;
  std::vector<TransactionBranch> found;
  std::string after;
  for (;;) {
    auto page = client_.api().branches.list_branches(
        {.repository = id_, .prefix = "tx-", .after = after, .amount = 1000, .show_hidden = true});
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

std::vector<TransactionBranch> Repository::remove_stale_transactions(std::chrono::seconds older_than) const {
  auto stale = stale_transactions(older_than);
  for (auto& tx : stale) {
    try {
      tx.branch.remove();
    } catch (const NotFoundError&) {
      // removed meanwhile (by its own transaction, or another cleaner): gone either way
    }
  }
  return stale;
}

Repository repository(std::string id) { return Repository(std::move(id)); }

Listing<Repository> repositories(ListOptions options, Client client) {
  detail::require_page_size(options.page_size);
  return Listing<Repository>(
      [client, prefix = options.prefix, start = options.after, call = options.call](const std::string& after,
                                                                                    std::size_t amount) {
        return detail::raw_page(
            client.api().repositories.list_repositories_raw({.prefix = prefix,
                                                             .after = after.empty() ? start : after,
                                                             .amount = static_cast<std::int64_t>(amount),
                                                             .call = call}),
            "RepositoryList");
      },
      [client](std::string_view body, std::vector<Repository>& items) {
        std::vector<std::string> ids;
        detail::decode_repository_ids(body, ids);
        items.reserve(items.size() + ids.size());
        for (auto& id : ids) items.emplace_back(std::move(id), client);
      },
      options.max_amount, options.page_size);
}

std::ostream& operator<<(std::ostream& os, const Repository& repo) { return os << "Repository(" << repo.id() << ")"; }

}  // namespace lakefs
