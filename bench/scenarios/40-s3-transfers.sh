# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016  # sh -c scripts take their arguments as $1, $2, …
# Large objects on the "s3" topology: lakeFS on PostgreSQL with a real S3 server (versitygw) on
# loopback, where clients move the data straight to and from the object store through pre-signed
# URLs. A 1 GiB upload of known length, an upload of unknown length (a stream) and a download to a
# file, each by curl on a pre-signed URL (the floor), lakectl, the Python SDK (bench/python/transfer_s3.py)
# and lakefs-cpp (bench/transfer_s3.cpp, default options) side by side: interleaved rounds, every
# contender once per round in rotating order, each process under /usr/bin/time (CPU, peak RSS), the
# CPU time of the S3 server and of lakeFS read from /proc around each transfer.
#
# Sourced by bench/run.sh like the other scenarios (whose server is a quickstart one): this one starts
# its own s3-topology server with `scripts/lakefs-server.sh run`, which stops it (and deletes its data)
# when the scenario ends, fails or is interrupted, and runs this same file again inside it. Alone:
#   BENCH_ONLY=40 bench/run.sh build/release
# Records go to sections s3 (seconds per transfer) and s3-cpu (CPU seconds per GiB: the client's, the
# S3 server's + lakeFS's) through bench/lib.sh, which run.sh exports (alone: source bench/lib.sh and set
# BENCH_RESULTS and BENCH_NOTES first).
# BENCH_S3_BYTES (default 1 GiB) and BENCH_S3_ROUNDS (default 5) shorten or lengthen it.
set -euo pipefail
if [[ ${LAKEFS_TEST_TOPOLOGY:-} != s3 ]]; then
  "$REPO_ROOT/scripts/lakefs-server.sh" run "$BUILD_DIR/bench-s3-server" --topology s3 bash "${BASH_SOURCE[0]}"
  # shellcheck disable=SC2317  # exit when run as a script, return when sourced
  return 0 2>/dev/null || exit 0
fi

