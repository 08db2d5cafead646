#!/usr/bin/env bash
# Installs the Debian packages lakefs-cpp needs to build, test and benchmark.
# Idempotent and cheap when everything is present: dpkg is asked first, and
# apt-get (update once, then install) runs only for what is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libcurl4-openssl-dev libsimdjson-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-yaml python3-venv curl golang-go time valgrind
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
)

missing=()
for p in "${packages[@]}"; do
  # golang-go only when no Go toolchain is on PATH at all (a newer one may
  # already be installed outside Debian's packages).
  if [[ $p == golang-go ]] && command -v go >/dev/null; then continue; fi
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
