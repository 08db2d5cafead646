# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016  # sh -c scripts take their arguments as $1, $2, …
# Against the Python SDK (section python): the same workloads written with lakefs-cpp
# (bench/vs_python.cpp) and with the Python high-level `lakefs` package
# (bench/python/vs_python.py, pinned in bench/python/setup.sh), against the same
# server in interleaved rounds (each round runs every contender of a case once, in an
# order rotating with the round), each process under /usr/bin/time for its peak RSS;
# the whole process's start-up (`import lakefs` included); then a C++ <-> Python
# interoperability check (objects and commits written by one, read by the other).
# Sourced by bench/run.sh with BUILD_DIR, REPO_ROOT, LAKEFS_*, BENCH_WORK and bench/lib.sh.
# BENCH_PY_ROUNDS (default 5), BENCH_PY_STREAM_BYTES (default 256 MiB), BENCH_PY_LIST
# (10000), BENCH_PY_CALLS (1000), BENCH_PY_FILES (1000), BENCH_PY_TX (100) and
# BENCH_PY_WORKERS (10) shorten or lengthen it.
set -euo pipefail
cpp="$BUILD_DIR/bench/vs_python"
python=$("$REPO_ROOT/bench/python/setup.sh")
py=("$python" "$REPO_ROOT/bench/python/vs_python.py")
api="$LAKEFS_ENDPOINT/api/v1"
auth="$LAKEFS_ACCESS_KEY_ID:$LAKEFS_SECRET_ACCESS_KEY"
rounds=${BENCH_PY_ROUNDS:-5}
stream=${BENCH_PY_STREAM_BYTES:-268435456}
list=${BENCH_PY_LIST:-10000}
calls=${BENCH_PY_CALLS:-1000}
nfiles=${BENCH_PY_FILES:-1000}
ntx=${BENCH_PY_TX:-100}
workers=${BENCH_PY_WORKERS:-10}
repo="bench-python-$$"
work="$BENCH_WORK/python"
mkdir -p "$work"
# Neither side may pick up a user's lakectl config or LAKECTL_* variables.
export LAKECTL_CONFIG_FILE=/dev/null
unset LAKECTL_SERVER_ENDPOINT_URL LAKECTL_CREDENTIALS_ACCESS_KEY_ID LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY

post() { curl -fsS -u "$auth" -H 'Content-Type: application/json' -o /dev/null -d "$2" "$api/$1"; }
post repositories "{\"name\":\"$repo\",\"storage_namespace\":\"local://$repo\"}"
# field FILE KEY: a field of the JSON object on FILE's first line.
field() { python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])' "$1" "$2"; }
thousands() { python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$1"; }

# Shared data: the listing (committed on main, made once), the small files, the object the reads read.
"$cpp" setup-listing "$repo" main list/ "$list" "$workers" >"$work/setup.json"
for b in uploads stream tx interop-cpp interop-py; do post "repositories/$repo/branches" "{\"name\":\"$b\",\"source\":\"main\"}"; done
python3 - "$work/small" "$nfiles" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i % 10}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(4096))
PY
"$cpp" stream-write "$repo" stream read.bin "$stream" >/dev/null

