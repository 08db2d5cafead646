#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds the API reference (doxygen) and fails when a public declaration of
the headers is undocumented, or their comments are malformed.

Fails on:
  - any doxygen warning about include/lakefs/** (an undocumented class,
    member, function, typedef, ...; a doc error), the generated layer
    (include/lakefs/api/) included, about the reference's own .dox files, or
    about the configuration;
  - any undocumented enumerator of those headers: doxygen 1.9 does not warn
    about enumerators, so they are looked up in the XML output;
  - an example (examples/*.cpp) without its \\example entry in docs/examples.dox.

The generated layer's comments come from lakeFS's OpenAPI spec; where the
spec describes nothing, the generator says what the C++ alone does not (a
property's JSON name and whether it must be present, a path parameter's
segment). Warnings about the guides
(README.md, docs/*.md: e.g. GitHub-style anchor links doxygen cannot resolve)
are printed, not failed on.

usage: check_reference.py SOURCE_DIR DOXYFILE WARNINGS_LOG XML_DIR [DOXYGEN]
"""
import pathlib
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

root = pathlib.Path(sys.argv[1]).resolve()
doxyfile = pathlib.Path(sys.argv[2])
log = pathlib.Path(sys.argv[3])
xml_dir = pathlib.Path(sys.argv[4])
doxygen = sys.argv[5] if len(sys.argv) > 5 else ""

if not doxygen or doxygen.endswith("-NOTFOUND"):
    print("doxygen was not found when the build was configured: install Debian's doxygen package "
          "(sudo apt-get install doxygen; scripts/bootstrap.sh installs it), then configure again")
    sys.exit(1)

headers = root / "include" / "lakefs"
generated = headers / "api"


def absolute(path):
    """Doxygen names files relative to the source directory (STRIP_FROM_PATH) or in full."""
    return (root / path).resolve()


def hand_written(path):
    """A public header of the hand-written API (not the generated layer)."""
    path = absolute(path)
    return path.is_relative_to(headers) and not path.is_relative_to(generated)


log.unlink(missing_ok=True)
shutil.rmtree(xml_dir, ignore_errors=True)  # doxygen leaves the files of removed classes in place
started = time.monotonic()
run = subprocess.run([doxygen, doxyfile.name], cwd=doxyfile.parent, capture_output=True, text=True)
elapsed = time.monotonic() - started
if run.returncode != 0:
    print(f"doxygen failed (exit status {run.returncode}):\n{run.stdout}{run.stderr}")
    sys.exit(1)

# One warning per "FILE:LINE: warning: ..." line; doxygen may continue a warning on the lines after it.
warnings = []
for line in log.read_text(errors="replace").splitlines():
    match = re.match(r"(.*?):(\d+): (warning|error): ", line)
    if match:
        warnings.append([match.group(1), line])
    elif warnings and line.strip():
        warnings[-1][1] += "\n" + line
    elif line.strip():
        warnings.append(["", line])

# Doxygen repeats some warnings (once per output format): count each once.
seen = set()
warnings = [(file, text) for file, text in warnings if not (text in seen or seen.add(text))]

failures = []
api_count = 0
pages = []
for file, text in warnings:
    path = absolute(file) if file else None
    if path and path.is_relative_to(generated):
        api_count += 1
    if path and path.suffix == ".md":
        pages.append(text)
    else:  # the headers, the .dox files, the configuration
        failures.append(text)

# Enumerators: every one of a hand-written header needs a description (`///<`, or `\var` after the enum).
enumerators = 0
for compound in sorted(xml_dir.glob("*.xml")):
    if compound.name in ("index.xml", "Doxyfile.xml"):
        continue
    for member in ET.parse(compound).getroot().iter("memberdef"):
        if member.get("kind") != "enum":
            continue
        location = member.find("location")
        if location is None or not hand_written(location.get("file", "")):
            continue
        enum = member.findtext("qualifiedname") or member.findtext("name")
        for value in member.findall("enumvalue"):
            enumerators += 1
            text = "".join(value.find("briefdescription").itertext()) + \
                "".join(value.find("detaileddescription").itertext())
            if not text.strip():
                failures.append(f"{location.get('file')}:{location.get('line')}: enumerator "
                                f"{enum}::{value.findtext('name')} is not documented")

# A check that found nothing to check is broken (e.g. the XML's file names changed form).
if enumerators == 0:
    failures.append("no enumerator of the hand-written headers found in the XML output: the check is broken")

# Every compiled example is listed with its \example entry.
listed = set(re.findall(r"\\example\s+(\S+)", (root / "docs" / "examples.dox").read_text()))
for example in sorted((root / "examples").glob("*.cpp")):
    if example.name not in listed:
        failures.append(f"docs/examples.dox: examples/{example.name} has no \\example entry")

failures = [re.sub(re.escape(str(root)) + "/", "", text) for text in failures]
if pages:
    print(f"{len(pages)} warning(s) about the guides (README.md, docs/*.md), not failed on:")
    for text in pages:
        print("  " + re.sub(re.escape(str(root)) + "/", "", text))
print(f"doxygen: {elapsed:.1f} s; {len(warnings)} warning(s): {len(failures)} about the headers "
      f"({api_count} of them the generated layer's), {len(pages)} about the guides; "
      f"{enumerators} enumerators of the hand-written headers checked")
print(f"reference: {xml_dir.parent / 'html' / 'index.html'}")
if failures:
    print(f"\n{len(failures)} problem(s) in the API's documentation:")
    for text in failures:
        print(text)
    sys.exit(1)
