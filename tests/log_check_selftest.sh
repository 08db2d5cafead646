#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The secret scan of the SDK's test-run log (scripts/lakefs-server.sh log-check) must fail on a log that
# leaks the server's key, its secret, the Basic form, a token or an Authorization header, and pass on a clean one.
set -euo pipefail
script=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
basic=$(printf '%s:%s' AKIAIOSFOLQUICKSTART 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' | base64 -w0)
for leak in "key AKIAIOSFOLQUICKSTART" "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" \
    "percent wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY" "basic $basic" "token eyJhbGciOiJIUzI1NiJ9.e30.x" \
    "Authorization: x" "url ?X-Amz-Signature=abc"; do
  echo "lakefs: debug: GET /config/version 200 1.0 ms, $leak" > "$dir/sdk-debug.log"
  if "$script" log-check "$dir" >/dev/null 2>&1; then
    echo "log-check passed a log that leaks: ${leak%% *}" >&2
    exit 1
  fi
done
echo "lakefs: debug: GET /repositories/r?after=<redacted> 200 1.0 ms, sent 0 B, received 10 B" > "$dir/sdk-debug.log"
"$script" log-check "$dir"