# --- inside the s3-topology server (LAKEFS_* and LAKEFS_TEST_S3_* from its env) ---
cpp="$BUILD_DIR/bench/transfer_s3"
lakectl="$REPO_ROOT/.cache/lakefs-server/bin/lakectl"
python=$("$REPO_ROOT/bench/python/setup.sh")
py=("$python" "$REPO_ROOT/bench/python/transfer_s3.py")
api="$LAKEFS_ENDPOINT/api/v1"
auth="$LAKEFS_ACCESS_KEY_ID:$LAKEFS_SECRET_ACCESS_KEY"
size=${BENCH_S3_BYTES:-1073741824}
rounds=${BENCH_S3_ROUNDS:-5}
server_dir=$(dirname "$(dirname "$LAKEFS_TEST_S3_ACCESS_LOG")")
access_log=$LAKEFS_TEST_S3_ACCESS_LOG
bucket=${LAKEFS_TEST_NAMESPACE_ROOT#s3://}
bucket=${bucket%/}
bucket_dir=$(dirname "$LAKEFS_TEST_IMPORT_DIR")  # the posix backend keeps the bucket as a plain directory
s3_pid=$(cat "$server_dir/s3.pid")
lakefs_pid=$(cat "$server_dir/pid")
[[ $(cat "/proc/$s3_pid/comm") == versitygw && $(cat "/proc/$lakefs_pid/comm") == lakefs ]] ||
  { echo "40-s3-transfers: pids in $server_dir are not versitygw and lakefs" >&2; exit 1; }
repo="bench-s3-$$"
work="${BENCH_WORK:?}/s3"
mkdir -p "$work/tmp"
trap 'rm -rf "$work"' EXIT
# Python's writer spools to TMPDIR, lakectl buffers stdin there: keep it with the other scratch files.
export TMPDIR="$work/tmp"
# Every contender gets the endpoint and credentials explicitly, never a user's config.
export LAKECTL_CONFIG_FILE=/dev/null LAKECTL_SERVER_ENDPOINT_URL=$LAKEFS_ENDPOINT \
  LAKECTL_CREDENTIALS_ACCESS_KEY_ID=$LAKEFS_ACCESS_KEY_ID LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY=$LAKEFS_SECRET_ACCESS_KEY

# Disk: the source file, the object downloads read, one upload, one download or spool copy at a time.
need_kib=$((5 * size / 1024 + 1048576))
for d in "$work" "$bucket_dir"; do
  avail=$(df -Pk "$d" | awk 'NR == 2 {print $4}')
  ((avail > need_kib)) || { echo "40-s3-transfers: $d has $((avail / 1024)) MiB free, needs $((need_kib / 1024))" >&2; exit 1; }
done

json() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
curl -fsS -u "$auth" -H 'Content-Type: application/json' -o /dev/null \
  -d "{\"name\":\"$repo\",\"storage_namespace\":\"$LAKEFS_TEST_NAMESPACE_ROOT$repo\"}" "$api/repositories"

src="$work/random.bin"
head -c "$size" /dev/urandom >"$src"
# The object every download reads (uploaded once, by the SDK, not measured).
"$cpp" upload-file "$repo" main source.bin "$src"

# A pre-signed URL to PUT a new object to (lakeFS's getPhysicalAddress); sets put_url and put_key.
presign_put() {
  local reply
  reply=$(curl -fsS -u "$auth" "$api/repositories/$repo/branches/main/staging/backing?path=$1&presign=true")
  put_url=$(json presigned_url <<<"$reply")
  put_key=$(json physical_address <<<"$reply")
  put_key=${put_key#s3://"$bucket"/}
}
# Unknown length on the pre-signed path: a PUT without Content-Length. S3 refuses it (411
# MissingContentLength); checked here against this server rather than assumed.
presign_put chunked-probe.bin
chunked_status=$(printf 'x' | curl -sS -T - -o /dev/null -w '%{http_code}' "$put_url")

# The object's data file in the bucket, from its stat.
data_file() {
  local addr
  addr=$(curl -fsS -u "$auth" "$api/repositories/$repo/refs/main/objects/stat?path=$1" | json physical_address)
  echo "$bucket_dir/${addr#s3://"$bucket"/}"
}
# After an upload through lakeFS: the object's bytes must be the source's; then it goes (from
# lakeFS and, as lakeFS leaves staged data to garbage collection, from the bucket).
check_and_drop() {
  local file
  file=$(data_file "$1")
  cmp -s "$src" "$file" || { echo "40-s3-transfers: object $1 differs from the uploaded file" >&2; exit 1; }
  curl -fsS -u "$auth" -X DELETE -o /dev/null "$api/repositories/$repo/branches/main/objects?path=$1"
  rm -f "$file"
}

clk_tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
results="$work/results.txt"
: >"$results"
# measure WORKLOAD CONTENDER ROUND CMD...: runs CMD under /usr/bin/time and appends one line:
# workload contender round wall_s client_cpu_s rss_kib s3_cpu_s lakefs_cpu_s s3_requests presigned inner_s
# (inner_s: the workload's own time as the Python contender prints it, else "-").
measure() {
  local workload=$1 contender=$2 round=$3
  shift 3
  sync  # the previous transfer's dirty pages are not this one's to write back
  local s3_0 lk_0 log_0 t0 t1 inner user sys rss
  s3_0=$(cpu_ticks "$s3_pid")
  lk_0=$(cpu_ticks "$lakefs_pid")
  log_0=$(wc -l <"$access_log")
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S %M' -o "$work/time.txt" "$@" >"$work/out.txt" ||
    { echo "40-s3-transfers: $contender ($workload) failed" >&2; exit 1; }
  t1=$(date +%s%N)
  inner=$(head -c 64 "$work/out.txt" | tr -d '\n')
  [[ $inner =~ ^[0-9.]+$ ]] || inner=-
  local new
  new=$(tail -n "+$((log_0 + 1))" "$access_log")
  read -r user sys rss <"$work/time.txt"
  echo "$workload $contender $round $(((t1 - t0) / 1000))e-6 $(python3 -c "print($user + $sys)") $rss" \
    "$(($(cpu_ticks "$s3_pid") - s3_0))/$clk_tck $(($(cpu_ticks "$lakefs_pid") - lk_0))/$clk_tck" \
    "$(grep -c . <<<"$new" || true) $(grep -c 'X-Amz-Signature=' <<<"$new" || true) $inner" >>"$results"
}

obj="lakefs://$repo/main"
run_contender() {  # WORKLOAD CONTENDER ROUND
  local w=$1 c=$2 p="$1-$2-$3.bin" out="$work/download.bin"
  case $w/$c in
    upload/curl-presigned | stream/curl-presigned)
      presign_put "$p"
      measure "$@" curl -fsS -T "$src" -o /dev/null "$put_url"
      cmp -s "$src" "$bucket_dir/$put_key" || { echo "40-s3-transfers: curl's PUT differs" >&2; exit 1; }
      rm -f "$bucket_dir/$put_key"
      return ;;
    upload/lakectl) measure "$@" "$lakectl" fs upload --pre-sign --no-progress -s "$src" "$obj/$p" ;;
    upload/python-writer) measure "$@" "${py[@]}" upload-file "$repo" main "$p" "$src" ;;
    upload/python-upload-bytes) measure "$@" "${py[@]}" upload-bytes "$repo" main "$p" "$src" ;;
    upload/cpp) measure "$@" "$cpp" upload-file "$repo" main "$p" "$src" ;;
    stream/curl-chunked-via-lakefs)
      measure "$@" sh -c 'exec curl -fsS -u "$1" -X POST -H "Content-Type: application/octet-stream" -T - \
        -o /dev/null "$2" <"$3"' sh "$auth" "$api/repositories/$repo/branches/main/objects?path=$p" "$src" ;;
    stream/lakectl-stdin)
      measure "$@" sh -c 'cat "$1" | "$2" fs upload --pre-sign --no-progress -s - "$3"' sh "$src" "$lakectl" "$obj/$p" ;;
    stream/python-writer) measure "$@" "${py[@]}" upload-stream "$repo" main "$p" "$src" ;;
    stream/cpp) measure "$@" "$cpp" upload-stream "$repo" main "$p" "$src" ;;
    download/curl-presigned)
      local url
      url=$(curl -fsS -u "$auth" "$api/repositories/$repo/refs/main/objects/stat?path=source.bin&presign=true" |
        json physical_address)
      measure "$@" curl -fsS -o "$out" "$url" ;;
    download/lakectl-cat) measure "$@" sh -c 'exec "$1" fs cat --pre-sign "$2" >"$3"' sh "$lakectl" "$obj/source.bin" "$out" ;;
    download/lakectl-download)
      measure "$@" "$lakectl" fs download --pre-sign --no-progress "$obj/source.bin" "$out" ;;
    download/python-reader) measure "$@" "${py[@]}" download "$repo" main source.bin "$out" ;;
    download/cpp) measure "$@" "$cpp" download "$repo" main source.bin "$out" ;;
    *) echo "40-s3-transfers: unknown contender $w/$c" >&2; exit 1 ;;
  esac
  if [[ $w == download ]]; then
    cmp -s "$src" "$out" || { echo "40-s3-transfers: $c's download differs from the object" >&2; exit 1; }
    rm -f "$out"
  else
    check_and_drop "$p"
  fi
}

