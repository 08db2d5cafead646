#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the benchmark scenarios side by side against one local lakeFS server,
# then bench/report.py turns their records into Markdown tables (stdout), the
# raw results as JSON and one SVG chart per section.
#   bench/run.sh BUILD_DIR          (./dev bench builds the release preset first)
# Environment:
#   BENCH_ONLY=20-objects,30-python   run only the scenarios whose file name starts
#                                     with one of these (default: all of bench/scenarios/*.sh)
#   BENCH_REPORT_DIR=DIR              where results.json, report.md and the charts go
#                                     (default BUILD_DIR/bench-report; `./dev bench` without
#                                     BENCH_ONLY passes docs/bench)
# Each bench/scenarios/*.sh is sourced in name order, in a subshell, with BUILD_DIR,
# REPO_ROOT, LAKEFS_* (endpoint and credentials), BENCH_WORK (a scratch dir),
# BENCH_RESULTS / BENCH_NOTES (JSON lines) and the helpers of bench/lib.sh
# (bench_record, …) set. A scenario may print short prose on stdout; the tables
# come from the report. Scenario sizes are set by their own BENCH_* variables.
# A scenario that needs another server topology starts its own inside (40-s3-transfers.sh:
# `scripts/lakefs-server.sh run ... --topology s3`, stopped when the scenario ends or fails).
set -euo pipefail
build=$(cd "${1:?usage: bench/run.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The scenarios to run: all, or those whose file name starts with one of BENCH_ONLY's comma-separated prefixes.
scenarios=()
IFS=, read -r -a only <<<"${BENCH_ONLY:-}"
for scenario in "$root"/bench/scenarios/*.sh; do
  name=$(basename "$scenario" .sh)
  selected=$((${#only[@]} == 0))
  for o in "${only[@]}"; do [[ -n $o && $name == "$o"* ]] && selected=1; done
  if ((selected)); then scenarios+=("$scenario"); fi
done
((${#scenarios[@]})) || { echo "bench/run.sh: BENCH_ONLY=${BENCH_ONLY:-} matches no scenario" >&2; exit 2; }
if [[ ${2:-} != --inside ]]; then
  # The venv (Python SDK and matplotlib) before the server starts: a first install takes a while.
  "$root/bench/python/setup.sh" >/dev/null
  exec "$root/scripts/lakefs-server.sh" run "$build/bench-server" "$0" "$build" --inside
fi
export BUILD_DIR=$build REPO_ROOT=$root
BENCH_WORK=$(mktemp -d)
export BENCH_WORK
trap 'rm -rf "$BENCH_WORK"' EXIT
report_dir=${BENCH_REPORT_DIR:-$build/bench-report}
mkdir -p "$report_dir"
report_dir=$(cd "$report_dir" && pwd)
# Fresh result files for this run, in the build dir (kept after the run).
export BENCH_RESULTS="$build/bench-results.jsonl" BENCH_NOTES="$build/bench-notes.jsonl"
: >"$BENCH_RESULTS"
: >"$BENCH_NOTES"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

started=$(date -u +%Y-%m-%dT%H:%MZ)
lakefs_version=$("$root/.cache/lakefs-server/bin/lakefs" --version | awk '{print $3}')
ran=() failed=()
for scenario in "${scenarios[@]}"; do
  name=$(basename "$scenario" .sh)
  ran+=("$name")
  echo "Scenario $name (started $(date -u +%H:%M:%SZ))" >&2
  # A failing scenario is reported at the end; the others still run, and the report shows what was recorded.
  # (Not `( … ) || …`: that context would switch off `set -e` inside the scenario.)
  set +e
  # shellcheck disable=SC1090
  (
    set -e
    source "$scenario"
  )
  status=$?
  set -e
  ((status == 0)) || failed+=("$name")
  echo
done

python=$("$root/bench/python/setup.sh")
# The size and round settings of this run (BENCH_* variables other than the harness's own).
# (None set, at the defaults: grep finds nothing, which must not end the run under pipefail.)
settings=$(env | grep -E '^BENCH_' | grep -vE '^BENCH_(RESULTS|NOTES|WORK|LAST_OUT|REPORT_DIR|VENV)=' | sort | tr '\n' ' ' || true)
command="${settings}bench/run.sh BUILD_DIR"
"$python" "$root/bench/report.py" "$BENCH_RESULTS" --notes "$BENCH_NOTES" --out "$report_dir" \
  --meta "date=$started" --meta "cores=$(nproc)" --meta "lakefs=$lakefs_version" \
  --meta "cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
  --meta "scenarios=${ran[*]}" --meta "command=$command" | tee "$report_dir/report.md"
echo >&2
echo "bench/run.sh: results, report.md and charts in $report_dir" >&2
if ((${#failed[@]})); then
  echo "bench/run.sh: FAILED scenarios (their figures are missing or partial): ${failed[*]}" >&2
  exit 1
fi
