#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian packages, as a Debian/Ubuntu user gets them:
#   1. builds the "package" preset (shared libraries, hidden visibility, /usr) and runs cpack -G DEB: the
#      runtime, the -dev package and lakefs-mount;
#   2. checks the packages with lintian: any error (E:) fails;
#   3. unpacks them with dpkg-deb -x into a scratch root (nothing is installed into this machine's system);
#   4. checks the library's exported symbols: the ABI tag, the API, none of its dependencies';
#   5. builds the consumer (tests/install/consumer) against that root with find_package(lakefs) and with
#      pkg-config, and runs both against the real lakeFS server of SERVER_DIR;
#   6. checks that headers of another ABI refuse to link with this library, and that a program refuses to start
#      with a library of another ABI under the same SONAME (lakefs/export.hpp);
#   7. mounts a committed object with the packaged lakefs-mount and reads it back (its manual page is there too).
#   tests/package/run.sh SOURCE_DIR SERVER_DIR
set -euo pipefail
src=$(cd "$1" && pwd) server=$2
work=$(mktemp -d)
# A mount left by a failed step is unmounted before its directory is removed.
trap 'fusermount3 -u "$work/mnt" 2>/dev/null || true; rm -rf "$work"' EXIT
build=$src/build/package

echo "== build (preset package) and cpack"
(cd "$src" && cmake --preset package >/dev/null && cmake --build --preset package >/dev/null)
rm -f "$build"/*.deb
(cd "$build" && cpack -G DEB >/dev/null)
debs=("$build"/*.deb)
((${#debs[@]} == 3)) || { echo "expected 3 packages, got: ${debs[*]}"; exit 1; }
for deb in "${debs[@]}"; do
  echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version): Depends: $(dpkg-deb -f "$deb" Depends)"
done

echo "== lintian"
# --no-cfg: the machine's own lintian profile (if any) does not change the verdict.
lintian --no-cfg "${debs[@]}" 2>&1 | grep -v '^running with root privileges' | tee "$work/lintian.txt" || true
if grep -q '^E:' "$work/lintian.txt"; then
  echo "lintian reports errors"
  exit 1
fi

echo "== dpkg-deb -x into $work/sysroot"
for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$work/sysroot"; done
libdir=$work/sysroot/usr/lib/$(gcc -print-multiarch)
lib=$(readlink -f "$libdir/liblakefs.so")
soname=$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
echo "$lib: SONAME $soname"
[[ $soname == liblakefs.so.0.1 ]] || { echo "unexpected SONAME"; exit 1; }

echo "== exported symbols"
nm -D --defined-only -C "$lib" | cut -d' ' -f3- >"$work/exported.txt"
grep -qx 'lakefs_cpp_abi_v0_1' "$work/exported.txt" || { echo "the ABI tag is not exported"; exit 1; }
grep -q '^lakefs::Client::Client(' "$work/exported.txt" || { echo "lakefs::Client is not exported"; exit 1; }
if grep -E 'simdjson|YAML::|(^| )Curl_' "$work/exported.txt"; then
  echo "the library exports symbols of its dependencies"
  exit 1
fi
echo "$(wc -l <"$work/exported.txt") exported symbols ($(grep -c '^lakefs::' "$work/exported.txt") in namespace lakefs)"

echo "== consumer: find_package(lakefs CONFIG) against the unpacked root"
consumer_src=$src/tests/install/consumer
cmake -S "$consumer_src" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/sysroot/usr" >/dev/null
cmake --build "$work/consumer" >/dev/null
# The program must load the packaged library, not some other copy.
ldd "$work/consumer/consumer" | grep -F "$libdir/liblakefs.so.0.1" >/dev/null ||
  { ldd "$work/consumer/consumer"; echo "consumer does not load the packaged liblakefs"; exit 1; }
"$src/tests/with-server-env.sh" "$server" "$work/consumer/consumer" --server
"$work/consumer/consumer_fake_transport"

echo "== consumer: pkg-config against the unpacked root"
export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2046
g++ "$consumer_src/main.cpp" -o "$work/consumer-pc" $(pkg-config --cflags --libs lakefs)
LD_LIBRARY_PATH=$libdir "$src/tests/with-server-env.sh" "$server" "$work/consumer-pc" --server
# shellcheck disable=SC2046
g++ "$consumer_src/fake_transport.cpp" -o "$work/consumer-testing-pc" $(pkg-config --cflags --libs lakefs-testing)
LD_LIBRARY_PATH=$libdir "$work/consumer-testing-pc"

echo "== headers of another ABI (0.99) do not link with this library"
cp -r "$work/sysroot/usr/include" "$work/include-0.99"
sed -i 's/#define LAKEFS_CPP_VERSION_MINOR 1$/#define LAKEFS_CPP_VERSION_MINOR 99/' "$work/include-0.99/lakefs/version.hpp"
grep -q 'LAKEFS_CPP_VERSION_MINOR 99' "$work/include-0.99/lakefs/version.hpp"
# shellcheck disable=SC2046
if g++ -std=c++20 -I"$work/include-0.99" "$consumer_src/main.cpp" -o "$work/mismatch" -L"$libdir" -llakefs \
  2>"$work/mismatch.txt"; then
  echo "a program built with 0.99 headers linked with the 0.1 library"
  exit 1
fi
grep -q 'lakefs_cpp_abi_v0_99' "$work/mismatch.txt" || { cat "$work/mismatch.txt"; exit 1; }
grep 'lakefs_cpp_abi_v0_99' "$work/mismatch.txt" | head -1

echo "== a library of another ABI under the same SONAME: the program does not start"
# The packaged library with its ABI tag renamed (same length: v0_1 -> v0_9), as a library of ABI 0.9 would have it;
# the library does not refer to the tag itself, so the program's reference is what fails.
mkdir "$work/other-abi"
perl -pe 's/lakefs_cpp_abi_v0_1/lakefs_cpp_abi_v0_9/g' "$lib" >"$work/other-abi/liblakefs.so.0.1"
if LD_LIBRARY_PATH=$work/other-abi "$work/consumer-pc" >"$work/load.txt" 2>&1; then
  echo "the program ran with a library of another ABI"
  exit 1
fi
grep -q 'undefined symbol: lakefs_cpp_abi_v0_1' "$work/load.txt" || { cat "$work/load.txt"; exit 1; }
grep -m1 'undefined symbol' "$work/load.txt"
echo "== lakefs-mount from its package"
mount_deb=$(ls "$build"/lakefs-mount_*.deb)
depends=$(dpkg-deb -f "$mount_deb" Depends)
for needed in "liblakefs0.1 (= " libfuse3- fuse3; do
  [[ $depends == *"$needed"* ]] || { echo "lakefs-mount does not depend on $needed: $depends"; exit 1; }
done
mount_bin=$work/sysroot/usr/bin/lakefs-mount
zcat "$work/sysroot/usr/share/man/man1/lakefs-mount.1.gz" | grep -qF -- '\-\-cache\-dir' ||
  { echo "the manual page does not describe --cache-dir"; exit 1; }
LD_LIBRARY_PATH=$libdir ldd "$mount_bin" | grep -F "$libdir/liblakefs.so.0.1" >/dev/null ||
  { echo "lakefs-mount does not load the packaged liblakefs"; exit 1; }
[[ $(LD_LIBRARY_PATH=$libdir "$mount_bin" --version) == "lakefs-mount $(dpkg-deb -f "$mount_deb" Version | cut -d- -f1)" ]] ||
  { echo "lakefs-mount --version does not name the package's version"; exit 1; }
# A repository with one committed object, made over the REST API with curl, then mounted and read back.
repo=package-mount-$$
LD_LIBRARY_PATH=$libdir "$src/tests/with-server-env.sh" "$server" bash -c '
  set -euo pipefail
  repo=$1 work=$2 bin=$3
  api=$LAKEFS_ENDPOINT/api/v1 auth=$LAKEFS_ACCESS_KEY_ID:$LAKEFS_SECRET_ACCESS_KEY
  curl -fsS -u "$auth" -H "Content-Type: application/json" -o /dev/null \
    -d "{\"name\": \"$repo\", \"storage_namespace\": \"${LAKEFS_TEST_NAMESPACE_ROOT}$repo\"}" "$api/repositories"
  echo "from the lakefs-mount package" >"$work/hello.txt"
  curl -fsS -u "$auth" -H "Content-Type: application/octet-stream" -o /dev/null --data-binary @"$work/hello.txt" \
    "$api/repositories/$repo/branches/main/objects?path=dir/hello.txt"
  curl -fsS -u "$auth" -H "Content-Type: application/json" -o /dev/null -d "{\"message\": \"hello\"}" \
    "$api/repositories/$repo/branches/main/commits"
  mkdir "$work/mnt"
  "$bin" "lakefs://$repo/main" "$work/mnt" --cache-dir "$work/mount-cache"
  cmp "$work/hello.txt" "$work/mnt/dir/hello.txt"
  daemon=$(pgrep -f -n "lakefs-mount lakefs://$repo/main ")
  fusermount3 -u "$work/mnt"
  # The daemon exits after the unmount (within 10 s), leaving no process behind.
  for ((i = 0; i < 100; i++)); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$daemon" 2>/dev/null; then echo "lakefs-mount ($daemon) still runs 10 s after the unmount"; exit 1; fi
  if "$bin" "lakefs://$repo-missing/main" "$work/mnt" --cache-dir "$work/mount-cache" 2>"$work/missing.txt"; then
    echo "mounting a repository that does not exist succeeded"; exit 1
  fi
  grep -q "$repo-missing" "$work/missing.txt" || { cat "$work/missing.txt"; exit 1; }
  curl -fsS -u "$auth" -X DELETE -o /dev/null "$api/repositories/$repo"
' bash "$repo" "$work" "$mount_bin"
echo "the packaged lakefs-mount mounted lakefs://$repo/main and read dir/hello.txt back"

echo "the Debian packages pass lintian, install into a scratch root and work with find_package and pkg-config"
