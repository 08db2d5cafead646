# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# The asynchronous engine (section async; issue 32): many small requests at
# once. 10,000 `StoredObject::stat` calls on 1,000 objects, made by one engine
# thread with N in flight (bench/async_stats.cpp `engine N`: async::for_each
# with concurrency N, max_in_flight N), against the synchronous way, a pool of
# threads each calling stat() (`threads N`: 16, the usual pool, 64 and 1,000),
# and against Python's asyncio with aiohttp at the same concurrency
# (bench/python/async_stats.py, raw REST, one ClientSession). Each at 50 ms of
# added latency (bench/delay_proxy holds every chunk from lakeFS to the client
# for 50 ms: a kept-alive exchange takes 50 ms more) and at none (straight to
# the local lakeFS), wall time and the client's CPU per request (getrusage
# around the workload) recorded from the same run. Then, through a second
# proxy that holds answers for seconds: the memory of one stat in flight
# (`memory 1000`, against 1,000 threads with one synchronous stat each), of one
# queued operation (`queued 100000`: when_all over 100,000 stat_async tasks on
# an engine with max_in_flight 1), and the time from request_stop() until
# 1,000 stats in flight have all ended (`stop 1000`).
# Rounds interleave every case and rotate the contenders' order; every process
# runs under /usr/bin/time for its peak RSS; the programs time their own workload.
# Sourced by bench/run.sh with BUILD_DIR, REPO_ROOT, LAKEFS_*, BENCH_WORK and bench/lib.sh.
# BENCH_ASYNC_STATS (default 10000), BENCH_ASYNC_OBJECTS (1000), BENCH_ASYNC_ROUNDS (5),
# BENCH_ASYNC_DELAY_MS (50), BENCH_ASYNC_WIDE (1000: in flight at the delay, also the
# memory and stop runs' count), BENCH_ASYNC_NARROW (64: the equal-concurrency case without
# delay), BENCH_ASYNC_POOL (16: the usual thread pool), BENCH_ASYNC_QUEUED (100000),
# BENCH_ASYNC_HOLD_MS (10000: the holding proxy's delay) and BENCH_ASYNC_PYTHON_WIDE
# (1: also run aiohttp at BENCH_ASYNC_WIDE under the delay; 0 leaves it out) shorten or
# lengthen it.
set -euo pipefail
cpp="$BUILD_DIR/bench/async_stats"
proxy_bin="$BUILD_DIR/bench/delay_proxy"
python=$("$REPO_ROOT/bench/python/setup.sh")
py=("$python" "$REPO_ROOT/bench/python/async_stats.py")
api="$LAKEFS_ENDPOINT/api/v1"
auth="$LAKEFS_ACCESS_KEY_ID:$LAKEFS_SECRET_ACCESS_KEY"
stats=${BENCH_ASYNC_STATS:-10000}
objects=${BENCH_ASYNC_OBJECTS:-1000}
rounds=${BENCH_ASYNC_ROUNDS:-5}
delay=${BENCH_ASYNC_DELAY_MS:-50}
wide=${BENCH_ASYNC_WIDE:-1000}
narrow=${BENCH_ASYNC_NARROW:-64}
pool=${BENCH_ASYNC_POOL:-16}
queued=${BENCH_ASYNC_QUEUED:-100000}
hold=${BENCH_ASYNC_HOLD_MS:-10000}
python_wide=${BENCH_ASYNC_PYTHON_WIDE:-1}
repo="bench-async-$$"
work="$BENCH_WORK/async"
mkdir -p "$work"
server_pid=$(cat "$BUILD_DIR/bench-server/pid" 2>/dev/null || echo 0)
export LAKECTL_CONFIG_FILE=/dev/null
unset LAKECTL_SERVER_ENDPOINT_URL LAKECTL_CREDENTIALS_ACCESS_KEY_ID LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY

