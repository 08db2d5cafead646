#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates the lakefs::api layer of lakefs-cpp from lakeFS's OpenAPI spec.

The spec is read from the Go module cache, at the lakeFS version pinned in
tools/lakefs-server/go.mod; it is never copied into this repository.

    python3 codegen/generate.py            # writes into the repository
    python3 codegen/generate.py --out DIR  # writes the same tree under DIR

See codegen/README.md for the type mapping and naming rules.
"""

import argparse
import os
import re
import subprocess
import sys

import yaml

# The package lakefs_codegen next to this script; no bytecode is written into the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lakefs_codegen.docs import MARKER, doc_comment, group_name, header_comment  # noqa: E402
from lakefs_codegen.models import alias_cpp_types, emit_codec_header, emit_codec_source, emit_models_header  # noqa: E402
from lakefs_codegen.naming import class_name, ident, member_name, pascal, snake, tag_file  # noqa: E402
from lakefs_codegen.schema import Spec, cpp_type, type_label  # noqa: E402
from lakefs_codegen.special_cases import NOT_IDEMPOTENT_OPERATIONS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATED_DIRS = ["include/lakefs/api", "src/api", "tests/unit/api", "tests/fuzz"]

STRING_SAMPLES = ["kEmpty", "kUnicode", "kEscapes", "kPlain"]


# --------------------------------------------------------------------------- operations

class Param:
    def __init__(self, raw, spec):
        self.name = raw["name"]
        self.location = raw["in"]
        self.required = bool(raw.get("required", False)) or self.location == "path"
        schema = raw.get("schema", {})
        self.schema = schema
        t = schema.get("type", "string")
        if t == "array":
            item = schema.get("items", {}).get("type", "string")
            if item != "string":
                raise SystemExit(f"codegen: unsupported array parameter {self.name}")
            style = raw.get("style", "form")
            explode = raw.get("explode", True)
            if self.location != "query" or style != "form" or not explode:
                raise SystemExit(f"codegen: unsupported array parameter style for {self.name}")
            self.kind = "string_list"
            self.cpp = "std::vector<std::string>"
        elif t == "boolean":
            self.kind = "bool"
            self.cpp = "bool"
        elif t == "integer":
            self.kind = "int"
            self.cpp = "std::int32_t" if schema.get("format") == "int32" else "std::int64_t"
        elif t == "string":
            self.kind = "string"
            self.cpp = "std::string"
        else:
            raise SystemExit(f"codegen: unsupported parameter type {t} for {self.name}")
        self.member = ident(snake(self.name))
        self.description = raw.get("description", "")
        if "enum" in schema:
            values = ", ".join(f'"{v}"' for v in schema["enum"])
            self.description = (self.description + " " if self.description else "") + f"One of {values}."

    @property
    def member_cpp(self):
        if self.required or self.kind == "string_list":
            return self.cpp
        return f"std::optional<{self.cpp}>"


class Operation:
    def __init__(self, spec, path, method, op, common_params):
        self.spec = spec
        self.path = path
        self.method = method.upper()
        self.op_id = op["operationId"]
        self.name = ident(snake(self.op_id))
        self.request_name = pascal(self.op_id) + "Request"
        self.tags = op.get("tags", ["default"])
        self.summary = " ".join(str(op.get("summary", "")).split())
        self.deprecated = op.get("deprecated", False)
        self.anonymous = op.get("security", None) == []
        comp = spec.doc["components"].get("parameters", {})
        merged = {}
        for raw in common_params + op.get("parameters", []):
            if "$ref" in raw:
                raw = comp[raw["$ref"].split("/")[-1]]
            merged[(raw["in"], raw["name"])] = raw  # operation-level overrides path-level
        params = [Param(raw, spec) for raw in merged.values()]
        path_order = re.findall(r"\{([^}]+)\}", path)
        self.path_params = sorted([p for p in params if p.location == "path"],
                                  key=lambda p: path_order.index(p.name))
        self.query_params = [p for p in params if p.location == "query"]
        self.header_params = [p for p in params if p.location == "header"]
        for p in params:
            if p.location not in ("path", "query", "header"):
                raise SystemExit(f"codegen: unsupported parameter location {p.location}")

        # request body
        self.body_kind = None  # None | "json" | "stream"
        self.body_type = None
        rb = op.get("requestBody")
        if rb:
            content = rb.get("content", {})
            if "application/json" in content:
                self.body_kind = "json"
                self.body_type = spec.resolve(content["application/json"].get("schema", {}),
                                              pascal(self.op_id) + "Body")
            elif "application/octet-stream" in content:
                self.body_kind = "stream"
            else:
                raise SystemExit(f"codegen: unsupported request body of {self.op_id}")

        # response
        self.response_kind = "void"  # void | json | stream | response
        self.response_type = None
        self.accept_json = False
        ok = {str(k): v for k, v in op.get("responses", {}).items() if str(k).startswith("2")}
        contents = {}
        for code in sorted(ok):
            for ct, c in ok[code].get("content", {}).items():
                contents.setdefault(ct, c)
        if not ok:
            self.response_kind = "response"
        elif not contents:
            has_headers = any("headers" in r for r in ok.values())
            self.response_kind = "response" if has_headers else "void"
        elif "application/json" in contents:
            self.response_kind = "json"
            self.response_type = spec.resolve(contents["application/json"].get("schema", {}),
                                              pascal(self.op_id) + "Response")
            self.accept_json = len(contents) > 1
        elif all(ct.startswith("text/") or ct == "application/text" for ct in contents):
            # Short textual answers (createBranch's new commit id): returned as a string.
            self.response_kind = "text"
        else:
            self.response_kind = "stream"

        members = [p.member for p in params] + (["body"] if self.body_kind == "json" else []) + \
            (["body_source", "body_length", "content_type"] if self.body_kind == "stream" else []) + \
            ["extra_headers"]
        if len(members) != len(set(members)):
            raise SystemExit(f"codegen: member name clash in {self.op_id}: {members}")

    @property
    def return_cpp(self):
        if self.response_kind == "json":
            return cpp_type(self.response_type)
        if self.response_kind in ("stream", "response"):
            return "http::Response"
        if self.response_kind == "text":
            return "std::string"
        return "void"

    @property
    def paginated(self):
        """A listing page: a JSON struct with `pagination` (Pagination) and a `results` array.
        Such an operation also gets `<name>_raw`, returning the response undecoded."""
        if self.response_kind != "json" or self.response_type[0] != "model":
            return False
        fields = {f.json_name: f for f in self.spec.structs[self.response_type[1]].fields}
        return ("pagination" in fields and fields["pagination"].type == ("model", "Pagination")
                and "results" in fields and fields["results"].type[0] == "vector")

    @property
    def raw_name(self):
        return self.name + "_raw"

    def signature(self, qualifier=""):
        args = f"const {self.request_name}& request"
        if self.response_kind == "stream":
            args += ", const std::function<void(std::string_view chunk)>& sink"
        return f"{self.return_cpp} {qualifier}{self.name}({args}) const"

    def decl_args_with_default(self):
        default = " = {}" if not self.has_required_members() and self.response_kind != "stream" else ""
        args = f"const {self.request_name}& request{default}"
        if self.response_kind == "stream":
            args += ", const std::function<void(std::string_view chunk)>& sink"
        return args

    def has_required_members(self):
        return bool(self.path_params) or self.body_kind is not None or \
            any(p.required for p in self.query_params + self.header_params)


def load_operations(spec):
    ops = []
    for path, item in spec.doc["paths"].items():
        common = item.get("parameters", [])
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            if method in item:
                ops.append(Operation(spec, path, method, item[method], common))
    ids = [o.op_id for o in ops]
    if len(ids) != len(set(ids)):
        raise SystemExit("codegen: duplicate operationIds")
    names = {}
    for o in ops:
        if o.request_name in spec.structs or o.request_name in spec.aliases:
            raise SystemExit(f"codegen: {o.request_name} collides with a schema")
        if o.name in names:
            raise SystemExit(f"codegen: {o.op_id} and {names[o.name]} share a method name")
        names[o.name] = o.op_id
    for o in ops:
        if o.paginated and o.raw_name in names:
            raise SystemExit(f"codegen: {o.raw_name} of {o.op_id} collides with {names[o.raw_name]}")
    return sorted(ops, key=lambda o: o.op_id.lower())


# --------------------------------------------------------------------------- emit helpers


class Files:
    def __init__(self):
        self.files = {}

    def add(self, path, text):
        assert path not in self.files, path
        self.files[path] = text


# --------------------------------------------------------------------------- API classes

def emit_requests_header(spec, ops, version):
    out = [header_comment(version)]
    out.append("""//
