#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""lakefs-mount against the real lakeFS server: real programs on a real FUSE mount.

  run.py SUITE --mount BIN --fixture BIN --server-dir DIR --scripts DIR --work DIR

SUITE is one of
  programs   ls -R, find | wc -l, cat/sha256sum against the SDK's download, tail -c, dd skip=, Python's csv module,
             8 concurrent readers, EROFS for writes, modes, a tag mount, errors at mount time, SIGINT/SIGTERM and
             fusermount3 -u leaving no process and no mount behind
  follow     a branch followed with --follow: new commits show up, a file opened before keeps its snapshot, and a
             mount without --follow stays pinned
  footer     the last 64 KiB of a 1 GiB object through a byte-counting loopback proxy: at most two blocks on the wire
  failure    a server of its own, killed in the middle of a read (EIO, within the timeouts, no crash) and
             restarted (the same mount reads again)
  s3         the s3 topology: reads go straight to the object store through pre-signed URLs and match the SDK

The server's endpoint and credentials come from DIR/env (scripts/lakefs-server.sh); every mount is unmounted and
every process this script started is stopped, also when a check fails.
"""
import argparse
import csv
import errno
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time

ARGS = None
MOUNTS = []  # mount points to unmount at the end
PROCS = []  # processes to stop at the end
FAILURES = []


def load_env(server_dir):
    env = dict(os.environ)
    with open(os.path.join(server_dir, "env")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("export ") and "=" in line:
                key, value = line[len("export "):].split("=", 1)
                env[key] = value
    env.setdefault("LAKEFS_LOG", "debug")
    env.setdefault("LAKEFS_LOG_FILE", os.path.join(server_dir, "sdk-debug.log"))
    return env


def check(condition, what):
    if condition:
        print(f"  ok    {what}")
    else:
        print(f"  FAIL  {what}")
        FAILURES.append(what)
    return condition


def run(cmd, env=None, timeout=120, **kw):
    return subprocess.run(cmd, env=env, timeout=timeout, capture_output=True, **kw)


def fixture(env, *args):
    out = run([ARGS.fixture, *args], env=env, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"mount_fixture {' '.join(args)}: {out.stderr.decode()}")
    return out.stdout.decode().strip()


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def is_mounted(mountpoint):
    with open("/proc/mounts") as f:
        return any(line.split()[1] == mountpoint for line in f)


def mount_pids(mountpoint):
    """Live lakefs-mount processes serving `mountpoint` (zombies excluded)."""
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and argv and argv[0].endswith(b"lakefs-mount") and mountpoint.encode() in argv:
            pids.append(int(pid))
    return pids


def wait_until(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def mount(env, uri, name, *options, expect_ok=True):
    """Mounts `uri` at WORK/name as a daemon; returns the mount point."""
    mountpoint = os.path.join(ARGS.work, name)
    os.makedirs(mountpoint, exist_ok=True)
    cache = os.path.join(ARGS.work, "cache-" + name)
    cmd = [ARGS.mount, uri, mountpoint, "--cache-dir", cache, *options]
    out = run(cmd, env=env, timeout=120)
    if expect_ok:
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr.decode()}")
        MOUNTS.append(mountpoint)
        if not is_mounted(mountpoint):
            raise RuntimeError(f"{mountpoint} is not in /proc/mounts after lakefs-mount returned")
    return mountpoint, out


def unmount(mountpoint):
    """fusermount3 -u; then the daemon must exit and the mount be gone."""
    pids = mount_pids(mountpoint)
    out = run(["fusermount3", "-u", mountpoint], timeout=60)
    gone = wait_until(lambda: not is_mounted(mountpoint) and not mount_pids(mountpoint), 30)
    if mountpoint in MOUNTS:
        MOUNTS.remove(mountpoint)
    return out.returncode == 0 and gone and bool(pids)


def stats(mountpoint):
    text = os.getxattr(mountpoint, "user.lakefs.stats").decode()
    return {k: v for k, v in (line.split(" ", 1) for line in text.splitlines() if " " in line)}


def unique(prefix):
    return f"{prefix}-{os.getpid()}-{int(time.time() * 1000) % 100000000}"


# ---------------------------------------------------------------------------------------------------------------


def suite_programs(env):
    repo = unique("mount-programs")
    count = int(fixture(env, "populate", repo))
    mnt, _ = mount(env, f"lakefs://{repo}/main", "main")

    out = run(["ls", "-R", mnt])
    check(out.returncode == 0 and b"people.csv" in out.stdout and b"file7.bin" in out.stdout, "ls -R lists the tree")
    out = run(["sh", "-c", f"find '{mnt}' -type f | wc -l"])
    check(out.returncode == 0 and int(out.stdout) == count, f"find | wc -l is the object count ({count})")
    out = run(["find", mnt, "-type", "l"])
    check(out.returncode == 0 and out.stdout == b"", "no symlinks")

    downloads = os.path.join(ARGS.work, "downloads-" + repo)
    os.makedirs(downloads, exist_ok=True)
    files = ["big/three.bin", "tables/people.csv", "docs/read me.txt", "empty", "dir3/sub2/file5.bin",
             "parallel/p15.bin"]
    for path in files:
        local = os.path.join(downloads, path.replace("/", "_"))
        fixture(env, "download", repo, "main", path, local)
        out = run(["sha256sum", os.path.join(mnt, path)])
        check(out.returncode == 0 and out.stdout.split()[0].decode() == sha256(local),
              f"sha256sum of {path} on the mount equals the SDK's download")
    big = os.path.join(downloads, "big_three.bin")
    with open(big, "rb") as f:
        whole = f.read()
    out = run(["cat", os.path.join(mnt, "big/three.bin")])
    check(out.stdout == whole, "cat big/three.bin (3 MiB + 12345, four blocks) is byte-identical")
    out = run(["tail", "-c", "100000", os.path.join(mnt, "big/three.bin")])
    check(out.returncode == 0 and out.stdout == whole[-100000:], "tail -c 100000 matches the object's end")
    out = run(["dd", f"if={os.path.join(mnt, 'big/three.bin')}", "bs=4096", "skip=500", "count=100", "status=none"])
    check(out.returncode == 0 and out.stdout == whole[500 * 4096:600 * 4096], "dd bs=4096 skip=500 count=100")

    script = ("import csv,sys\nwith open(sys.argv[1], newline='') as f:\n"
              "    rows = list(csv.DictReader(f))\nprint(len(rows), rows[1]['name'], rows[2]['city'])")
    out = run([sys.executable, "-c", script, os.path.join(mnt, "tables/people.csv")])
    check(out.stdout.decode().strip() == "3 Grace Helsinki", "Python's csv module reads tables/people.csv")

    # Eight readers at once, each a different file.
    expected = {}
    for i in range(8):
        local = os.path.join(downloads, f"p{i}.bin")
        fixture(env, "download", repo, "main", f"parallel/p{i}.bin", local)
        expected[i] = sha256(local)
    readers = [subprocess.Popen(["sha256sum", os.path.join(mnt, f"parallel/p{i}.bin")], stdout=subprocess.PIPE)
               for i in range(8)]
    results = [r.communicate(timeout=120)[0].split()[0].decode() for r in readers]
    check(all(results[i] == expected[i] for i in range(8)), "8 concurrent readers of different files all match")

    st = os.stat(os.path.join(mnt, "tables/people.csv"))
    size = os.path.getsize(os.path.join(downloads, "tables_people.csv"))
    check(oct(st.st_mode & 0o777) == "0o444" and st.st_size == size, "a file is 0444 with the object's size")
    check(oct(os.stat(os.path.join(mnt, "dir0")).st_mode & 0o777) == "0o555", "a directory is 0555")
    check(os.getxattr(os.path.join(mnt, "empty"), "user.lakefs.key") == b"empty", "user.lakefs.key names the object")

    def errno_of(action):
        try:
            action()
        except OSError as e:
            return e.errno
        return 0

    check(errno_of(lambda: os.open(os.path.join(mnt, "new"), os.O_WRONLY | os.O_CREAT, 0o644)) == errno.EROFS,
          "creating a file: EROFS")
    check(errno_of(lambda: os.open(os.path.join(mnt, "empty"), os.O_WRONLY)) == errno.EROFS,
          "opening a file for writing: EROFS")
    check(errno_of(lambda: os.mkdir(os.path.join(mnt, "d"))) == errno.EROFS, "mkdir: EROFS")
    check(errno_of(lambda: os.remove(os.path.join(mnt, "empty"))) == errno.EROFS, "rm: EROFS")
    check(errno_of(lambda: os.rename(os.path.join(mnt, "empty"), os.path.join(mnt, "e2"))) == errno.EROFS,
          "rename: EROFS")
    check(errno_of(lambda: os.stat(os.path.join(mnt, "no/such/file"))) == errno.ENOENT, "a missing path: ENOENT")

    # A tag is a mount of its own; a prefix mounts a subtree.
    tag, _ = mount(env, f"lakefs://{repo}/v1", "tag")
    out = run(["sh", "-c", f"find '{tag}' -type f | wc -l"])
    check(int(out.stdout) == count, "a tag mounts the same tree")
    sub, _ = mount(env, f"lakefs://{repo}/main/dir2/", "prefix")
    check(sorted(os.listdir(sub)) == ["sub0", "sub1", "sub2", "sub3"], "a prefix mounts its subtree as the root")

    # Directory entries in memory are bounded: beyond --max-entries the least recently used directories are
    # forgotten (and listed again when needed), never the one just listed (parallel/ holds 16 entries).
    small, _ = mount(env, f"lakefs://{repo}/main", "small", "--max-entries", "10")
    out = run(["sh", "-c", f"find '{small}' -type f | wc -l"])
    held = stats(small)
    check(int(out.stdout) == count and int(held["entries"]) <= 16,
          f"--max-entries 10: find still sees {count} files, {held['entries']} entries held")
    check(unmount(small), "unmounted")

    # Errors at mount time: a message, exit status 1, nothing mounted.
    for uri, options, message in [
        (f"lakefs://{repo}/no-such-ref", [], "has no branch, tag or commit 'no-such-ref'"),
        (f"lakefs://no-such-repo-{os.getpid()}/main", [], "does not exist"),
        (f"lakefs://{repo}/v1", ["--follow=5"], "--follow needs a branch"),
        (f"lakefs://{repo}/main/no/such/prefix/", [], "no object lies under"),
        ("s3://x/y", [], "is not a lakefs:// URI"),
    ]:
        bad, out = mount(env, uri, "bad", *options, expect_ok=False)
        check(out.returncode != 0 and message in out.stderr.decode() and not is_mounted(bad),
              f"mounting {uri} {' '.join(options)} fails: {message}")
    bad_creds = dict(env, LAKEFS_SECRET_ACCESS_KEY="wrong-secret")
    bad, out = mount(bad_creds, f"lakefs://{repo}/main", "bad", expect_ok=False)
    check(out.returncode != 0 and "401" in out.stderr.decode() and "wrong-secret" not in out.stderr.decode(),
          "wrong credentials fail at mount time (HTTP 401), the secret not shown")
    _, out = mount(env, f"lakefs://{repo}/main", "busy", "--cache-dir", os.path.join(ARGS.work, "cache-main"),
                   expect_ok=False)
    check(out.returncode != 0 and "in use by another lakefs-mount" in out.stderr.decode(),
          "a cache directory in use by another mount is refused")
    out = run([ARGS.mount, "--help"])
    check(out.returncode == 0 and b"Usage: lakefs-mount lakefs://REPOSITORY/REF" in out.stdout, "--help")

    # Clean unmounts: fusermount3 -u (daemon), SIGTERM (daemon), SIGINT (foreground).
    check(unmount(tag), "fusermount3 -u: the mount and its process are gone")
    pids = mount_pids(sub)
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    check(bool(pids) and wait_until(lambda: not is_mounted(sub) and not mount_pids(sub), 30),
          "SIGTERM: the daemon unmounts and exits")
    MOUNTS.remove(sub)
    fg_point = os.path.join(ARGS.work, "foreground")
    os.makedirs(fg_point, exist_ok=True)
    fg = subprocess.Popen([ARGS.mount, f"lakefs://{repo}/main", fg_point, "-f", "--cache-dir",
                           os.path.join(ARGS.work, "cache-fg")], env=env, stderr=subprocess.PIPE)
    PROCS.append(fg)
    mounted = wait_until(lambda: is_mounted(fg_point), 60)
    ok = mounted and os.path.exists(os.path.join(fg_point, "tables/people.csv"))
    fg.send_signal(signal.SIGINT)
    code = fg.wait(timeout=30)
    check(ok and code == 0 and not is_mounted(fg_point), "-f then SIGINT: mounted, then unmounted, exit status 0")
    check(unmount(mnt), "fusermount3 -u of the main mount")

    # The disk cache across mounts: a file read whole with --cache-fill all reads back after remounting from the
    # cache alone, byte for byte (its FUSE replies spliced from the cache's file).
    cached, _ = mount(env, f"lakefs://{repo}/main", "cached", "--cache-fill", "all")
    out = run(["sha256sum", os.path.join(cached, "big/three.bin")])
    check(out.stdout.split()[0].decode() == sha256(big) and unmount(cached), "read whole, then unmounted")
    cached, _ = mount(env, f"lakefs://{repo}/main", "cached")
    out = run(["cat", os.path.join(cached, "big/three.bin")])
    held = stats(cached)
    check(out.stdout == whole and held["blocks_fetched"] == "0" and int(held["disk_hits"]) >= 4,
          "after remounting, big/three.bin reads back byte-identical from the disk cache alone "
          f"({held['disk_hits']} disk hits, {held['blocks_fetched']} blocks fetched)")
    check(unmount(cached), "unmounted")


def suite_follow(env):
    repo = unique("mount-follow")
    fixture(env, "populate", repo)
    pinned, _ = mount(env, f"lakefs://{repo}/main", "pinned")
    follow, _ = mount(env, f"lakefs://{repo}/main", "follow", "--follow=1")
    path = "tables/people.csv"
    with open(os.path.join(pinned, path), "rb") as f:
        original = f.read()
    held = open(os.path.join(follow, path), "rb")  # opened before the branch moves
    commit = fixture(env, "change", repo, path, "name\nchanged\n")

    def follow_sees_change():
        with open(os.path.join(follow, path), "rb") as f:
            return f.read() == b"name\nchanged\n"

    check(wait_until(follow_sees_change, 20), "--follow=1: a file opened after the commit shows the new content")
    check(os.getxattr(follow, "user.lakefs.commit").decode() == commit, "--follow: the mount is at the new commit")
    check(held.read() == original, "a file opened before the re-pin keeps reading its snapshot")
    held.close()
    with open(os.path.join(pinned, path), "rb") as f:
        check(f.read() == original, "without --follow the mount stays at the commit it was mounted at")
    check(stats(follow).get("repins") == "1", "one re-pin for one commit")
    check(unmount(follow) and unmount(pinned), "both unmounted")


class CountingProxy:
    """A loopback TCP proxy that counts the bytes the server sends back."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.down = 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True), daemon=True).start()

    def _pipe(self, src, dst, count):
        try:
            while data := src.recv(1 << 16):
                if count:
                    with self.lock:
                        self.down += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def bytes_down(self):
        with self.lock:
            return self.down


