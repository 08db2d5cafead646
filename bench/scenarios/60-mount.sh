# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016  # sh -c scripts take their arguments as $1, $2, …
# lakefs-mount (mount/, a read-only FUSE 3 filesystem over a lakeFS ref) against s3fs-fuse (Debian's,
# over lakeFS's S3 gateway on the same endpoint), the SDK's download and lakectl:
#   section mount-read:   a sequential `cat` of one 1 GiB object through a fresh mount (empty
#                         --cache-dir: a first read), next to lakefs-cpp's `download()` (bench/objects.cpp),
#                         s3fs (fresh mount), `lakectl fs cat` and floor-fuse (bench/fuse_floor.cpp: the same
#                         file served by a FUSE filesystem from memory); then the same file read again after
#                         unmounting and mounting again on the same --cache-dir (served by the disk cache), also
#                         after a first read with --cache-fill all (contender fill-all)
#   section mount-footer: `tail -c 65536` of the 1 GiB object on a fresh mount (fresh cache) against s3fs
#                         (fresh mount): the time, and the bytes both mounts moved for it, counted by a
#                         byte-counting TCP proxy (127.0.0.1) that both mounts talk to lakeFS through
#   section mount-list:   `find MNT -type f | wc -l` and `ls -R MNT` over 100,000 imported objects (as
#                         25-listings.sh imports them), each on a fresh mount, against s3fs
# Rounds are interleaved: each round runs every contender of a case once, in an order rotating with the
# round. Times are wall times of the reading process (`cat`, `tail`, `find`, …; the mount is made before
# the clock starts); the SDK's is its own time around the download. The peak RSS of a mount's contender
# is its daemon's (VmHWM read from /proc before unmounting). Every mount is unmounted at the end of its
# run, and on failure by the EXIT trap.
# Sourced by bench/run.sh with BUILD_DIR, REPO_ROOT, LAKEFS_* (quickstart topology: LAKEFS_TEST_IMPORT_DIR
# and LAKEFS_TEST_IMPORT_URI for the import), BENCH_WORK and bench/lib.sh. Needs fusermount3, s3fs and
# /dev/fuse (scripts/bootstrap.sh installs fuse3 and s3fs).
# BENCH_MOUNT_BYTES (default 1 GiB), BENCH_MOUNT_OBJECTS (default 100000) and BENCH_MOUNT_ROUNDS
# (default 5) shorten or lengthen it.
set -euo pipefail
mount_bin="$BUILD_DIR/mount/lakefs-mount"
objects_bin="$BUILD_DIR/bench/objects"
fuse_floor_bin="$BUILD_DIR/bench/fuse_floor"
listings_bin="$BUILD_DIR/bench/listings"
lakectl="$REPO_ROOT/.cache/lakefs-server/bin/lakectl"
api="$LAKEFS_ENDPOINT/api/v1"
auth="$LAKEFS_ACCESS_KEY_ID:$LAKEFS_SECRET_ACCESS_KEY"
size=${BENCH_MOUNT_BYTES:-1073741824}
objects=${BENCH_MOUNT_OBJECTS:-100000}
rounds=${BENCH_MOUNT_ROUNDS:-5}
footer=65536
: "${LAKEFS_TEST_IMPORT_DIR:?60-mount.sh needs LAKEFS_TEST_IMPORT_DIR, a directory the server may import from}"
: "${LAKEFS_TEST_IMPORT_URI:?60-mount.sh needs LAKEFS_TEST_IMPORT_URI}"
for tool in "$mount_bin" "$objects_bin" "$fuse_floor_bin" "$listings_bin" "$lakectl"; do
  [[ -x $tool ]] || { echo "60-mount: $tool is missing (./dev bench builds all of them: the release preset's \
lakefs-mount, objects, fuse_floor and listings, and lakectl with tools/lakefs-server/build.sh --with-lakectl)" >&2; exit 1; }
done
if ! command -v s3fs >/dev/null || ! command -v fusermount3 >/dev/null || [[ ! -c /dev/fuse ]]; then
  echo "60-mount: needs s3fs, fusermount3 and /dev/fuse (scripts/bootstrap.sh installs fuse3 and s3fs)" >&2
  exit 1
