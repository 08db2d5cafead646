#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fetches the oldest CMake that CMakeLists.txt accepts (cmake_minimum_required) from PyPI's `cmake` wheel into
# the cache outside git, once, and prints its bin directory. The test fresh_debian_library builds the library
# with it, so the README's stated minimum is the one tested.
#   scripts/minimum-cmake.sh
# Env: LAKEFS_CPP_CACHE  cache root (default: <repo>/.cache)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${LAKEFS_CPP_CACHE:-$repo/.cache}
version=$(sed -nE 's/^cmake_minimum_required\(VERSION ([0-9]+\.[0-9]+(\.[0-9]+)?).*/\1/p' "$repo/CMakeLists.txt")
[[ $version =~ ^[0-9]+\.[0-9]+$ ]] && version=$version.0
dir=$cache/cmake-$version
if [[ -x $dir/cmake/data/bin/cmake ]]; then
  echo "$dir/cmake/data/bin"
  exit 0
fi
echo "fetching CMake $version from PyPI (the cmake wheel) into $dir (first time only)..." >&2
rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$dir.tmp" "cmake==$version" >&2
# A wheel is a zip file.
python3 "$repo/scripts/unzip.py" "$dir.tmp"/cmake-"$version"-*.whl "$dir.tmp"
rm -rf "$dir" && mv "$dir.tmp" "$dir"
"$dir/cmake/data/bin/cmake" --version | head -1 >&2
echo "$dir/cmake/data/bin"
