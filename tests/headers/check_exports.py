#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every namespace-scope class or function declared in a public header is marked LAKEFS_API (lakefs/export.hpp).

The shared library is built with hidden visibility, so an unmarked declaration compiles in a user's program and
then fails to link against liblakefs.so. Declarations at namespace scope start at column 0 in this code base (the
style indents nothing inside a namespace); inline, constexpr and template definitions need no export, nor do
forward declarations.

usage: check_exports.py SOURCE_DIR
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
headers = sorted((root / "include" / "lakefs").rglob("*.hpp"))
CLASS = re.compile(r"^(class|struct) (\w+)\b(?!;)")
FUNCTION = re.compile(r"^(\[\[nodiscard\]\] )?(?!(inline|constexpr|template|static|using|namespace|friend|typedef|"
                      r"enum|return|class|struct|extern)\b)[A-Za-z_][\w:<>,* &]*[\s&*](operator\S+|[a-z_]\w*)\(")
problems = []
checked = 0
for path in headers:
    lines = path.read_text().split("\n")
    for i, line in enumerate(lines):
        if i and lines[i - 1].startswith("template"):
            continue
        if CLASS.match(line) and not line.rstrip().endswith(";") and not re.search(r";\s*//", line):
            checked += 1
            if "LAKEFS_API" not in line:
                problems.append(f"{path.relative_to(root)}:{i + 1}: class not marked LAKEFS_API: {line}")
        elif FUNCTION.match(line):
            # A declaration ends with ';' before any '{' that is not a default argument's `{}`.
            text = ""
            for following in lines[i:i + 8]:
                text += re.sub(r"=\s*\{\}", "", following)
                if ";" in following or re.search(r"\)\s*(const\s*)?(noexcept\s*)?\{", text):
                    break
            is_declaration = ";" in text and ("{" not in text or text.index(";") < text.index("{"))
            if is_declaration:
                checked += 1
                if "LAKEFS_API" not in line:
                    problems.append(f"{path.relative_to(root)}:{i + 1}: function not marked LAKEFS_API: {line}")
print(f"{len(headers)} headers, {checked} namespace-scope classes and function declarations checked")
if checked < 100:
    problems.append("fewer than 100 declarations found: the check is broken")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
