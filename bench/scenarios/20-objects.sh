# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016  # sh -c scripts take their arguments as $1, $2, …
# Objects through lakeFS (the quickstart server: local block store, data through the API).
#   section objects:       one object of 1 GiB read, read whole with read_all(), downloaded to a
#                          file and uploaded (known and unknown length) by lakefs-cpp (bench/objects.cpp),
#                          next to curl doing the same transfer and the Python SDK's reader
#                          (bench/python/vs_python.py, 16 MiB and 1 MiB reads)
#   section objects-small: 2,000 files of 4 KiB uploaded (upload_directory), downloaded
#                          (download_prefix) and removed (list + remove_objects) at the SDK's
#                          defaults next to lakectl at its defaults (fs upload / download / rm --recursive)
# Rounds are interleaved: each round runs every contender of a case once, in an order rotating
# with the round; each process runs under /usr/bin/time for its peak RSS. Times of the 1 GiB
# cases are each program's own time around the transfer (the SDK driver and the Python script
# print it, curl's %{time_total}); those of the small-files cases are whole processes' wall times
# (lakectl's start-up included, and the C++ driver's).
# Sourced by bench/run.sh with BUILD_DIR, REPO_ROOT, LAKEFS_*, BENCH_WORK and bench/lib.sh.
# BENCH_OBJECT_BYTES (default 1 GiB), BENCH_OBJECT_ROUNDS (default 5), BENCH_SMALL_FILES
# (default 2000) and BENCH_SMALL_ROUNDS (default BENCH_OBJECT_ROUNDS) shorten or lengthen it.
set -euo pipefail
bin="$BUILD_DIR/bench/objects"
lakectl="$REPO_ROOT/.cache/lakefs-server/bin/lakectl"
python=$("$REPO_ROOT/bench/python/setup.sh")
py=("$python" "$REPO_ROOT/bench/python/vs_python.py")
api="$LAKEFS_ENDPOINT/api/v1"
auth="$LAKEFS_ACCESS_KEY_ID:$LAKEFS_SECRET_ACCESS_KEY"
size=${BENCH_OBJECT_BYTES:-1073741824}
rounds=${BENCH_OBJECT_ROUNDS:-5}
small=${BENCH_SMALL_FILES:-2000}
small_rounds=${BENCH_SMALL_ROUNDS:-$rounds}
repo="bench-objects-$$"
work="$BENCH_WORK/objects"
mkdir -p "$work"
# lakectl gets the endpoint and credentials explicitly, never a user's config.
export LAKECTL_CONFIG_FILE=/dev/null LAKECTL_SERVER_ENDPOINT_URL=$LAKEFS_ENDPOINT \
  LAKECTL_CREDENTIALS_ACCESS_KEY_ID=$LAKEFS_ACCESS_KEY_ID LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY=$LAKEFS_SECRET_ACCESS_KEY

