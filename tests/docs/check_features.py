#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every row of docs/FEATURES.md names a test that proves it, and every named test exists.

Usage: check_features.py <project_root>

A table row (a line starting with `|`, other than a table's header line and its
`|---|` separator) must name at least one test, anywhere in the row:

  `Suite.Test`   a GoogleTest test: TEST / TEST_F / TEST_P(Suite, Test) in tests/**/*.cpp or *.hpp
                 (for TEST_P, the name without the instantiation prefix and parameter suffix);
  `ctest:NAME`   a CTest test: add_test(NAME NAME ...) in tests/**/CMakeLists.txt, docs/CMakeLists.txt or CMakeLists.txt.

Only a backticked `A.B` where A and B are both CamelCase identifiers counts as a test
reference, so code such as `CallOptions::retry`, `lakefs::repositories()` or
`ObjectWriter.close` is not mistaken for one.

A row proved by unit tests alone (every test it names is under tests/unit, and it names no
CTest test) must say so with the word "unit": the legend promises that a row whose proof
never meets the real server says it. Exit status 1 lists each offending row.
"""
import pathlib
import re
import sys

IDENT = r"[A-Z][A-Za-z0-9_]*"
TEST_REF = re.compile(r"`(" + IDENT + r")\.(" + IDENT + r")`")
CTEST_REF = re.compile(r"`ctest:([A-Za-z0-9_.\-/]+)`")
# TEST(Suite, Name), TEST_F(...), TEST_P(...); arguments may be spread over lines.
TEST_MACRO = re.compile(r"\bTEST(?:_F|_P)?\s*\(\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)\s*\)")
ADD_TEST = re.compile(r"\badd_test\s*\(\s*NAME\s+([^\s)]+)")
SEPARATOR = re.compile(r"^\|\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def strip_comments(source):
    """C++ source without // and /* */ comments, so a commented-out test does not count."""
    source = re.sub(r"/\*.*?\*/", " ", source, flags=re.S)
    return re.sub(r"//[^\n]*", "", source)


def gtest_names(root, folder="tests"):
    names = set()
    for pattern in ("*.cpp", "*.hpp"):
        for path in (root / folder).rglob(pattern):
            text = strip_comments(path.read_text(encoding="utf-8", errors="replace"))
            names.update(f"{suite}.{name}" for suite, name in TEST_MACRO.findall(text))
    return names


def ctest_patterns(root):
    """add_test names; a name built from a variable (example_${example}) matches any text in its place."""
    files = [root / "CMakeLists.txt", root / "docs" / "CMakeLists.txt", *sorted((root / "tests").rglob("CMakeLists.txt"))]
    patterns = []
    for path in files:
        if not path.is_file():
            continue
        text = re.sub(r"#[^\n]*", "", path.read_text(encoding="utf-8", errors="replace"))
        for name in ADD_TEST.findall(text):
            parts = re.split(r"\$\{[^}]*\}", name)
            patterns.append(re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$"))
    return patterns


def table_rows(features):
    """(line number, row) of every table row that is neither a header nor a separator."""
    lines = features.read_text(encoding="utf-8").splitlines()
    rows = []
    for index, line in enumerate(lines):
        if not line.lstrip().startswith("|") or SEPARATOR.match(line.strip()):
            continue
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if SEPARATOR.match(following):
            continue  # the header line of a table
        rows.append((index + 1, line))
    return rows


def first_cell(row):
    cells = re.split(r"(?<!\\)\|", row.strip())
    return cells[1].strip() if len(cells) > 1 else row.strip()


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1]).resolve()
    features = root / "docs" / "FEATURES.md"
    tests = gtest_names(root)
    unit_tests = gtest_names(root, "tests/unit")
    ctests = ctest_patterns(root)
    if not tests:
        print(f"no TEST/TEST_F/TEST_P found under {root / 'tests'}", file=sys.stderr)
        return 1

    failures = []
    referenced = set()
    rows = table_rows(features)
    for number, row in rows:
        where = f"FEATURES.md:{number}: {first_cell(row)}"
        gtests = [f"{suite}.{name}" for suite, name in TEST_REF.findall(row)]
        ctest_names = CTEST_REF.findall(row)
        if not gtests and not ctest_names:
            failures.append(f"{where}: names no test (`Suite.Test` or `ctest:NAME`)")
            continue
        for name in gtests:
            referenced.add(name)
            if name not in tests:
                failures.append(f"{where}: `{name}` is not a TEST/TEST_F/TEST_P in tests/")
        for name in ctest_names:
            referenced.add("ctest:" + name)
            if not any(p.match(name) for p in ctests):
                failures.append(f"{where}: `ctest:{name}` is not an add_test NAME in a CMakeLists.txt")
        if not ctest_names and all(name in unit_tests for name in gtests) and "unit" not in row.lower():
            failures.append(f"{where}: names unit tests only and does not say so (the word \"unit\")")

    for failure in failures:
        print(failure)
    print(f"{len(rows)} rows checked, {len(referenced)} distinct tests referenced, "
          f"{len(tests)} GoogleTest tests known, {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
