#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the pinned S3-compatible object-store server (versitygw, whose posix
# backend serves buckets from a local directory) from the Go module proxy into
# a cache outside git. Idempotent: skipped while the cached binary was made
# from the same go.mod/go.sum (the stamp holds their hash).
#
# Usage: tools/s3-server/build.sh          prints the bin directory
# Env:   LAKEFS_CPP_CACHE  cache root (default: <repo>/.cache)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${LAKEFS_CPP_CACHE:-$repo/.cache}
bin="$cache/s3-server/bin"
version=$(awk '$1 == "require" && $2 == "github.com/versity/versitygw" {print $3}' "$here/go.mod")
stamp_want=$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-32)

if [[ -x "$bin/versitygw" && "$(cat "$bin/.stamp" 2>/dev/null)" == "$stamp_want" ]]; then
  echo "$bin"
  exit 0
fi

# A Go new enough for the pin: the one on PATH, or the pinned release fetched once (tools/go-toolchain.sh).
go_bin=$("$repo/tools/go-toolchain.sh")
export PATH=$go_bin:$PATH GOTOOLCHAIN=local
mkdir -p "$bin"
echo "building versitygw $version into $bin (first time only)..." >&2
cd "$here"
export GOFLAGS=-mod=readonly
go build -trimpath -ldflags "-s -w" -o "$bin/versitygw.tmp" github.com/versity/versitygw/cmd/versitygw
mv -f "$bin/versitygw.tmp" "$bin/versitygw"
echo "$stamp_want" > "$bin/.stamp"
echo "$bin"
