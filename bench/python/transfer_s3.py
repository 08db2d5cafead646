# SPDX-License-Identifier: Apache-2.0
"""The Python contender of bench/scenarios/40-s3-transfers.sh: large transfers
with the high-level `lakefs` package (venv of bench/python/setup.sh), forced
onto pre-signed URLs (pre_sign=True) the way its documentation shows.

    transfer_s3.py upload-file   REPO BRANCH PATH FILE   writer(pre_sign=True), the file copied in 1 MiB pieces
    transfer_s3.py upload-bytes  REPO BRANCH PATH FILE   upload(open(FILE).read(), pre_sign=True)
    transfer_s3.py upload-stream REPO BRANCH PATH FILE   writer(pre_sign=True), FILE's bytes written in 1 MiB pieces
    transfer_s3.py download      REPO REF PATH FILE      reader(pre_sign=True), 16 MiB reads written to FILE

The package has no call that uploads a file by path: upload() takes str or
bytes (the whole content in memory), and writer() spools what it is given
(in memory up to 32 MiB, then in a temporary file under TMPDIR) and sends
the spool in one pre-signed PUT at close(). So "upload-file" and
"upload-stream" are the same code: the writer is the only way to upload a
file without holding it in memory.

Endpoint and credentials come from LAKEFS_ENDPOINT / LAKEFS_ACCESS_KEY_ID /
LAKEFS_SECRET_ACCESS_KEY. Prints the workload's own seconds (timed after
the imports and client set-up) on stdout, nothing else.
"""
import os
import sys
import time

import lakefs

PIECE = 1 << 20
READ = 16 << 20


def main(argv: list[str]) -> int:
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    mode, repo_id, ref, path, local = argv[1:]
    endpoint = os.environ["LAKEFS_ENDPOINT"].rstrip("/")
    if not endpoint.endswith("/api/v1"):
        endpoint += "/api/v1"
    client = lakefs.Client(host=endpoint, username=os.environ["LAKEFS_ACCESS_KEY_ID"],
                           password=os.environ["LAKEFS_SECRET_ACCESS_KEY"])
    repo = lakefs.Repository(repo_id, client=client)
    start = time.perf_counter()
    if mode in ("upload-file", "upload-stream"):
        with open(local, "rb") as src, repo.branch(ref).object(path).writer(mode="wb", pre_sign=True) as out:
            while piece := src.read(PIECE):
                out.write(piece)
    elif mode == "upload-bytes":
        with open(local, "rb") as src:
            repo.branch(ref).object(path).upload(src.read(), mode="wb", pre_sign=True)
    elif mode == "download":
        with repo.ref(ref).object(path).reader(mode="rb", pre_sign=True) as src, open(local, "wb") as out:
            while chunk := src.read(READ):
                out.write(chunk)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"{time.perf_counter() - start:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
