# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Helpers for the benchmark scenarios: sourced by bench/run.sh before the
# scenarios run (each scenario is sourced in a subshell, and the functions are
# exported, so a scenario that re-runs itself in a new bash sees them too).
#
# Results are JSON lines in "$BENCH_RESULTS", one per measurement, which
# bench/report.py turns into tables, bench/results.json and one chart per section:
#
#   bench_record SECTION CASE CONTENDER ROUND VALUE UNIT [RSS_KIB]
#     {"section","case","contender","round","value","unit","rss_kib"}
#     SECTION   short id, also the chart's file name (docs/bench/SECTION.svg): [a-z0-9-]
#     CASE      what is measured, free text (spaces, `code`, ×, … are fine)
#     CONTENDER `lakefs-cpp` is the subject; the others are compared with it:
#               `curl`, `lakectl`, `python`, …; a name starting with `floor`
#               is a program doing strictly less work than the SDK (charted as such)
#     ROUND     1, 2, …: contenders of one case measured in the same round are
#               paired (the ratio is the median of the per-round ratios)
#     VALUE     a number, lower is better (seconds, instructions, ms, MiB)
#     UNIT      s, ms, µs, instructions, MiB, …
#     RSS_KIB   the process's peak resident set size in KiB (optional; "" or - for none)
#
# Extra metadata for the report, JSON lines in "$BENCH_NOTES":
#   bench_title  SECTION TITLE                 heading of the section's table
#   bench_note   SECTION TEXT                  a line of prose printed under the section's table
#   bench_size   SECTION CASE BYTES            the bytes one run of CASE moves: adds a MiB/s column
#   bench_target SECTION CASE CONTENDER RATIO TEXT
#                                              the issue's target for CASE: the ratio against
#                                              CONTENDER (contender / lakefs-cpp) must be >= RATIO
#   bench_rss_target SECTION CASE CONTENDER MIB TEXT
#                                              the median peak RSS of CONTENDER in CASE must be <= MIB
# Measuring:
#   bench_order ROUND ITEM...                  the items rotated by ROUND (round 1 as given,
#                                              round 2 starting at the second, …): interleaving
#   bench_run SECTION CASE CONTENDER ROUND CMD...
#                                              runs CMD under /usr/bin/time, records the process's
#                                              wall seconds and peak RSS; CMD's stdout is left in
#                                              "$BENCH_LAST_OUT" (a file)
#   bench_run_inner SECTION CASE CONTENDER ROUND CMD...
#                                              the same, but VALUE is the first number CMD prints
#                                              (its own time around the workload, in seconds), or
#                                              the "seconds" field of a JSON object it prints

