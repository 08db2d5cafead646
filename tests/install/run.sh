#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the built library into a temporary prefix, then builds and runs a
# separate consumer project with find_package(lakefs CONFIG), and compiles it
# once more with the flags pkg-config gives; the same for the test double
# (lakefs::testing, pkg-config lakefs-testing).
#   tests/install/run.sh BUILD_DIR [EXTRA_CXX_FLAGS]
set -euo pipefail
build=$1 extra=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here/consumer" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_CXX_FLAGS="$extra" >/dev/null
cmake --build "$work/consumer" >/dev/null
"$work/consumer/consumer"
"$work/consumer/consumer_fake_transport"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
# shellcheck disable=SC2046,SC2086
g++ $extra "$here/consumer/main.cpp" -o "$work/consumer-pc" $(pkg-config --cflags --libs lakefs)
"$work/consumer-pc"
# shellcheck disable=SC2046,SC2086
g++ $extra "$here/consumer/fake_transport.cpp" -o "$work/consumer-testing-pc" $(pkg-config --cflags --libs lakefs-testing)
"$work/consumer-testing-pc"
echo "find_package(lakefs CONFIG) and pkg-config both work, for lakefs::lakefs and lakefs::testing"
