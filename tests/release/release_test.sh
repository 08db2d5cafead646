#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ./dev release's artefacts (scripts/release.sh), made into a scratch folder:
#   - on a clean tree (as in CI's fresh clone): the source archive, the three Debian packages of the version in
#     include/lakefs/version.hpp and SHA256SUMS that verifies them; the archive holds LICENSE, CHANGELOG.md and
#     the sources and no build output, and the packages carry the licence and the changelog;
#   - on a tree with uncommitted changes (a developer's): the refusal, with nothing built.
#   tests/release/release_test.sh SOURCE_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^#define LAKEFS_CPP_VERSION "\(.*\)"$/\1/p' "$src/include/lakefs/version.hpp")

if [[ -n $(git -C "$src" status --porcelain --untracked-files=normal) ]]; then
  rc=0
  "$src/scripts/release.sh" "$work/out" >"$work/log" 2>&1 || rc=$?
  cat "$work/log"
  [[ $rc == 3 ]] || { echo "a dirty tree: expected the refusal (exit 3), got $rc"; exit 1; }
  grep -q "the work tree is not clean" "$work/log"
  [[ ! -e $work/out ]] || { echo "the refusal built something"; exit 1; }
  echo "the work tree has uncommitted changes: ./dev release refused it, as it must (run on a clean tree for the artefacts)"
  exit 0
fi

"$src/scripts/release.sh" "$work/out"
cd "$work/out"
archive=lakefs-cpp-$version.tar.gz
ls "$archive" "liblakefs${version%.*}_$version-1_amd64.deb" "liblakefs-dev_$version-1_amd64.deb" \
   "lakefs-mount_$version-1_amd64.deb" SHA256SUMS
[[ $(ls | wc -l) == 5 ]] || { echo "unexpected files: $(ls)"; exit 1; }
sha256sum -c SHA256SUMS
[[ $(wc -l <SHA256SUMS) == 4 ]]
listing=$(tar -tzf "$archive")
for f in LICENSE CHANGELOG.md README.md CMakeLists.txt include/lakefs/lakefs.hpp; do
  grep -qx "lakefs-cpp-$version/$f" <<<"$listing" || { echo "$archive lacks $f"; exit 1; }
done
if grep -E "^lakefs-cpp-$version/(build|\.cache)/" <<<"$listing"; then
  echo "$archive holds build output"
  exit 1
fi
for deb in *.deb; do
  package=$(dpkg-deb -f "$deb" Package)
  dpkg-deb -x "$deb" "$work/unpacked"
  doc=$work/unpacked/usr/share/doc/$package
  grep -q "^License: Apache-2.0$" "$doc/copyright"
  zcat "$doc/changelog.Debian.gz" | head -1 | grep -q "^lakefs-cpp ($version-1) "
  zcat "$doc/changelog.gz" | grep -q "^## \[$version\] - "
done
echo "release $version: the archive, 3 packages and SHA256SUMS, all verified"
