#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages that one use of lakefs-cpp needs, and nothing more. Idempotent and cheap when
# everything is present: dpkg is asked first, and apt-get (update once, then install) runs only for what is
# missing.
#
#   scripts/bootstrap.sh [PROFILE...]          install the packages of each PROFILE (default: test)
#   scripts/bootstrap.sh --list [PROFILE...]   print them, one per line, and install nothing
#
# Profiles:
#   library  build and install the library: a C++20 compiler, CMake, libcurl, simdjson, yaml-cpp
#   demo     ./dev demo against your own server: the library's packages (the examples need nothing more)
#   server   the lakeFS server the scripts build and start (scripts/lakefs-server.sh, tools/lakefs-server):
#            curl (the health check, and the download of the pinned Go release when the Go on PATH is missing or
#            older: tools/go-toolchain.sh; Debian 12's golang-go is too old), python3 (a free port, the
#            unpacking of that release), and the CA certificates that the downloads are checked with
#   test     ./dev test and ./dev bench: everything above, and the test, benchmark, packaging and mount tools
set -euo pipefail

list=false
if [[ ${1:-} == --list ]]; then
  list=true
  shift
fi
(($#)) || set -- test

library=(build-essential cmake libcurl4-openssl-dev libsimdjson-dev libyaml-cpp-dev)
server=(curl python3 ca-certificates)
test=(
  "${library[@]}" "${server[@]}" ninja-build pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-yaml python3-venv time valgrind
  # The TLS transport test: a certificate made and served by the openssl command.
  openssl
  # The fuzz preset: clang builds the libFuzzer targets. Its libFuzzer and
  # sanitizer runtimes (libclang-rt-14-dev) are only recommended, and
  # recommends are not installed here.
  clang libclang-rt-14-dev
  # The s3 test topology (scripts/lakefs-server.sh --topology s3): lakeFS's database. Only its binaries
  # are used: each test run makes its own cluster on a free loopback port.
  postgresql-15
  # The API reference (the "docs" target, test docs_api_reference).
  doxygen
  # The Debian packages (cpack -G DEB; tests/package): dpkg-shlibdeps (dpkg-dev) computes their dependencies,
  # CPack finds the ELF files with `file`, and lintian checks the result.
  dpkg-dev file lintian
  # lakefs-mount (mount/): libfuse3 to build it, fusermount3 (fuse3) to mount and unmount without privileges.
  # The benchmarks compare it with s3fs over lakeFS's S3 gateway.
  libfuse3-dev fuse3 s3fs
  # The optional Asio adapter (<lakefs/async/asio.hpp>): standalone Asio, header-only, for its test and example.
  libasio-dev
  # The fresh-system test (tests/release/fresh_debian.sh): a minimal Debian 12 made with debootstrap, into
  # which only the library's and the demo's packages are installed.
  debootstrap
)

packages=()
for profile in "$@"; do
  case $profile in
    library | demo) packages+=("${library[@]}") ;;
    server) packages+=("${server[@]}") ;;
    test) packages+=("${test[@]}") ;;
    *)
      echo "bootstrap.sh: unknown profile '$profile' (library, demo, server, test)" >&2
      exit 2
      ;;
  esac
done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | awk '!seen[$0]++')

if $list; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  # python3 and its modules: whichever python3 is first on PATH counts, Debian's or not.
  if [[ $p == python3 ]] && command -v python3 >/dev/null; then continue; fi
  if [[ $p == python3-yaml ]] && python3 -c 'import yaml' 2>/dev/null; then continue; fi
  # python3-venv (bench/python/setup.sh) only when this python3 cannot make a venv with pip.
  if [[ $p == python3-venv ]] && python3 -c 'import ensurepip, venv' 2>/dev/null; then continue; fi
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
