# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# API layer (section api): decoding a 1000-entry listObjects page (Google Benchmark),
# sequential getRepository calls through the SDK next to a bare libcurl loop sending the
# same request bytes (the floor: strictly less work), in wall time and in the client's
# instructions per call (callgrind), and what at-most-once (a fresh connection per POST)
# costs per commit.
# Sourced by bench/run.sh with BUILD_DIR, REPO_ROOT, LAKEFS_*, BENCH_WORK and bench/lib.sh.
# BENCH_API_CALLS (default 2000), BENCH_API_ROUNDS (5), BENCH_API_CALLGRIND_CALLS (1000),
# BENCH_COMMITS (200) shorten or lengthen it.
set -euo pipefail
calls=${BENCH_API_CALLS:-2000}
rounds=${BENCH_API_ROUNDS:-5}
cg_calls=${BENCH_API_CALLGRIND_CALLS:-1000}
commits=${BENCH_COMMITS:-200}
sec=api
work="$BENCH_WORK/api"
mkdir -p "$work"
bench_title $sec "API layer: per-request work of the SDK against bare libcurl"

# ---------------------------------------------------------------- decoding one listObjects page
c_decode="decode listObjects page"
"$BUILD_DIR/bench/api_decode" --benchmark_repetitions="$rounds" --benchmark_format=json \
  --benchmark_out="$work/api_decode.json" --benchmark_out_format=json >/dev/null 2>"$work/api_decode.err"
python3 - "$work/api_decode.json" <<'PY' >"$work/api_decode.tsv"
import json, sys
unit = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
runs = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if b.get("run_type", "iteration") == "iteration"]
for i, run in enumerate(runs, 1):
    print(f"{i}\t{run['real_time'] * unit[run['time_unit']]:.6f}")
PY
while IFS=$'\t' read -r round ms; do
  bench_record $sec "$c_decode" lakefs-cpp "$round" "$ms" ms
done <"$work/api_decode.tsv"
page=$(head -n 1 "$work/api_decode.err")
bench_note $sec "\`$c_decode\`: \`BM_DecodeListObjectsPage\` (Google Benchmark, wall ms per page, one record per \
repetition); the page: ${page#listObjects page: }; target < 1 ms."

# ---------------------------------------------------------------- sequential getRepository: wall time
c_wall="getRepository ×$calls"
c_cpu="getRepository ×$calls, client CPU"
"$BUILD_DIR/bench/api_get_repository" "$calls" "$rounds" >"$work/getrepo.txt" 2>"$work/getrepo.err"
while read -r round floor sdk floor_cpu sdk_cpu; do
  bench_record $sec "$c_wall" floor "$round" "$floor" s
  bench_record $sec "$c_wall" lakefs-cpp "$round" "$sdk" s
  bench_record $sec "$c_cpu" floor "$round" "$floor_cpu" s
  bench_record $sec "$c_cpu" lakefs-cpp "$round" "$sdk_cpu" s
done <"$work/getrepo.txt"
bench_note $sec "\`$c_wall\`: $calls sequential \`client.api().repositories.get_repository\` calls per round; \
\`floor\` is one libcurl easy handle sending the same request bytes (options, header list and Authorization line \
set once) on one kept-alive connection, reading the body without decoding it. The two sides alternate in blocks \
of 100 calls within each round. \`client CPU\`: the calling thread's user + system time over the same calls."

# ---------------------------------------------------------------- sequential getRepository: instructions (callgrind)
# The client's instructions per call: each side alone under callgrind with N and 2N calls; the difference of the
# two totals over N cancels start-up, repository creation and warm-up. The server is another process: not counted.
c_ins="getRepository, client instructions per call"
if command -v valgrind >/dev/null; then
  for side in floor floor-configured sdk; do
    for n in "$cg_calls" $((2 * cg_calls)); do
      valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$side.$n" \
        "$BUILD_DIR/bench/api_get_repository" --only "$side" "$n" >/dev/null 2>"$work/callgrind.$side.$n.err"
    done
    a=$(awk '/^totals:/ {print $2}' "$work/callgrind.$side.$cg_calls")
    b=$(awk '/^totals:/ {print $2}' "$work/callgrind.$side.$((2 * cg_calls))")
    [[ $side == sdk ]] && contender=lakefs-cpp || contender=$side
    bench_record $sec "$c_ins" "$contender" 1 $(((b - a) / cg_calls)) instructions
  done
  bench_target $sec "$c_ins" floor 0.952 "the SDK ≤ 1.05× the floor's instructions per call"
  bench_note $sec "\`$c_ins\`: \`valgrind --tool=callgrind bench/api_get_repository --only sdk|floor N\` with \
N = $cg_calls and $((2 * cg_calls)); (total(2N) − total(N)) / N, so that start-up and warm-up cancel; the SDK's \
count includes decoding the JSON into \`api::Repository\`, which the floor does not do. \`floor-configured\` is the \
floor with libcurl asked for what the SDK's transport asks of it on every request (a share for DNS and TLS sessions, \
the connect timeout, the low-speed abort, TCP keep-alive probes, its receive buffer, a header callback, the transfer \
driven through a multi handle so that a cancellation wakes it): its difference to \`floor\` is libcurl's own cost \
of those protections, and the SDK's difference to it is the SDK's own work per call."
else
  bench_note $sec "\`$c_ins\`: not measured, valgrind is not installed (scripts/bootstrap.sh installs it)."
fi

# ---------------------------------------------------------------- at-most-once: a fresh connection per POST
# bench/commit_connection prints the medians of its rounds: one round per run gives one record per round.
c_commit="empty commit, per commit"
for ((r = 1; r <= rounds; r++)); do
  "$BUILD_DIR/bench/commit_connection" "$commits" 1 >"$work/commit.$r.md"
  python3 - "$work/commit.$r.md" <<'PY' >"$work/commit.$r.tsv"
import re, sys
names = {"lakefs-cpp": "lakefs-cpp", "one reused connection (before": "reused-connection",
         "fresh connection per commit": "floor-fresh-connection"}
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) < 2 or not cells[1].endswith(" ms"):
        continue
    for key, contender in names.items():
        if key in cells[0]:
            print(f"{contender}\t{cells[1].removesuffix(' ms')}")
PY
  while IFS=$'\t' read -r contender ms; do
    bench_record $sec "$c_commit" "$contender" "$r" "$ms" ms
  done <"$work/commit.$r.tsv"
done
bench_note $sec "\`$c_commit\`: $commits empty commits per side and round (\`bench/commit_connection $commits 1\`, \
one run per round); \`lakefs-cpp\` is \`Branch::commit\`, which sends every POST on a fresh connection so that \
libcurl never re-sends it; \`reused-connection\` bare libcurl on one kept-alive connection (what the SDK did \
before, unsafe); \`floor-fresh-connection\` bare libcurl with a fresh connection per commit. $(grep -m 1 \
'^Fresh minus reused' "$work/commit.$rounds.md" || true)"
