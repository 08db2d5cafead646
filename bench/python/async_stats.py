#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Python's asynchronous way to make many small requests, for
bench/scenarios/70-async.sh: asyncio with aiohttp (pinned in setup.sh), the
same stats as `async_stats engine` (bench/async_stats.cpp) sends, as raw REST
calls (the lakeFS Python SDKs have no asynchronous API).

  async_stats.py N REPO REF OBJECTS [STATS]

STATS (10,000) GET {endpoint}/api/v1/repositories/REPO/refs/REF/objects/stat?path=stat/oNNNNN
with basic auth, N at a time (N workers pulling from one counter, one
ClientSession whose TCPConnector keeps at most N connections), each answer
decoded and checked (its path and size). Configured from LAKEFS_ENDPOINT,
LAKEFS_ACCESS_KEY_ID and LAKEFS_SECRET_ACCESS_KEY. Prints one JSON line like
async_stats: seconds, requests, cpu_seconds (getrusage user + system over the
workload), cpu_us_per_request, peak_rss_kib. Any failure fails the run.
"""
import asyncio
import json
import os
import resource
import sys
import time

import aiohttp


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def object_path(i):
    return f"stat/o{i:05d}"


def object_size(i):
    return len(f"object {i}\n")


async def run(n, repo, ref, objects, stats):
    endpoint = os.environ["LAKEFS_ENDPOINT"].rstrip("/")
    if endpoint.endswith("/api/v1"):
        endpoint = endpoint[: -len("/api/v1")]
    url = f"{endpoint}/api/v1/repositories/{repo}/refs/{ref}/objects/stat"
    # aiohttp 3.14's way (its BasicAuth object and the session's `auth` are deprecated).
    headers = {"Authorization": aiohttp.encode_basic_auth(os.environ["LAKEFS_ACCESS_KEY_ID"],
                                                          os.environ["LAKEFS_SECRET_ACCESS_KEY"])}
    connector = aiohttp.TCPConnector(limit=n, limit_per_host=n)
    done = 0
    next_item = 0

    async def worker(session):
        nonlocal done, next_item
        while next_item < stats:
            i = next_item % objects
            next_item += 1
            async with session.get(url, params={"path": object_path(i)}) as response:
                if response.status != 200:
                    raise RuntimeError(f"stat of {object_path(i)}: HTTP {response.status}: {await response.text()}")
                body = await response.json()
            if body["path"] != object_path(i) or body["size_bytes"] != object_size(i):
                raise RuntimeError(f"wrong stat of {object_path(i)}: {body}")
            done += 1

    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        cpu0 = cpu_seconds()
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(n)))
        seconds = time.perf_counter() - start
        cpu = cpu_seconds() - cpu0
    if done != stats:
        raise RuntimeError(f"only {done} of {stats} stats done")
    return seconds, done, cpu


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit("usage: async_stats.py N REPO REF OBJECTS [STATS]")
    n, repo, ref, objects = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    stats = int(sys.argv[5]) if len(sys.argv) == 6 else 10_000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    seconds, done, cpu = asyncio.run(run(n, repo, ref, objects, stats))
    print(json.dumps({
        "mode": "python-aiohttp", "concurrency": n, "seconds": seconds, "requests": done, "cpu_seconds": cpu,
        "cpu_us_per_request": cpu * 1e6 / done if done else 0.0,
        "requests_per_second": done / seconds if seconds > 0 else 0.0,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "aiohttp": aiohttp.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
