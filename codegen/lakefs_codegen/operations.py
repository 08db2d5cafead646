# SPDX-License-Identifier: Apache-2.0
"""Operations: the spec's paths as Operation objects (parameters, body, response kind), and the emission of the
API classes: requests.hpp (one request struct per operation), <tag>_api.hpp/.cpp (request building and response
decoding; every method `x` with its asynchronous twin `x_async`, both sending the request one builder makes),
api_support.hpp (query-string helpers), operation_support.hpp/.cpp (response decoding and the twins' coroutines),
api.hpp (the Api object) and all.hpp (the umbrella header).
"""

import re

from .docs import doc_comment, group_name, header_comment
from .naming import class_name, ident, member_name, pascal, snake, tag_file
from .schema import cpp_type, type_label
from .special_cases import ASYNC_TWIN_RENAMES, NOT_IDEMPOTENT_OPERATIONS


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

    @property
    def async_name(self):
        """The asynchronous twin: the same request, an async::Task of the same result."""
        return ASYNC_TWIN_RENAMES.get(self.op_id, self.name + "_async")

    @property
    def raw_async_name(self):
        return self.raw_name + "_async"

    @property
    def builder_name(self):
        """The function of the tag's .cpp that builds the http::Request, shared by the method and its twin."""
        return "build_" + self.name

    def signature(self, qualifier=""):
        return f"{self.return_cpp} {qualifier}{self.name}({self.args()}) const"

    def async_signature(self, qualifier="", raw=False):
        result = "http::Response" if raw else self.return_cpp
        name = self.raw_async_name if raw else self.async_name
        return f"async::Task<{result}> {qualifier}{name}({self.args(asynchronous=True)}) const"

    def args(self, default="", asynchronous=False):
        """The parameters: the request (by value), and for a streamed response the sink; the twin holds the sink
        (by value) until the body comes, the synchronous method only borrows it."""
        args = f"{self.request_name} request{default}"
        if self.response_kind == "stream":
            sink = "std::function<void(std::string_view chunk)>"
            args += f", {sink} sink" if asynchronous else f", const {sink}& sink"
        return args

    def decl_args_with_default(self, asynchronous=False):
        default = " = {}" if not self.has_required_members() and self.response_kind != "stream" else ""
        return self.args(default, asynchronous)

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
        extra = [o.async_name] + ([o.raw_name, o.raw_async_name] if o.paginated else [])
        for name in extra:
            if name in names:
                raise SystemExit(f"codegen: {name} of {o.op_id} collides with {names[name]}")
            names[name] = o.op_id
    return sorted(ops, key=lambda o: o.op_id.lower())


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
        out.append("  /// Timeout, deadline, retry policy, cancellation and extra headers of this call (see CallOptions).\n")
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
#include "lakefs/async/task.hpp"
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
/// response cannot be decoded. Each method `x` has an asynchronous twin
/// `x_async` taking the same parameters: a lazy async::Task that sends the same
/// request and ends with the same result, or with the same exception.
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
        out.append(f"  {nodiscard}{o.return_cpp} {o.name}({o.decl_args_with_default()}) const;\n")
        out.append(async_twin_doc(o.name, o.response_kind == "stream"))
        out.append(f"  async::Task<{o.return_cpp}> {o.async_name}({o.decl_args_with_default(True)}) const;\n\n")
        if o.paginated:
            out.append(f"  /// As {o.name}, but the 2xx response is returned undecoded: its body is the JSON of\n"
                       f"  /// {type_label(o.response_type)}, whose `pagination` lakeFS writes before `results`, so the\n"
                       f"  /// cursor can be read (and the next page requested) before the results are decoded.\n")
            out.append(f"  [[nodiscard]] http::Response {o.raw_name}({o.decl_args_with_default()}) const;\n")
            out.append(async_twin_doc(o.raw_name, False))
            out.append(f"  async::Task<http::Response> {o.raw_async_name}({o.decl_args_with_default(True)}) const;\n\n")
    out.append(f""" private:
  const detail::Channel* channel_;
}};

/// @}}

}}  // namespace lakefs::api
""")
    return "".join(out)


def async_twin_doc(name, sink):
    """The comment of an asynchronous twin: what it is the form of, and where its sink runs."""
    text = f"  /// Asynchronous form of {name}(): runs on the client's engine (see docs/async.md).\n"
    if sink:
        text += "  /// The task keeps `sink` and calls it on an engine thread: it must not block.\n"
    return text


