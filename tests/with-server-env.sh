#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs a command with the test server's endpoint and credentials in its
# environment (as a user would run an example):  with-server-env.sh DIR CMD...
set -euo pipefail
dir=$1
shift
# shellcheck disable=SC1091
source "$dir/env"
# The SDK's debug lines go to one file that the sdk_log_check test searches for secrets.
export LAKEFS_LOG=${LAKEFS_LOG:-debug}
export LAKEFS_LOG_FILE=${LAKEFS_LOG_FILE:-$dir/sdk-debug.log}
exec "$@"
