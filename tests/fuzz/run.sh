#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs each libFuzzer target for SECONDS (default 60) on a scratch copy of its
# seed corpus under BUILD_DIR/fuzz-work/<target>/ (new corpus entries never go
# into the source tree). Exits 1 when any target crashes, leaks or times out,
# printing the target and where its crash input was saved. The last line is
# always "N passed, M failed" (N, M: numbers of targets).
#
#   tests/fuzz/run.sh build/fuzz        # what CI runs
#   tests/fuzz/run.sh build/fuzz 3600   # an hour each
set -uo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [SECONDS]" >&2
  exit 2
}
[[ $# -ge 1 && $# -le 2 ]] || usage
seconds=${2:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage
# Without the build directory every target counts as failed (reported below).
build=$(cd "$1" 2>/dev/null && pwd) || build=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work="$build/fuzz-work"

targets=(fuzz_models fuzz_endpoint fuzz_lakectl_config)
declare -A dicts=(
  [fuzz_models]=generated_models.dict
  [fuzz_endpoint]=endpoint.dict
  [fuzz_lakectl_config]=lakectl_config.dict
)

# UBSan findings abort (the build uses -fno-sanitize-recover); a stack makes them readable.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# fuzz_models' seeds are plain JSON files named <Model>[.<anything>].json. The
# target reads one model-selector byte first: the model's position in the
# generated table, which this prepends.
prepare_models_corpus() {
  local dest=$1 names seed base model i
  local -A index=()
  mapfile -t names < <(sed -n 's/^    {"\([A-Za-z0-9_]*\)", &round_trip<.*/\1/p' "$here/generated_model_table.cpp")
  ((${#names[@]})) || {
    echo "run.sh: no models found in $here/generated_model_table.cpp" >&2
    return 1
  }
  for i in "${!names[@]}"; do index[${names[$i]}]=$i; done
  for seed in "$here/corpus/fuzz_models"/*.json; do
    base=$(basename "$seed")
    model=${base%%.*}
    if [[ -z ${index[$model]+set} ]]; then
      echo "run.sh: seed $base names no model of generated_model_table.cpp" >&2
      return 1
    fi
    { printf "\\$(printf '%03o' "${index[$model]}")" && cat "$seed"; } >"$dest/$base"
  done
}

passed=0
failed=0
for target in "${targets[@]}"; do
  bin="$build/tests/fuzz/$target"
  dir="$work/$target"
  if [[ ! -x $bin ]]; then
    echo "FAILED $target: $bin is missing (cmake --build --preset fuzz)"
    failed=$((failed + 1))
    continue
  fi
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  if [[ $target == fuzz_models ]]; then
    prepare_models_corpus "$dir/corpus" || {
      echo "FAILED $target: cannot prepare its corpus"
      failed=$((failed + 1))
      continue
    }
  else
    cp "$here/corpus/$target"/* "$dir/corpus/"
  fi

  start=$SECONDS
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$here/${dicts[$target]}" -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1
  status=$?
  shopt -s nullglob
  artifacts=("$dir"/artifacts/*)
  shopt -u nullglob

  if ((status == 0 && ${#artifacts[@]} == 0)); then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -n 1)
    echo "passed $target: ${runs:-?} inputs in $((SECONDS - start)) s, ${cov:-cov: ?}, corpus $(find "$dir/corpus" -type f | wc -l) files"
    passed=$((passed + 1))
  else
    echo "FAILED $target (exit status $status); the end of $dir/log:"
    tail -n 60 "$dir/log" | sed 's/^/    /'
    for artifact in "${artifacts[@]}"; do
      echo "  input saved as $artifact"
      echo "  reproduce with: $bin $artifact"
    done
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
((failed == 0))
