# SPDX-License-Identifier: Apache-2.0
"""The Python contender of bench/scenarios/25-listings.sh: the same listings as
bench/listings.cpp, with the high-level `lakefs` package (venv from
bench/python/setup.sh), asking for the same 1000-entry pages (`amount`).

    listings.py objects REPO REF [PAGE_SIZE]
    listings.py log     REPO REF [PAGE_SIZE]
    listings.py diff    REPO LEFT RIGHT [PAGE_SIZE]

Endpoint and credentials come from LAKEFS_ENDPOINT / LAKEFS_ACCESS_KEY_ID /
LAKEFS_SECRET_ACCESS_KEY. Prints one JSON line, {"seconds": ..., "items": N},
timed around the listing only (not interpreter start-up or imports).
"""
import json
import os
import sys
import time

import lakefs


def make_client() -> lakefs.Client:
    endpoint = os.environ["LAKEFS_ENDPOINT"].rstrip("/")
    if not endpoint.endswith("/api/v1"):
        endpoint += "/api/v1"
    return lakefs.Client(host=endpoint, username=os.environ["LAKEFS_ACCESS_KEY_ID"],
                         password=os.environ["LAKEFS_SECRET_ACCESS_KEY"])


def main(argv: list[str]) -> int:
    if len(argv) < 4:
        print("usage: listings.py objects|log REPO REF [PAGE_SIZE] | diff REPO LEFT RIGHT [PAGE_SIZE]",
              file=sys.stderr)
        return 2
    mode, args = argv[1], argv[2:]
    repo = lakefs.Repository(args[0], client=make_client())
    ref = repo.ref(args[1])
    items = size = 0
    start = time.perf_counter()
    if mode == "objects":
        amount = int(args[2]) if len(args) > 2 else 1000
        for entry in ref.objects(amount=amount):
            items += 1
            size += len(entry.path)
    elif mode == "log":
        amount = int(args[2]) if len(args) > 2 else 1000
        for commit in ref.log(amount=amount):
            items += 1
            size += len(commit.id)
    elif mode == "diff" and len(args) >= 3:
        amount = int(args[3]) if len(args) > 3 else 1000
        for change in ref.diff(args[2], amount=amount):
            items += 1
            size += len(change.path)
    else:
        print(f"listings.py: unknown mode or wrong arguments: {mode}", file=sys.stderr)
        return 2
    print(json.dumps({"seconds": time.perf_counter() - start, "items": items, "bytes": size}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
