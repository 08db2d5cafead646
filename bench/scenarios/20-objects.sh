# Objects: 1 GiB upload and download through the SDK vs the curl command line
# (same endpoint, same run), with the SDK process's peak RSS; 2,000 × 4 KiB
# files by upload_directory vs one after another vs `lakectl fs upload --recursive`.
# Sourced by bench/run.sh with BUILD_DIR, REPO_ROOT, LAKEFS_* and BENCH_WORK set.
# BENCH_OBJECT_BYTES (default 1 GiB), BENCH_OBJECT_RUNS (default 2: best of) and
# BENCH_SMALL_FILES (default 2000) shorten or lengthen it.
set -euo pipefail
bin="$BUILD_DIR/bench/objects"
lakectl="$REPO_ROOT/.cache/lakefs-server/bin/lakectl"
api="$LAKEFS_ENDPOINT/api/v1"
auth="$LAKEFS_ACCESS_KEY_ID:$LAKEFS_SECRET_ACCESS_KEY"
size=${BENCH_OBJECT_BYTES:-1073741824}
runs=${BENCH_OBJECT_RUNS:-2}
small=${BENCH_SMALL_FILES:-2000}
repo="bench-objects-$$"
work="$BENCH_WORK/objects"
mkdir -p "$work"

curl -fsS -u "$auth" -H 'Content-Type: application/json' -o /dev/null \
  -d "{\"name\":\"$repo\",\"storage_namespace\":\"local://$repo\"}" "$api/repositories"

# Runs a command under /usr/bin/time -v; appends "seconds rss_kib" to $2.
# The command prints its own seconds (SDK driver) or curl's time_total.
measure() {
  local label=$1 out=$2
  shift 2
  local secs
  secs=$(/usr/bin/time -v -o "$work/time.txt" "$@")
  local rss
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  echo "$label ${secs%% *} $rss" >>"$out"
}

head -c "$size" /dev/urandom >"$work/big.bin"
# The reader's own requests done by curl: the same 16 MiB ranges one after another on one connection.
block=16777216
range_args=()
for ((offset = 0; offset < size; offset += block)); do
  ((offset == 0)) || range_args+=(--next)
  end=$((offset + block < size ? offset + block - 1 : size - 1))
  range_args+=(-fsS -u "$auth" -o /dev/null -r "$offset-$end" "$api/repositories/$repo/refs/main/objects?path=curl.bin")
done
results="$work/results.txt"
: >"$results"
for run in $(seq 1 "$runs"); do
  measure curl-upload "$results" curl -fsS -u "$auth" -X POST -H 'Content-Type: application/octet-stream' \
    -T "$work/big.bin" -o /dev/null -w '%{time_total}' "$api/repositories/$repo/branches/main/objects?path=curl.bin"
  measure sdk-upload-file "$results" "$bin" upload "$repo" main sdk-file.bin "$work/big.bin"
  # Unknown length (a pipe): chunked, as the writer sends it.
  measure curl-upload-chunked "$results" sh -c 'exec curl -fsS -u "$1" -X POST -H "Content-Type: application/octet-stream" \
    -T - -o /dev/null -w "%{time_total}" "$2" <"$3"' sh "$auth" \
    "$api/repositories/$repo/branches/main/objects?path=curl-chunked.bin" "$work/big.bin"
  measure sdk-writer "$results" "$bin" write "$repo" main sdk-writer.bin "$size"
  measure curl-download "$results" curl -fsS -u "$auth" -o "$work/curl.out" -w '%{time_total}' \
    "$api/repositories/$repo/refs/main/objects?path=curl.bin"
  measure sdk-download "$results" "$bin" download "$repo" main curl.bin "$work/sdk.out"
  measure curl-download-null "$results" curl -fsS -u "$auth" -o /dev/null -w '%{time_total}' \
    "$api/repositories/$repo/refs/main/objects?path=curl.bin"
  start=$(date +%s%N)
  curl "${range_args[@]}"
  echo "curl-ranges $(python3 -c "print(($(date +%s%N) - $start) / 1e9)") 0" >>"$results"
  measure sdk-reader "$results" "$bin" read "$repo" main curl.bin
  cmp -s "$work/big.bin" "$work/sdk.out" || { echo "sdk download differs from the uploaded file" >&2; exit 1; }
  rm -f "$work/curl.out" "$work/sdk.out"
done
rm -f "$work/big.bin"