// One request struct per operation. Members are ordered: path parameters,
// then the body, then query parameters, then header parameters, so they can
// be filled with designated initializers in declaration order, e.g.
//   api.repositories.create_repository({.body = {...}, .bare = false});
// Optional parameters left unset (std::nullopt, empty vector) are not sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lakefs/api/models.hpp"
#include "lakefs/http.hpp"
#include "lakefs/policies.hpp"

namespace lakefs::api {

""")
    for o in ops:
        out.append(f"/// Parameters of {o.op_id} ({o.method} {o.path}).\n")
        out.append(f"/// \\ingroup {' '.join(group_name(t) for t in o.tags)}\n")
        out.append(f"struct LAKEFS_API {o.request_name} {{\n")
        for p in o.path_params:
            out.append(doc_comment(p.description or f"The `{{{p.name}}}` segment of the path (percent-encoded when sent).",
                                   "  "))
            out.append(f"  {p.member_cpp} {p.member}{{}};\n")
        if o.body_kind == "json":
            out.append(f"  /// The request body, sent as JSON.\n")
            out.append(f"  {cpp_type(o.body_type)} body{{}};\n")
        elif o.body_kind == "stream":
            out.append("  /// Supplies the request body: fills `buf` with up to `size` bytes and\n"
                       "  /// returns the count, 0 at the end. Never buffered by the SDK.\n"
                       "  std::function<std::size_t(char* buf, std::size_t size)> body_source{};\n"
                       "  /// Length of the body when known; unknown lengths are sent chunked.\n"
                       "  std::optional<std::uint64_t> body_length{};\n"
                       "  /// Content-Type sent with the body (lakeFS stores it as the object's content type).\n"
                       "  std::string content_type = \"application/octet-stream\";\n")
        for p in o.query_params + o.header_params:
            fallback = f"The `{p.name}` query parameter." if p.location == "query" else ""
            out.append(doc_comment(p.description or fallback, "  "))
            if p.location == "header":
                out.append(f"  /// Sent as the `{p.name}` header.\n")
            out.append(f"  {p.member_cpp} {p.member}{{}};\n")
        out.append("  /// Additional headers to send (e.g. X-Lakefs-Meta-* user metadata on uploads).\n")
        out.append("  std::vector<http::Header> extra_headers{};\n")
        out.append("  /// Timeout, retry policy and cancellation of this call.\n")
        out.append("  CallOptions call{};\n")
        out.append("};\n\n")
    out.append("}  // namespace lakefs::api\n")
    return "".join(out)


def emit_tag_header(tag, ops, version):
    cls = class_name(tag)
    out = [header_comment(version)]
    out.append(f"""//
// {cls}: the lakeFS operations tagged "{tag}".
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "lakefs/api/models.hpp"
#include "lakefs/api/requests.hpp"
#include "lakefs/export.hpp"
#include "lakefs/http.hpp"

namespace lakefs::detail {{
class Channel;
}}  // namespace lakefs::detail

namespace lakefs::api {{

/// \\defgroup {group_name(tag)} Operations tagged "{tag}"
/// \\ingroup api_layer
/// {cls} (`client.api().{member_name(tag)}`) and the request structs of its operations.
/// @{{

/// Operations tagged "{tag}". Reached through lakefs::Client::api(); holds a
/// pointer into the client, which must outlive it. Methods send through the
/// client's credentials, retry policy and logging, throw the typed errors of
/// lakefs/errors.hpp for failed requests, and lakefs::ProtocolError when a
/// response cannot be decoded.
class LAKEFS_API {cls} {{
 public:
  /// Made by lakefs::api::Api, inside a client: reach it through lakefs::Client::api().
  explicit {cls}(const detail::Channel& channel) noexcept : channel_(&channel) {{}}

""")
    for o in ops:
        text = o.summary or o.op_id
        out.append(doc_comment(f"{text} ({o.method} {o.path}).", "  "))
        if o.deprecated:
            out.append("  /// Deprecated by lakeFS.\n")
        if o.response_kind == "stream":
            out.append("  /// Streams the 2xx body to `sink`; returns the response (headers, status) without the body.\n")
        elif o.response_kind == "response":
            out.append("  /// Returns the raw response (status and headers).\n")
        if o.body_kind == "stream":
            out.append("  /// Streams the request body from `request.body_source`.\n")
        nodiscard = "[[nodiscard]] " if o.response_kind in ("json",) else ""
        out.append(f"  {nodiscard}{o.return_cpp} {o.name}({o.decl_args_with_default()}) const;\n\n")
        if o.paginated:
            out.append(f"  /// As {o.name}, but the 2xx response is returned undecoded: its body is the JSON of\n"
                       f"  /// {type_label(o.response_type)}, whose `pagination` lakeFS writes before `results`, so the\n"
                       f"  /// cursor can be read (and the next page requested) before the results are decoded.\n")
            out.append(f"  [[nodiscard]] http::Response {o.raw_name}({o.decl_args_with_default()}) const;\n\n")
    out.append(f""" private:
  const detail::Channel* channel_;
}};

/// @}}

}}  // namespace lakefs::api
""")
    return "".join(out)


def emit_operation_body(o):
    lines = ["  http::Request req;", f"  req.method = \"{o.method}\";"]
    if o.op_id in NOT_IDEMPOTENT_OPERATIONS:
        lines.append(f"  req.not_idempotent = true;  // {NOT_IDEMPOTENT_OPERATIONS[o.op_id]}")
    # path
    segments = re.split(r"(\{[^}]+\})", o.path)
    by_name = {p.name: p for p in o.path_params}
    for seg in segments:
        if not seg:
            continue
        if seg.startswith("{"):
            p = by_name[seg[1:-1]]
            if p.kind == "string":
                lines.append(f"  http::append_encoded(req.path, request.{p.member});")
            elif p.kind == "int":
                lines.append(f"  req.path += std::to_string(request.{p.member});")
            else:
                raise SystemExit(f"codegen: unsupported path parameter {p.name}")
        else:
            lines.append(f"  req.path += \"{seg}\";")
    for p in o.query_params:
        fn = {"string": "add_query_string", "bool": "add_query_bool", "int": "add_query_int",
              "string_list": "add_query_strings"}[p.kind]
        if p.required or p.kind == "string_list":
            lines.append(f"  detail::{fn}(req.query, \"{p.name}\", request.{p.member});")
        else:
            lines.append(f"  if (request.{p.member}) detail::{fn}(req.query, \"{p.name}\", *request.{p.member});")
    for p in o.header_params:
        if p.kind != "string":
            raise SystemExit(f"codegen: unsupported header parameter {p.name}")
        if p.required:
            lines.append(f"  req.headers.emplace_back(\"{p.name}\", request.{p.member});")
        else:
            lines.append(f"  if (request.{p.member}) req.headers.emplace_back(\"{p.name}\", *request.{p.member});")
    lines.append("  req.headers.insert(req.headers.end(), request.extra_headers.begin(), request.extra_headers.end());")
    lines.append("  req.call = request.call;")
    if o.accept_json:
        lines.append("  req.headers.emplace_back(\"Accept\", \"application/json\");")
    if o.body_kind == "json":
        lines.append("  req.body = encode_to_string(request.body);")
        lines.append("  req.content_type = \"application/json\";")
    elif o.body_kind == "stream":
        lines.append("  req.body_source = request.body_source;")
        lines.append("  req.body_length = request.body_length;")
        lines.append("  req.content_type = request.content_type;")
    if o.anonymous:
        lines.append("  req.anonymous = true;")
    if o.response_kind == "stream":
        lines.append("  req.body_sink = sink;")
        lines.append("  return channel_->send(std::move(req));")
    elif o.response_kind == "response":
        lines.append("  return channel_->send(std::move(req));")
    elif o.response_kind == "void":
        lines.append("  (void)channel_->send(std::move(req));")
    elif o.response_kind == "text":
        lines.append("  return channel_->send(std::move(req)).body;")
    elif o.paginated:
        lines.append("  return channel_->send(std::move(req));")
    else:
        cpp = cpp_type(o.response_type)
        lines.append("  const http::Response response = channel_->send(std::move(req));")
        lines.append(f"  {cpp} result{{}};")
        lines.append(f"  decode_from_string(response.body, result, \"{type_label(o.response_type)}\");")
        lines.append("  return result;")
    return "\n".join(lines) + "\n"


def emit_tag_source(tag, ops, primary, version):
    cls = class_name(tag)
    out = [header_comment(version)]
    includes = {f"lakefs/api/{tag_file(tag)}.hpp"}
    for o in ops:
        if primary[o.op_id] != tag:
            includes.add(f"lakefs/api/{tag_file(primary[o.op_id])}.hpp")
    out.append("#include <string>\n#include <utility>\n\n")
    for inc in sorted(includes):
        out.append(f"#include \"{inc}\"\n")
    out.append("\n#include \"api/api_support.hpp\"\n#include \"api/model_codec.hpp\"\n#include \"transport/channel.hpp\"\n\n")
    out.append("namespace lakefs::api {\n\n")
    for o in ops:
        out.append(f"{o.signature(cls + '::')} {{\n")
        if primary[o.op_id] != tag:
            other = class_name(primary[o.op_id])
            call_args = "request, sink" if o.response_kind == "stream" else "request"
            ret = "" if o.response_kind == "void" else "return "
            out.append(f"  {ret}{other}(*channel_).{o.name}({call_args});\n}}\n\n")
            if o.paginated:
                out.append(f"http::Response {cls}::{o.raw_name}(const {o.request_name}& request) const {{\n")
                out.append(f"  return {other}(*channel_).{o.raw_name}(request);\n}}\n\n")
            continue
        if o.paginated:
            # The typed method decodes what the raw one returns.
            cpp = cpp_type(o.response_type)
            out.append(f"  const http::Response response = {o.raw_name}(request);\n")
            out.append(f"  {cpp} result{{}};\n")
            out.append(f"  decode_from_string(response.body, result, \"{type_label(o.response_type)}\");\n")
            out.append("  return result;\n}\n\n")
            out.append(f"http::Response {cls}::{o.raw_name}(const {o.request_name}& request) const {{\n")
        out.append(emit_operation_body(o))
        out.append("}\n\n")
    out.append("}  // namespace lakefs::api\n")
    return "".join(out)


def emit_api_support(version):
    return header_comment(version) + """//
// Internal helpers of the generated *_api.cpp files: query-string building.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lakefs/http.hpp"

namespace lakefs::detail {

inline void add_query_string(std::string& query, std::string_view key, std::string_view value) {
  if (!query.empty()) query += '&';
  query += key;
  query += '=';
  http::append_encoded(query, value);
}

inline void add_query_bool(std::string& query, std::string_view key, bool value) {
  add_query_string(query, key, value ? std::string_view("true") : std::string_view("false"));
}

inline void add_query_int(std::string& query, std::string_view key, std::int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  add_query_string(query, key, std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

/// Arrays use the form style with explode: one `key=value` pair per element.
inline void add_query_strings(std::string& query, std::string_view key, const std::vector<std::string>& values) {
  for (const auto& value : values) add_query_string(query, key, value);
}

}  // namespace lakefs::detail
"""


def emit_api_header(tags, version):
    out = [header_comment(version)]
    out.append("""//
// lakefs::api::Api: every generated operation class in one object, reached
// through a client, e.g.
//   lakefs::api::Api& api = client.api();
//   auto repo = api.repositories.get_repository({.repository = "my-repo"});
#pragma once
""")
    for t in tags:
        out.append(f"#include \"lakefs/api/{tag_file(t)}.hpp\"\n")
    out.append("\nnamespace lakefs::api {\n\n"
               "/// \\defgroup api_layer The generated API layer\n"
               "/// One typed method per operation of lakeFS's REST API, generated from its OpenAPI spec: a class per\n"
               "/// tag of the spec with the tag's operations, a request struct per operation, and the spec's models.\n"
               "/// Reached through lakefs::Client::api(); see docs/api-layer.md.\n\n")
    out.append("/// One member per lakeFS API tag. Lives inside a lakefs::Client (Client::api()).\n"
               "/// \\ingroup api_layer\n")
    out.append("class LAKEFS_API Api {\n public:\n"
               "  /// Made by lakefs::Client; reach it through Client::api().\n"
               "  explicit Api(const detail::Channel& channel) noexcept\n      : ")
    out.append(",\n        ".join(f"{member_name(t)}(channel)" for t in tags))
    out.append(" {}\n\n")
    for t in tags:
        out.append(f"  /// The operations tagged \"{t}\".\n")
        out.append(f"  {class_name(t)} {member_name(t)};\n")
    out.append("};\n\n}  // namespace lakefs::api\n")
    return "".join(out)


def emit_umbrella(tags, version):
    out = [header_comment(version), "//\n// Umbrella header of the generated lakeFS API layer.\n#pragma once\n\n"]
    out.append("#include \"lakefs/api/api.hpp\"\n#include \"lakefs/api/models.hpp\"\n#include \"lakefs/api/requests.hpp\"\n")
    for t in tags:
        out.append(f"#include \"lakefs/api/{tag_file(t)}.hpp\"\n")
    return "".join(out)


# --------------------------------------------------------------------------- generated test

class Sampler:
    def __init__(self, spec):
        self.spec = spec
        self.counter = 0

    def next_string(self):
        s = STRING_SAMPLES[self.counter % len(STRING_SAMPLES)]
        self.counter += 1
        return s

    def value(self, t, full):
        kind = t[0]
        if kind == "string":
            return self.next_string()
        if kind == "int32":
            self.counter += 1
            return "std::int32_t{-2147483647 - 1}" if self.counter % 2 else "std::int32_t{2147483647}"
        if kind == "int64":
            self.counter += 1
            return "std::int64_t{-9007199254740993}" if self.counter % 2 else "std::int64_t{9223372036854775807}"
        if kind == "double":
            return "0.1"
        if kind == "bool":
            self.counter += 1
            return "true" if self.counter % 2 else "false"
        if kind == "json":
            return "JsonValue{kJsonSample}"
        if kind == "enum":
            values = self.spec.enums[t[1]].values
            self.counter += 1
            return f"Enum<{t[1]}>({t[1]}::{values[self.counter % len(values)]})"
        if kind == "model":
            return f"{'full' if full else 'minimal'}_{t[1]}()"
        if kind == "alias":
            return self.value(t[2], full)
        if kind == "vector":
            items = [self.value(t[1], full), self.value(t[1], full)]
            return f"{cpp_type(t)}{{{', '.join(items)}}}"
        if kind == "map":
            return f"{cpp_type(t)}{{{{kUnicode, {self.value(t[1], full)}}}, {{kEscapes, {self.value(t[1], full)}}}}}"
        raise AssertionError(t)


def emit_models_test(spec, order, version):
    out = [header_comment(version)]
    out.append("""//
// Round trip of every generated model through to_json/from_json: one value
// with every property set (strings empty, unicode and escape-heavy), one with
// only the required properties.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lakefs/api/models.hpp"

namespace lakefs::api {
namespace {

const std::string kEmpty;
const std::string kUnicode = "ünïcødé ✓";
const std::string kEscapes = "quote\\" backslash\\\\ newline\\n tab\\t ctrl\\x01";
const std::string kPlain = "plain-value/with/slashes";
const std::string kJsonSample = R"({"k":[1,-2,"s",true,null],"o":{},"n":0.5})";

""")
    sampler = Sampler(spec)
    structs = [n for n in order if n in spec.structs]
    for name in structs:
        s = spec.structs[name]
        for full in (True, False):
            fn = f"{'full' if full else 'minimal'}_{name}"
            out.append(f"[[maybe_unused]] {name} {fn}() {{\n  {name} v;\n")
            for f in s.fields:
                if f.required or full:
                    out.append(f"  v.{f.name} = {sampler.value(f.type, full)};\n")
            out.append("  return v;\n}\n\n")
    out.append("""template <typename T>
void expect_round_trip(const T& value) {
  const std::string json = to_json(value);
  T decoded{};
  from_json(json, decoded);
  EXPECT_EQ(decoded, value) << json;
  EXPECT_EQ(to_json(decoded), json);
}

}  // namespace

""")
    for name in structs:
        out.append(f"TEST(GeneratedModels, {name}) {{\n  expect_round_trip(full_{name}());\n"
                   f"  expect_round_trip(minimal_{name}());\n}}\n\n")
    for name in sorted(spec.aliases):
        t = spec.aliases[name]
        out.append(f"TEST(GeneratedModels, {name}) {{\n  const {name} full = {sampler.value(t, True)};\n"
                   f"  expect_round_trip(full);\n  expect_round_trip({name}{{}});\n}}\n\n")
    out.append("}  // namespace lakefs::api\n")
    return "".join(out)


# --------------------------------------------------------------------------- fuzzing

def fuzz_models(spec):
    """(label, C++ type) of every model fuzz_models decodes: each struct, then one
    entry per distinct alias type (aliases of one type share one decoder)."""
    models = [(name, f"api::{name}") for name in sorted(spec.structs)]
    for cpp in alias_cpp_types(spec):
        label = [n for n in sorted(spec.aliases) if cpp_type(spec.aliases[n]) == cpp][0]
        models.append((label, f"api::{label}"))
    return models


def emit_fuzz_model_table(spec, version):
    models = fuzz_models(spec)
    # The fuzzer picks a model with one input byte.
    assert len(models) <= 256, "fuzz_models selects a model with one byte: use two"
    out = [header_comment(version)]
    out.append("""//
// The models tests/fuzz/fuzz_models.cpp decodes: every struct, and one entry
// per distinct alias type. The first input byte selects an entry (modulo the
// count); tests/fuzz/run.sh reads the names below to prefix the seed corpus.
#include <cstddef>

#include "lakefs/api/models.hpp"
#include "model_round_trip.hpp"

namespace lakefs::fuzz {

const ModelEntry kModels[] = {
""")
    for label, cpp in models:
        out.append(f"    {{\"{label}\", &round_trip<{cpp}>}},\n")
    out.append("""};
const std::size_t kModelCount = sizeof(kModels) / sizeof(kModels[0]);

}  // namespace lakefs::fuzz
""")
    return "".join(out)


def emit_fuzz_dict(spec, version):
    """libFuzzer dictionary: every JSON property name and enum value, quoted as JSON."""
    words = set()
    for s in spec.structs.values():
        for f in s.fields:
            words.add(f.json_name)
    for e in spec.enums.values():
        words.update(e.values)
    out = [header_comment(version, "#")]
    out.append("#\n# libFuzzer dictionary for fuzz_models: the spec's property names and enum values.\n")
    for w in sorted(words):
        assert re.match(r"^[A-Za-z0-9_.:/-]+$", w), w
        out.append(f"\"\\\"{w}\\\"\"\n")
    return "".join(out)


# --------------------------------------------------------------------------- main

def lakefs_version():
    with open(os.path.join(ROOT, "tools/lakefs-server/go.mod"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\s*(?:require\s+)?github\.com/treeverse/lakefs\s+v(\S+)", line)
            if m:
                return m.group(1)
    raise SystemExit("codegen: no github.com/treeverse/lakefs requirement in tools/lakefs-server/go.mod")


def module_cache():
    if os.environ.get("GOMODCACHE"):
        return os.environ["GOMODCACHE"]
    try:
        out = subprocess.run(["go", "env", "GOMODCACHE"], check=True, capture_output=True, text=True)
        if out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    gopath = os.environ.get("GOPATH") or os.path.join(os.path.expanduser("~"), "go")
    return os.path.join(gopath.split(os.pathsep)[0], "pkg", "mod")


def generate(spec_file, version):
    with open(spec_file, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    spec = Spec(doc)
    ops = load_operations(spec)
    order = spec.struct_order()

    tag_ops = {}
    primary = {}
    for o in ops:
        primary[o.op_id] = o.tags[0]
        for t in o.tags:
            tag_ops.setdefault(t, []).append(o)
    tags = sorted(tag_ops)
    members = [member_name(t) for t in tags]
    assert len(members) == len(set(members))

    files = Files()
    files.add("include/lakefs/api/models.hpp", emit_models_header(spec, order, version))
    files.add("include/lakefs/api/requests.hpp", emit_requests_header(spec, ops, version))
    for t in tags:
        files.add(f"include/lakefs/api/{tag_file(t)}.hpp", emit_tag_header(t, tag_ops[t], version))
        files.add(f"src/api/{tag_file(t)}.cpp", emit_tag_source(t, tag_ops[t], primary, version))
    files.add("include/lakefs/api/api.hpp", emit_api_header(tags, version))
    files.add("include/lakefs/api/all.hpp", emit_umbrella(tags, version))
    files.add("src/api/model_codec.hpp", emit_codec_header(spec, version))
    files.add("src/api/api_support.hpp", emit_api_support(version))
    names = sorted(spec.structs)
    chunks = 4
    size = (len(names) + chunks - 1) // chunks
    for i in range(chunks):
        part = names[i * size:(i + 1) * size]
        files.add(f"src/api/models_{i + 1}.cpp", emit_codec_source(spec, part, version, i == 0))
    files.add("tests/unit/api/generated_models_test.cpp", emit_models_test(spec, order, version))
    files.add("tests/fuzz/generated_model_table.cpp", emit_fuzz_model_table(spec, version))
    files.add("tests/fuzz/generated_models.dict", emit_fuzz_dict(spec, version))
    return spec, ops, tags, tag_ops, files


def is_generated(path):
    try:
        with open(path, encoding="utf-8") as f:
            return MARKER in f.read(400)
    except (OSError, UnicodeDecodeError):
        return False


def write_tree(files, out_dir, prune):
    for rel, text in sorted(files.files.items()):
        path = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if prune:
        for d in GENERATED_DIRS:
            full = os.path.join(out_dir, d)
            if not os.path.isdir(full):
                continue
            for name in sorted(os.listdir(full)):
                rel = f"{d}/{name}"
                if rel not in files.files and is_generated(os.path.join(full, name)):
                    os.remove(os.path.join(full, name))
                    print(f"removed stale {rel}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="write the generated tree under this directory instead of the repository")
    parser.add_argument("--spec", help="path of swagger.yml (default: the Go module cache)")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args()

    version = lakefs_version()
    spec_file = args.spec or os.path.join(module_cache(), f"github.com/treeverse/lakefs@v{version}", "api",
                                          "swagger.yml")
    if not os.path.exists(spec_file):
        raise SystemExit(f"codegen: {spec_file} not found; run `go mod download` in tools/lakefs-server")
    spec, ops, tags, tag_ops, files = generate(spec_file, version)
    write_tree(files, args.out or ROOT, prune=True)
    if not args.quiet:
        print(f"lakeFS v{version}: {len(ops)} operations, {len(spec.structs)} structs, "
              f"{len(spec.aliases)} aliases, {len(spec.enums)} enums, {len(files.files)} files")
        for t in tags:
            print(f"  {member_name(t):14} {class_name(t):18} {len(tag_ops[t]):3} operations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