def suite_footer(env):
    repo = unique("mount-footer")
    fixture(env, "populate", repo)
    tail_file = os.path.join(ARGS.work, "footer-tail.bin")
    fixture(env, "big", repo, "huge/one.bin", "1024", tail_file)
    with open(tail_file, "rb") as f:
        expected_tail = f.read()
    port = int(env["LAKEFS_ENDPOINT"].rsplit(":", 1)[1].split("/")[0])
    proxy = CountingProxy(port)
    proxied = dict(env, LAKEFS_ENDPOINT=f"http://127.0.0.1:{proxy.port}")
    block = 1 << 20
    mnt, _ = mount(proxied, f"lakefs://{repo}/main", "footer", "--block-size", "1M")
    path = os.path.join(mnt, "huge/one.bin")
    check(os.stat(path).st_size == 1 << 30, "the object is 1 GiB")
    before = proxy.bytes_down()
    out = run(["tail", "-c", "65536", path])
    on_wire = proxy.bytes_down() - before
    check(out.returncode == 0 and out.stdout == expected_tail, "tail -c 65536 returns the object's last 64 KiB")
    fetched = int(stats(mnt)["bytes_fetched"])
    print(f"        footer read: {on_wire} bytes from the server on the wire, {fetched} bytes of blocks")
    check(fetched <= 2 * block, f"at most two blocks fetched ({fetched} bytes)")
    # Two blocks, plus the HTTP heads of their responses.
    check(on_wire <= 2 * block + 16 * 1024, f"at most two blocks on the wire ({on_wire} bytes)")
    check(unmount(mnt), "unmounted")