fi
repo="bench-mount-$$"
source_dir="$LAKEFS_TEST_IMPORT_DIR/$repo"
source_uri="$LAKEFS_TEST_IMPORT_URI/$repo"
work="$BENCH_WORK/mount"
mkdir -p "$work"
# lakectl and s3fs get the endpoint and credentials explicitly, never a user's config.
export LAKECTL_CONFIG_FILE=/dev/null LAKECTL_SERVER_ENDPOINT_URL=$LAKEFS_ENDPOINT \
  LAKECTL_CREDENTIALS_ACCESS_KEY_ID=$LAKEFS_ACCESS_KEY_ID LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY=$LAKEFS_SECRET_ACCESS_KEY
s3fs_passwd="$work/s3fs.passwd"
(umask 077 && echo "$auth" >"$s3fs_passwd")
# s3fs at its defaults (parallel_count=5 × multipart_size=10 MB for reads, multireq_max=20 parallel HEADs
# when listing, stat cache of 100,000 entries, no disk cache: use_cache is off, so data goes through its
# temporary files), read-only, path-style requests against lakeFS's S3 gateway (bucket = repository,
# key = ref/path: REPO:/main mounts the branch).
s3fs_options=(-o use_path_request_style -o "passwd_file=$s3fs_passwd" -o ro)
s3fs_version=$(s3fs --version 2>/dev/null | sed -n '1s/.*V\([0-9][0-9.]*\).*/\1/p')

