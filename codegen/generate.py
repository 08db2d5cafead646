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

from lakefs_codegen.docs import MARKER, header_comment  # noqa: E402
from lakefs_codegen.models import alias_cpp_types, emit_codec_header, emit_codec_source, emit_models_header  # noqa: E402
from lakefs_codegen.naming import class_name, member_name, tag_file  # noqa: E402
from lakefs_codegen.operations import (  # noqa: E402
    emit_api_header, emit_api_support, emit_requests_header, emit_tag_header, emit_tag_source, emit_umbrella,
    load_operations)
from lakefs_codegen.schema import Spec, cpp_type  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATED_DIRS = ["include/lakefs/api", "src/api", "tests/unit/api", "tests/fuzz"]

STRING_SAMPLES = ["kEmpty", "kUnicode", "kEscapes", "kPlain"]


# --------------------------------------------------------------------------- emit helpers


class Files:
    def __init__(self):
        self.files = {}

    def add(self, path, text):
        assert path not in self.files, path
        self.files[path] = text


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
