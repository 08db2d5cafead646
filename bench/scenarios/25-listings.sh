# SPDX-License-Identifier: Apache-2.0
# Listings: list 100k objects, log 5k commits, diff 10k changes, each by
# lakefs-cpp (bench/listings.cpp), the floor (bench/list_floor.cpp: bare
# libcurl fetching the same 1000-entry pages on one kept-alive connection and
# reading only each page's pagination block), the Python SDK
# (bench/python/listings.py, `amount=1000`) and lakectl (at its defaults,
# output to /dev/null; for the log, one call per 1000 commits, see
# lakectl_log_all), in interleaved rounds (the order rotates each round),
# every process under /usr/bin/time for its peak RSS.
# Sourced by bench/run.sh with BUILD_DIR, REPO_ROOT, LAKEFS_* (the quickstart
# topology: LAKEFS_TEST_IMPORT_DIR is a local directory the server may import
# from, LAKEFS_TEST_IMPORT_URI the same as lakeFS addresses it) and
# BENCH_WORK set, and bench/lib.sh's functions (bench_record, ...).
# BENCH_LIST_OBJECTS (default 100000), BENCH_LOG_COMMITS (5000),
# BENCH_DIFF_CHANGES (10000) and BENCH_LIST_ROUNDS (5) shorten or lengthen it.
# lakefs-cpp, the floor and Python report their own time around the listing
# (no process start-up); lakectl's is the process's wall time.
set -euo pipefail
cpp="$BUILD_DIR/bench/listings"
floor="$BUILD_DIR/bench/list_floor"
python=$("$REPO_ROOT/bench/python/setup.sh")
py=("$python" "$REPO_ROOT/bench/python/listings.py")
lakectl="$REPO_ROOT/.cache/lakefs-server/bin/lakectl"
api="$LAKEFS_ENDPOINT/api/v1"
auth="$LAKEFS_ACCESS_KEY_ID:$LAKEFS_SECRET_ACCESS_KEY"
objects=${BENCH_LIST_OBJECTS:-100000}
commits=${BENCH_LOG_COMMITS:-5000}
changes=${BENCH_DIFF_CHANGES:-10000}
rounds=${BENCH_LIST_ROUNDS:-5}
: "${LAKEFS_TEST_IMPORT_DIR:?25-listings.sh needs LAKEFS_TEST_IMPORT_DIR, a directory the server may import from}"
: "${LAKEFS_TEST_IMPORT_URI:?25-listings.sh needs LAKEFS_TEST_IMPORT_URI}"
repo="bench-listings-$$"
source_dir="$LAKEFS_TEST_IMPORT_DIR/$repo"
source_uri="$LAKEFS_TEST_IMPORT_URI/$repo"
section=listings
case_list="list $((objects / 1000))k objects"
case_log="log $((commits / 1000))k commits"
case_diff="diff $((changes / 1000))k changes"
((objects % 1000 == 0)) || case_list="list $objects objects"
((commits % 1000 == 0)) || case_log="log $commits commits"
((changes % 1000 == 0)) || case_diff="diff $changes changes"
# Neither lakectl nor the SDKs may pick up a user's configuration.
export LAKECTL_CONFIG_FILE=/dev/null LAKECTL_SERVER_ENDPOINT_URL=$LAKEFS_ENDPOINT \
  LAKECTL_CREDENTIALS_ACCESS_KEY_ID=$LAKEFS_ACCESS_KEY_ID LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY=$LAKEFS_SECRET_ACCESS_KEY

post() { curl -fsS -u "$auth" -H 'Content-Type: application/json' -o /dev/null -d "$2" "$api/$1"; }
cleanup() {
  curl -fsS -u "$auth" -X DELETE -o /dev/null "$api/repositories/$repo" || true
  rm -rf "$source_dir"
}
trap cleanup EXIT
post repositories "{\"name\":\"$repo\",\"storage_namespace\":\"${LAKEFS_TEST_NAMESPACE_ROOT:-local://}$repo\"}"