def suite_failure(env_base):
    server_dir = os.path.join(ARGS.work, "own-server")
    script = os.path.join(ARGS.scripts, "lakefs-server.sh")
    out = run([script, "start", server_dir], timeout=600)
    if out.returncode != 0:
        raise RuntimeError("starting a server of its own: " + out.stderr.decode())
    try:
        env = load_env(server_dir)
        repo = unique("mount-failure")
        fixture(env, "populate", repo)
        # Small blocks, no read-ahead of ours and a short timeout: what a read touches is predictable.
        mnt, _ = mount(env, f"lakefs://{repo}/main", "failure", "--block-size", "64K", "--read-ahead", "0",
                       "--timeout", "5", "--cache-size", "0")
        path = os.path.join(mnt, "big/three.bin")
        local = os.path.join(ARGS.work, "failure-three.bin")
        fixture(env, "download", repo, "main", "big/three.bin", local)
        with open(local, "rb") as f:
            whole = f.read()
        with open(path, "rb", buffering=0) as f:
            check(f.read(65536) == whole[:65536], "the first read succeeds")
            run([script, "kill", server_dir])
            f.seek(3 << 20)  # past the kernel's read-ahead of the first read
            started = time.monotonic()
            try:
                f.read(65536)
                code = 0
            except OSError as e:
                code = e.errno
            took = time.monotonic() - started
            check(code == errno.EIO, f"with the server killed mid-read, the next read fails with EIO ({code})")
            check(took < 60, f"... within the timeouts ({took:.1f} s)")
            try:
                os.listdir(os.path.join(mnt, "dir4/sub1"))
                code = 0
            except OSError as e:
                code = e.errno
            check(code == errno.EIO, f"listing a directory not yet listed fails with EIO ({code})")
            check(bool(mount_pids(mnt)) and is_mounted(mnt), "the mount process is alive and still mounted")
            out = run([script, "restart", server_dir], timeout=600)
            check(out.returncode == 0, "the server restarts on its data")
            f.seek(3 << 20)
            check(f.read(65536) == whole[3 << 20:(3 << 20) + 65536], "the same open file reads again")
        check(len(os.listdir(os.path.join(mnt, "dir4/sub1"))) == 8, "the directory lists once the server is back")
        out = run(["sha256sum", path])
        check(out.stdout.split()[0].decode() == sha256(local), "the whole file reads back intact")
        check(unmount(mnt), "unmounted")
    finally:
        run([script, "stop", server_dir], timeout=120)


