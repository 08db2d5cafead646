// SPDX-License-Identifier: Apache-2.0
#include "model/convert.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <typeinfo>
#include <utility>

#include "api/model_codec.hpp"
#include "codec/json_reader.hpp"
#include "util/date.hpp"

namespace lakefs::detail {
namespace {

bool json_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The text of the `pagination` object when it is the body's first member (as
// lakeFS writes it): {"pagination":{...},"results":[...]}. Strings are
// skipped with their escapes, so a cursor holding braces does not end it early.
std::optional<std::string_view> leading_pagination(std::string_view body) {
  std::size_t i = 0;
  auto skip = [&] {
    while (i < body.size() && json_space(body[i])) ++i;
  };
  skip();
  if (i >= body.size() || body[i] != '{') return std::nullopt;
  ++i;
  skip();
  constexpr std::string_view key = "\"pagination\"";
  if (body.substr(i, key.size()) != key) return std::nullopt;
  i += key.size();
  skip();
  if (i >= body.size() || body[i] != ':') return std::nullopt;
  ++i;
  skip();
  if (i >= body.size() || body[i] != '{') return std::nullopt;
  const std::size_t start = i;
  int depth = 0;
  bool in_string = false;
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return body.substr(start, i - start + 1);
    }
  }
  return std::nullopt;
}

// Calls `each` with every decoded item of the body's `results` array.
template <typename Model, typename Out, typename Each>
void for_each_result(std::string_view body, const char* schema, std::vector<Out>& out, Each&& each) {
  const JsonElement root = parse_json(body, schema);
  JsonObject object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    throw_json_error(JsonField{schema, ""}, std::string("expected a ") + schema + " object");
  }
  const JsonField at{schema, "results"};
  JsonElement results;
  if (object.at_key("results").get(results) != simdjson::SUCCESS) throw_json_error(at, "missing required property");
  if (results.is_null()) return;
  simdjson::dom::array array;
  if (results.get_array().get(array) != simdjson::SUCCESS) throw_json_error(at, "expected an array");
  out.reserve(out.size() + array.size());
  for (JsonElement item : array) {
    Model model{};
    api::decode_json(item, model, at);
    each(std::move(model));
  }
}

Timestamp from_epoch(std::int64_t seconds) { return Timestamp(std::chrono::seconds(seconds)); }

Change::Type change_type(const std::string& raw) {
  if (raw == "added") return Change::Type::added;
  if (raw == "removed") return Change::Type::removed;
  if (raw == "changed") return Change::Type::changed;
  if (raw == "conflict") return Change::Type::conflict;
  if (raw == "prefix_changed") return Change::Type::prefix_changed;
  return Change::Type::unknown;
}

Change::PathType path_type(const std::string& raw) {
  if (raw == "object") return Change::PathType::object;
  if (raw == "common_prefix") return Change::PathType::common_prefix;
  return Change::PathType::unknown;
}

}  // namespace

UnknownFields to_unknown_fields(const std::map<std::string, api::JsonValue>& fields) {
  UnknownFields out;
  for (const auto& [name, value] : fields) out.emplace_hint(out.end(), name, value.json);
  return out;
}

std::map<std::string, api::JsonValue> to_api_fields(const UnknownFields& fields,
                                                    std::initializer_list<std::string_view> known) {
  std::map<std::string, api::JsonValue> out;
  for (const auto& [name, json] : fields) {
    if (std::ranges::find(known, name) != known.end()) {
      throw InvalidArgumentError("unknown_fields names '" + name + "', a member this SDK sends itself");
    }
    out.emplace_hint(out.end(), name, api::JsonValue{json});
  }
  return out;
}

Commit to_commit(const api::Commit& c) {
  return Commit{c.id,
                c.parents,
                c.committer,
                c.message,
                from_epoch(c.creation_date),
                c.meta_range_id,
                c.metadata.value_or(Metadata{}),
                to_unknown_fields(c.unknown_fields)};
}

Change to_change(const api::Diff& d) {
  return Change{change_type(d.type.raw()), d.path, path_type(d.path_type.raw()), d.size_bytes,
                to_unknown_fields(d.unknown_fields)};
}

ObjectInfo to_object_info(const api::ObjectStats& s) {
  ObjectInfo info;
  info.path = s.path;
  info.physical_address = s.physical_address;
  if (s.physical_address_expiry) info.physical_address_expiry = from_epoch(*s.physical_address_expiry);
  info.checksum = s.checksum;
  info.size_bytes = s.size_bytes.value_or(0);
  info.mtime = from_epoch(s.mtime);
  info.metadata = s.metadata.value_or(Metadata{});
  info.content_type = s.content_type.value_or("");
  info.unknown_fields = to_unknown_fields(s.unknown_fields);
  return info;
}

Commit to_commit(api::Commit&& c) {
  return Commit{std::move(c.id),
                std::move(c.parents),
                std::move(c.committer),
                std::move(c.message),
                from_epoch(c.creation_date),
                std::move(c.meta_range_id),
                c.metadata ? std::move(*c.metadata) : Metadata{},
                to_unknown_fields(c.unknown_fields)};
}

Change to_change(api::Diff&& d) {
  return Change{change_type(d.type.raw()), std::move(d.path), path_type(d.path_type.raw()), d.size_bytes,
                to_unknown_fields(d.unknown_fields)};
}

