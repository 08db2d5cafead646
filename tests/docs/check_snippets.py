#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compiles every ```cpp block of the user documentation against the public
headers, so the guide never shows code that does not build.

A block with its own #include lines is compiled as it is; any other block is
the body of a function given `client`, `repo` and `branch` to work with.

usage: check_snippets.py SOURCE_DIR [CXX]
"""
import pathlib
import re
import subprocess
import sys
import tempfile

root = pathlib.Path(sys.argv[1])
cxx = sys.argv[2] if len(sys.argv) > 2 else "g++"
docs = sorted(root.glob("docs/*.md")) + [root / "README.md"]
failures = 0
count = 0
with tempfile.TemporaryDirectory() as tmp:
    for doc in docs:
        text = doc.read_text()
        for n, match in enumerate(re.finditer(r"```cpp\n(.*?)```", text, re.S)):
            code = match.group(1)
            line = text[: match.start()].count("\n") + 2
            if "#include" not in code:
                code = ("#include <lakefs/lakefs.hpp>\n#include <iostream>\n"
                        "void snippet(lakefs::Client& client, lakefs::Repository& repo, lakefs::Branch& branch) {\n"
                        + code + "\n(void)client; (void)repo; (void)branch;\n}\n")
            source = pathlib.Path(tmp) / f"{doc.stem}_{n}.cpp"
            source.write_text(code)
            count += 1
            result = subprocess.run([cxx, "-std=c++20", "-fsyntax-only", "-I", str(root / "include"), str(source)],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                failures += 1
                print(f"{doc.relative_to(root)}:{line}: snippet does not compile:\n{result.stderr}")
print(f"{count - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