def suite_s3(env):
    repo = unique("mount-s3")
    count = int(fixture(env, "populate", repo))
    log = env["LAKEFS_TEST_S3_ACCESS_LOG"]

    def presigned_gets():
        with open(log, errors="replace") as f:
            # versitygw logs a pre-signed request's query (X-Amz-Algorithm=...) in its URI.
            return sum(1 for line in f if "s3_GetObject" in line and f"/{repo}/data/" in line and "X-Amz-Algorithm" in line)

    downloads = os.path.join(ARGS.work, "s3-downloads")
    os.makedirs(downloads, exist_ok=True)
    files = ["big/three.bin", "tables/people.csv", "parallel/p3.bin", "empty"]
    for path in files:
        fixture(env, "download", repo, "main", path, os.path.join(downloads, path.replace("/", "_")))
    # From here on, only the mount reads the repository's objects.
    before = presigned_gets()
    mnt, out = mount(env, f"lakefs://{repo}/main", "s3")
    check(b"pre-signed reads" in out.stderr, "the s3 topology mounts with pre-signed reads")
    out = run(["sh", "-c", f"find '{mnt}' -type f | wc -l"])
    check(int(out.stdout) == count, f"find | wc -l is the object count ({count})")
    for path in files:
        local = os.path.join(downloads, path.replace("/", "_"))
        out = run(["sha256sum", os.path.join(mnt, path)])
        check(out.stdout.split()[0].decode() == sha256(local), f"sha256sum of {path} equals the SDK's download")
    with open(os.path.join(downloads, "big_three.bin"), "rb") as f:
        whole = f.read()
    out = run(["tail", "-c", "70000", os.path.join(mnt, "big/three.bin")])
    check(out.stdout == whole[-70000:], "tail -c 70000")
    out = run(["dd", f"if={os.path.join(mnt, 'big/three.bin')}", "bs=65536", "skip=20", "count=3", "status=none"])
    check(out.stdout == whole[20 * 65536:23 * 65536], "dd bs=65536 skip=20 count=3")
    after = presigned_gets()
    check(after > before, f"the object store served pre-signed GETs ({after - before})")
    check(unmount(mnt), "unmounted")


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("suite", choices=["programs", "follow", "footer", "failure", "s3"])
    parser.add_argument("--mount", required=True)
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--server-dir", required=True)
    parser.add_argument("--scripts", required=True)
    parser.add_argument("--work", required=True)
    ARGS = parser.parse_args()
    ARGS.work = os.path.join(os.path.abspath(ARGS.work), ARGS.suite)
    subprocess.run(["rm", "-rf", ARGS.work])
    os.makedirs(ARGS.work)
    env = load_env(ARGS.server_dir) if ARGS.suite != "failure" else dict(os.environ)
    print(f"lakefs-mount: suite {ARGS.suite}")
    try:
        globals()["suite_" + ARGS.suite](env)
    except Exception as e:  # a setup step that failed
        FAILURES.append(f"{type(e).__name__}: {e}")
        print(f"  FAIL  {type(e).__name__}: {e}")
    finally:
        for mountpoint in list(MOUNTS):
            pids = mount_pids(mountpoint)
            run(["fusermount3", "-u", "-z", mountpoint], timeout=60)
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for proc in PROCS:
            if proc.poll() is None:
                proc.kill()
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
