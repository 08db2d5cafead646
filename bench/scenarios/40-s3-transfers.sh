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
#   BUILD_DIR=build/release REPO_ROOT=$PWD BENCH_WORK=$(mktemp -d) bash bench/scenarios/40-s3-transfers.sh
# BENCH_S3_BYTES (default 1 GiB) and BENCH_S3_ROUNDS (default 5) shorten or lengthen it.
set -euo pipefail
if [[ ${LAKEFS_TEST_TOPOLOGY:-} != s3 ]]; then
  "$REPO_ROOT/scripts/lakefs-server.sh" run "$BUILD_DIR/bench-s3-server" --topology s3 bash "${BASH_SOURCE[0]}"
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
    "$((($(cpu_ticks "$s3_pid") - s3_0)))/$clk_tck $((($(cpu_ticks "$lakefs_pid") - lk_0)))/$clk_tck" \
    "$(grep -c . <<<"$new" || true) $(grep -c 'X-Amz-Signature=' <<<"$new" || true) $inner" >>"$results"
}

obj="lakefs://$repo/main"
run_contender() {  # WORKLOAD CONTENDER ROUND
  local w=$1 c=$2 r=$3 p="$1-$2-$3.bin" out="$work/download.bin"
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

python3 - "$results" "$size" "$rounds" "$chunked_status" "$py_start" "$versions" <<'PY'
import statistics as st, sys
from collections import defaultdict
from fractions import Fraction
results, size, rounds, chunked_status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
py_wall, py_user, py_sys, py_rss = sys.argv[5].split()
lakectl_v, vgw_v, py_v, curl_v = (sys.argv[6].split() + ["?"] * 4)[:4]
gib, mib = size / 2**30, size / 2**20
rows = defaultdict(dict)  # (workload, contender) -> round -> fields
for line in open(results):
    w, c, r, wall, cpu, rss, s3, lk, req, pre, inner = line.split()
    wall = float(wall)
    t = float(inner) if inner != "-" else wall
    rows[w, c][int(r)] = dict(t=t, wall=wall, cpu=float(cpu), rss=int(rss), s3=float(Fraction(s3)),
                              lk=float(Fraction(lk)), req=int(req), pre=int(pre))
names = {
    "lakectl": "`lakectl fs upload --pre-sign`",
    "python-writer": "Python `obj.writer(pre_sign=True)`, the file written in 1 MiB pieces",
    "python-upload-bytes": "Python `obj.upload(f.read(), pre_sign=True)` (whole file in memory)",
    "cpp": "lakefs-cpp",
    "curl-chunked-via-lakefs": "`curl -T -` chunked POST through lakeFS (lakeFS writes to S3)",
    "lakectl-stdin": "`cat file \\| lakectl fs upload --pre-sign -s -`",
    "lakectl-cat": "`lakectl fs cat --pre-sign > file`",
    "lakectl-download": "`lakectl fs download --pre-sign` (8 MiB parts, 25 in parallel)",
    "python-reader": "Python `obj.reader(pre_sign=True)`, 16 MiB reads to a file",
}
cpp_names = {"upload": "lakefs-cpp `upload_file(path)`",
             "stream": "lakefs-cpp `writer()`, 1 MiB writes, `close()`",
             "download": "lakefs-cpp `download(path)`"}
floors = {"upload": "curl-presigned", "stream": "curl-presigned", "download": "curl-presigned"}
floor_names = {
    "upload": "`curl -T file` PUT to a pre-signed URL (floor)",
    "stream": "`curl -T file` PUT to a pre-signed URL, known length (floor; a stream cannot take this path)",
    "download": "`curl -o file` GET from a pre-signed URL (floor)",
}
titles = {
    "upload": f"Upload of {mib:.0f} MiB, known length (a local file)",
    "stream": f"Upload of {mib:.0f} MiB, unknown length (a stream of 1 MiB pieces)",
    "download": f"Download of {mib:.0f} MiB to a file",
}
order = {
    "upload": ["curl-presigned", "lakectl", "python-writer", "python-upload-bytes", "cpp"],
    "stream": ["curl-presigned", "curl-chunked-via-lakefs", "lakectl-stdin", "python-writer", "cpp"],
    "download": ["curl-presigned", "lakectl-cat", "lakectl-download", "python-reader", "cpp"],
}
print("## Large objects on S3 through pre-signed URLs")
print()
print(f"The `s3` server topology: lakeFS on PostgreSQL, the data in a real S3 server (versitygw {vgw_v}, posix "
      f"backend) on loopback; lakectl {lakectl_v}, Python `lakefs` {py_v}, curl {curl_v}. {rounds} interleaved "
      f"rounds, each running every contender once in rotating order; MiB/s is the median over the rounds, "
      f"the spread its min–max, and \"vs floor\" the throughput ratio to the floor of the same round "
      f"(> 1: faster than the floor), median over the rounds. Times are the whole process's wall time, except "
      f"Python's, which its script takes around the transfer (no interpreter start-up or `import lakefs`: "
      f"{float(py_wall):.2f} s wall, {float(py_user) + float(py_sys):.2f} s CPU, measured apart; that CPU *is* in "
      f"its CPU column). CPU is seconds per GiB: the client's (`/usr/bin/time` user + system), the S3 server's and "
      f"lakeFS's (from `/proc` around the transfer); busy cores = CPU seconds / wall seconds (the machine has 2). "
      f"Peak RSS is the client process's (largest over the rounds). S3 requests: those in the S3 server's access "
      f"log during the transfer (pre-signed: signed in the query string), median over the rounds.")
for w in ("upload", "stream", "download"):
    floor = rows[w, floors[w]]
    print()
    print(f"### {titles[w]}")
    print()
    print("| contender | MiB/s | spread | vs floor | peak RSS | CPU s/GiB: client / S3 server / lakeFS "
          "| busy cores: client + S3 + lakeFS | S3 requests (pre-signed) |")
    print("|---|---|---|---|---|---|---|---|")
    for c in order[w]:
        rs = rows.get((w, c))
        if not rs:
            continue
        speeds = [mib / v["t"] for v in rs.values()]
        ratios = [floor[r]["t"] / v["t"] for r, v in rs.items() if r in floor]
        med = lambda k: st.median(v[k] for v in rs.values())
        busy = lambda k: st.median(v[k] / v["wall"] for v in rs.values())
        name = cpp_names[w] if c == "cpp" else floor_names[w] if c == floors[w] else names[c]
        ratio = f"**{st.median(ratios):.2f}×**" if c != floors[w] else "1.00×"
        print(f"| {name} | {st.median(speeds):.0f} | {min(speeds):.0f}–{max(speeds):.0f} | {ratio} "
              f"| {max(v['rss'] for v in rs.values()) / 1024:.0f} MiB "
              f"| {med('cpu') / gib:.2f} / {med('s3') / gib:.2f} / {med('lk') / gib:.2f} "
              f"| {busy('cpu'):.2f} + {busy('s3'):.2f} + {busy('lk'):.2f} "
              f"| {med('req'):.0f} ({med('pre'):.0f}) |")
print()
print(f"Unknown length on the pre-signed path: a `curl -T -` PUT (chunked, no Content-Length) to a pre-signed URL "
      f"got HTTP {chunked_status} from this S3 server (S3 answers 411 MissingContentLength too), so a stream of "
      f"unknown length has no single-request floor there: the stream table keeps the known-length PUT as its "
      f"floor and shows the chunked POST through lakeFS beside it.")
print()
print("Python's `lakefs` has no upload of a file by path: `upload()` takes the whole content as `bytes`, and "
      "`writer()` spools what it is given (in memory up to 32 MiB, then in a temporary file) and sends the spool in "
      "one pre-signed PUT at `close()`; so its writer rows run the same code for the file and for the stream. "
      "`lakectl fs upload -s -` likewise copies a stream to a temporary file before uploading it.")
print()
print("All rounds (MiB/s, in contender order of the tables):")
print()
for w in ("upload", "stream", "download"):
    for c in order[w]:
        rs = rows.get((w, c))
        if rs:
            print(f"- {w} / {c}: " + " ".join(f"{mib / rs[r]['t']:.0f}" for r in sorted(rs)))
PY