proxy_pids=()
cleanup() {
  local pid
  for pid in "${proxy_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${proxy_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # What each proxy forwarded (its own summary at SIGTERM), for the log.
  cat "$work"/proxy.*.err >&2 2>/dev/null || true
  curl -fsS -u "$auth" -X DELETE -o /dev/null "$api/repositories/$repo" || true
}
trap cleanup EXIT

# start_proxy DELAY_MS VAR: starts bench/delay_proxy in front of lakeFS, sets VAR to its endpoint and
# VAR_pid to its process id.
start_proxy() {
  local ms=$1 var=$2 port="" pid
  "$proxy_bin" --upstream "$LAKEFS_ENDPOINT" --delay-ms "$ms" >"$work/proxy.$ms.port" 2>"$work/proxy.$ms.err" &
  pid=$!
  proxy_pids+=("$pid")
  for _ in $(seq 1 100); do
    port=$(head -n 1 "$work/proxy.$ms.port" 2>/dev/null || true)
    [[ -n $port ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ -z $port ]]; then
    echo "70-async.sh: the delay proxy did not start:" >&2
    cat "$work/proxy.$ms.err" >&2
    return 1
  fi
  printf -v "$var" 'http://127.0.0.1:%s' "$port"
  printf -v "${var}_pid" '%s' "$pid"
}

thousands() { python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$1"; }
# field KEY: a field of the JSON object on the last run's first line.
field() { python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])' "$BENCH_LAST_OUT" "$1"; }

curl -fsS -u "$auth" -H 'Content-Type: application/json' -o /dev/null -d \
  "{\"name\":\"$repo\",\"storage_namespace\":\"${LAKEFS_TEST_NAMESPACE_ROOT:-local://}$repo\"}" "$api/repositories"
"$cpp" setup "$repo" main "$objects" >/dev/null
delayed='' delayed_pid=0 holding=''  # set by start_proxy
start_proxy "$delay" delayed
start_proxy "$hold" holding
echo "70-async.sh: lakeFS at $LAKEFS_ENDPOINT, +$delay ms at $delayed, +$hold ms at $holding" >&2

sec=async
n_stats=$(thousands "$stats")
n_wide=$(thousands "$wide")
n_queued=$(thousands "$queued")
# At the delay, lakefs-cpp has $wide in flight, threads-N N, python-aiohttp $wide (the title says so).
c_far="$n_stats stats at +$delay ms: wall time"
c_far_cpu="$n_stats stats at +$delay ms: client CPU per stat"
c_near="$n_stats stats, no added latency, $narrow in flight: wall time"
c_near_cpu="$n_stats stats, no added latency, $narrow in flight: client CPU per stat"
c_mem="memory per stat in flight ($n_wide held)"
c_queue="memory per queued stat ($n_queued queued)"
c_stop="stop $n_wide stats in flight: until all ended"
bench_title $sec "Asynchronous engine: $n_stats stats from one engine thread ($n_wide in flight at +$delay ms, $narrow without), against pools of N threads (threads-N) and asyncio + aiohttp"
bench_target $sec "$c_far" "threads-$pool" 15 "one engine thread with $n_wide in flight ≥ 15× a pool of $pool threads"
bench_target $sec "$c_far" "threads-$wide" 0.9 "≥ 0.9× a pool of $n_wide threads"
bench_target $sec "$c_near" "threads-$narrow" 1.0 "at equal concurrency ($narrow) without delay, throughput ≥ 1.0× $narrow threads"
bench_target $sec "$c_near_cpu" "threads-$narrow" 2.0 "… at ≤ 0.5× their client CPU per request"
bench_target $sec "$c_near" python-aiohttp 2.0 "(a) ≥ 2× asyncio + aiohttp's throughput at the same concurrency"
bench_target $sec "$c_near_cpu" python-aiohttp 3.0 "or (b) the same throughput at ≤ 1/3 of its CPU"
if ((python_wide)); then
  bench_target $sec "$c_far" python-aiohttp 2.0 "(a) ≥ 2× asyncio + aiohttp's throughput at the same concurrency"
  bench_target $sec "$c_far_cpu" python-aiohttp 3.0 "or (b) the same throughput at ≤ 1/3 of its CPU"