declare -A contenders=(
  [upload]="curl-presigned lakectl python-writer python-upload-bytes cpp"
  [stream]="curl-presigned curl-chunked-via-lakefs lakectl-stdin python-writer cpp"
  [download]="curl-presigned lakectl-cat lakectl-download python-reader cpp"
)
for round in $(seq 1 "$rounds"); do
  for w in upload stream download; do
    read -r -a list <<<"${contenders[$w]}"
    n=${#list[@]}
    for ((i = 0; i < n; i++)); do
      # The stream's floor is the known-length PUT again, measured in the stream's own rotation.
      run_contender "$w" "${list[$(((i + round - 1) % n))]}" "$round"
    done
  done
done

# Python's own start-up (interpreter, `import lakefs`, client), which its times leave out.
py_start=$(/usr/bin/time -f '%e %U %S %M' "$python" -c 'import lakefs' 2>&1 >/dev/null | tail -n1)
versions="$("$lakectl" --version | awk 'NR == 1 {print $3}') \
$(awk '$1 == "require" && $2 == "github.com/versity/versitygw" {print $3}' "$REPO_ROOT/tools/s3-server/go.mod") \
$("$python" -c 'import importlib.metadata as m; print(m.version("lakefs"))') $(curl --version | awk 'NR == 1 {print $2}')"
curl -fsS -u "$auth" -X DELETE -o /dev/null "$api/repositories/$repo"

# Records (section s3: seconds per transfer; section s3-cpu: CPU seconds per GiB) and notes,
# from the lines measure() wrote: python3 prints them tab-separated, bench_record / bench_note store them.
python3 - "$results" "$size" "$rounds" "$chunked_status" "$py_start" "$versions" >"$work/summary.tsv" <<'PY'
import statistics as st, sys
from collections import defaultdict
from fractions import Fraction
results, size, rounds, chunked_status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
py_wall, py_user, py_sys, py_rss = sys.argv[5].split()
lakectl_v, vgw_v, py_v, curl_v = (sys.argv[6].split() + ["?"] * 4)[:4]
gib, mib = size / 2**30, size / 2**20
def out(*fields):
    print("\t".join(str(f) for f in fields))
# The scenario's contender ids -> the report's contender names (lakefs-cpp is the subject, floor… do less work).
names = {"cpp": "lakefs-cpp", "curl-presigned": "floor", "lakectl": "lakectl", "python-writer": "python",
         "python-upload-bytes": "python-bytes", "curl-chunked-via-lakefs": "curl-chunked",
         "lakectl-stdin": "lakectl-stdin", "lakectl-cat": "lakectl-cat", "lakectl-download": "lakectl-download",
         "python-reader": "python"}
size_label = f"{gib:g} GiB" if size % 2**30 == 0 else f"{mib:g} MiB"
cases = {"upload": f"upload {size_label} from a file, known length",
         "stream": f"upload {size_label} of unknown length (a stream of 1 MiB pieces)",
         "download": f"download {size_label} to a file"}
rows = defaultdict(dict)  # (workload, contender) -> round -> fields
for line in open(results):
    w, c, r, wall, cpu, rss, s3, lk, req, pre, inner = line.split()
    rows[w, c][int(r)] = dict(t=float(inner) if inner != "-" else float(wall), wall=float(wall), cpu=float(cpu),
                              rss=int(rss), s3=float(Fraction(s3)), lk=float(Fraction(lk)), req=int(req),
                              pre=int(pre))
out("title", "s3", f"Large objects on S3 through pre-signed URLs (the s3 topology, {size_label})")
out("title", "s3-cpu", f"CPU per GiB moved on the s3 topology ({size_label})")
for w, case in cases.items():
    out("size", "s3", case, size)
out("target", "s3", cases["upload"], "floor", 0.9, "`upload_file` ≥ 0.9× the curl floor")
out("target", "s3", cases["upload"], "lakectl", 1.0, "`upload_file` ≥ 1.0× lakectl")
out("target", "s3", cases["download"], "floor", 0.9, "`download` ≥ 0.9× the curl floor")
out("target", "s3", cases["download"], "lakectl-cat", 1.0, "`download` ≥ 1.0× `lakectl fs cat`")
out("rss-target", "s3", cases["upload"], "lakefs-cpp", 64, "`upload_file` in ≤ 64 MiB")
out("rss-target", "s3", cases["download"], "lakefs-cpp", 64, "`download` in ≤ 64 MiB")
out("note", "s3-cpu", "CPU seconds per GiB moved: the client's is the whole process's user + system time "
    "(`/usr/bin/time`; Python's includes its start-up and `import lakefs`, about a second of CPU, which weighs "
    "on small sizes), the S3 server's and lakeFS's are read from `/proc` around the transfer (clock ticks: "
    "coarse on small sizes). A zero has no bar on the chart.")
for (w, c), rs in rows.items():
    for r, v in sorted(rs.items()):
        out("record", "s3", cases[w], names[c], r, f"{v['t']:.6f}", "s", v["rss"])
        out("record", "s3-cpu", f"{w}: the client's CPU", names[c], r, f"{v['cpu'] / gib:.4f}", "CPU s/GiB", "-")
        out("record", "s3-cpu", f"{w}: the S3 server's + lakeFS's CPU", names[c], r,
            f"{(v['s3'] + v['lk']) / gib:.4f}", "CPU s/GiB", "-")
out("note", "s3", f"lakeFS on PostgreSQL, the data in a real S3 server (versitygw {vgw_v}, posix backend) on loopback; "
    f"lakectl {lakectl_v}, Python `lakefs` {py_v}, curl {curl_v}; lakefs-cpp at its default options. Contenders: "
    "`floor` is curl on a pre-signed URL (`curl -T file` PUT, `curl -o file` GET: one request, no lakeFS metadata "
    "calls; for the stream a known-length PUT, which a stream cannot take); `curl-chunked` a `curl -T -` chunked POST "
    "through lakeFS (lakeFS writes to S3); `lakectl` `fs upload --pre-sign`, `lakectl-stdin` `cat file | lakectl fs "
    "upload --pre-sign -s -`, `lakectl-cat` `fs cat --pre-sign > file`, `lakectl-download` `fs download --pre-sign` "
    "(8 MiB parts, 25 in parallel); `python` the `lakefs` package's `writer(pre_sign=True)` (1 MiB writes) or "
    "`reader(pre_sign=True)` (16 MiB reads to a file), `python-bytes` its `upload(f.read(), pre_sign=True)`. "
    "Times are whole processes' wall times except Python's, which its script takes around the transfer (no "
    f"interpreter start-up or `import lakefs`: {float(py_wall):.2f} s wall, {float(py_user) + float(py_sys):.2f} s "
    "CPU, measured apart).")
out("note", "s3", f"Unknown length on the pre-signed path: a `curl -T -` PUT (chunked, no Content-Length) to a "
    f"pre-signed URL got HTTP {chunked_status} from this S3 server (S3 answers 411 MissingContentLength too), so a "
    "stream has no single-request floor: the stream's `floor` is the known-length PUT.")
for w in cases:
    parts = []
    for c in ["curl-presigned", "curl-chunked-via-lakefs", "lakectl", "lakectl-stdin", "lakectl-cat",
              "lakectl-download", "python-writer", "python-upload-bytes", "python-reader", "cpp"]:
        rs = rows.get((w, c))
        if not rs:
            continue
        med = lambda k: st.median(v[k] for v in rs.values())
        busy = lambda k: st.median(v[k] / v["wall"] for v in rs.values())
        parts.append(f"{names[c]} {med('req'):.0f} ({med('pre'):.0f} pre-signed), "
                     f"{busy('cpu'):.2f} + {busy('s3'):.2f} + {busy('lk'):.2f}")
    out("note", "s3", f"{cases[w]} — S3 requests per transfer, and busy cores client + S3 server + lakeFS "
        f"(CPU seconds / wall seconds; the machine has the cores of the run's header), medians: " + "; ".join(parts))
PY
while IFS=$'\t' read -r kind a b c d e f g; do
  case $kind in
    record) bench_record "$a" "$b" "$c" "$d" "$e" "$f" "$g" ;;
    title) bench_title "$a" "$b" ;;
    size) bench_size "$a" "$b" "$c" ;;
    target) bench_target "$a" "$b" "$c" "$d" "$e" ;;
    rss-target) bench_rss_target "$a" "$b" "$c" "$d" "$e" ;;
    note) bench_note "$a" "$b" ;;
    *) echo "40-s3-transfers: bad line from the summary: $kind" >&2; exit 1 ;;
  esac
done <"$work/summary.tsv"
