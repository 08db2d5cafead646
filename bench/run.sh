#!/usr/bin/env bash
# Runs every benchmark scenario side by side against one local lakeFS server
# and prints a Markdown report (copied into docs/BENCHMARKS.md by hand).
#   bench/run.sh BUILD_DIR          (./dev bench builds the release preset first)
# Each bench/scenarios/*.sh is sourced in name order with BUILD_DIR, REPO_ROOT,
# LAKEFS_* (endpoint and credentials) and BENCH_WORK (a scratch dir) set, and
# prints its own Markdown section on stdout.
# A scenario that needs another server topology starts its own inside (40-s3-transfers.sh:
# `scripts/lakefs-server.sh run ... --topology s3`, stopped when the scenario ends or fails).
set -euo pipefail
build=$(cd "${1:?usage: bench/run.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ ${2:-} != --inside ]]; then
  exec "$root/scripts/lakefs-server.sh" run "$build/bench-server" "$0" "$build" --inside
fi
export BUILD_DIR=$build REPO_ROOT=$root
BENCH_WORK=$(mktemp -d)
export BENCH_WORK
trap 'rm -rf "$BENCH_WORK"' EXIT
echo "# Benchmark run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, lakeFS $("$root/.cache/lakefs-server/bin/lakefs" --version | awk '{print $3}')"
echo
for scenario in "$root"/bench/scenarios/*.sh; do
  # shellcheck disable=SC1090
  ( source "$scenario" )
  echo
done