fi

# What else used the CPU during each run, to tell what limits it: lakeFS's process and the proxy's, and the
# whole machine's busy time (the rest of it is other work on the machine: the cores are shared).
diag="$work/diag.tsv"
: >"$diag"
# machine_busy: CPU seconds the whole machine has been busy (all cores; /proc/stat, idle and iowait left out).
machine_busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / {printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz}' /proc/stat; }
# timed CASE CONTENDER ROUND ENDPOINT PROXY_PID CMD...: one stats run; records its wall time (CASE) and its
# client CPU per stat (the matching CPU case); checks that every stat was made and checked.
timed() {
  local name=$1 contender=$2 round=$3 endpoint=$4 proxy_pid=$5 cpu_case us s0 s1 p0 p1 m0 m1 t0 t1 got
  shift 5
  case $name in
    "$c_far") cpu_case=$c_far_cpu ;;
    *) cpu_case=$c_near_cpu ;;
  esac
  s0=$(bench_proc_cpu "$server_pid") p0=$(bench_proc_cpu "$proxy_pid") m0=$(machine_busy) t0=$EPOCHREALTIME
  LAKEFS_ENDPOINT=$endpoint bench_run_inner $sec "$name" "$contender" "$round" "$@"
  t1=$EPOCHREALTIME s1=$(bench_proc_cpu "$server_pid") p1=$(bench_proc_cpu "$proxy_pid") m1=$(machine_busy)
  got=$(field requests)
  [[ $got == "$stats" ]] || { echo "70-async.sh: $contender made $got stats of $stats" >&2; return 1; }
  us=$(field cpu_us_per_request)
  bench_record $sec "$cpu_case" "$contender" "$round" "$us" µs
  # case, contender, inner seconds, client µs/stat, lakeFS µs/stat, proxy µs/stat, the process's whole CPU (s),
  # lakeFS (s), proxy (s), machine busy (s), the wall time over which those were read (s)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$contender" "$BENCH_INNER" "$us" \
    "$(awk -v a="$s0" -v b="$s1" -v n="$stats" 'BEGIN {printf "%.1f", (b - a) * 1e6 / n}')" \
    "$(awk -v a="$p0" -v b="$p1" -v n="$stats" 'BEGIN {printf "%.1f", (b - a) * 1e6 / n}')" \
    "$BENCH_CPU" "$(awk -v a="$s0" -v b="$s1" 'BEGIN {printf "%.2f", b - a}')" \
    "$(awk -v a="$p0" -v b="$p1" 'BEGIN {printf "%.2f", b - a}')" \
    "$(awk -v a="$m0" -v b="$m1" 'BEGIN {printf "%.2f", b - a}')" "$(bench_elapsed "$t0" "$t1")" >>"$diag"
}

