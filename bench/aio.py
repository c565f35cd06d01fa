"""The asyncio client and worker mode, measured (`.venv/bin/python -m bench.aio`).

1. Worker: 2,000 jobs that each `await asyncio.sleep(0.1)`, put first (not
   timed), run by `reqless-py-worker --asyncio --concurrency 200 --workers 1`.
   Wall time from starting the program until the last job completed, and from
   the first completed job to the last (interpreter start-up left out).
2. Client rates, one process, against the same server: puts and pops (a pop is
   followed by nothing; the queue is filled first) by the sync client, by the
   async client one call after another, and by the async client with 50 calls
   in flight; plus `put_many` of all jobs by both.

Each figure is the median of `--reps` runs. Nothing here is asserted anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from reqless.aio import AsyncClient
from reqless.client import Client
from reqless.server import LocalServer, ServerKind, find_server_binary, start_server

JOBS_MODULE = '''\
import asyncio


class Sleep:
    """Sleeps 0.1 s without blocking the loop, then completes."""

    @staticmethod
    async def process(job):
        await asyncio.sleep(0.1)
        await job.complete()
'''

WORKER = str(Path(sys.executable).parent / "reqless-py-worker")


def machine_line() -> str:
    """What the figures were measured on."""
    cpus = os.cpu_count()
    python = platform.python_version()
    return f"{platform.machine()}, {cpus} CPUs, Python {python}, {platform.system()}"


def worker_drain(
    server: LocalServer, jobs: int, concurrency: int, workdir: Path
) -> dict[str, float]:
    """One run of the worker figure; returns its two wall times in seconds."""
    client = Client(server.url, hostname="bench")
    try:
        client.database.flushall()
        queue = client.queues["sleep"]
        queue.put_many([{"klass": "bench_aio_jobs.Sleep", "data": {}}] * jobs)
        command = [
            WORKER, "--url", server.url, "-q", "sleep", "--asyncio",
            "--concurrency", str(concurrency), "--workers", "1", "--interval", "0.1",
            "--path", str(workdir), "--workdir", str(workdir / "work"),
        ]  # fmt: skip
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        first = None
        try:
            while True:
                done = int(client.database.zcard("ql:completed"))
                if done and first is None:
                    first = time.monotonic()
                if done >= jobs:
                    break
                if time.monotonic() - started > 120:
                    raise RuntimeError(f"only {done} of {jobs} jobs completed in 120 s")
                time.sleep(0.005)
            ended = time.monotonic()
        finally:
            process.terminate()
            process.wait(30)
        return {"from_start": ended - started, "from_first": ended - (first or started)}
    finally:
        client.database.close()


def sync_rates(server: LocalServer, count: int) -> dict[str, float]:
    """Puts and pops per second of the sync client, one call after another."""
    client = Client(server.url, hostname="bench")
    try:
        client.database.flushall()
        queue = client.queues["rates"]
        started = time.perf_counter()
        for _ in range(count):
            queue.put("bench.Job", {})
        puts = count / (time.perf_counter() - started)
        started = time.perf_counter()
        for _ in range(count):
            queue.pop()
        pops = count / (time.perf_counter() - started)
        client.database.flushall()
        started = time.perf_counter()
        queue.put_many([{"klass": "bench.Job", "data": {}}] * count)
        many = count / (time.perf_counter() - started)
        return {"put": puts, "pop": pops, "put_many": many}
    finally:
        client.database.close()


async def _timed(count: int, make: Callable[[], Awaitable[object]], in_flight: int) -> float:
    """Calls per second of `count` calls of `make`, `in_flight` at a time."""
    left = count

    async def runner() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await make()

    started = time.perf_counter()
    await asyncio.gather(*(runner() for _ in range(in_flight)))
    return count / (time.perf_counter() - started)


async def async_rates(server: LocalServer, count: int, in_flight: int) -> dict[str, float]:
    """Puts and pops per second of the async client, sequential and concurrent."""
    async with AsyncClient(server.url, hostname="bench") as client:
        queue = client.queues["rates"]
        result: dict[str, float] = {}
        for label, width in (("", 1), (f" x{in_flight}", in_flight)):
            await client.database.flushall()
            result["put" + label] = await _timed(count, lambda: queue.put("bench.Job", {}), width)
            result["pop" + label] = await _timed(count, queue.pop, width)
        await client.database.flushall()
        started = time.perf_counter()
        await queue.put_many([{"klass": "bench.Job", "data": {}}] * count)
        result["put_many"] = count / (time.perf_counter() - started)
        return result


def main(argv: list[str] | None = None) -> int:
    """Run every figure and print a Markdown summary."""
    parser = argparse.ArgumentParser(prog="python -m bench.aio", description=__doc__.split("\n")[0])
    parser.add_argument("--server", choices=["redis", "valkey"], default="redis")
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--count", type=int, default=5000, help="calls per client rate")
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--reps", type=int, default=3)
    options = parser.parse_args(argv)
    kind: ServerKind = options.server
    if find_server_binary(kind) is None:
        kind = "valkey"
    server = start_server(kind)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            (workdir / "bench_aio_jobs.py").write_text(JOBS_MODULE)
            drains = [worker_drain(server, options.jobs, options.concurrency, workdir)
                      for _ in range(options.reps)]  # fmt: skip
        syncs = [sync_rates(server, options.count) for _ in range(options.reps)]
        asyncs = [asyncio.run(async_rates(server, options.count, options.in_flight))
                  for _ in range(options.reps)]  # fmt: skip
    finally:
        server.stop()
    print(f"machine: {machine_line()}; server: {kind}-server; date: {time.strftime('%Y-%m-%d')}")
    print()
    print(f"| worker: {options.jobs} jobs x asyncio.sleep(0.1), 1 child, "
          f"--concurrency {options.concurrency} | median of {options.reps} |")  # fmt: skip
    print("|---|---|")
    for key, label in (("from_start", "program start to last job"),
                       ("from_first", "first job done to last job")):  # fmt: skip
        values = ", ".join(f"{d[key]:.2f}" for d in drains)
        print(f"| {label} | {statistics.median(d[key] for d in drains):.2f} s ({values}) |")
    print()
    print(f"| client, {options.count} calls, one process | sync | async |")
    print("|---|---|---|")
    rows = [("put", "put", "put"), ("pop", "pop", "pop"),
            ("put_many (all in one)", "put_many", "put_many"),
            (f"put, {options.in_flight} in flight", None, f"put x{options.in_flight}"),
            (f"pop, {options.in_flight} in flight", None, f"pop x{options.in_flight}")]  # fmt: skip
    for label, sync_key, async_key in rows:
        sync = f"{statistics.median(s[sync_key] for s in syncs):,.0f}/s" if sync_key else "-"
        aio = f"{statistics.median(a[async_key] for a in asyncs):,.0f}/s"
        print(f"| {label} | {sync} | {aio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
