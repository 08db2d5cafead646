# Against the Python SDK: the same workloads written with lakefs-cpp
# (bench/vs_python.cpp) and with the Python high-level `lakefs` package
# (bench/python/vs_python.py, pinned in bench/python/setup.sh), run in turn
# against the same server, each process under /usr/bin/time -v; then a
# C++ <-> Python interoperability check (objects and commits written by one,
# read by the other).
# Sourced by bench/run.sh with BUILD_DIR, REPO_ROOT, LAKEFS_* and BENCH_WORK set.
# BENCH_PY_ROUNDS (default 3; the table shows medians), BENCH_PY_STREAM_BYTES
# (default 256 MiB), BENCH_PY_LIST (10000), BENCH_PY_CALLS (1000), BENCH_PY_FILES
# (1000), BENCH_PY_TX (100) and BENCH_PY_WORKERS (10) shorten or lengthen it.
set -euo pipefail
cpp="$BUILD_DIR/bench/vs_python"
python=$("$REPO_ROOT/bench/python/setup.sh")
py=("$python" "$REPO_ROOT/bench/python/vs_python.py")
api="$LAKEFS_ENDPOINT/api/v1"
auth="$LAKEFS_ACCESS_KEY_ID:$LAKEFS_SECRET_ACCESS_KEY"
rounds=${BENCH_PY_ROUNDS:-3}
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

results="$work/results.txt"
: >"$results"
# run LABEL SIDE CMD...: runs CMD under /usr/bin/time -v, appends
# "LABEL SIDE RSS_KIB JSON" to the results.
run() {
  local label=$1 side=$2
  shift 2
  local out
  out=$(/usr/bin/time -v -o "$work/time.txt" "$@")
  echo "$label $side $(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt") $out" >>"$results"
}

# Shared data: the listing (committed on main, made once), the small files.
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

# Each round runs every workload once per side; the side that goes first alternates.
for round in $(seq 1 "$rounds"); do
  sides=(cpp py)
  ((round % 2)) || sides=(py cpp)
  for side in "${sides[@]}"; do
    if [[ $side == cpp ]]; then cmd=("$cpp"); else cmd=("${py[@]}"); fi
    run baseline "$side" "${cmd[@]}" baseline "$repo"
    run latency "$side" "${cmd[@]}" latency "$repo" main "$calls"
    run list "$side" "${cmd[@]}" list "$repo" main list/
    [[ $side == py ]] && run list-1000 "$side" "${cmd[@]}" list-1000 "$repo" main list/
    run upload-seq "$side" "${cmd[@]}" upload-seq "$repo" uploads "$work/small" "$side-$round-seq/"
    run upload-par "$side" "${cmd[@]}" upload-par "$repo" uploads "$work/small" "$side-$round-par/" "$workers"
    run stream-write "$side" "${cmd[@]}" stream-write "$repo" stream "big-$side.bin" "$stream"
    run stream-read-1m "$side" "${cmd[@]}" stream-read "$repo" stream "big-$side.bin" 1048576
    run stream-read-16m "$side" "${cmd[@]}" stream-read "$repo" stream "big-$side.bin" 16777216
    run transact "$side" "${cmd[@]}" transact "$repo" tx "$side-$round/" "$ntx"
  done
done

# The floor of (a): the same GET by curl, one process reusing its connection.
floor_args=()
for i in $(seq 1 "$calls"); do
  ((i == 1)) || floor_args+=(--next)
  floor_args+=(-fsS -u "$auth" -o /dev/null -w '%{time_total}\n' "$api/repositories/$repo/commits/main")
done
curl "${floor_args[@]}" >"$work/floor.txt"

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

versions=$("$python" -c 'import importlib.metadata as m; print(m.version("lakefs"), m.version("lakefs-sdk"))')
python3 - "$results" "$work" "$rounds" "$stream" "$list" "$calls" "$nfiles" "$ntx" "$workers" "$versions" <<'PY'
import json, statistics, sys
from collections import defaultdict
results, work = sys.argv[1], sys.argv[2]
rounds, stream, nlist, calls, nfiles, ntx, workers = map(int, sys.argv[3:10])
py_version, sdk_version = sys.argv[10].split()
secs, rss, extra = defaultdict(list), defaultdict(list), defaultdict(list)
for line in open(results):
    label, side, kib, js = line.split(" ", 3)
    values = json.loads(js)
    secs[label, side].append(values["seconds"])
    rss[label, side].append(int(kib))
    extra[label, side].append(values)
med = lambda label, side: statistics.median(secs[label, side])
def mib(kib): return f"{kib / 1024:.0f} MiB"
mib_stream = stream / 2**20
def cell(label, side, rate):
    t = med(label, side)
    return f"{t:.3f} s" + (f" ({rate(t)})" if rate else "")