# measure CASE CONTENDER ROUND: one run of CASE by CONTENDER.
measure() {
  local name=$1 contender=$2 round=$3 n
  case $name in
    "$c_far")
      case $contender in
        lakefs-cpp) timed "$name" "$contender" "$round" "$delayed" "$delayed_pid" "$cpp" engine "$wide" "$repo" main "$objects" "$stats" ;;
        threads-*) timed "$name" "$contender" "$round" "$delayed" "$delayed_pid" "$cpp" threads "${contender#threads-}" "$repo" main "$objects" "$stats" ;;
        python-aiohttp) timed "$name" "$contender" "$round" "$delayed" "$delayed_pid" "${py[@]}" "$wide" "$repo" main "$objects" "$stats" ;;
      esac
      ;;
    "$c_near")
      case $contender in
        lakefs-cpp) timed "$name" "$contender" "$round" "$LAKEFS_ENDPOINT" 0 "$cpp" engine "$narrow" "$repo" main "$objects" "$stats" ;;
        threads-*) timed "$name" "$contender" "$round" "$LAKEFS_ENDPOINT" 0 "$cpp" threads "$narrow" "$repo" main "$objects" "$stats" ;;
        python-aiohttp) timed "$name" "$contender" "$round" "$LAKEFS_ENDPOINT" 0 "${py[@]}" "$narrow" "$repo" main "$objects" "$stats" ;;
      esac
      ;;
    "$c_mem")
      [[ $contender == lakefs-cpp ]] && n=memory || n=memory-threads
      LAKEFS_ENDPOINT=$holding bench_exec "$cpp" "$n" "$wide" "$repo" main "$objects"
      bench_record $sec "$name" "$contender" "$round" "$(field kib_each)" KiB "$BENCH_RSS_KIB"
      ;;
    "$c_queue")
      LAKEFS_ENDPOINT=$holding bench_exec "$cpp" queued "$queued" "$repo" main "$objects"
      bench_record $sec "$name" "$contender" "$round" "$(field bytes_each)" bytes "$BENCH_RSS_KIB"
      printf 'queued\t%s\t%s\n' "$(field start_seconds)" "$(field stop_seconds)" >>"$diag"
      ;;
    "$c_stop")
      LAKEFS_ENDPOINT=$holding bench_exec "$cpp" stop "$wide" "$repo" main "$objects"
      bench_record $sec "$name" "$contender" "$round" "$(field ms)" ms "$BENCH_RSS_KIB"
      ;;
  esac
}

far=(lakefs-cpp "threads-$pool" "threads-$wide")
((python_wide)) && far+=(python-aiohttp)
for round in $(seq 1 "$rounds"); do
  echo "70-async.sh: round $round of $rounds" >&2
  for name in "$c_far" "$c_near" "$c_mem" "$c_queue" "$c_stop"; do
    case $name in
      "$c_far") contenders=("${far[@]}") ;;
      "$c_near") contenders=(lakefs-cpp "threads-$narrow" python-aiohttp) ;;
      "$c_mem") contenders=(lakefs-cpp "threads-$wide") ;;
      *) contenders=(lakefs-cpp) ;;
    esac
    while IFS= read -r contender; do
      measure "$name" "$contender" "$round"
    done < <(bench_order "$round" "${contenders[@]}")
  done
done

