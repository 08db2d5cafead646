#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The release of the version that include/lakefs/version.hpp names (./dev release, which installs the packages
# and builds the servers first). It refuses, and builds nothing, when
#   - the work tree has uncommitted changes or untracked files: the archive is made from the commit, the
#     packages from the tree, and the two must be the same;
#   - CHANGELOG.md has no entry "## [<version>] - <YYYY-MM-DD>" for it.
# Then it writes into OUT_DIR (default build/release-<version>; emptied first):
#   lakefs-cpp-<version>.tar.gz   the source archive of HEAD (git archive; everything under lakefs-cpp-<version>/)
#   *.deb                         the Debian packages (preset "package", cpack -G DEB), all of this version
#   SHA256SUMS                    their SHA-256 sums (check with: sha256sum -c SHA256SUMS)
#   scripts/release.sh [OUT_DIR]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
version=$(sed -n 's/^#define LAKEFS_CPP_VERSION "\(.*\)"$/\1/p' include/lakefs/version.hpp)
[[ -n $version ]] || { echo "release: no LAKEFS_CPP_VERSION in include/lakefs/version.hpp" >&2; exit 1; }
out=${1:-$repo/build/release-$version}

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "release: $repo is not a git checkout: a release is made from a commit" >&2
  exit 1
fi
dirty=$(git status --porcelain --untracked-files=normal)
if [[ -n $dirty ]]; then
  echo "release: the work tree is not clean; commit or remove these first:" >&2
  echo "$dirty" >&2
  exit 3
fi
if ! grep -Eq "^## \[${version//./\\.}\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$" CHANGELOG.md; then
  echo "release: CHANGELOG.md has no entry '## [$version] - YYYY-MM-DD' for version $version" >&2
  exit 4
fi

rm -rf "$out"
mkdir -p "$out"
name=lakefs-cpp-$version
echo "== $name.tar.gz (git archive of $(git rev-parse --short HEAD))"
git archive --format=tar --prefix="$name/" HEAD | gzip -9n >"$out/$name.tar.gz"

echo "== the Debian packages (preset package)"
cmake --preset package >/dev/null
cmake --build --preset package >/dev/null
# cpack into a folder of its own, then only the packages are kept.
cpack --config build/package/CPackConfig.cmake -G DEB -B "$out/cpack" >/dev/null
mv "$out"/cpack/*.deb "$out/"
rm -rf "$out/cpack"
for deb in "$out"/*.deb; do
  deb_version=$(dpkg-deb -f "$deb" Version)
  [[ $deb_version == "$version-1" ]] || { echo "release: $deb has version $deb_version, not $version-1" >&2; exit 1; }
done

(cd "$out" && sha256sum -- *.tar.gz *.deb >SHA256SUMS)
echo "== $out"
(cd "$out" && ls -l -- * && sha256sum -c --quiet SHA256SUMS)