S=$(bench_human "$size")
N=$(python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$small")

curl -fsS -u "$auth" -H 'Content-Type: application/json' -o /dev/null \
  -d "{\"name\":\"$repo\",\"storage_namespace\":\"local://$repo\"}" "$api/repositories"
object_url() { echo "$api/repositories/$repo/$1/objects?path=$2"; }

# ---------------------------------------------------------------- one object of 1 GiB
sec=objects
c_read="read $S, no file: \`ObjectReader\` with 1 MiB reads"
c_all="\`read_all()\` of $S into memory"
c_down="download $S to a file"
c_up="upload $S from a file, known length"
c_chunk="upload $S of unknown length (chunked)"
c_allcpu="\`read_all()\` of $S: CPU seconds of client and server together"
server_pid=$(cat "$BUILD_DIR/bench-server/pid")
bench_title $sec "One object of $S through lakeFS (local block store)"
for c in "$c_read" "$c_all" "$c_down" "$c_up" "$c_chunk"; do bench_size $sec "$c" "$size"; done
bench_target $sec "$c_read" curl 0.9 "\`ObjectReader\` ≥ 0.9× \`curl -o /dev/null\`"
bench_target $sec "$c_read" python-16m 1.1 "\`ObjectReader\` ≥ 1.1× the Python reader with 16 MiB reads"
bench_target $sec "$c_all" curl 0.9 "\`read_all()\` ≥ 0.9× \`curl -o /dev/null\`"
bench_target $sec "$c_all" floor-memory 0.9 "\`read_all()\` ≥ 0.9× bare libcurl into reserved memory (\`floor-memory\`)"
bench_rss_target $sec "$c_read" lakefs-cpp 64 "\`ObjectReader\` in ≤ 64 MiB"
bench_rss_target $sec "$c_all" lakefs-cpp "$(python3 -c "print(round($size * 1.1 / 2**20, 1))")" \
  "\`read_all()\` in ≤ 1.1 × the object's size"
bench_note $sec "CPU seconds of \`read_all()\` of $S, client and server together: for each \`read_all()\` contender run above, the user + system CPU seconds of the \
client process (/usr/bin/time) plus those the lakeFS server spent meanwhile (/proc/PID/stat); the machine has \
$(nproc) cores, so no run of a contender can take less wall time than this figure divided by $(nproc). Keeping the bytes \
costs \`read_all()\` and \`floor-memory\` the kernel's work of faulting in and zeroing fresh pages for the whole \
object, which \`curl -o /dev/null\` never does. \`floor-fresh-memory\` is not a transfer: it is that work alone \
(bench/fresh_memory.cpp, its own CPU seconds, no server), measured once per round after the contenders."
bench_note $sec "Contenders: \`curl\` is the curl command line doing the same transfer (\`-o /dev/null\`, \`-o file\`, \
\`-T file\`, \`-T - < file\` for chunked); \`python-16m\` / \`python-1m\` the Python \`lakefs\` reader \
(\`obj.reader().read(n)\`) with 16 MiB / 1 MiB reads, \`python\` its \`obj.reader().read()\` of the whole object; \
\`curl-ranges\` curl sending 16 MiB range requests one after another on one connection (the old reader's requests); \
\`floor-memory\` a bare libcurl GET into a string reserved from Content-Length (bench/get_floor.cpp): what \`read_all()\` \
must do and nothing more, while \`curl -o /dev/null\` keeps no byte at all. \
Times are each program's own around the transfer: no process start-up, no \`import lakefs\`. \
The SDK's writer writes generated bytes, curl's chunked upload reads the file."

src="$work/big.bin"
head -c "$size" /dev/urandom >"$src"
curl -fsS -u "$auth" -X POST -H 'Content-Type: application/octet-stream' -T "$src" -o /dev/null \
  "$(object_url branches/main source.bin)"
block=16777216
range_args=()
for ((offset = 0; offset < size; offset += block)); do
  ((offset == 0)) || range_args+=(--next)
  end=$((offset + block < size ? offset + block - 1 : size - 1))
  range_args+=(-fsS -u "$auth" -o /dev/null -w '%{time_total}\n' -r "$offset-$end" "$(object_url refs/main source.bin)")
done

big_contender() {  # CASE CONTENDER ROUND
  local case=$1 c=$2 r=$3
  case $case/$c in
    "$c_read"/lakefs-cpp) bench_run_inner $sec "$case" "$c" "$r" "$bin" read "$repo" main source.bin ;;
    "$c_read"/curl | "$c_all"/curl)
      bench_run_inner $sec "$case" "$c" "$r" curl -fsS -u "$auth" -o /dev/null -w '%{time_total}' \
        "$(object_url refs/main source.bin)" ;;
    "$c_read"/python-16m)
      bench_run_inner $sec "$case" "$c" "$r" "${py[@]}" stream-read "$repo" main source.bin 16777216 ;;
    "$c_read"/python-1m)
      bench_run_inner $sec "$case" "$c" "$r" "${py[@]}" stream-read "$repo" main source.bin 1048576 ;;
    "$c_read"/curl-ranges)
      bench_exec curl "${range_args[@]}"
      bench_record $sec "$case" "$c" "$r" "$(awk '{s += $1} END {printf "%.6f", s}' "$BENCH_LAST_OUT")" s "$BENCH_RSS_KIB" ;;
    "$c_all"/lakefs-cpp) bench_run_inner $sec "$case" "$c" "$r" "$bin" read-all "$repo" main source.bin "$size" ;;
    "$c_all"/python) bench_run_inner $sec "$case" "$c" "$r" "${py[@]}" read-all "$repo" main source.bin "$size" ;;
    "$c_all"/floor-memory) bench_run_inner $sec "$case" "$c" "$r" "$BUILD_DIR/bench/get_floor" "$repo" main source.bin ;;
    "$c_down"/lakefs-cpp)
      bench_run_inner $sec "$case" "$c" "$r" "$bin" download "$repo" main source.bin "$work/out.bin"
      cmp -s "$src" "$work/out.bin" || { echo "20-objects: the SDK's download differs from the object" >&2; exit 1; } ;;
    "$c_down"/curl)
      bench_run_inner $sec "$case" "$c" "$r" curl -fsS -u "$auth" -o "$work/out.bin" -w '%{time_total}' \
        "$(object_url refs/main source.bin)" ;;
    "$c_up"/lakefs-cpp) bench_run_inner $sec "$case" "$c" "$r" "$bin" upload "$repo" main up-cpp.bin "$src" ;;
    "$c_up"/curl)
      bench_run_inner $sec "$case" "$c" "$r" curl -fsS -u "$auth" -X POST -H 'Content-Type: application/octet-stream' \
        -T "$src" -o /dev/null -w '%{time_total}' "$(object_url branches/main up-curl.bin)" ;;
    "$c_chunk"/lakefs-cpp) bench_run_inner $sec "$case" "$c" "$r" "$bin" write "$repo" main chunked-cpp.bin "$size" ;;
    "$c_chunk"/curl)
      # A pipe: curl does not know the length and sends the body chunked, as the writer does.
      bench_run_inner $sec "$case" "$c" "$r" sh -c 'exec curl -fsS -u "$1" -X POST \
        -H "Content-Type: application/octet-stream" -T - -o /dev/null -w "%{time_total}" "$2" <"$3"' sh "$auth" \
        "$(object_url branches/main chunked-curl.bin)" "$src" ;;
    *) echo "20-objects: unknown contender $c of '$case'" >&2; exit 1 ;;
  esac
  rm -f "$work/out.bin"
}

