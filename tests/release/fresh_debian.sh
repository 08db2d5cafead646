#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A first run on a fresh Debian 12, as a new user meets it: a minimal system made with debootstrap, into which
# only what the README's "Requirements" names is installed. In it, this checks that
#   1. `scripts/bootstrap.sh library` installs exactly the library's packages (a compiler, CMake, libcurl,
#      simdjson, yaml-cpp) and nothing for tests, benchmarks, Python or FUSE;
#   2. the README's library-only build and install (`cmake --preset library`, build, `cmake --install`) works
#      with those packages alone and with the oldest CMake that CMakeLists.txt accepts (3.21.0, from PyPI's cmake
#      wheel: scripts/minimum-cmake.sh);
#   3. a separate project finds the installed library with find_package(lakefs) and runs against the real
#      lakeFS server of SERVER_DIR (the host's, on 127.0.0.1: the system shares the host's network);
#   4. `./dev demo` against that server (LAKEFS_ENDPOINT and credentials set) installs no further package, builds
#      no server, and runs the quickstart and the ETL example;
#   5. for a demo that starts its own server: `scripts/bootstrap.sh server` installs exactly its packages, and
#      tools/go-toolchain.sh gets a Go new enough for lakeFS 1.84 where Debian's is too old (the server's own
#      build, minutes of CPU, is left to the tests on the host).
# Needs root (debootstrap, chroot) and Debian's archive. The minimal system is cached as a tarball, and the
# compiler cache of the builds inside it in a directory, under LAKEFS_CPP_CACHE (default <source>/.cache).
# Mounts (/proc) live in a private mount namespace, so nothing is left mounted when the test ends, however it ends.
#   tests/release/fresh_debian.sh SOURCE_DIR SERVER_DIR
set -euo pipefail
src=$(cd "$1" && pwd) server=$2
cache=${LAKEFS_CPP_CACHE:-$src/.cache}
mirror=${LAKEFS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [[ $(id -u) != 0 ]]; then
  echo "fresh_debian: needs root (debootstrap and chroot make the fresh system)" >&2
  exit 1
fi
work=$(mktemp -d /var/tmp/lakefs-fresh-debian.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root

echo "== a minimal Debian 12 (debootstrap --variant=minbase bookworm)"
base=$cache/debian-bookworm-minbase.tar
if [[ ! -s $base ]]; then
  mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; exit 1; }
  tar -C "$work/base" -cf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf "$work/base"
fi
mkdir "$root"
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The certificate authorities this machine adds to Debian's (a network behind a TLS-inspecting proxy): trusted in
# the fresh system too, once its ca-certificates package is installed, so that its HTTPS downloads work as here.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi

echo "== the source tree (tracked and new files, no build output) and the oldest CMake accepted"
mkdir "$root/src"
(cd "$src" && git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf -) |
  tar -C "$root/src" -xf -
cmake_bin=$("$src/scripts/minimum-cmake.sh")
mkdir -p "$root/opt/cmake-minimum"
cp -a "$(cd "$cmake_bin/../.." && pwd)" "$root/opt/cmake-minimum/"
mkdir -p "$cache/fresh-debian-ccache" "$root/ccache"

# The server's endpoint and credentials, in a file only root reads (never on a command line).
(umask 077 && cp "$server/env" "$root/server.env")

cat >"$root/run.sh" <<'EOF'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd /src
manual() { apt-mark showmanual | sort; }
# scripts/bootstrap.sh PROFILE installs exactly the packages `--list PROFILE` names (apt marks them manual).
installs_exactly() {
  local before added expected
  before=$(manual)
  scripts/bootstrap.sh "$1"
  added=$(comm -13 <(echo "$before") <(manual))
  expected=$(scripts/bootstrap.sh --list "$1" | sort)
  echo "installed: $(echo $added)"
  [[ $added == "$expected" ]] || { echo "expected exactly: $(echo $expected)"; exit 1; }
}

echo "== 1. scripts/bootstrap.sh library"
installs_exactly library
for p in libgtest-dev libbenchmark-dev libfuse3-dev python3 golang-go ninja-build; do
  if dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
    echo "$p is installed, but the library does not need it"
    exit 1
  fi
done
# The builds below go through a compiler cache kept between runs of this test (test scaffolding, not a
# requirement: it is installed after the check above).
apt-get install -y -qq --no-install-recommends ccache >/dev/null
export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_DIR=/ccache CCACHE_BASEDIR=/src CCACHE_NOHASHDIR=1

echo "== 2. the library alone, built and installed with the oldest CMake accepted"
export PATH=/opt/cmake-minimum/cmake/data/bin:$PATH
cmake --version | head -1
cmake --version | head -1 | grep -qx "cmake version $(cat /cmake-minimum-version)"
cmake --preset library >/dev/null
cmake --build --preset library --parallel 2 >/dev/null
cmake --install build/library >/dev/null
ls /usr/local/include/lakefs/lakefs.hpp /usr/local/lib/cmake/lakefs/lakefsConfig.cmake

echo "== 3. a project using the installed library, against the real server"
set -a
source /server.env
set +a
cmake -S tests/install/consumer -B /tmp/consumer >/dev/null
cmake --build /tmp/consumer >/dev/null
/tmp/consumer/consumer
/tmp/consumer/consumer --server
/tmp/consumer/consumer_fake_transport

echo "== 4. ./dev demo against that server"
before=$(manual)
./dev demo >/tmp/demo.txt 2>&1 || { cat /tmp/demo.txt; exit 1; }
cat /tmp/demo.txt
added=$(comm -13 <(echo "$before") <(manual))
[[ -z $added ]] || { echo "./dev demo installed: $added"; exit 1; }
grep -q '^=== quickstart' /tmp/demo.txt && grep -q '^=== etl_pipeline' /tmp/demo.txt
[[ ! -e .cache/lakefs-server ]] || { echo "./dev demo built a server although one was given"; exit 1; }
echo "== 5. the packages and the Go of a demo that starts its own server"
installs_exactly server
go_bin=$(tools/go-toolchain.sh)
want=$(sed -n 's/^go //p' tools/lakefs-server/go.mod)
"$go_bin/go" version | grep -q " go$want " || { "$go_bin/go" version; exit 1; }
GOTOOLCHAIN=local "$go_bin/go" env GOROOT
echo "fresh Debian 12: the library's packages only, CMake $(cat /cmake-minimum-version), the demo, Go $want: all passed"
EOF
"$cmake_bin/cmake" --version | head -1 | sed 's/cmake version //' >"$root/cmake-minimum-version"

# A private mount namespace (the bind mount of the compiler cache and /proc vanish with it) and a clean
# environment, as on a machine nobody has set up.
unshare --mount --pid --fork --mount-proc="$root/proc" bash -c '
  mount --bind "$1" "$2/ccache"
  exec chroot "$2" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 bash /run.sh' bash "$cache/fresh-debian-ccache" "$root"
