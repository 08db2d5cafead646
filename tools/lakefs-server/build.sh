#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the pinned lakeFS server (and, when asked, lakectl) from the Go module
# proxy into a cache outside git. Idempotent: the build is skipped while the
# cached binaries were made from the same go.mod/go.sum (the stamp holds their
# hash).
#
# Usage: tools/lakefs-server/build.sh [--with-lakectl]   prints the bin directory
#        (lakectl only for the benchmarks, which compare with it; the tests need the server alone)
# Env:   LAKEFS_CPP_CACHE  cache root (default: <repo>/.cache)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${LAKEFS_CPP_CACHE:-$repo/.cache}
bin="$cache/lakefs-server/bin"
version=$(awk '$1 == "require" && $2 == "github.com/treeverse/lakefs" {print $3}' "$here/go.mod")
stamp_want=$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-32)
with_lakectl=false
[[ ${1:-} == --with-lakectl ]] && with_lakectl=true

if [[ -x "$bin/lakefs" && ($with_lakectl == false || -x "$bin/lakectl") &&
      "$(cat "$bin/.stamp" 2>/dev/null)" == "$stamp_want" ]]; then
  echo "$bin"
  exit 0
fi

# A Go new enough for the pin: the one on PATH, or the pinned release fetched once (tools/go-toolchain.sh).
go_bin=$("$repo/tools/go-toolchain.sh")
export PATH=$go_bin:$PATH GOTOOLCHAIN=local
mkdir -p "$bin"
echo "building lakeFS $version$($with_lakectl && echo ' and lakectl') into $bin (first time only)..." >&2
cd "$here"
# treeverse's forks (delta-go, secret-detector) are not in the public checksum
# database; go.sum (committed, matching lakeFS's own go.sum) verifies them.
export GONOSUMDB=github.com/treeverse GOFLAGS=-mod=readonly
ldflags="-s -w -X github.com/treeverse/lakefs/pkg/version.Version=${version#v}"
# The stamp is written after the builds: an interrupted build is redone.
rm -f "$bin/.stamp"
go build -trimpath -ldflags "$ldflags" -o "$bin/lakefs.tmp" github.com/treeverse/lakefs/cmd/lakefs
mv -f "$bin/lakefs.tmp" "$bin/lakefs"
if $with_lakectl; then
  go build -trimpath -ldflags "$ldflags" -o "$bin/lakectl.tmp" github.com/treeverse/lakefs/cmd/lakectl
  mv -f "$bin/lakectl.tmp" "$bin/lakectl"
fi
echo "$stamp_want" > "$bin/.stamp"
echo "$bin"
