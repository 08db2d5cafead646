#!/usr/bin/env bash
# Starts and stops the pinned lakeFS server (quickstart mode) for tests,
# examples and benchmarks, on a free 127.0.0.1 port with a fresh data dir.
#
#   scripts/lakefs-server.sh start DIR        start; DIR/env holds the endpoint and credentials
#   scripts/lakefs-server.sh stop DIR         stop it and delete DIR's data
#   scripts/lakefs-server.sh run DIR CMD...   start, run CMD with the env exported, stop (also on
#                                             failure, Ctrl-C or TERM); exits with CMD's status
#   scripts/lakefs-server.sh kill DIR         kill it abruptly (SIGKILL, like a crash) and KEEP DIR's data
#   scripts/lakefs-server.sh restart DIR      start it again on DIR's kept data and port (after kill)
#   scripts/lakefs-server.sh log-reset DIR    empty DIR/sdk-debug.log, the SDK's debug log of a test run
#   scripts/lakefs-server.sh log-check DIR    fail if DIR/sdk-debug.log holds a credential, a token or an
#                                             Authorization header (the tests log every request there)
#
# DIR/env exports LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID, LAKEFS_SECRET_ACCESS_KEY and
# LAKEFS_TEST_IMPORT_DIR (a directory the server may import from: local-blockstore import).
# Every outbound call of lakeFS (usage statistics, version and audit checks) is off or
# pointed at a closed loopback port: the server talks to nothing but its clients.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

usage() {
  echo "usage: $0 start DIR | stop DIR | run DIR CMD... | kill DIR | restart DIR | log-reset DIR | log-check DIR" >&2
  exit 2
}
(($# >= 2)) || usage
cmd=$1 dir=$2
shift 2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# The quickstart credentials are public, fixed values of lakeFS's quickstart mode.
quickstart_key=AKIAIOSFOLQUICKSTART
quickstart_secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop() {
  if [[ -f "$dir/pid" ]]; then
    local pid
    pid=$(cat "$dir/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # Nothing of this run survives it: data, metadata, cache and import sources.
  rm -rf "$dir/data" "$dir/import" "$dir/pid" "$dir/env" "$dir/config.yaml"
}

start() {
  stop  # a previous run that was killed hard may have left a server behind
  local bin port
  bin=$("$repo/tools/lakefs-server/build.sh")
  mkdir -p "$dir/data" "$dir/import"
  port=$(free_port)
  cat > "$dir/config.yaml" <<YAML
listen_address: "127.0.0.1:$port"
logging:
  level: WARN
  output: "$dir/lakefs.log"
database:
  type: local
  local:
    path: "$dir/data/metadata"
blockstore:
  type: local
  local:
    path: "$dir/data/block"
    import_enabled: true
    allowed_external_prefixes:
      - "$dir/import"  # a plain path: lakeFS compares it with the source path without its local:// scheme
committed:
  local_cache:
    dir: "$dir/data/cache"
stats:
  enabled: false
  address: "http://127.0.0.1:1"
security:
  check_latest_version: false
  audit_check_url: "http://127.0.0.1:1/audit"
YAML
  launch "$bin" "$port"
}

# Starts the server on DIR's config and data and waits until it is healthy.
launch() {
  local bin=$1 port=$2
  # setsid: the server gets its own process group, so nothing it spawns outlives stop().
  HOME="$dir/data" setsid "$bin/lakefs" run --quickstart -c "$dir/config.yaml" >"$dir/lakefs.out" 2>&1 </dev/null &
  echo $! > "$dir/pid"
  local endpoint="http://127.0.0.1:$port"
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "$endpoint/api/v1/healthcheck" 2>/dev/null; then
      cat > "$dir/env" <<ENV
export LAKEFS_ENDPOINT=$endpoint
export LAKEFS_ACCESS_KEY_ID=$quickstart_key
export LAKEFS_SECRET_ACCESS_KEY=$quickstart_secret
export LAKEFS_TEST_IMPORT_DIR=$dir/import
ENV
      echo "lakeFS listening on $endpoint (logs: $dir/lakefs.log)" >&2
      return 0
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "lakefs-server.sh: lakeFS did not become healthy; its output:" >&2
  tail -n 30 "$dir/lakefs.out" "$dir/lakefs.log" >&2 2>/dev/null || true
  stop
  return 1
}

kill_server() {
  if [[ -f "$dir/pid" ]]; then
    local pid
    pid=$(cat "$dir/pid")
    kill -KILL "$pid" 2>/dev/null || true
    # Gone, or a zombie nobody has reaped yet (it holds no port or file then).
    for _ in $(seq 1 100); do [[ $(ps -o stat= -p "$pid" 2>/dev/null) == [^Z]* ]] || break; sleep 0.1; done
  fi
  rm -f "$dir/pid" "$dir/env"  # data and config stay for restart
}

restart() {
  [[ -f "$dir/config.yaml" && -d "$dir/data" ]] || { echo "lakefs-server.sh: nothing to restart in $dir" >&2; return 1; }
  kill_server
  local bin port
  bin=$("$repo/tools/lakefs-server/build.sh")
  port=$(sed -n 's/^listen_address: "127.0.0.1:\([0-9]*\)"$/\1/p' "$dir/config.yaml")
  launch "$bin" "$port"
}

# Every SDK client of a test run writes its debug lines to DIR/sdk-debug.log (LAKEFS_LOG=debug and
# LAKEFS_LOG_FILE, set by the test support code and tests/with-server-env.sh). After the run, no line
# may hold the server's key id or secret (plain, percent-encoded or as the Basic base64 form), a
# token lakeFS issued (JWTs start "eyJ"), an Authorization header or a pre-signed URL's signature.
log_check() {
  local log="$dir/sdk-debug.log"
  if [[ ! -s $log ]]; then
    echo "log-check: $log is empty: no SDK request was logged in this run (nothing to check)"
    return 0
  fi
  local encoded_secret basic
  encoded_secret=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$quickstart_secret")
  basic=$(printf '%s:%s' "$quickstart_key" "$quickstart_secret" | base64 -w0)
  local found=0 index=0 needle
  for needle in "$quickstart_key" "$quickstart_secret" "$encoded_secret" "$basic" "${basic%%=*}" eyJ \
      Authorization authorization Bearer X-Amz-Signature X-Amz-Credential Signature= Credential=; do
    index=$((index + 1))
    if grep -qF -- "$needle" "$log"; then
      echo "log-check: $log holds a credential or credential header (pattern #$index of log_check's list); lines:" >&2
      grep -nF -- "$needle" "$log" | head -n 3 | sed 's/^\([0-9]*\):.*/  line \1/' >&2
      found=$((found + 1))
    fi
  done
  local lines
  lines=$(wc -l < "$log")
  ((found == 0)) || return 1
  echo "log-check: $lines SDK log lines, no credential in any"
}

case $cmd in
  start) start ;;
  log-reset) : > "$dir/sdk-debug.log" ;;
  log-check) log_check ;;
  stop) stop ;;
  kill) kill_server ;;
  restart) restart ;;
  run)
    (($# >= 1)) || usage
    trap stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start
    # shellcheck disable=SC1091
    source "$dir/env"
    status=0
    "$@" || status=$?
    exit $status
    ;;
  *) usage ;;
esac
