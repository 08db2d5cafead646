# SPDX-License-Identifier: Apache-2.0
"""Models: the emission of include/lakefs/api/models.hpp (JsonValue, Enum<E>, the enums, the structs and their
to_json/from_json declarations) and of the JSON codec, src/api/model_codec.hpp and src/api/models_N.cpp (encoding
through detail::JsonWriter, decoding from the simdjson DOM, unknown members kept).
"""

from .docs import doc_comment, field_fallback_doc, header_comment
from .schema import cpp_type


def emit_models_header(spec, order, version):
    out = [header_comment(version)]
    out.append("""//
// lakeFS API models: one struct per component schema, with JSON encoding and
// decoding. Optional properties are std::optional; enum-typed properties are
// lakefs::api::Enum<E>, which keeps the server's text so values added by newer
// lakeFS releases survive a decode/encode round trip.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lakefs/export.hpp"

namespace lakefs::api {

/// \\defgroup api_models Models
/// \\ingroup api_layer
/// The spec's schemas: one struct per object schema, one enum per enumeration, with their JSON encoding
/// (to_json(), from_json()).
/// @{

/// A free-form JSON value, kept as its (compact) JSON text.
struct LAKEFS_API JsonValue {
  /// The JSON text, e.g. `{"a":1}`. Empty encodes as null.
  std::string json{};

  /// Equal when the texts are (no normalisation: `{"a":1}` and `{ "a": 1 }` differ).
  bool operator==(const JsonValue&) const = default;
};

/// An enum-typed property. Holds the text the server sent, so values unknown
/// to this SDK are preserved; value() maps it to E (E::unknown when unknown).
template <typename E>
class Enum {
 public:
  /// No value: an empty text, whose value() is E::unknown.
  Enum() = default;
  /// From a known enumerator (implicit, so `.status = PullRequestBasicStatus::open` works).
  Enum(E value) : raw_(to_string(value)) {}  // NOLINT(google-explicit-constructor)
  /// From the wire text, known or not.
  explicit Enum(std::string raw) : raw_(std::move(raw)) {}

  /// The enumerator, or E::unknown when the text is not one this SDK knows.
  [[nodiscard]] E value() const noexcept { return from_string(raw_, std::type_identity<E>{}); }
  /// The text exactly as sent or received.
  [[nodiscard]] const std::string& raw() const noexcept { return raw_; }
  /// True when value() is not E::unknown.
  [[nodiscard]] bool is_known() const noexcept { return value() != E::unknown; }

  /// Equal when the texts are.
  bool operator==(const Enum&) const = default;
  /// True when value() is `other`.
  bool operator==(E other) const noexcept { return value() == other; }

 private:
  std::string raw_;
};

// ---------------------------------------------------------------- enums
""")
    for name in sorted(spec.enums):
        e = spec.enums[name]
        out.append(doc_comment(e.description or f"The values of the lakeFS API's `{name}`; `unknown` stands for a "
                               "value this SDK does not know (Enum<E> keeps its text)."))
        out.append(f"enum class {name} {{ {', '.join(e.values)}, unknown }};\n")
        out.append(f"/// The wire text of `value` (empty for unknown).\n")
        out.append(f"[[nodiscard]] LAKEFS_API std::string_view to_string({name} value) noexcept;\n")
        out.append(f"/// Parses the wire text; text this SDK does not know gives {name}::unknown.\n")
        out.append(f"[[nodiscard]] LAKEFS_API {name} {e.func}(std::string_view text) noexcept;\n")
        out.append(f"/// As {e.func}(), for generic code (Enum<E>::value() calls it).\n")
        out.append(f"[[nodiscard]] inline {name} from_string(std::string_view text, std::type_identity<{name}>) noexcept {{\n"
                   f"  return {e.func}(text);\n}}\n\n")
    out.append("// ---------------------------------------------------------------- structs\n\n")
    for name in order:
        if name in spec.aliases:
            desc = spec.schemas.get(name, {}).get("description", "")
            out.append(doc_comment(desc or f"The lakeFS API's `{name}` schema."))
            out.append(f"using {name} = {cpp_type(spec.aliases[name])};\n\n")
            continue
        s = spec.structs[name]
        out.append(doc_comment(s.description or f"The lakeFS API's `{name}` object."))
        out.append(f"struct LAKEFS_API {name} {{\n")
        for f in s.fields:
            if f.name == "unknown_fields":
                raise SystemExit(f"{name}: a property named unknown_fields clashes with the member kept for unknown ones")
            out.append(doc_comment(f.description or field_fallback_doc(f), "  "))
            out.append(f"  {f.cpp} {f.name}{{}};\n")
        out.append("  /// Members the server sent that this SDK does not know (a newer server's\n"
                   "  /// additions), by name, as JSON; encoded back as they are.\n"
                   "  std::map<std::string, JsonValue> unknown_fields{};\n")
        out.append("\n  /// Equal when every member is, unknown_fields included.\n")
        out.append(f"  bool operator=={'(const ' + name + '&) const = default;'}\n}};\n\n")
    out.append("// ---------------------------------------------------------------- JSON\n")
    out.append("// to_json encodes compactly; from_json throws lakefs::ProtocolError on malformed\n"
               "// JSON, a wrong type or a missing required property. Properties this SDK does not\n"
               "// know are kept in each struct's unknown_fields.\n\n")
    for name in sorted(spec.structs):
        out.append(f"/// Encodes `value` as compact JSON.\n")
        out.append(f"[[nodiscard]] LAKEFS_API std::string to_json(const {name}& value);\n")
        out.append(f"/// Decodes `json` into `out` (lakefs::ProtocolError when it is not a valid {name}).\n")
        out.append(f"LAKEFS_API void from_json(std::string_view json, {name}& out);\n")
    out.append("\n// Aliases of containers share their overloads.\n")
    for cpp in alias_cpp_types(spec):
        out.append(f"/// Encodes `value` as compact JSON.\n")
        out.append(f"[[nodiscard]] LAKEFS_API std::string to_json(const {cpp}& value);\n")
        out.append(f"/// Decodes `json` into `out` (lakefs::ProtocolError when it does not hold that type).\n")
        out.append(f"LAKEFS_API void from_json(std::string_view json, {cpp}& out);\n")
    out.append("\n/// @}\n\n}  // namespace lakefs::api\n")
    return "".join(out)