declare -A big=(
  ["$c_read"]="lakefs-cpp curl python-16m python-1m curl-ranges"
  ["$c_all"]="lakefs-cpp curl floor-memory python"
  ["$c_down"]="lakefs-cpp curl"
  ["$c_up"]="lakefs-cpp curl"
  ["$c_chunk"]="lakefs-cpp curl"
)
all_curl_wall=() all_curl_server=() all_curl_sys=() all_fresh=()
for round in $(seq 1 "$rounds"); do
  echo "20-objects: $S, round $round of $rounds" >&2
  for case in "$c_read" "$c_all" "$c_down" "$c_up" "$c_chunk"; do
    read -r -a contenders <<<"${big[$case]}"
    mapfile -t order < <(bench_order "$round" "${contenders[@]}")
    for c in "${order[@]}"; do
      server_cpu=$(bench_proc_cpu "$server_pid")
      big_contender "$case" "$c" "$round"
      if [[ $case == "$c_all" ]]; then
        server_used=$(awk -v a="$server_cpu" -v b="$(bench_proc_cpu "$server_pid")" 'BEGIN {printf "%.2f", b - a}')
        bench_record $sec "$c_allcpu" "$c" "$round" \
          "$(awk -v s="$server_used" -v c="$BENCH_CPU" 'BEGIN {printf "%.2f", s + c}')" s
        if [[ $c == curl ]]; then
          all_curl_wall+=("$BENCH_INNER") all_curl_server+=("$server_used") all_curl_sys+=("$BENCH_SYS")
        fi
      fi
    done
    if [[ $case == "$c_all" ]]; then
      # What keeping the bytes costs with no network (bench/fresh_memory.cpp), once per round after the contenders.
      bench_run_inner $sec "$c_allcpu" floor-fresh-memory "$round" "$BUILD_DIR/bench/fresh_memory" "$size"
      all_fresh+=("$BENCH_INNER")
    fi
  done
done
m_wall=$(median_of "${all_curl_wall[@]}") m_server=$(median_of "${all_curl_server[@]}")
m_sys=$(median_of "${all_curl_sys[@]}") m_fresh=$(median_of "${all_fresh[@]}")
if [[ -n $m_wall && -n $m_server && -n $m_sys && -n $m_fresh ]]; then
  need=$(awk -v a="$m_server" -v b="$m_sys" -v c="$m_fresh" 'BEGIN {printf "%.3f", a + b + c}')
  least=$(awk -v n="$need" -v p="$(nproc)" 'BEGIN {printf "%.3f", n / p}')
  most=$(awk -v w="$m_wall" 'BEGIN {printf "%.3f", w / 0.9}')
  bench_note $sec "What bounds \`read_all()\` from below, from this run's medians: the server's CPU for the GET \
while \`curl -o /dev/null\` read it ($m_server s), the kernel's work of receiving the bytes (curl's system time, \
$m_sys s), and \`floor-fresh-memory\` ($m_fresh s: bench/fresh_memory.cpp faulting in $S of fresh memory with \
\`MADV_POPULATE_WRITE\` and copying $S into it in 512 KiB chunks, with no network; a row of the CPU case). \
\`read_all()\` must do all three, $need CPU seconds, which on $(nproc) cores take at least $least s of wall time, \
while 0.9× curl (median $m_wall s) asks for at most $most s: $(awk -v l="$least" -v m="$most" \
    'BEGIN {print (l <= m) ? "the target is within reach in this run" : "no client keeping the bytes in fresh memory can meet the target in this run"}')."
fi
rm -f "$src"