versions=$("$python" -c 'import importlib.metadata as m; print(m.version("lakefs"), m.version("lakefs-sdk"))')
read -r py_version sdk_version <<<"$versions"
mib=$((stream >> 20))
sec=python
c_start="whole process: start, load the SDK (\`import lakefs\`), client, one call"
c_lat="(a) $(thousands "$calls") sequential \`branch.get_commit()\`"
c_p50="(a) one \`get_commit()\`, median of the $(thousands "$calls") calls"
c_p99="(a) one \`get_commit()\`, 99th percentile of the $(thousands "$calls") calls"
c_list="(b) iterate a listing of $(thousands "$list") objects"
c_seq="(c) upload $(thousands "$nfiles") × 4 KiB, sequential"
c_par="(c) upload $(thousands "$nfiles") × 4 KiB, $workers workers"
c_write="(d) stream-write $mib MiB (\`writer()\`, 1 MiB writes)"
c_read1="(d) stream-read $mib MiB (\`reader()\`, 1 MiB reads)"
c_read16="(d) stream-read $mib MiB (\`reader()\`, 16 MiB reads)"
c_tx="(e) a transaction writing $ntx × 4 KiB objects (\`transact\`)"
bench_title $sec "Against the Python SDK (\`lakefs\` $py_version on \`lakefs-sdk\` $sdk_version)"
for c in "$c_write" "$c_read1" "$c_read16"; do bench_size $sec "$c" "$stream"; done
bench_note $sec "The same workloads in C++ (\`bench/vs_python.cpp\`) and with the Python \`lakefs\` package as its \
documentation shows (\`bench/python/vs_python.py\`). Times are taken inside each program around the workload (no process \
start-up, no \`import lakefs\`), except the whole-process case, which is the wall time of the process from the outside: \
the C++ binary starting, making a client and calling \`repository.properties\`, against \`python vs_python.py baseline\` \
doing the same after \`import lakefs\`; \`python-import\` is \`python -c 'import lakefs'\` alone. \
\`floor\` in (a) is curl sending the same GET $(thousands "$calls") times on one kept-alive connection (no decoding); \
\`python-amount1000\` in (b) asks for the same 1000-entry pages as lakefs-cpp (the package's default page is the \
server's 100). (c) with workers: C++ \`upload_directory\`, Python a \`ThreadPoolExecutor\` over \`upload()\`. \
Peak RSS is the whole process's."

floor_args=()
for i in $(seq 1 "$calls"); do
  ((i == 1)) || floor_args+=(--next)
  floor_args+=(-fsS -u "$auth" -o /dev/null -w '%{time_total}\n' "$api/repositories/$repo/commits/main")
done

