#include "lakefs/repository.hpp"

#include <ostream>

#include "detail/convert.hpp"
#include "lakefs/api/api.hpp"

namespace lakefs {

Repository::Repository(std::string id, Client client) : id_(std::move(id)), client_(std::move(client)) {}

Repository& Repository::create(RepositoryCreateOptions options) {
  detail::require_non_empty(id_, "repository id");
  detail::require_non_empty(options.storage_namespace, "storage_namespace");
  auto& api = client_.api();
  try {
    (void)api.repositories.create_repository({.body = {.name = id_,
                                                       .storage_namespace = options.storage_namespace,
                                                       .default_branch = options.default_branch,
                                                       .sample_data = options.include_samples}});
  } catch (const ConflictError&) {
    if (!options.exist_ok) throw;
    (void)properties();  // the existing repository must be readable to be "ok"
  }
  return *this;
}

void Repository::remove() {
  detail::require_non_empty(id_, "repository id");
  client_.api().repositories.delete_repository({.repository = id_});
}

RepositoryProperties Repository::properties() const {
  detail::require_non_empty(id_, "repository id");
  return detail::to_properties(client_.api().repositories.get_repository({.repository = id_}));
}

Metadata Repository::metadata() const {
  detail::require_non_empty(id_, "repository id");
  return client_.api().repositories.get_repository_metadata({.repository = id_});
}

Listing<Branch> Repository::branches(ListOptions options) const {
  auto client = client_;
  auto id = id_;
  return Listing<Branch>(
      [client, id, prefix = options.prefix, start = options.after](const std::string& after, std::size_t amount) {
        auto list = client.api().branches.list_branches({.repository = id,
                                                         .prefix = prefix,
                                                         .after = after.empty() ? start : after,
                                                         .amount = static_cast<std::int64_t>(amount)});
        Page<Branch> page;
        page.items.reserve(list.results.size());
        for (auto& ref : list.results) page.items.emplace_back(id, std::move(ref.id), client);
        if (list.pagination.has_more) page.next_after = list.pagination.next_offset;
        return page;
      },
      options.max_amount);
}

Listing<Tag> Repository::tags(ListOptions options) const {
  auto client = client_;
  auto id = id_;
  return Listing<Tag>(
      [client, id, prefix = options.prefix, start = options.after](const std::string& after, std::size_t amount) {
        auto list = client.api().tags.list_tags({.repository = id,
                                                 .prefix = prefix,
                                                 .after = after.empty() ? start : after,
                                                 .amount = static_cast<std::int64_t>(amount)});
        Page<Tag> page;
        page.items.reserve(list.results.size());
        for (auto& ref : list.results) page.items.emplace_back(id, std::move(ref.id), client);
        if (list.pagination.has_more) page.next_after = list.pagination.next_offset;
        return page;
      },
      options.max_amount);
}

Repository repository(std::string id) { return Repository(std::move(id)); }

Listing<Repository> repositories(ListOptions options, Client client) {
  return Listing<Repository>(
      [client, prefix = options.prefix, start = options.after](const std::string& after, std::size_t amount) {
        auto list = client.api().repositories.list_repositories({.prefix = prefix,
                                                                 .after = after.empty() ? start : after,
                                                                 .amount = static_cast<std::int64_t>(amount)});
        Page<Repository> page;
        page.items.reserve(list.results.size());
        for (auto& repo : list.results) page.items.emplace_back(std::move(repo.id), client);
        if (list.pagination.has_more) page.next_after = list.pagination.next_offset;
        return page;
      },
      options.max_amount);
}

std::ostream& operator<<(std::ostream& os, const Repository& repo) { return os << "Repository(" << repo.id() << ")"; }

}  // namespace lakefs