S=$(bench_human "$size")
F=$(bench_human "$footer")
K="$((objects / 1000))k"
((objects % 1000 == 0)) || K=$(python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$objects")

# ---------------------------------------------------------------- mounts
mounts=()     # every mount point this scenario made, for the EXIT trap
proxy_pid=""
is_mounted() { awk -v m="$1" '$2 == m {found = 1} END {exit !found}' /proc/mounts; }
# The pids of the live processes that have MNT as one argument of their command line (a mount's daemon).
mount_pids() {
  local p arg
  for p in /proc/[0-9]*; do
    while IFS= read -r -d '' arg; do
      if [[ $arg == "$1" ]]; then echo "${p#/proc/}"; break; fi
    done 2>/dev/null <"$p/cmdline" || true  # (a process may end meanwhile)
  done
}
# Peak RSS (KiB) of MNT's daemon, "-" when it cannot be read.
mount_rss() {
  local pid
  pid=$(mount_pids "$1" | head -n 1)
  [[ -n $pid ]] && awk '/^VmHWM:/ {print $2; found = 1} END {if (!found) print "-"}' "/proc/$pid/status" 2>/dev/null ||
    echo -
}
# unmount MNT: fusermount3 -u, then wait (60 s at most) until /proc/mounts no longer lists MNT and no process has
# it on its command line (the daemon has exited: its cache directory is free again).
unmount() {
  local mnt=$1 i
  for ((i = 0; i < 600; i++)); do
    if is_mounted "$mnt"; then
      fusermount3 -u "$mnt" 2>/dev/null || true
    elif [[ -z $(mount_pids "$mnt") ]]; then
      return 0
    fi
    sleep 0.1
  done
  echo "60-mount: $mnt is still mounted or its daemon still runs 60 s after fusermount3 -u" >&2
  return 1
}
wait_mounted() {
  local i
  for ((i = 0; i < 300; i++)); do is_mounted "$1" && return 0; sleep 0.1; done
  echo "60-mount: $1 did not appear in /proc/mounts" >&2
  return 1
}
# mount_lakefs MNT CACHE_DIR [ENDPOINT] [PREFIX]: lakefs-mount of lakefs://REPO/main[/PREFIX], daemonized.
mount_lakefs() {  # MNT CACHE [ENDPOINT [PREFIX [OPTION...]]]
  local mnt=$1 cache=$2 endpoint=${3:-$LAKEFS_ENDPOINT} prefix=${4:+/$4}
  shift $(($# < 4 ? $# : 4))
  mkdir -p "$mnt" "$cache"
  mounts+=("$mnt")
  LAKEFS_ENDPOINT=$endpoint "$mount_bin" "lakefs://$repo/main$prefix" "$mnt" --cache-dir "$cache" "$@" \
    --log-file "$work/lakefs-mount.log" 2>>"$work/lakefs-mount.stderr" || { echo "60-mount: lakefs-mount failed to mount $mnt" >&2; return 1; }
  wait_mounted "$mnt"
}
# kernel_read_ahead MNT KIB: sets the kernel's read-ahead of the mount at MNT (its backing device's, in sysfs).
kernel_read_ahead() {
  local mnt=$1 kib=$2 dev
  dev=$(awk -v m="$mnt" '$5 == m {d = $3} END {print d}' /proc/self/mountinfo)
  [[ -n $dev ]] || { echo "60-mount: $mnt is not in /proc/self/mountinfo" >&2; return 1; }
  echo "$kib" >"/sys/class/bdi/$dev/read_ahead_kb" ||
    { echo "60-mount: cannot set /sys/class/bdi/$dev/read_ahead_kb (the scenario runs as root)" >&2; return 1; }
  [[ $(cat "/sys/class/bdi/$dev/read_ahead_kb") == "$kib" ]]
}
# mount_s3fs MNT [ENDPOINT] [PREFIX]: s3fs of REPO:/main[/PREFIX] through the S3 gateway, fresh (no cache).
mount_s3fs() {
  local mnt=$1 endpoint=${2:-$LAKEFS_ENDPOINT} prefix=${3:+/$3}
  mkdir -p "$mnt"
  mounts+=("$mnt")
  s3fs "$repo:/main$prefix" "$mnt" -o "url=$endpoint" "${s3fs_options[@]}" ||
    { echo "60-mount: s3fs failed to mount $mnt" >&2; return 1; }
  wait_mounted "$mnt"
}

cleanup() {
  local status=$? m
  if ((status != 0)); then
    for m in "$work/lakefs-mount.stderr" "$work/lakefs-mount.log"; do
      [[ -s $m ]] && { echo "60-mount: the end of $(basename "$m"):" >&2; tail -n 20 "$m" >&2; }
    done
  fi
  for m in "${mounts[@]}"; do
    if is_mounted "$m" || [[ -n $(mount_pids "$m") ]]; then
      unmount "$m" || fusermount3 -uz "$m" 2>/dev/null || true
    fi
  done
  if [[ -n $proxy_pid ]]; then kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
  curl -fsS -u "$auth" -X DELETE -o /dev/null "$api/repositories/$repo" || true
  rm -rf "$source_dir" "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- the data
# main: $objects small files imported under objects/ (as 25-listings.sh does), then data/big.bin of $S.
curl -fsS -u "$auth" -H 'Content-Type: application/json' -o /dev/null \
  -d "{\"name\":\"$repo\",\"storage_namespace\":\"${LAKEFS_TEST_NAMESPACE_ROOT:-local://}$repo\"}" "$api/repositories"
python3 - "$source_dir" "$objects" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i % 100:02d}")
    if i < 100:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:07d}.txt"), "w") as f:
        f.write(f"object {i}\n")
PY
"$listings_bin" import "$repo" main "$source_uri/" objects/ >/dev/null
src="$work/big.bin"
head -c "$size" /dev/urandom >"$src"
sync "$src"  # on the disk before floor-disk reads it with direct I/O (which would first write back dirty pages)
"$objects_bin" upload "$repo" main data/big.bin "$src" >/dev/null
curl -fsS -u "$auth" -H 'Content-Type: application/json' -o /dev/null -d '{"message":"data/big.bin"}' \
  "$api/repositories/$repo/branches/main/commits"

# Both mounts show the right bytes (checked once, outside the measurements; this also brings the object
# into the server's page cache before any contender reads it).
mount_lakefs "$work/check-lakefs" "$work/check-cache"
mount_s3fs "$work/check-s3fs"
for m in "$work/check-lakefs" "$work/check-s3fs"; do
  cmp -s "$src" "$m/data/big.bin" || { echo "60-mount: $m/data/big.bin differs from the object" >&2; exit 1; }
  cmp -s <(tail -c "$footer" "$src") <(tail -c "$footer" "$m/data/big.bin") ||
    { echo "60-mount: the last $F of $m/data/big.bin differ from the object's" >&2; exit 1; }
done
unmount "$work/check-lakefs"
unmount "$work/check-s3fs"
rm -rf "$work/check-cache"

# ---------------------------------------------------------------- mount-read
sec=mount-read
c_seq="sequential read of $S (\`cat\`), first read"
c_again="re-read of $S on the same mount (kernel page cache)"
c_cached="re-read of $S from the disk cache (remounted on the same --cache-dir)"
c_cached_all="re-read of $S from the disk cache after a first read with --cache-fill all (remounted)"
c_small_ra="first read of $S (\`cat\`) with the kernel's read-ahead left at 128 KiB (a mount by a user other than root)"
bench_title $sec "lakefs-mount: sequential read of one $S object (lakefs-cpp = lakefs-mount)"
bench_size $sec "$c_seq" "$size"
bench_size $sec "$c_again" "$size"
bench_size $sec "$c_cached" "$size"
bench_size $sec "$c_cached_all" "$size"
bench_size $sec "$c_small_ra" "$size"
bench_target $sec "$c_seq" sdk-download 0.8 "a first sequential read through lakefs-mount ≥ 0.8× the SDK's \`download()\`"
bench_target $sec "$c_seq" s3fs 1.0 "a first sequential read through lakefs-mount ≥ 1.0× s3fs"
bench_target $sec "$c_again" first-read 3.0 "a re-read on the same mount ≥ 3× faster than the first read"
bench_target $sec "$c_cached" first-read 3.0 "a re-read served by the disk cache ≥ 3× faster than the first read"
bench_target $sec "$c_cached_all" first-read 3.0 "a re-read served by the disk cache ≥ 3× faster than the first read, when that read cached every block (\`--cache-fill all\`)"
bench_note $sec "**lakefs-cpp** here is lakefs-mount at its defaults (1 MiB blocks, 16 MiB read-ahead, 8 fetch threads, \
disk cache), timed as \`cat FILE >/dev/null\` on a fresh mount with an empty --cache-dir (mounting is not timed). \
\`sdk-download\`: lakefs-cpp's \`Object::download()\` to a local file (bench/objects.cpp, its own time around the download); \
\`s3fs\`: \`cat\` through s3fs-fuse $s3fs_version over lakeFS's S3 gateway at its defaults (\`-o use_path_request_style,ro\`: \
parallel_count=5 × multipart_size=10 MB, no use_cache), freshly mounted; \`lakectl\`: \`lakectl fs cat > /dev/null\` (whole process); \
\`floor-fuse\`: \`cat\` of a $S file that bench/fuse_floor serves from memory over FUSE's low-level API with lakefs-mount's \
FUSE settings (1 MiB requests, kernel page cache kept, kernel read-ahead raised to 4 MiB, 32 threads), freshly mounted: \
no network, no disk cache and no copy in user space, so no first read through any FUSE filesystem here can beat it. \
Re-read on the same mount: \`cat\` again right after the first read; a commit's pages stay in the kernel's page cache \
(lakefs-mount keeps them across opens), so the kernel answers without asking the daemon. Re-read from the disk cache: \
the mount is unmounted and mounted again on the same --cache-dir, and \`cat\` runs again: the blocks the first read left \
in the disk cache are read from the cache's file (with direct I/O by the read-ahead; the first ones spliced from it); \
the others, which the disk had no room for while the first read went on (\`--cache-fill best-effort\`, the default), \
are fetched again. \`fill-all\`: the first read on a fresh mount with \`--cache-fill all\` (every block cached, the read waiting for \
the disk when it is behind); its re-read after remounting is the row \`$c_cached_all\`, where \`first-read\` is that \
\`fill-all\` read. First read with the kernel's read-ahead at 128 KiB: the \
same first read on a fresh mount with an empty cache, its \`read_ahead_kb\` set back to 128 after mounting, the kernel's \
default for a new mount, which a mount by a user other than root keeps (lakefs-mount raises it to 4 MiB only as root; \
\`cat\` asks for sequential access, which doubles the kernel's window). \`first-read\` is the first read of the same round."

first_read=""
floor_disk=() downloads=()
rss_first=() rss_cached=() rss_s3fs=()
cached_first=() hits_again=()  # blocks in the disk cache after a first read; disk hits of the re-read after remounting
mount_stat() {  # MNT NAME -> lakefs-mount's counter NAME (user.lakefs.stats), "-" when it cannot be read
  python3 -c "import os, sys; print(os.getxattr(sys.argv[1], 'user.lakefs.stats').decode())" "$1" 2>/dev/null |
    awk -v n="$2" '$1 == n {v = $2} END {print v == "" ? "-" : v}'
}
read_contender() {  # CONTENDER ROUND
  local c=$1 r=$2 mnt
  case $c in
    lakefs-cpp)
      mnt="$work/read-lakefs-$r"
      rm -rf "$work/cache-$r"
      mount_lakefs "$mnt" "$work/cache-$r"
      bench_exec sh -c 'exec cat "$1" >/dev/null' sh "$mnt/data/big.bin"
      first_read=$BENCH_WALL
      rss_first+=("$(mount_rss "$mnt")")
      cached_first+=("$(mount_stat "$mnt" cache_blocks)")
      bench_record $sec "$c_seq" lakefs-cpp "$r" "$BENCH_WALL" s "${rss_first[-1]}"
      bench_exec sh -c 'exec cat "$1" >/dev/null' sh "$mnt/data/big.bin"
      bench_record $sec "$c_again" lakefs-cpp "$r" "$BENCH_WALL" s "$(mount_rss "$mnt")"
      bench_record $sec "$c_again" first-read "$r" "$first_read" s
      unmount "$mnt"
      mount_lakefs "$mnt" "$work/cache-$r"
      bench_exec sh -c 'exec cat "$1" >/dev/null' sh "$mnt/data/big.bin"
      rss_cached+=("$(mount_rss "$mnt")")
      hits_again+=("$(mount_stat "$mnt" disk_hits)")
      bench_record $sec "$c_cached" lakefs-cpp "$r" "$BENCH_WALL" s "${rss_cached[-1]}"
      bench_record $sec "$c_cached" first-read "$r" "$first_read" s
      unmount "$mnt"
      rm -rf "$work/cache-$r"
      # What the disk under the cache delivers: the same bytes read sequentially with direct I/O in 1 MiB requests
      # (no FUSE), the least any re-read from the disk cache (direct I/O too) can take.
      bench_exec dd if="$src" of=/dev/null bs=1M iflag=direct status=none
      floor_disk+=("$BENCH_WALL")
      bench_record $sec "$c_cached" floor-disk "$r" "$BENCH_WALL" s
      # A user other than root cannot raise the mount's kernel read-ahead, which lakefs-mount does as root: the
      # same first read on a fresh mount whose read-ahead is set back to the kernel's default for a new mount.
      mount_lakefs "$mnt" "$work/cache-$r"
      kernel_read_ahead "$mnt" 128
      bench_exec sh -c 'exec cat "$1" >/dev/null' sh "$mnt/data/big.bin"
      bench_record $sec "$c_small_ra" lakefs-cpp "$r" "$BENCH_WALL" s "$(mount_rss "$mnt")"
      bench_record $sec "$c_small_ra" first-read "$r" "$first_read" s
      unmount "$mnt"
      rm -rf "$work/cache-$r" ;;
    sdk-download)
      bench_run_inner $sec "$c_seq" "$c" "$r" "$objects_bin" download "$repo" main data/big.bin "$work/out.bin"
      downloads+=("$BENCH_INNER")
      rm -f "$work/out.bin" ;;
    s3fs)
      mnt="$work/read-s3fs-$r"
      mount_s3fs "$mnt"
      bench_exec sh -c 'exec cat "$1" >/dev/null' sh "$mnt/data/big.bin"
      rss_s3fs+=("$(mount_rss "$mnt")")
      bench_record $sec "$c_seq" s3fs "$r" "$BENCH_WALL" s "${rss_s3fs[-1]}"
      unmount "$mnt" ;;
    lakectl)
      bench_run $sec "$c_seq" "$c" "$r" sh -c 'exec "$@" >/dev/null' sh "$lakectl" fs cat "lakefs://$repo/main/data/big.bin" ;;
    fill-all)
      mnt="$work/read-fill-$r"
      rm -rf "$work/cache-fill-$r"
      mount_lakefs "$mnt" "$work/cache-fill-$r" "" "" --cache-fill all
      bench_exec sh -c 'exec cat "$1" >/dev/null' sh "$mnt/data/big.bin"
      local fill_first=$BENCH_WALL
      bench_record $sec "$c_seq" fill-all "$r" "$BENCH_WALL" s "$(mount_rss "$mnt")"
      unmount "$mnt"
      mount_lakefs "$mnt" "$work/cache-fill-$r"
      bench_exec sh -c 'exec cat "$1" >/dev/null' sh "$mnt/data/big.bin"
      bench_record $sec "$c_cached_all" lakefs-cpp "$r" "$BENCH_WALL" s "$(mount_rss "$mnt")"
      bench_record $sec "$c_cached_all" first-read "$r" "$fill_first" s
      unmount "$mnt"
      rm -rf "$work/cache-fill-$r" ;;
    floor-fuse)
      mnt="$work/read-floor-$r"
      mkdir -p "$mnt"
      mounts+=("$mnt")
      "$fuse_floor_bin" "$size" "$mnt" 2>>"$work/fuse_floor.stderr" &
      wait_mounted "$mnt"
      kernel_read_ahead "$mnt" 4096
      bench_exec sh -c 'exec cat "$1" >/dev/null' sh "$mnt/big.bin"
      bench_record $sec "$c_seq" floor-fuse "$r" "$BENCH_WALL" s "$(mount_rss "$mnt")"
      unmount "$mnt" ;;
    *) echo "60-mount: unknown contender $c" >&2; exit 1 ;;
  esac
}
for round in $(seq 1 "$rounds"); do
  echo "60-mount: read $S, round $round of $rounds" >&2
  while IFS= read -r c; do read_contender "$c" "$round"; done < <(bench_order "$round" lakefs-cpp sdk-download s3fs lakectl floor-fuse fill-all)
