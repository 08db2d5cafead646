// SPDX-License-Identifier: Apache-2.0
// Conversions from the generated API structs to the high-level value types,
// and small shared helpers of the handle implementations.
#pragma once

#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "client_state.hpp"
#include "lakefs/api/models.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/http.hpp"
#include "lakefs/listing.hpp"
#include "lakefs/models.hpp"

namespace lakefs::detail {

Commit to_commit(const api::Commit& c);
Change to_change(const api::Diff& d);
ObjectInfo to_object_info(const api::ObjectStats& s);
// The same, moving the strings and maps out of the decoded struct.
Commit to_commit(api::Commit&& c);
Change to_change(api::Diff&& d);
ObjectInfo to_object_info(api::ObjectStats&& s);
RepositoryProperties to_properties(const api::Repository& r);
ServerStorageConfiguration to_storage_config(const api::StorageConfig& s);

/// A generated model's unknown members as the high-level models keep them: name → JSON text.
UnknownFields to_unknown_fields(const std::map<std::string, api::JsonValue>& fields);
/// The reverse, for a model sent back: each JSON text as a JsonValue (written verbatim; the encoder rejects text
/// that is not one JSON value). InvalidArgumentError when a name is one of `known` (a member the SDK writes
/// itself, which would be sent twice).
std::map<std::string, api::JsonValue> to_api_fields(const UnknownFields& fields,
                                                    std::initializer_list<std::string_view> known);

/// A listing page as it came: reads the cursor from the body's `pagination`
/// (which lakeFS writes first, so only that object is parsed) without decoding
/// the results. `schema` names the list type in errors ("ObjectStatsList").
RawPage raw_page(http::Response response, const char* schema);

/// Throws InvalidArgumentError unless 1 <= page_size <= 1000 (lakeFS's range).
void require_page_size(std::size_t page_size);

// Decoders of a listing page's `results`, one item at a time, moved into the
// high-level types and appended to `out`. They use the calling thread's parser.
void decode_objects(std::string_view body, std::vector<ObjectEntry>& out);
void decode_commits(std::string_view body, std::vector<Commit>& out);
void decode_changes(std::string_view body, std::vector<Change>& out);
/// The ids of a RefList (branches, tags) or RepositoryList body.
void decode_ref_ids(std::string_view body, std::vector<std::string>& out);
void decode_repository_ids(std::string_view body, std::vector<std::string>& out);

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

/// Runs `fn`; a 404 about the object (or its ref: lakeFS answers both with "not found") becomes
/// ObjectNotFoundError naming the object, a 403 ObjectAccessDeniedError, a 412 ObjectExistsError. A missing
/// repository (RepositoryNotFoundError) or branch (on writes) stays what it is.
template <typename F>
auto object_call(const std::string& repo, const std::string& ref, const std::string& path, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const NotFoundError& e) {
    if (dynamic_cast<const ObjectNotFoundError*>(&e) != nullptr) throw;
    if (dynamic_cast<const RepositoryNotFoundError*>(&e) != nullptr) throw;
    // lakeFS says "branch not found" (reads) or "branch '<id>' not found" (uploads).
    if (const auto& m = e.server_message();
        m == "branch not found" || (m.starts_with("branch '") && m.ends_with("' not found")))
      throw;
    throw ObjectNotFoundError(e.status(), e.server_message() + " (object '" + path + "' at '" + repo + "/" + ref + "')",
                              e.request_id(), e.method(), e.path(), e.body(), e.headers());
  } catch (const ForbiddenError& e) {
    if (dynamic_cast<const ObjectAccessDeniedError*>(&e) != nullptr) throw;
    throw ObjectAccessDeniedError(e.status(),
                                  e.server_message() + " (object '" + path + "' at '" + repo + "/" + ref + "')",
                                  e.request_id(), e.method(), e.path(), e.body(), e.headers());
  } catch (const PreconditionFailedError& e) {
    if (dynamic_cast<const ObjectExistsError*>(&e) != nullptr) throw;
    throw ObjectExistsError(e.status(), e.server_message() + " (object '" + path + "' already exists)", e.request_id(),
                            e.method(), e.path(), e.body(), e.headers());
  }
}

/// Rethrows `error` as object_call() maps it: for a coroutine, which cannot co_await inside a try block's handler.
[[noreturn]] inline void rethrow_object_error(const std::exception_ptr& error, const std::string& repo,
                                              const std::string& ref, const std::string& path) {
  object_call(repo, ref, path, [&] { std::rethrow_exception(error); });
  std::terminate();  // not reached: object_call rethrows every exception, mapped or not
}

/// Whether object_call() leaves `error` as it is, told without rethrowing it where the standard library can tell
/// an exception's type (libstdc++): a cancellation or a transport failure (no answer to map). Else false.
[[nodiscard]] bool passes_unmapped(const std::exception_ptr& error) noexcept;

/// object_call() for a task: awaits `task` and maps its error as object_call() does. An error that needs no
/// mapping (a stop of many requests ends each with one) goes on without being rethrown here.
template <class T>
async::Task<T> object_task(async::Task<T> task, std::string repo, std::string ref, std::string path) {
  async::Outcome<T> outcome = co_await async::detail::settle(std::move(task));
  if (!outcome.has_value()) {
    if (passes_unmapped(outcome.error())) co_await async::detail::fail_with(outcome.error());  // never resumes
    rethrow_object_error(outcome.error(), repo, ref, path);
  }
  if constexpr (!std::is_void_v<T>) co_return std::move(outcome).value();
}

}  // namespace lakefs::detail