def alias_cpp_types(spec):
    """Distinct underlying C++ types of alias schemas (each gets one to_json/from_json)."""
    seen = {}
    for name in sorted(spec.aliases):
        cpp = cpp_type(spec.aliases[name])
        seen.setdefault(cpp, name)
    return sorted(seen)


def emit_codec_header(spec, version):
    out = [header_comment(version)]
    out.append("""//
// Internal: JSON encode/decode overloads for every model, used by the
// generated models*.cpp and *_api.cpp files. Not installed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/json_reader.hpp"
#include "codec/json_writer.hpp"
#include "lakefs/api/models.hpp"

namespace lakefs::detail {

inline void encode_json(JsonWriter& writer, const std::string& value) { writer.value(std::string_view(value)); }
inline void encode_json(JsonWriter& writer, bool value) { writer.value(value); }
inline void encode_json(JsonWriter& writer, std::int32_t value) { writer.value(value); }
inline void encode_json(JsonWriter& writer, std::int64_t value) { writer.value(value); }
inline void encode_json(JsonWriter& writer, double value) { writer.value(value); }

template <typename T>
void encode_json(JsonWriter& writer, const std::vector<T>& values);
template <typename T>
void encode_json(JsonWriter& writer, const std::map<std::string, T>& values);

template <typename T>
void encode_json(JsonWriter& writer, const std::vector<T>& values) {
  writer.begin_array();
  for (const auto& value : values) encode_json(writer, value);
  writer.end_array();
}

template <typename T>
void encode_json(JsonWriter& writer, const std::map<std::string, T>& values) {
  writer.begin_object();
  for (const auto& [key, value] : values) {
    writer.key(key);
    encode_json(writer, value);
  }
  writer.end_object();
}

/// Writes a required property.
template <typename T>
void encode_field(JsonWriter& writer, std::string_view key, const T& value) {
  writer.key(key);
  encode_json(writer, value);
}

/// Writes an optional property; std::nullopt is left out.
template <typename T>
void encode_field(JsonWriter& writer, std::string_view key, const std::optional<T>& value) {
  if (!value) return;
  writer.key(key);
  encode_json(writer, *value);
}

}  // namespace lakefs::detail

namespace lakefs::api {

void encode_json(detail::JsonWriter& writer, const JsonValue& value);
void decode_json(detail::JsonElement element, JsonValue& out, const detail::JsonField& at);

template <typename E>
void encode_json(detail::JsonWriter& writer, const Enum<E>& value) {
  writer.value(std::string_view(value.raw()));
}

template <typename E>
void decode_json(detail::JsonElement element, Enum<E>& out, const detail::JsonField& at) {
  std::string_view text;
  if (element.get_string().get(text) != simdjson::SUCCESS) detail::throw_json_error(at, "expected a string");
  out = Enum<E>(std::string(text));
}

""")
    for name in sorted(spec.structs):
        out.append(f"void encode_json(detail::JsonWriter& writer, const {name}& value);\n")
        out.append(f"void decode_json(detail::JsonElement element, {name}& out, const detail::JsonField& at);\n")
    out.append("""
/// Encodes any model, container or primitive as compact JSON text.
template <typename T>
[[nodiscard]] std::string encode_to_string(const T& value) {
  std::string text;
  detail::JsonWriter writer(text);
  encode_json(writer, value);
  return text;
}

/// Decodes JSON text into any model, container or primitive; `what` names the
/// expected type in error messages.
template <typename T>
void decode_from_string(std::string_view json, T& out, const char* what) {
  const detail::JsonElement root = detail::parse_json(json, what);
  decode_json(root, out, detail::JsonField{what, ""});
}

}  // namespace lakefs::api
""")
    return "".join(out)


