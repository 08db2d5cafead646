# SPDX-License-Identifier: Apache-2.0
"""The Python half of the side-by-side comparison: the same subcommands as
bench/vs_python.cpp, written with the high-level `lakefs` package the way its
documentation shows, plus `read-all REPO REF PATH [BYTES]` (the whole object
in one `reader().read()`, the counterpart of `objects read-all` in
bench/objects.cpp). Run by bench/scenarios/30-python.sh and 20-objects.sh (in
the venv made by bench/python/setup.sh) under /usr/bin/time.

Endpoint and credentials come from LAKEFS_ENDPOINT / LAKEFS_ACCESS_KEY_ID /
LAKEFS_SECRET_ACCESS_KEY and are passed to lakefs.Client explicitly (the
package itself reads only LAKECTL_* and ~/.lakectl.yaml). Each workload prints
one JSON line, {"seconds": ..., ...}, timed around the workload only (not
interpreter start-up or imports).
"""
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import lakefs


def make_client() -> lakefs.Client:
    endpoint = os.environ["LAKEFS_ENDPOINT"].rstrip("/")
    if not endpoint.endswith("/api/v1"):
        endpoint += "/api/v1"
    return lakefs.Client(host=endpoint, username=os.environ["LAKEFS_ACCESS_KEY_ID"],
                         password=os.environ["LAKEFS_SECRET_ACCESS_KEY"])


def files_under(directory: str) -> list[Path]:
    return sorted(p for p in Path(directory).rglob("*") if p.is_file())


def interop_content() -> bytes:
    return b"written by python lakefs\n" + bytes(range(256))


def emit(**values) -> None:
    print(json.dumps(values, ensure_ascii=False))


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print("usage: vs_python.py MODE REPO ARGS...", file=sys.stderr)
        return 2
    mode, args = argv[1], argv[2:]
    client = make_client()
    repo = lakefs.Repository(args[0], client=client)
    start = time.perf_counter()

    if mode == "baseline" and len(args) == 1:
        repo.properties
        emit(seconds=time.perf_counter() - start)
    elif mode == "latency" and len(args) == 3:
        branch = repo.branch(args[1])
        n = int(args[2])
        us = []
        id_bytes = 0
        for _ in range(n):
            t = time.perf_counter()
            id_bytes += len(branch.get_commit().id)  # Branch.get_commit always asks the server
            us.append((time.perf_counter() - t) * 1e6)
        total = time.perf_counter() - start
        us.sort()
        emit(seconds=total, calls=n, p50_us=us[n // 2], p99_us=us[n * 99 // 100], id_bytes=id_bytes)
    elif mode in ("list", "list-1000") and len(args) == 3:
        # "list" as the docs show it; "list-1000" asks for the same 1000-entry
        # pages the C++ listing fetches (the package's default page is the server's 100).
        extra = {"amount": 1000} if mode == "list-1000" else {}
        count = path_bytes = 0
        for entry in repo.ref(args[1]).objects(prefix=args[2], **extra):
            count += 1
            path_bytes += len(entry.path)
        emit(seconds=time.perf_counter() - start, objects=count, path_bytes=path_bytes)
    elif mode == "upload-seq" and len(args) == 4:
        branch = repo.branch(args[1])
        files = files_under(args[2])
        for f in files:
            branch.object(args[3] + f.relative_to(args[2]).as_posix()).upload(f.read_bytes(), mode="wb")
        emit(seconds=time.perf_counter() - start, objects=len(files))
    elif mode == "upload-par" and len(args) == 5:
        branch = repo.branch(args[1])
        files = files_under(args[2])

        def upload(f: Path) -> None:
            branch.object(args[3] + f.relative_to(args[2]).as_posix()).upload(f.read_bytes(), mode="wb")

        with ThreadPoolExecutor(max_workers=int(args[4])) as pool:
            for _ in pool.map(upload, files):
                pass
        emit(seconds=time.perf_counter() - start, objects=len(files))
    elif mode == "stream-write" and len(args) == 4:
        total = int(args[3])
        block = bytes(i * 131 % 251 for i in range(1 << 20))
        with repo.branch(args[1]).object(args[2]).writer(mode="wb") as out:
            left = total
            while left > 0:
                n = min(left, len(block))
                out.write(block[:n] if n < len(block) else block)
                left -= n
        seconds = time.perf_counter() - start
        emit(seconds=seconds, bytes=repo.branch(args[1]).object(args[2]).stat().size_bytes)
    elif mode == "stream-read" and len(args) == 4:
        read_size = int(args[3])
        total = 0
        with repo.ref(args[1]).object(args[2]).reader(mode="rb") as src:
            while chunk := src.read(read_size):
                total += len(chunk)
        emit(seconds=time.perf_counter() - start, bytes=total)
    elif mode == "read-all" and len(args) in (3, 4):
        # The whole object in one call, as `read_all()` in C++: reader().read() with no size.
        with repo.ref(args[1]).object(args[2]).reader(mode="rb") as src:
            content = src.read()
        seconds = time.perf_counter() - start
        if len(args) == 4 and len(content) != int(args[3]):
            print(f"vs_python.py: read {len(content)} bytes, expected {args[3]}", file=sys.stderr)
            return 1
        emit(seconds=seconds, bytes=len(content))
    elif mode == "transact" and len(args) == 4:
        prefix, n = args[2], int(args[3])
        data = b"x" * 4096
        branch = repo.branch(args[1])
        with branch.transact(commit_message=f"transaction of {n} objects") as tx:
            for i in range(n):
                tx.object(f"{prefix}{i}").upload(data, mode="wb")
        emit(seconds=time.perf_counter() - start, objects=n, merge=branch.get_commit().id)
    elif mode == "interop-write" and len(args) == 3:
        branch = repo.branch(args[1])
        content = interop_content()
        meta = {"writer": "python-lakefs", "note": "a b=c; d/e"}
        branch.object(args[2]).upload(content, mode="wb", content_type="application/x-interop-python",
                                      metadata=meta)
        commit = branch.commit("interop commit by python lakefs: café ✓",
                               metadata={"writer": "python-lakefs", "run": "interop"}).get_commit()
        emit(content_hex=content.hex(), content_type="application/x-interop-python", metadata=meta,
             commit_id=commit.id, commit_message=commit.message, commit_metadata=commit.metadata or {})
    elif mode == "interop-read" and len(args) == 3:
        ref = repo.ref(args[1])
        obj = ref.object(args[2])
        info = obj.stat()
        with obj.reader(mode="rb") as src:
            content = src.read()
        head = next(iter(ref.log(max_amount=1)))
        emit(content_hex=content.hex(), content_type=info.content_type, metadata=info.metadata or {},
             commit_id=head.id, commit_message=head.message, commit_metadata=head.metadata or {})
    else:
        print(f"vs_python.py: bad arguments: {argv[1:]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