# The data. Log: branch `history`, made before anything else (its commits are
# cheap on a small tree), with $commits commits of one small object each.
# Objects: $objects files imported into main under objects/ (one import
# commit). Diff: branch `changes` from main with $changes more files imported
# under changes/ (three-dot diff main...changes: $changes added).
post "repositories/$repo/branches" '{"name":"history","source":"main"}'
python3 - "$source_dir" "$objects" "$changes" <<'PY'
import os, sys
root, n_objects, n_changes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for sub, n in (("objects", n_objects), ("changes", n_changes)):
    for i in range(n):
        d = os.path.join(root, sub, f"d{i % 100:02d}")
        if i < 100:
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i:07d}.txt"), "w") as f:
            f.write(f"{sub} {i}\n")
PY
"$cpp" import "$repo" main "$source_uri/objects/" objects/ >/dev/null
post "repositories/$repo/branches" '{"name":"changes","source":"main"}'
"$cpp" import "$repo" changes "$source_uri/changes/" changes/ >/dev/null
"$cpp" commits "$repo" history "$commits" >/dev/null
# The log also holds the repository's first commit.
log_items=$((commits + 1))

bench_title "$section" "Listings: lakefs-cpp against the bare-libcurl floor (same 1000-entry pages), Python and lakectl"
bench_note "$section" "The floor fetches the SDK's pages on one kept-alive connection and reads only their pagination block; lakefs-cpp, the floor and Python time the listing inside the process, lakectl is timed as a whole process (at its defaults, output to /dev/null; \`lakectl log\` prints at most 1000 commits per call, so its figure is one \`lakectl log --amount 1000 --after <last id>\` per 1000 commits). Median of $rounds interleaved rounds (the order rotates each round), min–max in brackets."
bench_target "$section" "$case_list" floor 0.952 "≤ 1.05× the floor"
bench_target "$section" "$case_log" floor 0.952 "≤ 1.05× the floor"
bench_target "$section" "$case_diff" floor 0.952 "≤ 1.05× the floor"

# lakectl log prints one page per call: without --amount it stops after its
# first page of 1000, and an --amount over 1000 is refused by the server. So
# every commit takes one `lakectl log --amount 1000 --after <last id>` per
# 1000 commits, as a user would run it (the output is read for the last id).
lakectl_log_all='
after=()
while :; do
  out=$("$1" log --amount 1000 "${after[@]}" "$2")
  n=$(grep -c "^ID: " <<<"$out" || true)
  ((n == 1000)) || break
  after=(--after "$(grep "^ID: " <<<"$out" | tail -n 1 | awk "{print \$2}")")
done'

# check CASE EXPECTED: the last contender listed EXPECTED items.
check() {
  local got
  got=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["items"])' "$BENCH_LAST_OUT")
  [[ $got == "$2" ]] || { echo "25-listings.sh: $1 listed $got items, expected $2" >&2; exit 1; }
}
# measure CASE CONTENDER ROUND: one run of CASE by CONTENDER.
measure() {
  local name=$1 contender=$2 round=$3 expect args
  case $name in
    "$case_list") args=(objects "$repo" main) expect=$objects ;;
    "$case_log") args=(log "$repo" history) expect=$log_items ;;
    "$case_diff") args=(diff "$repo" main changes) expect=$changes ;;
  esac
  case $contender in
    lakefs-cpp) bench_run_inner "$section" "$name" "$contender" "$round" "$cpp" "${args[@]}" && check "$contender" "$expect" ;;
    floor) bench_run_inner "$section" "$name" "$contender" "$round" "$floor" "${args[@]}" && check "$contender" "$expect" ;;
    python) bench_run_inner "$section" "$name" "$contender" "$round" "${py[@]}" "${args[@]}" && check "$contender" "$expect" ;;
    lakectl)
      case $name in
        "$case_list") bench_run "$section" "$name" lakectl "$round" sh -c 'exec "$@" >/dev/null' sh "$lakectl" fs ls --recursive "lakefs://$repo/main/" ;;
        "$case_log") bench_run "$section" "$name" lakectl "$round" bash -c "$lakectl_log_all" bash "$lakectl" "lakefs://$repo/history" ;;
        "$case_diff") bench_run "$section" "$name" lakectl "$round" sh -c 'exec "$@" >/dev/null' sh "$lakectl" diff "lakefs://$repo/main" "lakefs://$repo/changes" ;;
      esac
      ;;
  esac
}

for round in $(seq 1 "$rounds"); do
  for name in "$case_list" "$case_log" "$case_diff"; do
    while IFS= read -r contender; do
      measure "$name" "$contender" "$round"
    done < <(bench_order "$round" lakefs-cpp floor python lakectl)
  done
done
