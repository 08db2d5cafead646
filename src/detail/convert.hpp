// Conversions from the generated API structs to the high-level value types,
// and small shared helpers of the handle implementations.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "client_state.hpp"
#include "lakefs/api/models.hpp"
#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/listing.hpp"
#include "lakefs/models.hpp"

namespace lakefs::detail {

Commit to_commit(const api::Commit& c);
Change to_change(const api::Diff& d);
ObjectInfo to_object_info(const api::ObjectStats& s);
RepositoryProperties to_properties(const api::Repository& r);
ServerStorageConfiguration to_storage_config(const api::StorageConfig& s);

/// One page of a listing from a generated `*List` response: `make` turns each
/// result into the listing's item; the pagination cursor is carried over.
template <typename T, typename List, typename Make>
Page<T> to_page(List& list, Make&& make) {
  Page<T> page;
  page.items.reserve(list.results.size());
  for (auto& result : list.results) page.items.push_back(make(result));
  if (list.pagination.has_more) page.next_after = list.pagination.next_offset;
  return page;
}

/// RFC 3339 UTC text of a timestamp, as lakeFS's date-time parameters expect.
std::string to_rfc3339(Timestamp t);

/// A timestamp from RFC 3339 text as lakeFS (Go) writes it, e.g.
/// "2024-05-01T12:34:56.123456789Z" or "...+02:00" (fraction dropped);
/// nullopt for text that is not such a date-time.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

/// An ETag header's value without its surrounding quotes: the checksum lakeFS stores.
std::string unquote_etag(std::string_view etag);

inline api::Api& api_of(const Client& client) { return client.api(); }

/// Throws InvalidArgumentError when `value` is empty.
void require_non_empty(const std::string& value, const char* what);

/// Runs `fn`; a 404 becomes ObjectNotFoundError naming the object, a 412 ObjectExistsError.
template <typename F>
auto object_call(const std::string& repo, const std::string& ref, const std::string& path, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const NotFoundError& e) {
    if (dynamic_cast<const ObjectNotFoundError*>(&e) != nullptr) throw;
    throw ObjectNotFoundError(e.status(), e.server_message() + " (object '" + path + "' at '" + repo + "/" + ref + "')",
                              e.request_id(), e.method(), e.path(), e.body(), e.headers());
  } catch (const PreconditionFailedError& e) {
    if (dynamic_cast<const ObjectExistsError*>(&e) != nullptr) throw;
    throw ObjectExistsError(e.status(), e.server_message() + " (object '" + path + "' already exists)", e.request_id(),
                            e.method(), e.path(), e.body(), e.headers());
  }
}

}  // namespace lakefs::detail
