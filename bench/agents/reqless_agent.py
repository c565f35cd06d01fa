"""Measure reqless from inside the interpreter being benchmarked.

Run as `<python> bench/agents/reqless_agent.py <command> --url redis://... [options]`
by the harness, with the `--reqless-python` interpreter, so the same harness measures
any tree's reqless (the "before" worktree and the current one). Each command prints
one `RESULT {json}` line.

Commands:
  info      version, location, the worker program, and whether `Queue.put_many` exists
  put       put N jobs one by one (`--mode one`) or in bulk (`--mode bulk`), timed
            (`--wait-go`: wait for "go" on stdin first, as loop does)
  loop      the library loop: wait for "go" on stdin, then pop + complete until empty
  (put and loop take `--namespace NAME`: the client's namespace)
  phases    server cost of N puts, N pops, N completes and N config.get, phase by phase
  depth     M pop + complete cycles at the queue's current depth, timed
  pickup    put COUNT `Stamp` jobs GAP seconds apart; report each jid's put time
  tenants   make QUEUES queues `tenant-NNNN` known (empty), then put N jobs in
            `--queue`, or (`--mode spread`) one job in each of them
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent_common import emit, now, resetstat, snapshot, wait_for_go

import reqless

NOOP = "bench_jobs.NoOp"
STAMP = "bench_jobs.Stamp"
PROBE_QUEUE = "bench-probe"


def connect(url: str, name: str = "bench", namespace: str | None = None) -> Any:
    """A client named `name`, with the core script loaded before anything is timed.

    `namespace` is passed on only when given, so trees without namespaces still run
    every command that does not ask for one.
    """
    options: dict[str, Any] = {} if namespace is None else {"namespace": namespace}
    client = reqless.Client(url, hostname=name, **options)
    len(client.queues[PROBE_QUEUE])
    return client


# -- bulk put -------------------------------------------------------------------

PutMany = Callable[[Any, str, list[dict[str, Any]]], object]

#: Call shapes a `Queue.put_many` might have, tried in this order.
PUT_MANY_FORMS: dict[str, PutMany] = {
    "klass, [data]": lambda queue, klass, datas: queue.put_many(klass, datas),
    "[(klass, data)]": lambda queue, klass, datas: queue.put_many([(klass, d) for d in datas]),
    "[{klass, data}]": lambda queue, klass, datas: queue.put_many(
        [{"klass": klass, "data": d} for d in datas]
    ),
}


def put_many_form(client: Any) -> str | None:
    """Which call shape of `Queue.put_many` works here (None when there is none)."""
    queue = client.queues[PROBE_QUEUE]
    if not hasattr(queue, "put_many"):
        return None
    for form, put_many in PUT_MANY_FORMS.items():
        client.database.flushall()
        try:
            put_many(queue, NOOP, [{"i": 0}, {"i": 1}])
            jobs = queue.peek(0, 10)
        except Exception:
            continue
        if len(jobs) == 2 and all(job.klass_name == NOOP for job in jobs):
            client.database.flushall()
            return form
    client.database.flushall()
    return None


def pipelined_put(client: Any, queue: Any, klass: str, datas: list[dict[str, Any]]) -> None:
    """What a user can do without `put_many`: a redis-py pipeline of `queue.put` EVALSHAs."""
    sha = client._runner.script.sha
    pipe = client.database.pipeline(transaction=False)
    for data in datas:
        if hasattr(queue, "_put_args"):
            args = queue._put_args(klass, data, None, None, None, None, None, None, None)
        else:  # the core's documented argument list
            args = [
                client.worker_name,
                queue.name,
                uuid.uuid4().hex,
                klass,
                json.dumps(data),
                0,
                "priority",
                0,
                "tags",
                "[]",
                "retries",
                5,
                "depends",
                "[]",
                "throttles",
                "[]",
            ]
        pipe.evalsha(sha, 0, "queue.put", repr(time.time()), *args)
    pipe.execute()


def bulk_putter(client: Any, form: str | None) -> tuple[str, PutMany]:
    """The bulk method to measure, and its name for the report."""
    if form is not None:
        return f"Queue.put_many({form})", PUT_MANY_FORMS[form]
    return "pipelined queue.put EVALSHA (no put_many)", lambda queue, klass, datas: pipelined_put(
        client, queue, klass, datas
    )


# -- commands -------------------------------------------------------------------


def cmd_info(options: argparse.Namespace) -> None:
    client = connect(options.url)
    worker = Path(sys.executable).parent / "reqless-py-worker"
    emit(
        {
            "python": sys.version.split()[0],
            "executable": sys.executable,
            "reqless": str(Path(reqless.__file__).parent),
            "worker": str(worker) if worker.exists() else None,
            "put_many_form": put_many_form(client),
        }
    )


def cmd_put(options: argparse.Namespace) -> None:
    client = connect(options.url, namespace=options.namespace)
    queue = client.queues[options.queue]
    datas = [{"i": i} for i in range(options.n)]
    method = "Queue.put, one call per job"
    if options.wait_go:
        wait_for_go()
    start, cpu = now(), time.process_time()
    if options.mode == "one":
        for data in datas:
            queue.put(options.klass, data)
    else:
        method, put_many = bulk_putter(client, options.put_many_form)
        # put_many gets every job at once and chunks them as it sees fit; the
        # pipeline fallback sends batches of --batch EVALSHAs.
        batch = options.n if options.put_many_form else options.batch
        for first in range(0, len(datas), batch):
            put_many(queue, options.klass, datas[first : first + batch])
    end = now()
    emit(
        {
            "seconds": end - start,
            "n": options.n,
            "method": method,
            "start": start,
            "end": end,
            "cpu": time.process_time() - cpu,
        }
    )


def cmd_loop(options: argparse.Namespace) -> None:
    client = connect(options.url, options.name, options.namespace)
    queue = client.queues[options.queue]
    wait_for_go()
    start, cpu = now(), time.process_time()
    count = 0
    while True:
        job = queue.pop()
        if job is None:
            break
        job.complete()
        count += 1
    emit({"start": start, "end": now(), "count": count, "cpu": time.process_time() - cpu})


def _phase(redis: Any, run: Callable[[], object]) -> dict[str, Any]:
    resetstat(redis)
    before = snapshot(redis)
    start = now()
    run()
    seconds = now() - start
    after = snapshot(redis)
    return {"seconds": seconds, "cpu": after["cpu"] - before["cpu"], "commands": after["commands"]}


def cmd_phases(options: argparse.Namespace) -> None:
    client = connect(options.url)
    redis = client.database
    queue = client.queues[options.queue]
    jobs: list[Any] = []
    n = options.n

    def put() -> None:
        for i in range(n):
            queue.put(NOOP, {"i": i})

    def pop() -> None:
        jobs.extend(queue.pop() for _ in range(n))

    def complete() -> None:
        for job in jobs:
            job.complete()

    def config_get() -> None:
        for _ in range(n):
            client.config["heartbeat"]

    phases = {
        "put": _phase(redis, put),
        "pop": _phase(redis, pop),
        "complete": _phase(redis, complete),
        "config.get": _phase(redis, config_get),
    }
    if sum(job is not None for job in jobs) != n:
        raise SystemExit(f"popped {sum(job is not None for job in jobs)} jobs, expected {n}")
    emit({"n": n, "phases": phases})


def cmd_depth(options: argparse.Namespace) -> None:
    client = connect(options.url)
    queue = client.queues[options.queue]
    depth = len(queue)

    def cycles() -> None:
        for _ in range(options.m):
            job = queue.pop()
            if job is None:
                raise SystemExit("the queue ran dry during the depth test")
            job.complete()

    result = _phase(client.database, cycles)
    emit({**result, "m": options.m, "depth_before": depth})


def cmd_pickup(options: argparse.Namespace) -> None:
    client = connect(options.url)
    queue = client.queues[options.queue]
    put_times: dict[str, float] = {}
    start = time.monotonic()
    for i in range(options.count):
        stamp = time.time()
        put_times[queue.put(STAMP, {"i": i})] = stamp
        pause = start + (i + 1) * options.gap - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    emit({"put_times": put_times})


def cmd_tenants(options: argparse.Namespace) -> None:
    client = connect(options.url)
    names = [f"tenant-{i:04d}" for i in range(options.queues)]
    for name in names:
        client.jobs[client.queues[name].put(NOOP, {})].cancel()
    targets = names if options.mode == "spread" else [options.queue] * options.n
    for name in targets:
        client.queues[name].put(NOOP, {})
    emit({"queues": len(names), "jobs": len(targets)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "command", choices=["info", "put", "loop", "phases", "depth", "pickup", "tenants"]
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--queue", default="bench")
    parser.add_argument("--name", default="bench")
    parser.add_argument("--namespace", default=None, help="the client's namespace (put, loop)")
    parser.add_argument(
        "--wait-go", action="store_true", help="put: say ready, wait for go, then put"
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--m", type=int, default=1000)
    parser.add_argument("--mode", choices=["one", "bulk", "busy", "spread"], default="one")
    parser.add_argument("--queues", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--klass", default=NOOP)
    parser.add_argument("--put-many-form", default=None)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.02)
    options = parser.parse_args()
    globals()[f"cmd_{options.command}"](options)


if __name__ == "__main__":
    main()
