#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the reference Python SDK (the high-level `lakefs` package and the
# generated `lakefs-sdk` it wraps), matplotlib (bench/report.py's charts) and
# aiohttp (bench/python/async_stats.py, asyncio's HTTP client), pinned, into REPO_ROOT/.cache/bench-venv (git-ignored), and prints the venv's
# python. Idempotent: when the venv
# already holds exactly these pins it returns at once without touching PyPI.
#   bench/python/setup.sh            -> prints /path/.cache/bench-venv/bin/python
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${BENCH_VENV:-$root/.cache/bench-venv}
pins=(lakefs==0.16.0 lakefs-sdk==1.84.0 matplotlib==3.11.2 aiohttp==3.14.5)
stamp="$venv/.pins"

if [[ -x $venv/bin/python && -f $stamp && $(cat "$stamp") == "${pins[*]}" ]]; then
  echo "$venv/bin/python"
  exit 0
fi
echo "bench/python/setup.sh: installing ${pins[*]} into $venv" >&2
python3 -m venv "$venv" >&2
"$venv/bin/pip" install -q --disable-pip-version-check "${pins[@]}" >&2
"$venv/bin/python" -c 'import lakefs, lakefs_sdk, matplotlib, aiohttp' >&2
echo "${pins[*]}" >"$stamp"
echo "$venv/bin/python"