done
rm -f "$src"
rss_summary() {  # KIB... -> "median M MiB (max X MiB)"
  local m max
  m=$(median_of "$@")
  [[ -n $m ]] || { echo "not read"; return; }
  max=$(printf '%s\n' "$@" | grep -E '^[0-9]+$' | sort -n | tail -1)
  awk -v m="$m" -v x="$max" 'BEGIN {printf "median %.0f MiB (max %.0f MiB)", m / 1024, x / 1024}'
}
f_disk=$(median_of "${floor_disk[@]}") f_dl=$(median_of "${downloads[@]}")
if [[ -n $f_disk && -n $f_dl ]]; then
  bench_note $sec "\`floor-disk\`: \`dd if=FILE of=/dev/null bs=1M iflag=direct\` of a $S file on the file system that \
holds --cache-dir, right after the disk-cache re-read of the same round: the disk's own sequential read, no FUSE, which \
a re-read from the disk cache (whose blocks are read with direct I/O too) cannot beat (median $f_disk s). So the \
disk-cache target (≥ 3× the first read) needs a first read of at least 3 × $f_disk = \
$(awk -v f="$f_disk" 'BEGIN {printf "%.3f", 3 * f}') s, while the download target (≥ 0.8× \`download()\`, median \
$f_dl s) needs a first read of at most $f_dl / 0.8 = $(awk -v d="$f_dl" 'BEGIN {printf "%.3f", d / 0.8}') s. Both \
targets can hold in one run only if the first of these two times is at most the second: $(awk -v f="$f_disk" \
    -v d="$f_dl" 'BEGIN {print (3 * f <= d / 0.8) ? "it is in this run" : "it is not in this run"}')."
