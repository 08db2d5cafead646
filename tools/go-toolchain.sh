#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prints the bin directory of a Go toolchain new enough to build the pinned servers (the `go` line of
# tools/lakefs-server/go.mod: lakeFS 1.84.0 needs Go 1.26.4).
#   - The `go` on PATH, when it is at least that version.
#   - Otherwise that exact release, fetched once from the Go module proxy (where Go's own toolchain switching
#     gets it: the module golang.org/toolchain) into the cache outside git, and checked against the SHA-256
#     pinned below. Debian 12's golang-go (1.19) is too old for lakeFS 1.84, and too old to switch by itself.
#   tools/go-toolchain.sh
# Env: LAKEFS_CPP_CACHE  cache root (default: <repo>/.cache); GOPROXY  the first proxy of the list is used
#      (default https://proxy.golang.org).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${LAKEFS_CPP_CACHE:-$repo/.cache}
want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$repo/tools/lakefs-server/go.mod")

# SHA-256 of golang.org/toolchain@v0.0.1-go<want>.linux-<arch>.zip, as the proxy serves it (module zips never
# change once published). Update together with the go line of tools/lakefs-server/go.mod.
declare -A pinned=(
  [1.26.4-amd64]=0221cfe82f9c88c717677cb5c1f59f598d177cd7eac18c11f90ae29432d356f9
  [1.26.4-arm64]=546033959cfc917b439851f7bcd64e973dd18e83b1c333c6d609a891ed2b77a6
)

at_least() { [[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1) == "$2" ]]; }

if command -v go >/dev/null; then
  have=$(go env GOVERSION 2>/dev/null | sed -n 's/^go\([0-9.]*\).*/\1/p')
  if [[ -n $have ]] && at_least "$have" "$want"; then
    dirname "$(command -v go)"
    exit 0
  fi
fi

dir=$cache/go-$want
if [[ -x $dir/bin/go ]]; then
  echo "$dir/bin"
  exit 0
fi
case $(uname -m) in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) echo "go-toolchain.sh: no pinned Go $want for $(uname -m); install Go $want or newer on PATH" >&2; exit 1 ;;
esac
sha=${pinned[$want-$arch]:-}
[[ -n $sha ]] || { echo "go-toolchain.sh: no SHA-256 pinned for Go $want on $arch (see this script)" >&2; exit 1; }
proxy=${GOPROXY:-https://proxy.golang.org}
proxy=${proxy%%[,|]*}
[[ $proxy == http* ]] || proxy=https://proxy.golang.org
module=v0.0.1-go$want.linux-$arch
echo "fetching Go $want ($arch) from $proxy into $dir (first time only)..." >&2
rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
curl -fsSL --retry 3 -o "$dir.tmp/go.zip" "$proxy/golang.org/toolchain/@v/$module.zip"
echo "$sha  $dir.tmp/go.zip" | sha256sum -c --quiet - || { echo "go-toolchain.sh: checksum mismatch" >&2; exit 1; }
python3 "$repo/scripts/unzip.py" "$dir.tmp/go.zip" "$dir.tmp/go" "golang.org/toolchain@$module/"
rm -rf "$dir" && mv "$dir.tmp/go" "$dir" && rm -rf "$dir.tmp"
"$dir/bin/go" version >&2
echo "$dir/bin"