contender() {  # CASE CONTENDER ROUND
  local case=$1 c=$2 r=$3 cmd
  case $c in
    lakefs-cpp) cmd=("$cpp") ;;
    *) cmd=("${py[@]}") ;;
  esac
  case $case/$c in
    "$c_start"/lakefs-cpp | "$c_start"/python) bench_run $sec "$case" "$c" "$r" "${cmd[@]}" baseline "$repo" ;;
    "$c_start"/python-import) bench_run $sec "$case" "$c" "$r" "$python" -c 'import lakefs' ;;
    "$c_lat"/lakefs-cpp | "$c_lat"/python)
      bench_run_inner $sec "$case" "$c" "$r" "${cmd[@]}" latency "$repo" main "$calls"
      bench_record $sec "$c_p50" "$c" "$r" "$(field "$BENCH_LAST_OUT" p50_us)" µs
      bench_record $sec "$c_p99" "$c" "$r" "$(field "$BENCH_LAST_OUT" p99_us)" µs ;;
    "$c_lat"/floor)
      bench_exec curl "${floor_args[@]}"
      bench_record $sec "$case" "$c" "$r" "$(awk '{s += $1} END {printf "%.6f", s}' "$BENCH_LAST_OUT")" s "$BENCH_RSS_KIB"
      read -r p50 p99 < <(python3 -c '
import sys
us = sorted(float(x) * 1e6 for x in open(sys.argv[1]).read().split())
print(us[len(us) // 2], us[len(us) * 99 // 100])' "$BENCH_LAST_OUT")
      bench_record $sec "$c_p50" "$c" "$r" "$p50" µs
      bench_record $sec "$c_p99" "$c" "$r" "$p99" µs ;;
    "$c_list"/lakefs-cpp | "$c_list"/python) bench_run_inner $sec "$case" "$c" "$r" "${cmd[@]}" list "$repo" main list/ ;;
    "$c_list"/python-amount1000) bench_run_inner $sec "$case" "$c" "$r" "${cmd[@]}" list-1000 "$repo" main list/ ;;
    "$c_seq"/*) bench_run_inner $sec "$case" "$c" "$r" "${cmd[@]}" upload-seq "$repo" uploads "$work/small" "$c-$r-seq/" ;;
    "$c_par"/*)
      bench_run_inner $sec "$case" "$c" "$r" "${cmd[@]}" upload-par "$repo" uploads "$work/small" "$c-$r-par/" "$workers" ;;
    "$c_write"/*) bench_run_inner $sec "$case" "$c" "$r" "${cmd[@]}" stream-write "$repo" stream "written-$c.bin" "$stream" ;;
    "$c_read1"/*) bench_run_inner $sec "$case" "$c" "$r" "${cmd[@]}" stream-read "$repo" stream read.bin 1048576 ;;
    "$c_read16"/*) bench_run_inner $sec "$case" "$c" "$r" "${cmd[@]}" stream-read "$repo" stream read.bin 16777216 ;;
    "$c_tx"/*) bench_run_inner $sec "$case" "$c" "$r" "${cmd[@]}" transact "$repo" tx "$c-$r/" "$ntx" ;;
    *) echo "30-python: unknown contender $c of '$case'" >&2; exit 1 ;;
  esac
}

declare -A contenders=(
  ["$c_start"]="lakefs-cpp python python-import"
  ["$c_lat"]="lakefs-cpp python floor"
  ["$c_list"]="lakefs-cpp python python-amount1000"
  ["$c_seq"]="lakefs-cpp python"
  ["$c_par"]="lakefs-cpp python"
  ["$c_write"]="lakefs-cpp python"
  ["$c_read1"]="lakefs-cpp python"
  ["$c_read16"]="lakefs-cpp python"
  ["$c_tx"]="lakefs-cpp python"
)
for round in $(seq 1 "$rounds"); do
  echo "30-python: round $round of $rounds" >&2
  for case in "$c_start" "$c_lat" "$c_list" "$c_seq" "$c_par" "$c_write" "$c_read1" "$c_read16" "$c_tx"; do
    read -r -a names <<<"${contenders[$case]}"
    mapfile -t order < <(bench_order "$round" "${names[@]}")
    for c in "${order[@]}"; do contender "$case" "$c" "$round"; done
  done
done

# Interop: each side writes an object and a commit on its own branch; both read both.
"$cpp" interop-write "$repo" interop-cpp obj.bin >"$work/w-cpp.json"
"${py[@]}" interop-write "$repo" interop-py obj.bin >"$work/w-py.json"
for reader in cpp py; do
  if [[ $reader == cpp ]]; then cmd=("$cpp"); else cmd=("${py[@]}"); fi
  for writer in cpp py; do
    "${cmd[@]}" interop-read "$repo" "interop-$writer" obj.bin >"$work/r-$writer-by-$reader.json"
  done
done
curl -fsS -u "$auth" -X DELETE -o /dev/null "$api/repositories/$repo"

interop=$(python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
fields = ["content_hex", "content_type", "metadata", "commit_id", "commit_message", "commit_metadata"]
names = {"cpp": "C++", "py": "Python"}
failed, checks = [], 0
for writer in ("cpp", "py"):
    wrote = json.load(open(f"{work}/w-{writer}.json"))
    for reader in ("cpp", "py"):
        got = json.load(open(f"{work}/r-{writer}-by-{reader}.json"))
        for f in fields:
            checks += 1
            if got[f] != wrote[f]:
                failed.append(f"{f} written by {names[writer]}, read by {names[reader]}: wrote {wrote[f]!r}, read {got[f]!r}")
if failed:
    print(f"Interoperability C++ ↔ Python: {len(failed)} of {checks} checks FAIL: " + "; ".join(failed))
else:
    print(f"Interoperability C++ ↔ Python: all {checks} checks pass (each side uploads an object with binary content, "
          "its own content type and two user metadata entries, and commits it with a UTF-8 message and metadata; each "
          "side reads both objects and the head of both branches' logs: content, content type, object metadata, "
          "commit id, message and metadata all as written).")
PY
)
bench_note $sec "$interop"
