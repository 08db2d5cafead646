#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts and stops the pinned lakeFS server for tests, examples and benchmarks,
# on a free 127.0.0.1 port with a fresh data dir, in one of two topologies:
#   quickstart  (default) lakeFS's quickstart mode: local KV store, local block store
#   s3          production-like: lakeFS on PostgreSQL 15 (Debian) with an S3-compatible object store
#               (versitygw, built from the Go module proxy by tools/s3-server/build.sh) holding the
#               data; clients transfer data straight to and from it through pre-signed URLs
# Choose with `--topology s3` after DIR, or LAKEFS_TEST_TOPOLOGY=s3. Every process of a run
# (PostgreSQL, the S3 server, lakeFS) listens on 127.0.0.1 only and is stopped by `stop`.
#
#   scripts/lakefs-server.sh start DIR [--topology T]   start; DIR/env holds the endpoint and credentials
#   scripts/lakefs-server.sh stop DIR         stop it and delete DIR's data
#   scripts/lakefs-server.sh run DIR [--topology T] CMD...   start, run CMD with the env exported, stop (also on
#                                             failure, Ctrl-C or TERM); exits with CMD's status
#   scripts/lakefs-server.sh kill DIR         kill it abruptly (SIGKILL, like a crash) and KEEP DIR's data
#   scripts/lakefs-server.sh restart DIR      start it again on DIR's kept data and port (after kill)
#   scripts/lakefs-server.sh log-reset DIR    empty DIR/sdk-debug.log, the SDK's debug log of a test run
#   scripts/lakefs-server.sh log-check DIR    fail if DIR/sdk-debug.log holds a credential, a token or an
#                                             Authorization header (the tests log every request there)
#
# DIR/env exports LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID, LAKEFS_SECRET_ACCESS_KEY,
# LAKEFS_TEST_TOPOLOGY, LAKEFS_TEST_NAMESPACE_ROOT (what a test repository's name is appended to
# for its storage namespace: local:// or s3://BUCKET/), LAKEFS_TEST_IMPORT_DIR (a local directory whose files the server can
# import) and LAKEFS_TEST_IMPORT_URI (the same files as lakeFS addresses them: local://DIR or
# s3://BUCKET/import, the S3 server's bucket being a plain directory). The s3 topology adds
# LAKEFS_TEST_S3_ENDPOINT and LAKEFS_TEST_S3_ACCESS_LOG (the S3 server's access log: every request
# that reached the object store, and whether it was signed in the query, i.e. pre-signed).
# Every outbound call of lakeFS (usage statistics, version and audit checks) is off or
# pointed at a closed loopback port: the server talks to nothing but its clients.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