ObjectInfo to_object_info(api::ObjectStats&& s) {
  ObjectInfo info;
  info.path = std::move(s.path);
  info.physical_address = std::move(s.physical_address);
  if (s.physical_address_expiry) info.physical_address_expiry = from_epoch(*s.physical_address_expiry);
  info.checksum = std::move(s.checksum);
  info.size_bytes = s.size_bytes.value_or(0);
  info.mtime = from_epoch(s.mtime);
  if (s.metadata) info.metadata = std::move(*s.metadata);
  if (s.content_type) info.content_type = std::move(*s.content_type);
  info.unknown_fields = to_unknown_fields(s.unknown_fields);
  return info;
}

RawPage raw_page(http::Response response, const char* schema) {
  RawPage raw;
  api::Pagination pagination;
  const JsonField at{schema, "pagination"};
  if (const auto text = leading_pagination(response.body)) {
    api::decode_json(parse_json(*text, schema), pagination, at);
  } else {
    // Not in lakeFS's order: find it in the parsed document.
    JsonObject object;
    if (parse_json(response.body, schema).get_object().get(object) != simdjson::SUCCESS) {
      throw_json_error(JsonField{schema, ""}, std::string("expected a ") + schema + " object");
    }
    JsonElement element;
    if (object.at_key("pagination").get(element) != simdjson::SUCCESS) {
      throw_json_error(at, "missing required property");
    }
    api::decode_json(element, pagination, at);
  }
  if (pagination.has_more) raw.next_after = std::move(pagination.next_offset);
  raw.results = pagination.results > 0 ? static_cast<std::size_t>(pagination.results) : 0;
  raw.body = std::move(response.body);
  return raw;
}

void require_page_size(std::size_t page_size) {
  if (page_size < 1 || page_size > 1000) {
    throw InvalidArgumentError("page_size must be between 1 and 1000 (lakeFS's limit), got " +
                               std::to_string(page_size));
  }
}

void decode_objects(std::string_view body, std::vector<ObjectEntry>& out) {
  for_each_result<api::ObjectStats>(body, "ObjectStatsList", out, [&](api::ObjectStats&& s) {
    if (s.path_type.raw() == "common_prefix") {
      out.emplace_back(CommonPrefix{std::move(s.path), to_unknown_fields(s.unknown_fields)});
    } else {
      out.emplace_back(to_object_info(std::move(s)));
    }
  });
}

void decode_commits(std::string_view body, std::vector<Commit>& out) {
  for_each_result<api::Commit>(body, "CommitList", out,
                               [&](api::Commit&& c) { out.push_back(to_commit(std::move(c))); });
}

void decode_changes(std::string_view body, std::vector<Change>& out) {
  for_each_result<api::Diff>(body, "DiffList", out, [&](api::Diff&& d) { out.push_back(to_change(std::move(d))); });
}

void decode_ref_ids(std::string_view body, std::vector<std::string>& out) {
  for_each_result<api::Ref>(body, "RefList", out, [&](api::Ref&& r) { out.push_back(std::move(r.id)); });
}

void decode_repository_ids(std::string_view body, std::vector<std::string>& out) {
  for_each_result<api::Repository>(body, "RepositoryList", out,
                                   [&](api::Repository&& r) { out.push_back(std::move(r.id)); });
}

RepositoryProperties to_properties(const api::Repository& r) {
  return RepositoryProperties{r.id,
                              from_epoch(r.creation_date),
                              r.default_branch,
                              r.storage_namespace,
                              r.storage_id.value_or(""),
                              r.read_only.value_or(false),
                              to_unknown_fields(r.unknown_fields)};
}

ServerStorageConfiguration to_storage_config(const api::StorageConfig& s) {
  return ServerStorageConfiguration{s.blockstore_type,
                                    s.blockstore_namespace_example,
                                    s.blockstore_namespace_ValidityRegex,
                                    s.default_namespace_prefix.value_or(""),
                                    s.pre_sign_support,
                                    s.pre_sign_support_ui,
                                    s.import_support,
                                    s.import_validity_regex,
                                    s.pre_sign_multipart_upload.value_or(false),
                                    s.blockstore_id.value_or(""),
                                    s.blockstore_description.value_or(""),
                                    to_unknown_fields(s.unknown_fields)};
}

std::string to_rfc3339(Timestamp t) {
  const std::time_t seconds = t.time_since_epoch().count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buf, n);
}

std::optional<Timestamp> parse_rfc3339(std::string_view text) { return parse_date(text, DateFormat::rfc3339); }

std::string unquote_etag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

bool passes_unmapped(const std::exception_ptr& error) noexcept {
#if defined(__GLIBCXX__) && defined(__cpp_rtti)
  const std::type_info* type = error.__cxa_exception_type();
  if (type == nullptr) return false;
  // The exact types a failure without an answer is made as (transport/error_mapping.cpp); object_call() maps only
  // answers of the server.
  return *type == typeid(CancelledError) || *type == typeid(TransportError) || *type == typeid(ConnectionError) ||
         *type == typeid(TimeoutError) || *type == typeid(TlsError);
#else
  static_cast<void>(error);
  return false;
#endif
}

void require_non_empty(const std::string& value, const char* what) {
  if (value.empty()) throw InvalidArgumentError(std::string(what) + " must not be empty");
}

}  // namespace lakefs::detail