# ---------------------------------------------------------------- 2,000 files of 4 KiB
sec=objects-small
c_updir="upload $N files of 4 KiB from a directory"
c_dlpre="download $N objects of 4 KiB under a prefix"
c_rm="remove $N objects under a prefix"
bench_title $sec "$N files of 4 KiB: lakefs-cpp's defaults vs lakectl's"
bench_target $sec "$c_updir" lakectl 1.0 "\`upload_directory\` at its defaults ≥ 1.0× \`lakectl fs upload --recursive\` at its defaults"
bench_target $sec "$c_dlpre" lakectl 1.0 "\`download_prefix\` at its defaults ≥ 1.0× \`lakectl fs download --recursive\` at its defaults"
bench_target $sec "$c_rm" lakectl 1.0 "\`remove_objects\` at its defaults ≥ 1.0× \`lakectl fs rm --recursive\` at its defaults"
bench_note $sec "lakefs-cpp at its defaults: \`upload_directory(dir, prefix)\`, \`download_prefix(prefix, dir)\`, and \
the objects of the prefix listed then \`remove_objects(paths)\` (what a user writes to empty a prefix); \
\`lakefs-cpp-c25\` the same with \`.concurrency = 25\` (lakectl's upload parallelism), for reference. \
lakectl at its defaults: \`fs upload --recursive\`, \`fs download --recursive\`, \`fs rm --recursive\`. \
Times are whole processes' wall times (start-up included) on the same files; each removal removes \
what that contender uploaded in the same round."

dir="$work/small"
python3 - "$dir" "$small" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i % 20:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(4096))
PY
# What the downloads read: the same files under src/ (uploaded once, not measured).
"$bin" upload-dir "$repo" main "$dir" src 0 >/dev/null
# Checks after each transfer: the local copy is the directory; the prefix is empty.
same_tree() {
  diff -r -q "$dir" "$1" >/dev/null || { echo "20-objects: $2's download differs from the files" >&2; exit 1; }
  rm -rf "$1"
}
count_under() {
  curl -fsS -u "$auth" "$api/repositories/$repo/refs/main/objects/ls?prefix=$1&amount=1000" |
    python3 -c 'import json, sys; print(len(json.load(sys.stdin)["results"]))'
}
small_contender() {  # CASE CONTENDER ROUND
  local case=$1 c=$2 r=$3 p="r$3-$2"
  case $case/$c in
    "$c_updir"/lakefs-cpp) bench_run $sec "$case" "$c" "$r" "$bin" upload-dir "$repo" main "$dir" "$p" 0 ;;
    "$c_updir"/lakefs-cpp-c25) bench_run $sec "$case" "$c" "$r" "$bin" upload-dir "$repo" main "$dir" "$p" 25 ;;
    "$c_updir"/lakectl)
      bench_run $sec "$case" "$c" "$r" "$lakectl" fs upload --recursive --no-progress -s "$dir" "lakefs://$repo/main/$p/" ;;
    "$c_dlpre"/lakefs-cpp)
      bench_run $sec "$case" "$c" "$r" "$bin" download-prefix "$repo" main src/ "$work/down" 0
      same_tree "$work/down" "$c" ;;
    "$c_dlpre"/lakectl)
      bench_run $sec "$case" "$c" "$r" "$lakectl" fs download --recursive --no-progress "lakefs://$repo/main/src/" "$work/down/"
      same_tree "$work/down" "$c" ;;
    "$c_rm"/lakefs-cpp) bench_run $sec "$case" "$c" "$r" "$bin" remove-prefix "$repo" main "$p/" 0 ;;
    "$c_rm"/lakefs-cpp-c25) bench_run $sec "$case" "$c" "$r" "$bin" remove-prefix "$repo" main "$p/" 25 ;;
    "$c_rm"/lakectl) bench_run $sec "$case" "$c" "$r" "$lakectl" fs rm --recursive "lakefs://$repo/main/$p/" ;;
    *) echo "20-objects: unknown contender $c of '$case'" >&2; exit 1 ;;
  esac
  if [[ $case == "$c_rm" && $(count_under "$p/") != 0 ]]; then
    echo "20-objects: $c left objects under $p/" >&2
    exit 1
  fi
}
declare -A smalls=(
  ["$c_updir"]="lakefs-cpp lakectl lakefs-cpp-c25"
  ["$c_dlpre"]="lakefs-cpp lakectl"
  ["$c_rm"]="lakefs-cpp lakectl lakefs-cpp-c25"
)
for round in $(seq 1 "$small_rounds"); do
  echo "20-objects: $N × 4 KiB, round $round of $small_rounds" >&2
  for case in "$c_updir" "$c_dlpre" "$c_rm"; do
    read -r -a contenders <<<"${smalls[$case]}"
    mapfile -t order < <(bench_order "$round" "${contenders[@]}")
    for c in "${order[@]}"; do small_contender "$case" "$c" "$round"; done
  done
done
rm -rf "$dir"
curl -fsS -u "$auth" -X DELETE -o /dev/null "$api/repositories/$repo"