def emit_builder(o):
    """The function that turns the request struct into the http::Request (today's request-building lines), shared
    by the method and its twin; the method then sends it and decodes the answer."""
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
    lines.append("  req.call = std::move(request.call);")
    if o.accept_json:
        lines.append("  req.headers.emplace_back(\"Accept\", \"application/json\");")
    if o.body_kind == "json":
        lines.append("  req.body = encode_to_string(request.body);")
        lines.append("  req.content_type = \"application/json\";")
    elif o.body_kind == "stream":
        lines.append("  req.body_source = std::move(request.body_source);")
        lines.append("  req.body_length = request.body_length;")
        lines.append("  req.content_type = request.content_type;")
    if o.anonymous:
        lines.append("  req.anonymous = true;")
    lines.append("  return req;")
    return (f"// {o.op_id} ({o.method} {o.path}).\n"
            f"http::Request {o.builder_name}({o.request_name}& request) {{\n" + "\n".join(lines) + "\n}\n\n")


def emit_sync_body(o, raw=False):
    """The synchronous method: builds, sends (blocking) and decodes, the same work as before twins existed."""
    build = f"{o.builder_name}(request)"
    kind = "response" if raw else o.response_kind
    if kind == "stream":
        return (f"  http::Request req = {build};\n"
                "  req.body_sink = sink;\n"
                "  return channel_->send(std::move(req));\n")
    if kind == "response":
        return f"  return channel_->send({build});\n"
    if kind == "void":
        return f"  (void)channel_->send({build});\n"
    if kind == "text":
        return f"  return channel_->send({build}).body;\n"
    if o.paginated:
        # The typed method decodes what the raw one returns.
        return (f"  return detail::decode_response<{cpp_type(o.response_type)}>({o.raw_name}(std::move(request)), "
                f"\"{type_label(o.response_type)}\");\n")
    return (f"  return detail::decode_response<{cpp_type(o.response_type)}>(channel_->send({build}), "
            f"\"{type_label(o.response_type)}\");\n")


def emit_async_body(o, raw=False):
    """The asynchronous twin: builds the request now (a failure ends the task instead of being thrown), and returns
    the task that sends it and decodes the answer with the helper of its response kind (api/operation_support.hpp)."""
    build = f"{o.builder_name}(request)"
    kind = "response" if raw else o.response_kind
    result = "http::Response" if raw else o.return_cpp
    if kind == "stream":
        send = (f"    http::Request req = {build};\n"
                "    req.body_sink = std::move(sink);\n"
                "    return channel_->send_async(std::move(req));\n")
    elif kind == "response":
        send = f"    return channel_->send_async({build});\n"
    elif kind == "void":
        send = f"    return detail::send_discarding(channel_->send_async({build}));\n"
    elif kind == "text":
        send = f"    return detail::send_text(channel_->send_async({build}));\n"
    else:
        send = (f"    return detail::send_decoded<{cpp_type(o.response_type)}>(channel_->send_async({build}), "
                f"\"{type_label(o.response_type)}\");\n")
    return ("  try {\n" + send + "  } catch (...) {\n"
            f"    return async::failed<{result}>(std::current_exception());\n  }}\n")