# The targets that are not ratios, with their verdicts; what lakeFS and the proxy spent per stat.
values() {  # CASE CONTENDER: the recorded values
  python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["section"] == "async" and r["case"] == sys.argv[2] and r["contender"] == sys.argv[3]:
        print(r["value"])' "$BENCH_RESULTS" "$1" "$2"
}
# verdict CASE LIMIT UNIT TEXT: a note with the median (min–max) of lakefs-cpp's values and whether it is ≤ LIMIT.
verdict() {
  local -a v
  mapfile -t v < <(values "$1" lakefs-cpp)
  local med lo hi
  med=$(median_of "${v[@]}")
  lo=$(printf '%s\n' "${v[@]}" | sort -g | head -n 1)
  hi=$(printf '%s\n' "${v[@]}" | sort -g | tail -n 1)
  local met="**not met**"
  awk -v m="$med" -v l="$2" 'BEGIN {exit !(m <= l)}' && met="**met**"
  bench_note $sec "Target: $4 (lakefs-cpp ≤ $2 $3): $met at $med $3 (${lo}–${hi}, ${#v[@]} rounds)."
}
verdict "$c_mem" 32 KiB "memory per transfer in flight over plain HTTP ≤ 32 KiB"
verdict "$c_queue" 1024 bytes "$n_queued queued operations ≤ 1 KiB each"
verdict "$c_stop" 50 ms "stopping $n_wide tasks in flight completes in ≤ 50 ms"
diag_note=$(python3 - "$diag" "$(nproc)" <<'PY'
import statistics, sys
rows, queued, cores = {}, [], int(sys.argv[2])
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "queued":
        queued.append((float(f[1]), float(f[2])))
        continue
    client, server, proxy, busy, wall = (float(x) for x in f[6:11])
    # The share of the machine's CPU time the run used: all of it, and what neither the client, lakeFS nor the
    # proxy used (other work on the shared cores).
    rows.setdefault(f[0].split(" (")[0].split(":")[0], {}).setdefault(f[1], []).append(
        (float(f[4]), float(f[5]), busy / (wall * cores), max(busy - client - server - proxy, 0) / (wall * cores)))
parts = []
for case, contenders in rows.items():
    items = []
    for contender, v in contenders.items():
        med = [statistics.median(x[i] for x in v) for i in range(4)]
        items.append(f"{contender} lakeFS {med[0]:.0f} µs" + (f", proxy {med[1]:.0f} µs" if med[1] > 0 else "")
                     + f", machine {med[2]:.0%} busy ({med[3]:.0%} other work)")
    parts.append(f"{case}: " + "; ".join(items))
text = ("Where the CPU went, medians per stat (lakeFS's process, the delay proxy's), and how busy the machine's "
        f"{cores} cores were during the run, with the share used by neither the client, lakeFS nor the proxy: "
        + " — ".join(parts) + ".")
if queued:
    text += (f" Starting the queued stats took {statistics.median(q[0] for q in queued):.3f} s and stopping them "
             f"{statistics.median(q[1] for q in queued):.3f} s (medians).")
print(text)
PY
)
bench_note $sec "$diag_note"
bench_note $sec "Each program times its own workload (no process start-up) and checks every answer (path and size); \
a failed stat fails the run. lakefs-cpp: \`bench/async_stats engine N\`, \`async::for_each\` over the indices with \
\`.concurrency = N\`, each item a \`StoredObject::stat_async\`, one engine thread (\`engine_threads = 1\`, \
\`max_in_flight = N\`). \`threads-N\`: N \`std::thread\`s made before the clock starts, each taking the next index \
and calling \`StoredObject::stat()\` (\`max_connections = N\`). \`python-aiohttp\`: \
\`bench/python/async_stats.py\`, asyncio with aiohttp $("$python" -c 'import aiohttp; print(aiohttp.__version__)'), \
N workers sharing one \`ClientSession\` (\`TCPConnector(limit=N)\`), the same GET with basic auth, the JSON decoded \
and checked. +$delay ms: through \`bench/delay_proxy\`, which holds each chunk from lakeFS to the client for $delay ms \
(one epoll thread on 127.0.0.1). Client CPU: user + system time of the whole process over the workload (getrusage), \
per stat. Median of $rounds interleaved rounds (the order rotates each round), min–max in brackets."
bench_note $sec "Memory: through a proxy holding answers for $hold ms, RSS with $n_wide stats in flight minus RSS with \
one in flight, over $((wide - 1)) (\`memory\`: \`spawn\` of each \`stat_async\`; \`threads-$wide\`: one thread per \
synchronous \`stat()\`), read once every connection is established and before any answer; then all are stopped. \
Queued: RSS growth when \`when_all\` over $n_queued \`stat_async\` tasks starts on an engine with \
\`max_in_flight = 1\` whose one transfer is held, per task (coroutine frames and queued requests). Stop: \
\`for_each\` with \`.concurrency = $wide\` and a \`.stop\` token, $n_wide stats in flight at the holding proxy; the \
time from \`request_stop()\` until \`for_each\`'s task has ended with \`CancelledError\`, every stat checked to have \
ended with \`CancelledError\`."
bench_note $sec "The synchronous path (no regression from the engine) is measured by the \`10-api\` and \`20-objects\` \
scenarios: getRepository's instructions per call against the bare-libcurl floor, the reader against curl."