usage() {
  echo "usage: $0 start DIR [--topology quickstart|s3] | stop DIR | run DIR [--topology T] CMD... | kill DIR |" \
    "restart DIR | log-reset DIR | log-check DIR" >&2
  exit 2
}
(($# >= 2)) || usage
cmd=$1 dir=$2
shift 2
topology=${LAKEFS_TEST_TOPOLOGY:-quickstart}
if [[ ${1:-} == --topology ]]; then
  (($# >= 2)) || usage
  topology=$2
  shift 2
fi
[[ $topology == quickstart || $topology == s3 ]] || { echo "lakefs-server.sh: unknown topology '$topology'" >&2; usage; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# The quickstart credentials are public, fixed values of lakeFS's quickstart mode.
quickstart_key=AKIAIOSFOLQUICKSTART
quickstart_secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Ends the process whose pid is in FILE: TERM, then KILL after 10 s.
stop_pid_file() {
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop() {
  stop_pid_file "$dir/pid"
  stop_pid_file "$dir/s3.pid"
  stop_postgres
  # Nothing of this run survives it: data, metadata, cache, the database, the bucket and import sources.
  rm -rf "$dir/data" "$dir/import" "$dir/pg" "$dir/s3" "$dir/pid" "$dir/env" "$dir/config.yaml" "$dir/topology"
}

stop_postgres() {
  local root
  root=$(cat "$dir/pg/cluster" 2>/dev/null) || return 0
  if [[ -f "$root/data/postmaster.pid" ]]; then
    if ! runuser -u "$pg_user" -- "$pg_bin/pg_ctl" stop -D "$root/data" -m fast -w -t 20 >/dev/null 2>&1; then
      head -n1 "$root/data/postmaster.pid" > "$dir/pg/pid" && stop_pid_file "$dir/pg/pid"
    fi
  fi
  if [[ $root == /tmp/lakefs-cpp-pg.* ]]; then rm -rf "$root"; fi
}

start() {
  stop  # a previous run that was killed hard may have left a server behind
  local bin port
  bin=$("$repo/tools/lakefs-server/build.sh")
  mkdir -p "$dir/data"
  port=$(free_port)
  echo "$topology" > "$dir/topology"
  local database blockstore
  if [[ $topology == s3 ]]; then
    start_postgres
    start_s3_server
    database="database:
  type: postgres
  postgres:
    connection_string: \"postgres://lakefs@127.0.0.1:$(cat "$dir/pg/port")/lakefs?sslmode=disable\""
    blockstore="blockstore:
  type: s3
  s3:
    endpoint: \"$(s3_endpoint)\"
    force_path_style: true
    region: us-east-1
    discover_bucket_region: false
    pre_signed_expiry: \"${LAKEFS_TEST_PRESIGN_EXPIRY:-15m}\"
    credentials:
      access_key_id: \"$s3_key\"
      secret_access_key: \"$s3_secret\""
  else
    mkdir -p "$dir/import"
    database="database:
  type: local
  local:
    path: \"$dir/data/metadata\""
    # allowed_external_prefixes: a plain path, which lakeFS compares with the source path without
    # its local:// scheme.
    blockstore="blockstore:
  type: local
  local:
    path: \"$dir/data/block\"
    import_enabled: true
    allowed_external_prefixes:
      - \"$dir/import\""
  fi
  cat > "$dir/config.yaml" <<YAML
listen_address: "127.0.0.1:$port"
logging:
  level: WARN
  output: "$dir/lakefs.log"
$database
$blockstore
auth:
  encrypt:
    secret_key: "lakefs-cpp-test-run-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
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
  if [[ $topology == s3 ]]; then
    # With a database, lakeFS creates its admin user through `lakefs setup` (the quickstart
    # keys, so that every test and log check works the same on both topologies).
    if ! HOME="$dir/data" "$bin/lakefs" setup -c "$dir/config.yaml" --user-name admin \
        --access-key-id "$quickstart_key" --secret-access-key "$quickstart_secret" >"$dir/setup.out" 2>&1; then
      echo "lakefs-server.sh: lakefs setup failed:" >&2
      grep -v -e "$quickstart_secret" "$dir/setup.out" | tail -n 20 >&2
      stop
      return 1
    fi
  fi
  launch "$bin" "$port"
}

pg_bin=/usr/lib/postgresql/15/bin
pg_user=postgres  # PostgreSQL refuses to run as root; the Debian package's system user runs it

# A fresh PostgreSQL 15 cluster on a free 127.0.0.1 port (TCP only, no socket file), with a database
# "lakefs" owned by a role "lakefs" (trust authentication on loopback). Its files live in a private
# directory under /tmp owned by the PostgreSQL user (named in DIR/pg/cluster): the user needs no access
# to DIR or the directories above it, whose permissions stay as they are.
start_postgres() {
  [[ -x $pg_bin/initdb ]] || { echo "lakefs-server.sh: PostgreSQL 15 is missing (scripts/bootstrap.sh installs it)" >&2; return 1; }
  id -u "$pg_user" >/dev/null 2>&1 || { echo "lakefs-server.sh: no '$pg_user' system user to run PostgreSQL as" >&2; return 1; }
  local pg_port root
  pg_port=$(free_port)
  mkdir -p "$dir/pg"
  root=$(mktemp -d /tmp/lakefs-cpp-pg.XXXXXX)
  echo "$root" > "$dir/pg/cluster"
  chown "$pg_user" "$root"
  runuser -u "$pg_user" -- "$pg_bin/initdb" -D "$root/data" -U lakefs -A trust -E UTF8 --no-sync >"$dir/pg/initdb.log" 2>&1 ||
    { echo "lakefs-server.sh: initdb failed:" >&2; tail -n 20 "$dir/pg/initdb.log" >&2; return 1; }
  echo "$pg_port" > "$dir/pg/port"
  runuser -u "$pg_user" -- "$pg_bin/pg_ctl" start -D "$root/data" -w -t 60 -l "$root/postgres.log" \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null || { echo "lakefs-server.sh: PostgreSQL did not start:" >&2; tail -n 20 "$root/postgres.log" >&2; return 1; }
  runuser -u "$pg_user" -- "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U lakefs -d postgres -qAt \
    -c "CREATE DATABASE lakefs" >/dev/null
}

# The S3 server's root credentials: fixed test values (it listens on loopback only), so that log-check can
# look for them in the SDK's log even after the server is gone.
s3_key=LAKEFSCPPTESTS3ROOT
s3_secret=lakefs-cpp-test-s3-root-secret-0123
s3_bucket=lakefs-cpp-test
s3_endpoint() { echo "http://127.0.0.1:$(cat "$dir/s3/port")"; }

# The S3-compatible server (versitygw, posix backend: a bucket is a directory of DIR/s3/buckets) on a
# free 127.0.0.1 port, with one bucket created through the S3 API. Its access log records every
# request with its URI and User-Agent: a pre-signed request carries X-Amz-Signature= in the URI
# (versitygw v1.8.0 logs "AuthHeader" as the authentication type of every SigV4 request, pre-signed
# or not, so that field does not tell them apart).
start_s3_server() {
  local s3bin port secret=$s3_secret
  s3bin=$("$repo/tools/s3-server/build.sh")
  mkdir -p "$dir/s3/buckets"
  port=$(free_port)
  echo "$port" > "$dir/s3/port"
  # --keep-alive: without it the server closes every connection after one response.
  ROOT_ACCESS_KEY_ID=$s3_key ROOT_SECRET_ACCESS_KEY=$secret setsid "$s3bin/versitygw" --port "127.0.0.1:$port" \
    --keep-alive --quiet --access-log "$dir/s3/access.log" posix "$dir/s3/buckets" >"$dir/s3/server.out" 2>&1 </dev/null &
  echo $! > "$dir/s3.pid"
  local endpoint
  endpoint=$(s3_endpoint)
  for _ in $(seq 1 100); do
    # Creating the bucket through the S3 API (a header-signed request; the server wants the
    # x-amz-content-sha256 header) is also the readiness check.
    if curl -fsS -o /dev/null -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$s3_key:$secret" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$endpoint/$s3_bucket" 2>/dev/null; then
      mkdir -p "$dir/s3/buckets/$s3_bucket/import"
      return 0
    fi
    kill -0 "$(cat "$dir/s3.pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "lakefs-server.sh: the S3 server did not start:" >&2
  tail -n 20 "$dir/s3/server.out" >&2
  return 1
}

# Starts the server on DIR's config and data and waits until it is healthy.
launch() {
  local bin=$1 port=$2
  local quickstart=--quickstart
  [[ $(cat "$dir/topology" 2>/dev/null) == s3 ]] && quickstart=
  # setsid: the server gets its own process group, so nothing it spawns outlives stop().
  HOME="$dir/data" setsid "$bin/lakefs" run $quickstart -c "$dir/config.yaml" >"$dir/lakefs.out" 2>&1 </dev/null &
  echo $! > "$dir/pid"
  local endpoint="http://127.0.0.1:$port"
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "$endpoint/api/v1/healthcheck" 2>/dev/null; then
      write_env "$endpoint"
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

write_env() {
  local endpoint=$1
  {
    echo "export LAKEFS_ENDPOINT=$endpoint"
    echo "export LAKEFS_ACCESS_KEY_ID=$quickstart_key"
    echo "export LAKEFS_SECRET_ACCESS_KEY=$quickstart_secret"
    if [[ $(cat "$dir/topology" 2>/dev/null) == s3 ]]; then
      echo "export LAKEFS_TEST_TOPOLOGY=s3"
      echo "export LAKEFS_TEST_NAMESPACE_ROOT=s3://$s3_bucket/"
      echo "export LAKEFS_TEST_IMPORT_DIR=$dir/s3/buckets/$s3_bucket/import"
      echo "export LAKEFS_TEST_IMPORT_URI=s3://$s3_bucket/import"
      echo "export LAKEFS_TEST_S3_ENDPOINT=$(s3_endpoint)"
      echo "export LAKEFS_TEST_S3_ACCESS_LOG=$dir/s3/access.log"
    else
      echo "export LAKEFS_TEST_TOPOLOGY=quickstart"
      echo "export LAKEFS_TEST_NAMESPACE_ROOT=local://"
      echo "export LAKEFS_TEST_IMPORT_DIR=$dir/import"
      echo "export LAKEFS_TEST_IMPORT_URI=local://$dir/import"
    fi
  } > "$dir/env"
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
# token lakeFS issued (JWTs start "eyJ"), an Authorization header, the S3 server's root key id or secret
# (a pre-signed URL carries the key id) or a pre-signed URL's signature.
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
  for needle in "$quickstart_key" "$quickstart_secret" "$encoded_secret" "$basic" "${basic%%=*}" eyJ "$s3_key" "$s3_secret" \
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