def emit_tag_source(tag, ops, primary, version):
    cls = class_name(tag)
    out = [header_comment(version)]
    includes = {f"lakefs/api/{tag_file(tag)}.hpp"}
    for o in ops:
        if primary[o.op_id] != tag:
            includes.add(f"lakefs/api/{tag_file(primary[o.op_id])}.hpp")
    out.append("#include <exception>\n#include <functional>\n#include <string>\n#include <string_view>\n"
               "#include <utility>\n\n")
    for inc in sorted(includes):
        out.append(f"#include \"{inc}\"\n")
    out.append("\n#include \"api/api_support.hpp\"\n#include \"api/model_codec.hpp\"\n"
               "#include \"api/operation_support.hpp\"\n#include \"lakefs/async/task.hpp\"\n"
               "#include \"transport/channel.hpp\"\n\n")
    out.append("namespace lakefs::api {\n\n")
    own = [o for o in ops if primary[o.op_id] == tag]
    if own:
        out.append("namespace {\n\n")
        for o in own:
            out.append(emit_builder(o))
        out.append("}  // namespace\n\n")
    for o in ops:
        if primary[o.op_id] != tag:
            # Another tag's class holds the implementation: delegate to it.
            other = class_name(primary[o.op_id])
            sink = ", sink" if o.response_kind == "stream" else ""
            ret = "" if o.response_kind == "void" else "return "
            out.append(f"{o.signature(cls + '::')} {{\n")
            out.append(f"  {ret}{other}(*channel_).{o.name}(std::move(request){sink});\n}}\n\n")
            out.append(f"{o.async_signature(cls + '::')} {{\n")
            moved_sink = ", std::move(sink)" if o.response_kind == "stream" else ""
            out.append(f"  return {other}(*channel_).{o.async_name}(std::move(request){moved_sink});\n}}\n\n")
            if o.paginated:
                out.append(f"http::Response {cls}::{o.raw_name}({o.request_name} request) const {{\n")
                out.append(f"  return {other}(*channel_).{o.raw_name}(std::move(request));\n}}\n\n")
                out.append(f"{o.async_signature(cls + '::', raw=True)} {{\n")
                out.append(f"  return {other}(*channel_).{o.raw_async_name}(std::move(request));\n}}\n\n")
            continue
        out.append(f"{o.signature(cls + '::')} {{\n{emit_sync_body(o)}}}\n\n")
        out.append(f"{o.async_signature(cls + '::')} {{\n{emit_async_body(o)}}}\n\n")
        if o.paginated:
            out.append(f"http::Response {cls}::{o.raw_name}({o.request_name} request) const {{\n"
                       f"{emit_sync_body(o, raw=True)}}}\n\n")
            out.append(f"{o.async_signature(cls + '::', raw=True)} {{\n{emit_async_body(o, raw=True)}}}\n\n")
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


def emit_operation_support(version):
    """src/api/operation_support.hpp: the decoding shared by every operation and its twin, and the one coroutine per
    response kind the twins return (never one per operation: each coroutine costs compile time, and GCC 12's
    coroutine support is best kept to a few plain ones)."""
    return header_comment(version) + """//
// Internal helpers of the generated *_api.cpp files: decoding a response, shared
// by every method and its asynchronous twin, and the coroutines the twins return,
// one per response kind (a stream, a raw response: Channel::send_async itself).
// Each takes the task of Channel::send_async, made when the twin is called: that
// task holds the client from then on, so a twin's task may outlive every Client.
#pragma once

#include <string>

#include "api/model_codec.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/http.hpp"
#include "transport/channel.hpp"

namespace lakefs::detail {

/// The 2xx JSON body of `response` as a T; ProtocolError naming `what` when it does not decode.
template <class T>
[[nodiscard]] T decode_response(const http::Response& response, const char* what) {
  T result{};
  api::decode_from_string(response.body, result, what);
  return result;
}

/// Runs `sent` (a Channel::send_async task) and decodes the answer as a T (`what`: a string literal). A failure of
/// `sent` passes up without being rethrown here (async::detail::propagate), in the twins below as well.
template <class T>
async::Task<T> send_decoded(async::Task<http::Response> sent, const char* what) {
  const http::Response response = co_await async::detail::propagate(std::move(sent));
  co_return decode_response<T>(response, what);
}

/// Runs `sent`; the answer's body is dropped.
async::Task<void> send_discarding(async::Task<http::Response> sent);

/// Runs `sent`; ends with the answer's body.
async::Task<std::string> send_text(async::Task<http::Response> sent);

}  // namespace lakefs::detail
"""


def emit_operation_support_source(version):
    """src/api/operation_support.cpp: the coroutines of operation_support.hpp that are not templates, compiled once."""
    return header_comment(version) + """//
// The coroutines of the asynchronous twins that do not depend on a model type.
#include <string>
#include <utility>

#include "api/operation_support.hpp"

namespace lakefs::detail {

async::Task<void> send_discarding(async::Task<http::Response> sent) {
  (void)co_await async::detail::propagate(std::move(sent));
}

async::Task<std::string> send_text(async::Task<http::Response> sent) {
  http::Response response = co_await async::detail::propagate(std::move(sent));
  co_return std::move(response.body);
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
