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

from lakefs_codegen.docs import MARKER  # noqa: E402
from lakefs_codegen.generated_tests import emit_fuzz_dict, emit_fuzz_model_table, emit_models_test  # noqa: E402
from lakefs_codegen.models import emit_codec_header, emit_codec_source, emit_models_header  # noqa: E402
from lakefs_codegen.naming import class_name, member_name, tag_file  # noqa: E402
from lakefs_codegen.operations import (  # noqa: E402
    emit_api_header, emit_api_support, emit_requests_header, emit_tag_header, emit_tag_source, emit_umbrella,
    load_operations)
from lakefs_codegen.schema import Spec  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATED_DIRS = ["include/lakefs/api", "src/api", "tests/unit/api", "tests/fuzz"]


# --------------------------------------------------------------------------- emit helpers


class Files:
    def __init__(self):
        self.files = {}

    def add(self, path, text):
        assert path not in self.files, path
        self.files[path] = text


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
