#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Embedding: a separate project pulls lakefs-cpp in with FetchContent from a release's source archive, pinned by
# its SHA-256 (tests/embed/CMakeLists.txt), as the README shows; then
#   - lakefs-cpp's tests, examples and install rules stay off (LAKEFS_BUILD_TESTS/EXAMPLES, LAKEFS_INSTALL);
#   - its warning flags do not reach the parent's targets, and its targets do not clash with the parent's;
#   - the parent installs only its own files;
#   - the parent's program runs against the real lakeFS server of SERVER_DIR.
#   tests/embed/run.sh SOURCE_DIR SERVER_DIR
set -euo pipefail
src=$(cd "$1" && pwd) server=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The source archive a release ships (./dev release: git archive of a commit, under lakefs-cpp-<version>/), made
# here from this work tree as it stands, so that uncommitted changes are tested too.
version=$(sed -n 's/^#define LAKEFS_CPP_VERSION "\(.*\)"$/\1/p' "$src/include/lakefs/version.hpp")
archive=$work/lakefs-cpp-$version.tar.gz
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
   tar --null -T - --ignore-failed-read --transform "s|^|lakefs-cpp-$version/|" -czf "$archive")
sha256=$(sha256sum "$archive" | cut -d' ' -f1)
cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLAKEFS_ARCHIVE="$archive" \
      -DLAKEFS_ARCHIVE_SHA256="$sha256" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$work/configure.txt"
targets=$(cmake --build "$work/build" --target help)
for internal in lakefs_unit_tests lakefs_integration_tests quickstart; do
  if grep -q "^$internal:" <<<"$targets"; then
    echo "embedded lakefs-cpp defines $internal: its tests/examples should be off when nested"
    exit 1
  fi
done
cmake --build "$work/build" >/dev/null

# The SDK's own files are compiled with -Werror, the parent's are not.
python3 - "$work/build/compile_commands.json" <<'PY'
import json, sys
commands = json.load(open(sys.argv[1]))
def flags(name):
    return [c["command"] for c in commands if c["file"].endswith(name)]
assert flags("/lenient.cpp") and flags("/src/client.cpp"), "missing compile commands"
assert all("-Werror" not in c and "-Wpedantic" not in c for c in flags("/lenient.cpp") + flags("/consumer/main.cpp")), \
    "lakefs-cpp's warning flags leaked into the parent project"
assert all("-Werror" in c for c in flags("/src/client.cpp")), "lakefs-cpp's own sources lost their warning flags"
print("warning flags: on lakefs-cpp's sources only")
PY

cmake --install "$work/build" --prefix "$work/prefix" >/dev/null
installed=$(cd "$work/prefix" && find . -type f | sort)
if [[ $installed != "./bin/consumer" ]]; then
  echo "the parent's install also installed lakefs-cpp's files:"
  echo "$installed"
  exit 1
fi
echo "install: only the parent's own program"

"$src/tests/with-server-env.sh" "$server" "$work/build/consumer" --server
echo "FetchContent: lakefs-cpp embeds cleanly"