def emit_codec_source(spec, names, version, with_common):
    out = [header_comment(version)]
    out.append('#include <cstdint>\n#include <string>\n#include <string_view>\n\n#include "api/model_codec.hpp"\n'
               + ('#include "codec/validate.hpp"\n#include "lakefs/errors.hpp"\n' if with_common else '') + '\n'
               "namespace lakefs::api {\n\n")
    if with_common:
        out.append("""void encode_json(detail::JsonWriter& writer, const JsonValue& value) {
  if (value.json.empty()) {
    writer.null();
    return;
  }
  // Written verbatim, so it must be one JSON value: text such as `1,"force":true` would add members.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  if (parser.parse(value.json.data(), value.json.size()).get(parsed) != simdjson::SUCCESS) {
    throw InvalidArgumentError("a JSON value to send is not valid JSON: " + detail::printable(value.json.substr(0, 64)));
  }
  writer.raw(value.json);
}

void decode_json(detail::JsonElement element, JsonValue& out, const detail::JsonField& at) {
  (void)at;
  out.json = simdjson::minify(element);
}

""")
        for name in sorted(spec.enums):
            e = spec.enums[name]
            out.append(f"std::string_view to_string({name} value) noexcept {{\n  switch (value) {{\n")
            for v in e.values:
                out.append(f"    case {name}::{v}: return \"{v}\";\n")
            out.append(f"    case {name}::unknown: break;\n  }}\n  return {{}};\n}}\n\n")
            out.append(f"{name} {e.func}(std::string_view text) noexcept {{\n")
            for v in e.values:
                out.append(f"  if (text == \"{v}\") return {name}::{v};\n")
            out.append(f"  return {name}::unknown;\n}}\n\n")
        for cpp in alias_cpp_types(spec):
            label = [n for n in sorted(spec.aliases) if cpp_type(spec.aliases[n]) == cpp][0]
            out.append(f"std::string to_json(const {cpp}& value) {{ return encode_to_string(value); }}\n")
            out.append(f"void from_json(std::string_view json, {cpp}& out) {{ decode_from_string(json, out, \"{label}\"); }}\n\n")
    for name in names:
        s = spec.structs[name]
        out.append(f"// {name}\n")
        out.append(f"void encode_json(detail::JsonWriter& writer, const {name}& value) {{\n")
        out.append("  writer.begin_object();\n")
        for f in s.fields:
            out.append(f"  detail::encode_field(writer, \"{f.json_name}\", value.{f.name});\n")
        out.append("  for (const auto& [key, json] : value.unknown_fields) detail::encode_field(writer, key, json);\n")
        out.append("  writer.end_object();\n}\n\n")
        out.append(f"void decode_json(detail::JsonElement element, {name}& out, const detail::JsonField& at) {{\n")
        if s.fields:
            out.append("  simdjson::dom::object object;\n")
            out.append(f"  if (element.get_object().get(object) != simdjson::SUCCESS) {{\n"
                       f"    detail::throw_json_error(at, \"expected a {name} object\");\n  }}\n")
            # One pass over the members (not a lookup per property: simdjson's at_key walks the object each
            # time), a bit per property seen; then the required ones missing fail and the optional ones
            # missing are reset. A member named twice: the last one wins.
            if len(s.fields) > 64:
                raise SystemExit(f"{name}: more than 64 properties, the decoder's bit mask is too small")
            out.append("  std::uint64_t seen = 0;\n")
            out.append("  out.unknown_fields.clear();\n")
            out.append("  for (const auto member : object) {\n")
            out.append("    const std::string_view key = member.key;\n")
            for i, f in enumerate(s.fields):
                out.append(f"    if (key == \"{f.json_name}\") {{\n"
                           f"      decode_json(member.value, out.{f.name}, detail::JsonField{{\"{name}\", \"{f.json_name}\"}});\n"
                           f"      seen |= std::uint64_t{{1}} << {i}U;\n"
                           f"      continue;\n    }}\n")
            out.append("    out.unknown_fields.insert_or_assign(std::string(key), JsonValue{simdjson::minify(member.value)});\n")
            out.append("  }\n")
            for i, f in enumerate(s.fields):
                if f.required:
                    out.append(f"  if ((seen & (std::uint64_t{{1}} << {i}U)) == 0) {{\n"
                               f"    detail::throw_json_error({{\"{name}\", \"{f.json_name}\"}}, \"missing required property\");\n"
                               f"  }}\n")
                else:
                    out.append(f"  if ((seen & (std::uint64_t{{1}} << {i}U)) == 0) out.{f.name}.reset();\n")
        else:
            out.append("  simdjson::dom::object object;\n")
            out.append(f"  if (element.get_object().get(object) != simdjson::SUCCESS) {{\n"
                       f"    detail::throw_json_error(at, \"expected a {name} object\");\n  }}\n")
            out.append("  out.unknown_fields.clear();\n")
            out.append("  for (const auto member : object) {\n"
                       "    out.unknown_fields.insert_or_assign(std::string(member.key), JsonValue{simdjson::minify(member.value)});\n"
                       "  }\n")
        out.append("}\n\n")
        out.append(f"std::string to_json(const {name}& value) {{ return encode_to_string(value); }}\n")
        out.append(f"void from_json(std::string_view json, {name}& out) {{ decode_from_string(json, out, \"{name}\"); }}\n\n")
    out.append("}  // namespace lakefs::api\n")
    return "".join(out)
