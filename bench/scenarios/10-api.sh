# API layer: decoding a 1000-entry listObjects page (Google Benchmark) and
# 2000 sequential getRepository calls, SDK vs a bare libcurl loop.
# Sourced by bench/run.sh with BUILD_DIR, LAKEFS_* and BENCH_WORK set.
echo "## API layer"
echo
echo "### Decoding one 1000-entry listObjects page (target < 1 ms)"
echo
"$BUILD_DIR/bench/api_decode" --benchmark_format=json --benchmark_out="$BENCH_WORK/api_decode.json" \
  --benchmark_out_format=json >/dev/null 2>"$BENCH_WORK/api_decode.err"
python3 - "$BENCH_WORK/api_decode.json" "$BENCH_WORK/api_decode.err" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["benchmarks"][0]
unit = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[run["time_unit"]]
page = open(sys.argv[2]).read().strip().splitlines()
print("| benchmark | page | entries | CPU time per page | wall time per page | throughput |")
print("|---|---|---|---|---|---|")
print(f"| `BM_DecodeListObjectsPage` | {int(run['page_bytes'])} bytes | {int(run['entries'])} "
      f"| {run['cpu_time'] * unit:.3f} ms | {run['real_time'] * unit:.3f} ms "
      f"| {run['bytes_per_second'] / 1e6:.0f} MB/s |")
print()
print(f"The page: {page[0].removeprefix('listObjects page: ') if page else '?'}; {run['iterations']} iterations.")
PY
echo
echo "### 2000 sequential getRepository calls (target ≤ 1.10× the libcurl floor)"
echo
"$BUILD_DIR/bench/api_get_repository" 2000 5
echo
echo "### What at-most-once costs per commit (a fresh connection per POST)"
echo
"$BUILD_DIR/bench/commit_connection" 200 5
