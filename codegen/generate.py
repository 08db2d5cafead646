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
import sys

# The package lakefs_codegen next to this script; no bytecode is written into the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lakefs_codegen.files import generate, write_tree  # noqa: E402
from lakefs_codegen.naming import class_name, member_name  # noqa: E402
from lakefs_codegen.spec_file import default_spec_path, lakefs_version  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="write the generated tree under this directory instead of the repository")
    parser.add_argument("--spec", help="path of swagger.yml (default: the Go module cache)")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args()

    version = lakefs_version(ROOT)
    spec_file = args.spec or default_spec_path(version)
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