# 2,000 files of 4 KiB in 20 directories.
python3 - "$work/small" "$small" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i % 20:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(4096))
PY
measure sdk-upload-dir "$results" "$bin" upload-dir "$repo" main "$work/small" par 0
measure sdk-upload-dir-25 "$results" "$bin" upload-dir "$repo" main "$work/small" par25 25
measure sdk-upload-seq "$results" "$bin" upload-seq "$repo" main "$work/small" seq
start=$(date +%s.%N)
LAKECTL_SERVER_ENDPOINT_URL=$LAKEFS_ENDPOINT LAKECTL_CREDENTIALS_ACCESS_KEY_ID=$LAKEFS_ACCESS_KEY_ID \
  LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY=$LAKEFS_SECRET_ACCESS_KEY LAKECTL_CONFIG_FILE=/dev/null \
  /usr/bin/time -v -o "$work/time.txt" "$lakectl" fs upload --recursive --no-progress -s "$work/small" \
  "lakefs://$repo/main/lakectl/" >/dev/null
echo "lakectl-upload $(python3 -c "import time; print(time.time() - $start)") \
$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")" >>"$results"
rm -rf "$work/small"
curl -fsS -u "$auth" -X DELETE -o /dev/null "$api/repositories/$repo"

python3 - "$results" "$size" "$small" "$runs" <<'PY'
import sys
from collections import defaultdict
results, size, small, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
best, rss = {}, defaultdict(int)
for line in open(results):
    label, secs, kib = line.split()
    best[label] = min(best.get(label, 1e99), float(secs))
    rss[label] = max(rss[label], int(kib))
mib = size / 2**20
def row(label, what, floor):
    t = best[label]
    ratio = best[floor] / t
    mem = f"{rss[label] / 1024:.1f} MiB" if rss[label] else "—"
    print(f"| {what} | {t:.2f} s | {mib / t:.0f} MiB/s | {ratio:.2f}× | {mem} |")
print("### 1 object of %.0f MiB (best of %s runs; target: ≥ 0.9× curl, peak RSS < 64 MiB)" % (mib, runs))
print()
print("Each SDK row is compared with the curl command doing the same transfer (the row above it).")
print()
print("| transfer | time | throughput | vs curl | peak RSS of the process |")
print("|---|---|---|---|---|")
row("curl-upload", "upload, known length: `curl -T file -X POST`", "curl-upload")
row("sdk-upload-file", "upload, known length: `upload_file(path)`", "curl-upload")
row("curl-upload-chunked", "upload, unknown length (chunked): `curl -T - -X POST < file`", "curl-upload-chunked")
row("sdk-writer", "upload, unknown length (chunked): `ObjectWriter`, generated bytes", "curl-upload-chunked")
row("curl-download", "download to a file: `curl -o file`", "curl-download")
row("sdk-download", "download to a file: `download(path)` (temp file + rename)", "curl-download")
row("curl-download-null", "read, no file: `curl -o /dev/null`", "curl-download-null")
row("sdk-reader", "read, no file: `ObjectReader` (16 MiB ranges, read-ahead), 1 MiB `read()`s", "curl-download-null")
row("curl-ranges", "read, no file: curl, the same 16 MiB range requests in sequence", "curl-ranges")
row("sdk-reader", "read, no file: `ObjectReader`, against those range requests", "curl-ranges")
print()
print(f"### {small} files of 4 KiB")
print()
print("| upload | time | files/s | vs this | peak RSS |")
print("|---|---|---|---|---|")
for label, what in [("sdk-upload-seq", "one `upload_file` after another"),
                    ("sdk-upload-dir", "`upload_directory` (16 workers = max_connections)"),
                    ("sdk-upload-dir-25", "`upload_directory` with `.concurrency = 25`"),
                    ("lakectl-upload", "`lakectl fs upload --recursive` (25 workers)")]:
    t = best[label]
    print(f"| {what} | {t:.2f} s | {small / t:.0f} | {best['sdk-upload-dir'] / t:.2f}× upload_directory's speed | {rss[label] / 1024:.1f} MiB |")
print()
print(f"upload_directory speed-up over sequential: {best['sdk-upload-seq'] / best['sdk-upload-dir']:.1f}×; "
      f"vs lakectl (time ratio lakectl / SDK): {best['lakectl-upload'] / best['sdk-upload-dir']:.2f}× with 16 workers, "
      f"{best['lakectl-upload'] / best['sdk-upload-dir-25']:.2f}× with 25 like lakectl")
PY