fi
bench_note $sec "Peak RSS of the mount daemons (VmHWM from /proc/PID/status, read after \`cat\` and before unmounting; the \
peak RSS column of the mounts' rows): lakefs-mount after the first read of $S $(rss_summary "${rss_first[@]}"), after the \
re-read from the disk cache $(rss_summary "${rss_cached[@]}"); s3fs $(rss_summary "${rss_s3fs[@]}")."
range_of() {  # VALUE... -> "median M (min–max)" of the numbers among them
  local m
  m=$(median_of "$@")
  [[ -n $m ]] || { echo "not read"; return; }
  printf '%s\n' "$@" | grep -E '^[0-9]+$' | sort -n |
    awk -v m="$m" '{v[NR] = $1} END {printf "median %.0f (%d–%d)", m, v[1], v[NR]}'
}
bench_note $sec "The disk cache after a first read (\`user.lakefs.stats\`, \`--cache-fill best-effort\`): it held \
$(range_of "${cached_first[@]}") of the $(((size + 1048575) / 1048576)) blocks of 1 MiB; the others came in faster than the disk could write \
them, and were left out rather than make the read wait. The re-read after \
remounting served $(range_of "${hits_again[@]}") blocks from the disk cache and fetched the rest again."

# ---------------------------------------------------------------- mount-footer
# A byte-counting TCP proxy on 127.0.0.1 in front of lakeFS: both mounts reach lakeFS through it. Its
# control port answers every connection with "BYTES_UP BYTES_DOWN\n", the totals so far.
cat >"$work/proxy.py" <<'PY'
import os, socket, sys, threading
host, port, port_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
totals = [0, 0]  # bytes client -> server, server -> client
lock = threading.Lock()

def listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    return s

def pump(src, dst, i):
    try:
        while data := src.recv(1 << 20):
            dst.sendall(data)
            with lock:
                totals[i] += len(data)
    except OSError:
        pass
    for sock, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
        try:
            sock.shutdown(how)
        except OSError:
            pass

def serve(conn):
    try:
        upstream = socket.create_connection((host, port))
    except OSError:
        conn.close()
        return
    for s in (conn, upstream):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    back = threading.Thread(target=pump, args=(upstream, conn, 1), daemon=True)
    back.start()
    pump(conn, upstream, 0)
    back.join()
    conn.close()
    upstream.close()

def control(s):
    while True:
        conn, _ = s.accept()
        with lock:
            conn.sendall(f"{totals[0]} {totals[1]}\n".encode())
        conn.close()

data, ctl = listener(), listener()
threading.Thread(target=control, args=(ctl,), daemon=True).start()
with open(port_file + ".tmp", "w") as f:
    f.write(f"{data.getsockname()[1]} {ctl.getsockname()[1]}\n")
os.rename(port_file + ".tmp", port_file)
while True:
    conn, _ = data.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
PY
lakefs_host=${LAKEFS_ENDPOINT#http://}
lakefs_host=${lakefs_host%%/*}
[[ ${lakefs_host%:*} == 127.0.0.1 ]] || { echo "60-mount: the proxy only forwards to 127.0.0.1, not $lakefs_host" >&2; exit 1; }
python3 "$work/proxy.py" 127.0.0.1 "${lakefs_host##*:}" "$work/proxy.ports" &
proxy_pid=$!
for ((i = 0; i < 100; i++)); do [[ -s $work/proxy.ports ]] && break; sleep 0.1; done
read -r proxy_port control_port <"$work/proxy.ports"
proxied="http://127.0.0.1:$proxy_port"
proxy_bytes() {  # total bytes through the proxy so far, both directions
  local up down
  exec 3<>"/dev/tcp/127.0.0.1/$control_port"
  read -r up down <&3
  exec 3<&-
  echo $((up + down))
}

sec=mount-footer
c_ftime="last $F of a $S file (\`tail -c $footer\`): time"
c_fbytes="last $F of a $S file: bytes over the wire"
bench_title $sec "lakefs-mount: the last $F of a $S object on a fresh mount (lakefs-cpp = lakefs-mount)"
bench_note $sec "\`tail -c $footer FILE >/dev/null\` on a fresh mount (lakefs-mount with an empty --cache-dir; s3fs at its \
defaults, no cache); mounting is not timed nor counted. Bytes over the wire: requests and responses, HTTP headers \
included, between the mount and lakeFS from just before \`tail\` until the mount's daemon has exited, counted by a TCP \
proxy on 127.0.0.1 that both mounts reach lakeFS through (its relaying is in both times)."
fetched=()
footer_contender() {  # CONTENDER ROUND
  local c=$1 r=$2 mnt="$work/footer-$1-$2" before rss
  case $c in
    lakefs-cpp) rm -rf "$work/cache-footer"; mount_lakefs "$mnt" "$work/cache-footer" "$proxied" ;;
    s3fs) mount_s3fs "$mnt" "$proxied" ;;
  esac
  before=$(proxy_bytes)
  bench_exec sh -c 'exec tail -c "$1" "$2" >/dev/null' sh "$footer" "$mnt/data/big.bin"
  rss=$(mount_rss "$mnt")
  [[ $c == lakefs-cpp ]] && fetched+=("$(mount_stat "$mnt" bytes_fetched)")
  unmount "$mnt"
  bench_record $sec "$c_ftime" "$c" "$r" "$BENCH_WALL" s "$rss"
  bench_record $sec "$c_fbytes" "$c" "$r" \
    "$(awk -v b="$(proxy_bytes)" -v a="$before" 'BEGIN {printf "%.4f", (b - a) / 1048576}')" MiB
  rm -rf "$work/cache-footer"
}
for round in $(seq 1 "$rounds"); do
  echo "60-mount: last $F, round $round of $rounds" >&2
  while IFS= read -r c; do footer_contender "$c" "$round"; done < <(bench_order "$round" lakefs-cpp s3fs)
done
bench_note $sec "lakefs-mount's own count of the data it fetched for the read (\`user.lakefs.stats\` bytes_fetched): \
$(printf '%s\n' "${fetched[@]}" | sort -n | uniq | tr '\n' ' ' | sed 's/ $//; s/ /, /g') bytes (one block: the cache's unit)."
kill "$proxy_pid" 2>/dev/null || true
wait "$proxy_pid" 2>/dev/null || true
proxy_pid=""

# ---------------------------------------------------------------- mount-list
sec=mount-list
c_find="\`find MNT -type f | wc -l\`, $K objects"
c_ls="\`ls -R MNT\`, $K objects"
bench_title $sec "lakefs-mount: walking $K objects (100 directories) on a fresh mount (lakefs-cpp = lakefs-mount)"
bench_target $sec "$c_find" s3fs 2.0 "\`find\` over a fresh lakefs-mount ≥ 2× s3fs"
bench_target $sec "$c_ls" s3fs 2.0 "\`ls -R\` over a fresh lakefs-mount ≥ 2× s3fs"
bench_note $sec "Both mounts show the $K imported objects' prefix (lakefs://REPO/main/objects for lakefs-mount, \
REPO:/main/objects for s3fs at its defaults: up to multireq_max=20 requests at once, a 100,000-entry stat cache), each \
mounted afresh for every run (empty caches); the time is the whole \`find\` / \`ls\` pipeline's wall time, mounting not \
included. \`find\` must count exactly $objects files."
list_contender() {  # CASE CONTENDER ROUND
  local name=$1 c=$2 r=$3 mnt="$work/list-$2-$3"
  case $c in
    lakefs-cpp) rm -rf "$work/cache-list"; mount_lakefs "$mnt" "$work/cache-list" "$LAKEFS_ENDPOINT" objects ;;
    s3fs) mount_s3fs "$mnt" "$LAKEFS_ENDPOINT" objects ;;
  esac
  case $name in
    "$c_find")
      bench_exec sh -c 'find "$1" -type f | wc -l' sh "$mnt"
      [[ $(tr -d ' ' <"$BENCH_LAST_OUT") == "$objects" ]] ||
        { echo "60-mount: find on $c's mount counted $(cat "$BENCH_LAST_OUT") files, expected $objects" >&2; exit 1; } ;;
    "$c_ls") bench_exec sh -c 'exec ls -R "$1" >/dev/null' sh "$mnt" ;;
  esac
  bench_record $sec "$name" "$c" "$r" "$BENCH_WALL" s "$(mount_rss "$mnt")"
  unmount "$mnt"
  rm -rf "$work/cache-list"
}
for round in $(seq 1 "$rounds"); do
  echo "60-mount: $K objects, round $round of $rounds" >&2
  for name in "$c_find" "$c_ls"; do
    while IFS= read -r c; do list_contender "$name" "$c" "$round"; done < <(bench_order "$round" lakefs-cpp s3fs)
  done
done
