#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Unpacks a zip file (a wheel, a Go module zip) with each file's mode from the archive, which Python's
`zipfile -e` drops, on a system that may have no unzip command.

    scripts/unzip.py ARCHIVE OUT_DIR [PREFIX]

Only the members under PREFIX are unpacked, with PREFIX taken off their names (default: every member, as is).
"""
import os
import sys
import zipfile

archive, out = sys.argv[1], sys.argv[2]
prefix = sys.argv[3] if len(sys.argv) > 3 else ""
with zipfile.ZipFile(archive) as z:
    for info in z.infolist():
        if not info.filename.startswith(prefix) or info.is_dir():
            continue
        target = os.path.join(out, info.filename[len(prefix):])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, "wb") as dst:
            dst.write(src.read())
        os.chmod(target, ((info.external_attr >> 16) & 0o777) or 0o644)
