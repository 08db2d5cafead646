#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The project's metadata agrees wherever it appears:

- the licence: LICENSE is the Apache License 2.0; CMakeLists.txt's LAKEFS_LICENSE, the Debian copyright file,
  the pkg-config files, the CMake package and the README name it; every source file carries its SPDX line;
- the version: include/lakefs/version.hpp's numbers agree with each other, CHANGELOG.md has an entry for it (or
  an "Unreleased" one on top), and the README names the newest released version where it shows one;
- the requirements: the README's table states the minimums that CMakeLists.txt, mount/CMakeLists.txt and the
  lakeFS pin check, and the library's package list that scripts/bootstrap.sh installs.

    tests/release/check_metadata.py SOURCE_DIR
"""
import re
import subprocess
import sys
from pathlib import Path

root = Path(sys.argv[1])
errors = []


def read(rel):
    return (root / rel).read_text(encoding="utf-8")


def check(condition, message):
    if not condition:
        errors.append(message)


# --- licence ---------------------------------------------------------------------------------------------------
SPDX = "SPDX-License-Identifier: Apache-2.0"
license_text = read("LICENSE")
check(license_text.lstrip().startswith("Apache License") and "Version 2.0, January 2004" in license_text
      and "END OF TERMS AND CONDITIONS" in license_text, "LICENSE is not the full Apache License 2.0")
cmake = read("CMakeLists.txt")
m = re.search(r"^set\(LAKEFS_LICENSE (\S+)\)", cmake, re.M)
check(m and m.group(1) == "Apache-2.0", "CMakeLists.txt: LAKEFS_LICENSE is not Apache-2.0")
copyright_file = read("cmake/debian/copyright")
m = re.search(r"^Files: \*\nCopyright: .*\nLicense: (\S+)$", copyright_file, re.M)
check(m and m.group(1) == "Apache-2.0", "cmake/debian/copyright: the Files: * paragraph is not Apache-2.0")
check("/usr/share/common-licenses/Apache-2.0" in copyright_file, "cmake/debian/copyright: no pointer to the text")
for pc in ("cmake/lakefs.pc.in", "cmake/lakefs-testing.pc.in"):
    check("\nLicense: @LAKEFS_LICENSE@\n" in read(pc), f"{pc}: no License field")
check('set(lakefs_LICENSE "@LAKEFS_LICENSE@")' in read("cmake/lakefsConfig.cmake.in"),
      "cmake/lakefsConfig.cmake.in: lakefs_LICENSE is not set")
readme = read("README.md")
check("[Apache License 2.0](LICENSE)" in readme, "README.md does not name the licence with a link to LICENSE")

# Every hand-written and generated source, script and build file carries the SPDX line near its top.
tracked = subprocess.run(["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard"],
                         check=True, capture_output=True, text=True).stdout.split()
code = re.compile(r"(\.(cpp|hpp|h|py|sh|cmake|go|dox)|CMakeLists\.txt|\.in|/go\.mod)$|^(dev|\.ci/run)$")
unmarked = []
for rel in tracked:
    path = root / rel
    if not code.search(rel) or not path.is_file():
        continue
    head = path.read_text(encoding="utf-8", errors="replace").splitlines()[:3]
    if not any(SPDX in line for line in head):
        unmarked.append(rel)
check(not unmarked, f"{len(unmarked)} source file(s) without '{SPDX}' in their first 3 lines: "
      + ", ".join(unmarked[:20]))

# --- version ---------------------------------------------------------------------------------------------------
version_hpp = read("include/lakefs/version.hpp")
parts = {k: re.search(rf"#define LAKEFS_CPP_VERSION_{k} (\d+)", version_hpp).group(1)
         for k in ("MAJOR", "MINOR", "PATCH")}
version = re.search(r'#define LAKEFS_CPP_VERSION "([^"]+)"', version_hpp).group(1)
check(version == f"{parts['MAJOR']}.{parts['MINOR']}.{parts['PATCH']}",
      f"version.hpp: LAKEFS_CPP_VERSION {version} disagrees with its MAJOR/MINOR/PATCH")
changelog = read("CHANGELOG.md")
entries = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", changelog, re.M)
check(entries, "CHANGELOG.md has no '## [version] - date' entry")
released = [(v, d) for v, d in entries if v != "Unreleased"]
check(all(d for _, d in released), "CHANGELOG.md: a released version without a date")
if entries:
    check(entries[0][0] == "Unreleased" or entries[0][0] == version,
          f"CHANGELOG.md: the newest entry is {entries[0][0]}, but version.hpp says {version} "
          "(add its entry, or an '## [Unreleased]' one on top)")
if released:
    newest = released[0][0]
    m = re.search(r"The current\s+release is \*\*([0-9.]+)\*\*", readme)
    check(m and m.group(1) == newest, f"README.md: the current release is not {newest}, CHANGELOG.md's newest")
    for shown in re.findall(r"lakefs-cpp-(\d+\.\d+\.\d+)\.tar\.gz|build/release-(\d+\.\d+\.\d+)", readme):
        shown = shown[0] or shown[1]
        check(shown == newest, f"README.md shows release {shown}, not {newest}")

# --- requirements ----------------------------------------------------------------------------------------------
table = {}
for line in readme.splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) == 4 and cells[0] in ("the library", "lakefs-mount", "the tests and the demo's own server"):
        table[cells[1]] = cells[2]


def stated(what):
    for key, value in table.items():
        if key.startswith(what):
            return value
    errors.append(f"README.md: no Requirements row for {what}")
    return ""


cmake_min = re.search(r"^cmake_minimum_required\(VERSION (\d+\.\d+)", cmake, re.M).group(1)
check(stated("CMake").startswith(cmake_min + " "), f"README.md: the CMake minimum is not {cmake_min}")
for var, what in (("CURL", "libcurl"), ("SIMDJSON", "simdjson"), ("YAML_CPP", "yaml-cpp")):
    want = re.search(rf"^set\(LAKEFS_{var}_MIN_VERSION ([0-9.]+)\)", cmake, re.M).group(1)
    check(stated(what) == want, f"README.md: the {what} minimum is {stated(what)!r}, CMakeLists.txt says {want}")
gcc = re.search(r'"GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS (\d+)', cmake).group(1)
clang = re.search(r'"Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS (\d+)', cmake).group(1)
check(stated("C++ compiler") == f"GCC {gcc}, clang {clang}", "README.md: the compilers disagree with CMakeLists.txt")
fuse = re.search(r"fuse3>=([0-9.]+)", read("mount/CMakeLists.txt")).group(1)
check(stated("libfuse3") == fuse, f"README.md: the libfuse3 minimum is not {fuse} (mount/CMakeLists.txt)")
go = re.search(r"^go ([0-9.]+)$", read("tools/lakefs-server/go.mod"), re.M).group(1)
check(stated("Go").startswith(go + " "), f"README.md: the Go minimum is not {go} (tools/lakefs-server/go.mod)")
library = subprocess.run([str(root / "scripts/bootstrap.sh"), "--list", "library"], check=True,
                         capture_output=True, text=True).stdout.split()
check(f"`{' '.join(library[:2])}" in readme.replace("\n", " ") and all(p in readme for p in library),
      "README.md does not list the library's packages as scripts/bootstrap.sh library installs them")
check("sudo apt install " + " ".join(library) in readme,
      "README.md: the library's install command does not name exactly scripts/bootstrap.sh's packages")

if errors:
    print("\n".join(f"FAIL: {e}" for e in errors))
    sys.exit(1)
print(f"licence Apache-2.0 everywhere ({len(tracked)} files scanned), version {version} in CHANGELOG.md, "
      "requirements as the build checks them")
