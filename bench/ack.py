"""The `ack` figure: what durable acknowledgement costs per put and per complete.

Run with `--only ack` (it is not in the default run). It starts its own valkey
primary, writing an append-only file (`appendfsync everysec`, the default), and
one replica of it, and times, by one process in this tree's reqless, N puts one
by one and N pop + complete cycles with: no durability (the baseline), `replicas=1`
(WAIT 1, pipelined behind the write) and `local_disk=True` (WAITAOF 1 0).
The figures are the time per call and its ratio to the baseline, measured on the
same servers in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench.figures import Context, repeat
from reqless.client import Client
from reqless.durability import Durability
from reqless.job import Job
from reqless.server import LocalServer, start_server

__all__ = ["ack_table", "figure_ack"]

#: The subjects, by name: what each client waits for.
SUBJECTS: dict[str, Durability | None] = {
    "plain": None,
    "replicas=1": Durability(replicas=1, timeout=2),
    "local_disk": Durability(local_disk=True, timeout=2),
}
#: Calls per put and per complete run (a put of N jobs is too long with fsyncs).
ACK_N = 2000


def _pair() -> tuple[LocalServer, LocalServer]:
    primary = start_server("valkey", appendonly=True)
    replica = start_server("valkey", options=("--replicaof", "127.0.0.1", str(primary.port)))
    with replica.client() as probe:
        deadline = time.monotonic() + 10
        while probe.info("replication").get("master_link_status") != "up":
            if time.monotonic() > deadline:
                raise RuntimeError("the bench replica did not link")
            time.sleep(0.05)
    return primary, replica


def _puts(client: Client, n: int) -> dict[str, Any]:
    queue = client.queues["ack"]
    started = time.perf_counter()
    for _ in range(n):
        queue.put("bench.NoOp", {})
    seconds = time.perf_counter() - started
    return {"put_us": seconds / n * 1e6}


def _completes(client: Client, plain: Client, n: int) -> dict[str, Any]:
    plain.queues["ack"].put_many([{"klass": "bench.NoOp", "data": {}}] * n)
    queue = client.queues["ack"]
    started = time.perf_counter()
    for _ in range(n):
        job = queue.pop()
        assert isinstance(job, Job)
        job.complete()
    seconds = time.perf_counter() - started
    return {"pop_complete_us": seconds / n * 1e6}


def figure_ack(ctx: Context) -> dict[str, Any]:
    """Per-call time of put and of pop + complete, plain and acknowledged, with ratios."""
    primary, replica = _pair()
    clients = {name: Client(primary.url, durability=d) for name, d in SUBJECTS.items()}
    n = min(ctx.n, ACK_N)
    try:
        ctx.log(f"  ack: valkey primary {primary.port} (appendonly) + replica {replica.port}")
        raw = primary.client()

        def measure(name: str) -> Callable[[], dict[str, Any]]:
            def run() -> dict[str, Any]:
                raw.flushall()
                sample = _puts(clients[name], n)
                raw.flushall()
                sample |= _completes(clients[name], clients["plain"], n)
                return sample

            return run

        results = repeat(ctx, {name: measure(name) for name in SUBJECTS})
        raw.close()
    finally:
        for client in clients.values():
            client.database.close()
        replica.stop()
        primary.stop()
    base = results["plain"]
    for value in results.values():
        value["put_ratio"] = value["put_us"] / base["put_us"]
        value["complete_ratio"] = value["pop_complete_us"] / base["pop_complete_us"]
    results["n"] = n
    return results


def ack_table(results: dict[str, Any]) -> str:
    """The ack figure as a Markdown table ("" when it was not run)."""
    figure = results.get("figures", {}).get("ack")
    if not figure:
        return ""
    lines = [
        "| durability | put (µs) | ratio to plain | pop + complete (µs) | ratio to plain |",
        "|---|---|---|---|---|",
    ]
    for name in SUBJECTS:
        value = figure[name]
        lines.append(
            f"| {name} | {value['put_us']:.0f} | {value['put_ratio']:.2f} | "
            f"{value['pop_complete_us']:.0f} | {value['complete_ratio']:.2f} |"
        )
    return "\n".join(lines)
