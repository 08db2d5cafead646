# SPDX-License-Identifier: Apache-2.0
"""The generated tests: tests/unit/api/generated_models_test.cpp (a round trip of every model, with sample values
from Sampler), tests/unit/api/generated_async_twins_test.cpp (every operation against its asynchronous twin) and the
fuzzing inputs of fuzz_models, tests/fuzz/generated_model_table.cpp and tests/fuzz/generated_models.dict.
"""

import re

from .docs import header_comment
from .models import alias_cpp_types
from .naming import member_name
from .schema import cpp_type


STRING_SAMPLES = ["kEmpty", "kUnicode", "kEscapes", "kPlain"]


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


def json_sample(t):
    """A C++ expression giving JSON text that decodes as the type `t`: a value-initialised model, encoded."""
    if t[0] in ("model", "alias"):
        return f"to_json({t[1]}{{}})"
    if t[0] == "vector" and t[1][0] in ("model", "alias"):
        return f"\"[\" + to_json({t[1][1]}{{}}) + \"]\""
    raise SystemExit(f"codegen: no JSON sample for {t}")


def twin_request(o):
    """The statements that fill `request` of operation `o` for the twins test: every parameter set (path segments
    plain, so that the route is known), and the path the request goes to."""
    lines = [f"  {o.request_name} request{{}};\n"]
    values = {}
    for i, p in enumerate(o.path_params, 1):
        values[p.name] = "7" if p.kind == "int" else f"p{i}"
        quoted = values[p.name] if p.kind == "int" else f"\"{values[p.name]}\""
        lines.append(f"  request.{p.member} = {quoted};\n")
    for i, p in enumerate(o.query_params + o.header_params, 1):
        value = {"string": f"\"v{i}\"", "bool": "true", "int": "3", "string_list": f"{{\"l{i}\", \"m{i}\"}}"}[p.kind]
        lines.append(f"  request.{p.member} = {value};\n")
    if o.body_kind == "stream":
        lines.append("  request.body_source = twins::body_source(\"streamed request body\");\n")
        lines.append("  request.body_length = 21;\n")
    lines.append("  request.extra_headers = {{\"X-Twin\", \"x\"}};\n")
    path = re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], o.path)
    return "".join(lines), path


def twin_reply(o):
    """The 2xx answer the fake gives to operation `o` in the twins test."""
    if o.response_kind == "json":
        return f"Reply::json(200, {json_sample(o.response_type)})"
    if o.response_kind == "text":
        return "Reply::content(201, \"c0ffee\", \"text/html\")"
    if o.response_kind == "stream":
        return "Reply::content(200, std::string(40000, 's'))"
    if o.response_kind == "response":
        return "Reply::empty(200).with_header(\"ETag\", \"\\\"e1\\\"\")"
    return "Reply::empty(204)"


def emit_async_twins_test(ops, version):
    out = [header_comment(version)]
    out.append("""//
// Every operation against its asynchronous twin, through a Client over
// lakefs::testing::FakeTransport: x(request) and sync_wait(x_async(request))
// (and x_raw / x_raw_async for listings) send the same request (method, path,
// query, headers, body) and end alike: the same decoded result for a 2xx
// answer, an exception of the same type and message for a lakeFS error. Every
// parameter of the request is set; an operation with several tags is checked
// through each of their classes. See tests/unit/api/twin_check.hpp.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "lakefs/api/api.hpp"
#include "lakefs/testing/fake_transport.hpp"
#include "unit/api/twin_check.hpp"

namespace lakefs::api {
namespace {

using lakefs::testing::Reply;

class GeneratedAsyncTwins : public twins::AsyncTwins {};

""")
    for o in ops:
        fill, path = twin_request(o)
        out.append(f"TEST_F(GeneratedAsyncTwins, {o.name}) {{\n")
        out.append(fill)
        out.append(f"  const auto route = transport->on(\"{o.method}\", \"{path}\");\n")
        out.append(f"  const Reply ok = {twin_reply(o)};\n")
        for tag in o.tags:
            cls = f"api.{member_name(tag)}"
            if o.response_kind == "stream":
                sync = f"return twins::streamed([&](auto sink) {{ return {cls}.{o.name}(request, sink); }});"
                twin = (f"return twins::streamed_async([&](auto sink) {{ return {cls}.{o.async_name}(request, "
                        f"std::move(sink)); }});")
            else:
                sync = f"return {cls}.{o.name}(request);"
                twin = f"return {cls}.{o.async_name}(request);"
            out.append(f"  twins::expect_twins_agree_on(\n      *transport, route, ok, [&] {{ {sync} }},\n"
                       f"      [&] {{ {twin} }});\n")
            if o.paginated:
                out.append(f"  twins::expect_twins_agree_on(\n      *transport, route, ok, "
                           f"[&] {{ return {cls}.{o.raw_name}(request); }},\n"
                           f"      [&] {{ return {cls}.{o.raw_async_name}(request); }});\n")
        out.append("}\n\n")
    out.append("}  // namespace\n}  // namespace lakefs::api\n")
    return "".join(out)
