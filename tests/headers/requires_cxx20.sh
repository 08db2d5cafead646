#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Below C++20 the public headers stop with one clear message (lakefs/version.hpp), not dozens of unrelated
# errors: for each compiler given, the umbrella header compiled as C++17 must fail, print the message, and report
# no more than the #error and the stop.
#   tests/headers/requires_cxx20.sh SOURCE_DIR COMPILER...
set -euo pipefail
src=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#include <lakefs/lakefs.hpp>\nint main() { return 0; }\n' >"$work/main.cpp"
for cxx in "$@"; do
  if "$cxx" -std=c++17 -I"$src/include" -c "$work/main.cpp" -o "$work/main.o" 2>"$work/out.txt"; then
    echo "$cxx: compiled as C++17"
    exit 1
  fi
  errors=$(grep -c 'error:' "$work/out.txt" || true)
  if ! grep -q 'lakefs-cpp needs C++20 or newer' "$work/out.txt" || ((errors > 2)); then
    echo "$cxx: expected the C++20 message and nothing else, got:"
    cat "$work/out.txt"
    exit 1
  fi
  echo "$cxx -std=c++17: $(grep -m1 'lakefs-cpp needs' "$work/out.txt" | sed 's/.*error: //')"
done
