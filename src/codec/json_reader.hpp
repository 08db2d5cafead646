// SPDX-License-Identifier: Apache-2.0
// Decoding helpers for the generated models (simdjson DOM). Internal: never
// include from a public header. Every failure throws lakefs::ProtocolError
// naming the schema and the property that could not be decoded.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lakefs/errors.hpp"

namespace lakefs::detail {

using JsonElement = simdjson::dom::element;
using JsonObject = simdjson::dom::object;

/// Where a value sits: the schema being decoded and the property name (empty
/// for the document itself). Used only in error messages.
struct JsonField {
  std::string_view schema;
  std::string_view field;
};

[[noreturn]] inline void throw_json_error(const JsonField& at, std::string_view problem) {
  std::string message = "lakefs: cannot decode ";
  message += at.schema;
  if (!at.field.empty()) {
    message += '.';
    message += at.field;
  }
  message += ": ";
  message += problem;
  throw ProtocolError(message);
}

/// The calling thread's parser; its buffers are reused from call to call. The
/// returned elements stay valid until the next parse on the same thread.
inline simdjson::dom::parser& json_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

/// Parses `json`; `what` names the expected type in the error message.
inline JsonElement parse_json(std::string_view json, std::string_view what) {
  JsonElement root;
  const auto error = json_parser().parse(json.data(), json.size(), true).get(root);
  if (error != simdjson::SUCCESS) {
    throw_json_error(JsonField{what, ""}, std::string("malformed JSON (") + simdjson::error_message(error) + ")");
  }
  return root;
}

inline void decode_json(JsonElement element, std::string& out, const JsonField& at) {
  std::string_view text;
  if (element.get_string().get(text) != simdjson::SUCCESS) throw_json_error(at, "expected a string");
  out.assign(text.data(), text.size());
}

inline void decode_json(JsonElement element, bool& out, const JsonField& at) {
  if (element.get_bool().get(out) != simdjson::SUCCESS) throw_json_error(at, "expected true or false");
}

inline void decode_json(JsonElement element, std::int64_t& out, const JsonField& at) {
  if (element.get_int64().get(out) != simdjson::SUCCESS) throw_json_error(at, "expected a 64-bit integer");
}

inline void decode_json(JsonElement element, std::int32_t& out, const JsonField& at) {
  std::int64_t wide = 0;
  if (element.get_int64().get(wide) != simdjson::SUCCESS || wide < std::numeric_limits<std::int32_t>::min() ||
      wide > std::numeric_limits<std::int32_t>::max()) {
    throw_json_error(at, "expected a 32-bit integer");
  }
  out = static_cast<std::int32_t>(wide);
}

inline void decode_json(JsonElement element, double& out, const JsonField& at) {
  if (element.get_double().get(out) != simdjson::SUCCESS) throw_json_error(at, "expected a number");
}

template <typename T>
void decode_json(JsonElement element, std::optional<T>& out, const JsonField& at);
template <typename T>
void decode_json(JsonElement element, std::vector<T>& out, const JsonField& at);
template <typename T>
void decode_json(JsonElement element, std::map<std::string, T>& out, const JsonField& at);

/// null decodes as std::nullopt.
template <typename T>
void decode_json(JsonElement element, std::optional<T>& out, const JsonField& at) {
  if (element.is_null()) {
    out.reset();
    return;
  }
  T value{};
  decode_json(element, value, at);
  out = std::move(value);
}

/// null decodes as an empty array (Go encodes a nil slice as null).
template <typename T>
void decode_json(JsonElement element, std::vector<T>& out, const JsonField& at) {
  out.clear();
  if (element.is_null()) return;
  simdjson::dom::array array;
  if (element.get_array().get(array) != simdjson::SUCCESS) throw_json_error(at, "expected an array");
  out.reserve(array.size());
  for (JsonElement item : array) decode_json(item, out.emplace_back(), at);
}

/// null decodes as an empty map (Go encodes a nil map as null).
template <typename T>
void decode_json(JsonElement element, std::map<std::string, T>& out, const JsonField& at) {
  out.clear();
  if (element.is_null()) return;
  JsonObject object;
  if (element.get_object().get(object) != simdjson::SUCCESS) throw_json_error(at, "expected an object");
  for (auto member : object) {
    T value{};
    decode_json(member.value, value, at);
    out.insert_or_assign(std::string(member.key), std::move(value));
  }
}

}  // namespace lakefs::detail