# JSON string of $1: escapes backslash, quote and control characters; UTF-8 passes through.
bench_json_string() {
  local s=$1 out='' c i
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  s=${s//$'\r'/\\r}
  if [[ $s == *[$'\x01'-$'\x1f']* ]]; then
    for ((i = 0; i < ${#s}; i++)); do
      c=${s:i:1}
      if [[ $c == [$'\x01'-$'\x1f'] ]]; then
        printf -v c '\\u%04x' "'$c"
      fi
      out+=$c
    done
    s=$out
  fi
  printf '"%s"' "$s"
}

# A JSON number from $1 (1.5, .5, 2e-6, 12); fails on anything else.
bench_json_number() {
  local n=$1
  [[ $n == .* ]] && n=0$n
  [[ $n == -.* ]] && n=-0${n#-}
  [[ $n == *. ]] && n=${n}0
  if [[ ! $n =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then
    echo "bench: not a number: '$1'" >&2
    return 1
  fi
  printf '%s' "$n"
}

bench_record() {
  if (($# != 6 && $# != 7)); then
    echo "usage: bench_record SECTION CASE CONTENDER ROUND VALUE UNIT [RSS_KIB] (got $#: $*)" >&2
    return 2
  fi
  : "${BENCH_RESULTS:?bench_record: BENCH_RESULTS is not set (run scenarios through bench/run.sh)}"
  local value rss=null
  [[ $4 =~ ^[0-9]+$ ]] || { echo "bench_record: ROUND must be a positive integer, got '$4'" >&2; return 2; }
  value=$(bench_json_number "$5") || return 2
  if [[ -n ${7:-} && ${7:-} != - ]]; then
    [[ $7 =~ ^[0-9]+$ ]] || { echo "bench_record: RSS_KIB must be an integer, got '$7'" >&2; return 2; }
    rss=$7
  fi
  printf '{"section": %s, "case": %s, "contender": %s, "round": %d, "value": %s, "unit": %s, "rss_kib": %s}\n' \
    "$(bench_json_string "$1")" "$(bench_json_string "$2")" "$(bench_json_string "$3")" "$((10#$4))" \
    "$value" "$(bench_json_string "$6")" "$rss" >>"$BENCH_RESULTS"
}

# bench_meta KIND SECTION [CASE] [CONTENDER] [NUMBER] [TEXT]: one line of "$BENCH_NOTES".
bench_meta() {
  : "${BENCH_NOTES:?bench_meta: BENCH_NOTES is not set (run scenarios through bench/run.sh)}"
  local kind=$1 section=$2 case=$3 contender=$4 number=$5 text=$6 num=null
  [[ -z $number ]] || num=$(bench_json_number "$number") || return 2
  printf '{"kind": %s, "section": %s, "case": %s, "contender": %s, "number": %s, "text": %s}\n' \
    "$(bench_json_string "$kind")" "$(bench_json_string "$section")" "$(bench_json_string "$case")" \
    "$(bench_json_string "$contender")" "$num" "$(bench_json_string "$text")" >>"$BENCH_NOTES"
}
bench_title() { bench_meta title "$1" "" "" "" "$2"; }
bench_note() { bench_meta note "$1" "" "" "" "$2"; }
bench_size() { bench_meta size "$1" "$2" "" "$3" ""; }
bench_target() { bench_meta target "$1" "$2" "$3" "$4" "$5"; }
bench_rss_target() { bench_meta rss-target "$1" "$2" "$3" "$4" "$5"; }

bench_order() {
  local round=$1
  shift
  local n=$# i
  local items=("$@")
  for ((i = 0; i < n; i++)); do
    printf '%s\n' "${items[$(((i + round - 1) % n))]}"
  done
}

# Seconds between two $EPOCHREALTIME readings (no fork: microsecond resolution).
bench_elapsed() {
  local a=${1/[.,]/} b=${2/[.,]/}
  local us=$((10#$b - 10#$a))
  printf '%d.%06d' $((us / 1000000)) $((us % 1000000))
}

# bench_exec CMD...: runs CMD under /usr/bin/time; sets BENCH_WALL (seconds), BENCH_RSS_KIB,
# BENCH_CPU (the process's user + system CPU seconds) and BENCH_SYS (its system CPU seconds alone);
# CMD's stdout goes to "$BENCH_LAST_OUT".
# Fails when CMD fails.
bench_exec() {
  : "${BENCH_LAST_OUT:=${BENCH_RESULTS%.jsonl}.out}"
  local time_file="$BENCH_LAST_OUT.time" t0 t1 status=0
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M %U %S' -o "$time_file" "$@" >"$BENCH_LAST_OUT" || status=$?
  t1=$EPOCHREALTIME
  if ((status != 0)); then
    echo "bench: command failed (exit $status): $*" >&2
    return "$status"
  fi
  BENCH_WALL=$(bench_elapsed "$t0" "$t1")
  local rss user sys
  read -r rss user sys < <(tail -n 1 "$time_file")
  BENCH_RSS_KIB=$rss
  BENCH_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
  BENCH_SYS=$sys
}

# median_of VALUE...: the median of the values that are numbers, to three decimals (nothing when none is).
median_of() {
  printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g |
    awk '{v[NR] = $1} END {if (NR) printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# CPU seconds (user + system) the process PID has used so far, from /proc (0 when it is gone).
bench_proc_cpu() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  stat=${stat##*) }  # the fields after the command name, which may hold spaces
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($12 + $13) / hz}' <<<"$stat"
}

bench_run() {
  local section=$1 case=$2 contender=$3 round=$4
  shift 4
  bench_exec "$@" || return
  bench_record "$section" "$case" "$contender" "$round" "$BENCH_WALL" s "$BENCH_RSS_KIB"
}

bench_run_inner() {
  local section=$1 case=$2 contender=$3 round=$4 secs
  shift 4
  bench_exec "$@" || return
  secs=$(python3 -c '
import json, sys
text = open(sys.argv[1]).read().strip()
try:
    value = json.loads(text.splitlines()[0])
    print(value["seconds"] if isinstance(value, dict) else value)
except (ValueError, IndexError, KeyError, TypeError):
    print(text.split()[0] if text else "")
' "$BENCH_LAST_OUT")
  BENCH_INNER=$secs
  bench_record "$section" "$case" "$contender" "$round" "$secs" s "$BENCH_RSS_KIB"
}

# A byte count as a scenario's titles show it: "1 GiB", "64 MiB", "4 KiB", else "N bytes".
bench_human() {
  local b=$1
  if ((b >= 1 << 30 && b % (1 << 30) == 0)); then echo "$((b >> 30)) GiB"
  elif ((b >= 1 << 20 && b % (1 << 20) == 0)); then echo "$((b >> 20)) MiB"
  elif ((b >= 1 << 10 && b % (1 << 10) == 0)); then echo "$((b >> 10)) KiB"
  else echo "$b bytes"; fi
}

export -f bench_human bench_proc_cpu bench_json_string bench_json_number bench_record bench_meta bench_title bench_note bench_size \
  bench_target bench_rss_target bench_order bench_elapsed bench_exec bench_run bench_run_inner
