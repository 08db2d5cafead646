# SPDX-License-Identifier: Apache-2.0
"""The generated tree: which file is made from what (generate), and writing it (write_tree: files whose text is
unchanged are left alone, generated files no longer produced are removed).
"""

import os

from .docs import MARKER
from .generated_tests import emit_async_twins_test, emit_fuzz_dict, emit_fuzz_model_table, emit_models_test
from .models import emit_codec_header, emit_codec_source, emit_models_header
from .naming import member_name, tag_file
from .operations import (emit_api_header, emit_api_support, emit_operation_support, emit_operation_support_source,
                         emit_requests_header, emit_tag_header, emit_tag_source, emit_umbrella, load_operations)
from .schema import Spec
from .spec_file import load_spec

# The directories generated files are written to; a file there carrying MARKER that is no longer produced is removed.
GENERATED_DIRS = ["include/lakefs/api", "src/api", "tests/unit/api", "tests/fuzz"]

# The codec of the structs is spread over this many sources, src/api/models_1.cpp ... models_N.cpp.
MODEL_SOURCES = 4


class Files:
    """The generated files by path relative to the output root: path -> text."""

    def __init__(self):
        self.files = {}

    def add(self, path, text):
        assert path not in self.files, path
        self.files[path] = text


def generate(spec_file, version):
    """Everything generated from `spec_file`: (spec, operations, tags, operations by tag, Files)."""
    spec = Spec(load_spec(spec_file))
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
    files.add("src/api/operation_support.hpp", emit_operation_support(version))
    files.add("src/api/operation_support.cpp", emit_operation_support_source(version))
    names = sorted(spec.structs)
    size = (len(names) + MODEL_SOURCES - 1) // MODEL_SOURCES
    for i in range(MODEL_SOURCES):
        part = names[i * size:(i + 1) * size]
        files.add(f"src/api/models_{i + 1}.cpp", emit_codec_source(spec, part, version, i == 0))
    files.add("tests/unit/api/generated_models_test.cpp", emit_models_test(spec, order, version))
    files.add("tests/unit/api/generated_async_twins_test.cpp", emit_async_twins_test(ops, version))
    files.add("tests/fuzz/generated_model_table.cpp", emit_fuzz_model_table(spec, version))
    files.add("tests/fuzz/generated_models.dict", emit_fuzz_dict(spec, version))
    return spec, ops, tags, tag_ops, files


def is_generated(path):
    """True when the file at `path` carries MARKER near its top."""
    try:
        with open(path, encoding="utf-8") as f:
            return MARKER in f.read(400)
    except (OSError, UnicodeDecodeError):
        return False


def write_tree(files, out_dir, prune):
    """Writes `files` under `out_dir` (unchanged ones untouched); with `prune`, removes stale generated files."""
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