print("## Against the Python SDK")
print()
print(f"Python `lakefs` {py_version} (on `lakefs-sdk` {sdk_version}) vs lakefs-cpp, same server, same run; "
      f"median of {rounds} rounds, the side that goes first alternating. Times are taken inside each program "
      f"around the workload (no process start-up, no imports); peak RSS is the whole process's (`/usr/bin/time -v`, "
      f"largest over the rounds). Ratio = Python time / C++ time (> 1: C++ faster).")
print()
print("| workload | C++ time | Python time | ratio Python/C++ | C++ peak RSS | Python peak RSS |")
print("|---|---|---|---|---|---|")
rows = [
    ("baseline", "baseline", "client + 1 call (`repository.properties`): process footprint", None),
    ("latency", "latency", f"(a) {calls} sequential `branch.get_commit()`",
     lambda t: f"{t / calls * 1e6:.0f} µs/call"),
    ("list", "list", f"(b) iterate a listing of {nlist:,} objects (Python: default pages of 100)",
     lambda t: f"{nlist / t:,.0f} obj/s"),
    ("list", "list-1000", f"(b) the same, Python with `amount=1000` (C++'s page size)",
     lambda t: f"{nlist / t:,.0f} obj/s"),
    ("upload-seq", "upload-seq", f"(c) upload {nfiles:,} × 4 KiB, sequential",
     lambda t: f"{nfiles / t:,.0f} obj/s"),
    ("upload-par", "upload-par", f"(c) upload {nfiles:,} × 4 KiB, {workers} workers (C++ `upload_directory`, "
     "Python `ThreadPoolExecutor`)", lambda t: f"{nfiles / t:,.0f} obj/s"),
    ("stream-write", "stream-write", f"(d) stream-write {mib_stream:.0f} MiB (`writer()`, 1 MiB writes)",
     lambda t: f"{mib_stream / t:.0f} MiB/s"),
    ("stream-read-1m", "stream-read-1m", f"(d) stream-read {mib_stream:.0f} MiB (`reader()`, 1 MiB reads)",
     lambda t: f"{mib_stream / t:.0f} MiB/s"),
    ("stream-read-16m", "stream-read-16m", f"(d) stream-read {mib_stream:.0f} MiB (`reader()`, 16 MiB reads)",
     lambda t: f"{mib_stream / t:.0f} MiB/s"),
    ("transact", "transact", f"(e) transaction writing {ntx} × 4 KiB objects (`transact`)", None),
]
for cpp_label, py_label, what, rate in rows:
    c, p = med(cpp_label, "cpp"), med(py_label, "py")
    print(f"| {what} | {cell(cpp_label, 'cpp', rate)} | {cell(py_label, 'py', rate)} | **{p / c:.2f}×** "
          f"| {mib(max(rss[cpp_label, 'cpp']))} | {mib(max(rss[py_label, 'py']))} |")
print()
floor = [float(x) for x in open(f"{work}/floor.txt").read().split()]
lat = {s: extra["latency", s] for s in ("cpp", "py")}
p50 = {s: statistics.median(v["p50_us"] for v in lat[s]) for s in lat}
p99 = {s: statistics.median(v["p99_us"] for v in lat[s]) for s in lat}
print(f"Per-call latency of (a), median over rounds: C++ p50 {p50['cpp']:.0f} µs, p99 {p99['cpp']:.0f} µs; "
      f"Python p50 {p50['py']:.0f} µs, p99 {p99['py']:.0f} µs. The same GET by `curl` ({calls} in one process, "
      f"one kept-alive connection): p50 {statistics.median(floor) * 1e6:.0f} µs.")
print()
print("All rounds (seconds, C++ / Python):")
print()
for cpp_label, py_label, what, _ in rows:
    pairs = " ".join(f"{c:.3f}/{p:.3f}" for c, p in zip(secs[cpp_label, "cpp"], secs[py_label, "py"]))
    print(f"- {cpp_label if cpp_label == py_label else py_label}: {pairs}")
print()
print("### Interoperability (C++ ↔ Python)")
print()
print("Each side uploads an object (binary content, its own content type, two user metadata entries) and commits "
      "it with a UTF-8 message and metadata; each side then reads both objects and the head of both branches' logs.")
print()
print("| written by | read by | content | content type | object metadata | commit id | commit message | commit metadata |")
print("|---|---|---|---|---|---|---|---|")
fields = ["content_hex", "content_type", "metadata", "commit_id", "commit_message", "commit_metadata"]
names = {"cpp": "C++", "py": "Python"}
failed = 0
for writer in ("cpp", "py"):
    wrote = json.load(open(f"{work}/w-{writer}.json"))
    for reader in ("cpp", "py"):
        got = json.load(open(f"{work}/r-{writer}-by-{reader}.json"))
        cells = []
        for f in fields:
            ok = got[f] == wrote[f]
            failed += not ok
            cells.append("PASS" if ok else f"FAIL (wrote {wrote[f]!r}, read {got[f]!r})")
        print(f"| {names[writer]} | {names[reader]} | " + " | ".join(cells) + " |")
print()
print(f"Interop: {'all PASS' if not failed else f'{failed} FAIL'}")
PY
