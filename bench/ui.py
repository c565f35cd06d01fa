"""`python -m bench.ui`: server time and Redis work of every UI page on a big deployment.

Fills a private valkey-server with the shape issue 10 names (100,000 jobs across 50
queues, 5,000 failed jobs in 20 groups, 100 workers; plus recurring templates,
tracked, tagged, scheduled and dependent jobs and a few throttles), then requests
every page and GET endpoint through the ASGI app in this process and reports, per
path: p50 and p95 time to the full response, Redis commands the server processed
and client round trips (a pipeline counts once). `--scale 10` multiplies the jobs.

    .venv/bin/python -m bench.ui [--reps 15] [--scale 1] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis.connection
from starlette.testclient import TestClient

from reqless.client import Client
from reqless.server import start_server
from reqless.ui import UISettings, create_app

QUEUES = 50
GROUPS = 20
WORKERS = 100


@contextmanager
def counting_round_trips() -> Iterator[Callable[[], int]]:
    """Count packets of commands sent by this process (one per call or pipeline)."""
    original = redis.connection.AbstractConnection.send_packed_command
    sent = [0]

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        sent[0] += 1
        original(self, command, check_health)  # type: ignore[no-untyped-call]

    redis.connection.AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
    try:
        yield lambda: sent[0]
    finally:
        redis.connection.AbstractConnection.send_packed_command = original  # type: ignore[method-assign]


def populate(url: str, scale: int) -> dict[str, str]:
    """Fill the server; returns sample names for the paths (a jid, a group, ...)."""
    client = Client(url, hostname="bench-ui")
    per_queue = 2_000 * scale
    started = time.monotonic()
    for number in range(QUEUES):
        queue = client.queues[f"app.q-{number:02d}"]
        queue.put_many(
            [
                {
                    "klass": f"app.jobs.Task{i % 7}",
                    "data": {"user": i, "token": "s3cret", "payload": "x" * 64},
                    "tags": [f"tenant-{i % 30}", "bench"],
                    "priority": i % 3,
                    "delay": 3600 if i % 50 == 0 else 0,
                }
                for i in range(per_queue)
            ]
        )
    # 100 workers, each holding a few jobs; 5,000 of the popped jobs fail into 20 groups.
    failed = 0
    for number in range(WORKERS):
        worker = Client(url, hostname=f"worker-{number:03d}")
        queue = worker.queues[f"app.q-{number % QUEUES:02d}"]
        jobs = queue.pop(55)
        for index, job in enumerate(jobs):
            if index < 50 and failed < 5_000:
                job.fail(f"app.Error{failed % GROUPS:02d}", f"Traceback: boom {failed}\n  line 2")
                failed += 1
        worker.database.close()
    for number in range(100):
        client.queues[f"app.q-{number % QUEUES:02d}"].recur(
            "app.jobs.Report", {"n": number}, 60 + number, jid=f"recur-{number:03d}"
        )
    jid = client.queues["app.q-00"].peek(count=1)[0].jid
    for tracked in client.queues["app.q-01"].peek(count=200):
        client.track(tracked.jid)
    parent = client.queues["app.q-02"].put("app.jobs.Parent", {})
    client.queues["app.q-02"].put("app.jobs.Child", {}, depends=[parent])
    client.throttles["api"].set_maximum(5)
    print(f"populated in {time.monotonic() - started:.1f} s", file=sys.stderr)
    client.database.close()
    return {"jid": jid, "group": "app.Error00", "queue": "app.q-00", "worker": "worker-000"}


def paths(sample: dict[str, str]) -> list[str]:
    queue, jid, group, worker = sample["queue"], sample["jid"], sample["group"], sample["worker"]
    pages = [
        "/", "/queues", f"/queues/{queue}", f"/queues/{queue}/running",
        f"/queues/{queue}/scheduled", f"/queues/{queue}/stats", f"/queues/{queue}/history",
        f"/jobs/{jid}", "/jobs/recur-000", "/failed", f"/failed/{group}", "/tracked",
        "/completed", "/recurring", "/workers", f"/workers/{worker}", "/throttles",
        "/tags", "/tags/tenant-1", "/events", "/config", "/queue-patterns", "/about",
        "/search?q=tag:tenant-1", f"/search?q=group:{group}+error:boom",
    ]  # fmt: skip
    api = [
        "/api/v1/summary", "/api/v1/queues", f"/api/v1/queues/{queue}",
        f"/api/v1/queues/{queue}/jobs?state=waiting", f"/api/v1/queues/{queue}/stats",
        f"/api/v1/queues/{queue}/history?days=90", f"/api/v1/jobs/{jid}", "/api/v1/failed",
        f"/api/v1/failed/{group}/jobs", "/api/v1/tracked", "/api/v1/completed",
        "/api/v1/recurring", "/api/v1/workers", "/api/v1/throttles", "/api/v1/tags",
        "/api/v1/config", "/api/v1/info", "/api/v1/search?q=data:s3cret",
    ]  # fmt: skip
    return pages + api


def measure(url: str, sample: dict[str, str], reps: int) -> list[dict[str, Any]]:
    client = Client(url, hostname="bench-ui-reader")
    stats_conn = Client(url).database
    app = create_app(client, UISettings())
    rows = []
    with TestClient(app, base_url="http://127.0.0.1") as http, counting_round_trips() as sent:
        for path in paths(sample):
            http.get(path)  # warm caches the way a running UI has them
            times: list[float] = []
            before_cmds = int(stats_conn.info("stats")["total_commands_processed"])
            before_trips = sent()
            statuses = set()
            for _ in range(reps):
                started = time.perf_counter()
                reply = http.get(path)
                times.append(time.perf_counter() - started)
                statuses.add(reply.status_code)
            after_cmds = int(stats_conn.info("stats")["total_commands_processed"])
            # Each INFO above is itself one command, and so is the one after.
            commands = (after_cmds - before_cmds - 1) / reps
            trips = (sent() - before_trips - 1) / reps
            times.sort()
            rows.append(
                {
                    "path": path,
                    "status": ",".join(str(s) for s in sorted(statuses)),
                    "p50_ms": statistics.median(times) * 1000,
                    "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))] * 1000,
                    "commands": commands,
                    "round_trips": trips,
                }
            )
    client.database.close()
    stats_conn.close()
    return rows


def markdown(rows: list[dict[str, Any]], scale: int, reps: int) -> str:
    lines = [
        f"Data: {100_000 * scale:,} jobs in {QUEUES} queues, 5,000 failed in {GROUPS} groups, "
        f"{WORKERS} workers; {reps} requests per path after one warm-up.",
        "",
        "| path | status | p50 ms | p95 ms | Redis commands | round trips |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| `{row['path']}` | {row['status']} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['commands']:.0f} | {row['round_trips']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    options = parser.parse_args(argv)
    server = start_server("valkey")
    try:
        sample = populate(server.url, options.scale)
        rows = measure(server.url, sample, options.reps)
    finally:
        server.stop()
    text = markdown(rows, options.scale, options.reps)
    print(text)
    if options.markdown:
        options.markdown.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
