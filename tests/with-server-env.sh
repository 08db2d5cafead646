#!/usr/bin/env bash
# Runs a command with the test server's endpoint and credentials in its
# environment (as a user would run an example):  with-server-env.sh DIR CMD...
set -euo pipefail
dir=$1
shift
# shellcheck disable=SC1091
source "$dir/env"
exec "$@"
