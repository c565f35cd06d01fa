"""The figures of the suite: each measures reqless (per target) and its baselines.

Every figure is a function `(ctx) -> dict` returning, per subject, the median of
its repetitions and the samples. Repetitions are interleaved (rep 1 of every
subject, then rep 2, ...) so a noisy moment on the machine spreads over all of them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redis import Redis

from bench.harness import (
    AGENTS,
    HUEY_AGENT,
    PROFILE_WORKER,
    RAW_AGENT,
    REQLESS_AGENT,
    Agent,
    Program,
    ServerCost,
    median,
    percentile,
    process_cpu,
    run_agent,
    snapshot,
    wait_until,
)

QUEUE = "bench"
PICKUP_QUEUE = "bench-pickup"
PICKUP_KEY = "bench:pickup"
RAW_DONE_KEY = "bench:raw:done"
NOOP = "bench_jobs.NoOp"
STAMP = "bench_jobs.Stamp"
POLL = 0.01  # seconds between completion-count polls


@dataclass
class Target:
    """A reqless to measure: a label and the interpreter whose reqless it is."""

    label: str
    python: Path
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def worker(self) -> list[str]:
        """The worker program's command."""
        path = self.info.get("worker")
        if path:
            return [str(path)]
        return [
            str(self.python),
            "-c",
            "import sys; from reqless.cli.worker import main; sys.exit(main())",
        ]


@dataclass
class Huey:
    """huey in its own virtual environment: the comparison peer."""

    python: Path
    consumer: Path
    version: str
    storages: dict[str, dict[str, Any]]  # "plain"/"priority" -> info from the agent

    @staticmethod
    def label(storage: str) -> str:
        return "huey PriorityRedisHuey" if storage == "priority" else "huey RedisHuey"


@dataclass
class Context:
    """Everything a figure needs."""

    redis: Redis
    url: str
    n: int
    consumers: int
    reps: int
    targets: list[Target]
    huey: Huey | None
    workdir: Path
    interval: float
    server_n: int
    depths: list[int]
    depth_cycles: int
    pickup_jobs: int
    pickup_gap: float
    log: Callable[[str], None]
    pattern_queues: int = 2000
    pattern_busy: int = 500

    def flush(self) -> None:
        self.redis.flushall()

    def huey_env(self, storage: str) -> dict[str, str]:
        return {"BENCH_REDIS_URL": self.url, "BENCH_HUEY_STORAGE": storage}


Sample = dict[str, Any]


def repeat(ctx: Context, subjects: dict[str, Callable[[], Sample]]) -> dict[str, Any]:
    """Run every subject `ctx.reps` times, interleaved; median of each numeric field."""
    samples: dict[str, list[Sample]] = {key: [] for key in subjects}
    for rep in range(ctx.reps):
        for key, measure in subjects.items():
            ctx.flush()
            ctx.log(f"  {key} (rep {rep + 1}/{ctx.reps})")
            sample = measure()
            samples[key].append(sample)
            brief = {k: round(v, 3) for k, v in sample.items() if isinstance(v, int | float)}
            ctx.log(f"    {brief}")
    return {key: summarise(values) for key, values in samples.items()}


def summarise(samples: list[Sample]) -> dict[str, Any]:
    """Median of each numeric field; other fields from the first sample."""
    result: dict[str, Any] = {}
    for name, value in samples[0].items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            result[name] = value
        else:
            result[name] = median([s[name] for s in samples])
    result["samples"] = samples
    return result


# -- filling queues (not timed) ------------------------------------------------------


def fill_reqless(ctx: Context, target: Target, count: int, klass: str = NOOP) -> None:
    run_agent(
        target.python,
        REQLESS_AGENT,
        "put",
        "--url",
        ctx.url,
        "--queue",
        QUEUE,
        "--n",
        count,
        "--mode",
        "bulk",
        "--klass",
        klass,
        *put_many_args(target),
    )


def put_many_args(target: Target) -> list[str]:
    form = target.info.get("put_many_form")
    return ["--put-many-form", form] if form else []


def fill_raw(ctx: Context, count: int) -> None:
    run_agent(sys.executable, RAW_AGENT, "put", "--url", ctx.url, "--n", count, "--mode", "pipe")


def fill_huey(ctx: Context, storage: str, count: int) -> None:
    assert ctx.huey is not None
    run_agent(ctx.huey.python, HUEY_AGENT, "put", "--n", count, env=ctx.huey_env(storage))


# -- enqueue --------------------------------------------------------------------------


def figure_put(ctx: Context) -> dict[str, Any]:
    """Jobs put per second, one by one and in bulk, by one process."""
    n = ctx.n

    def reqless(target: Target, mode: str) -> Callable[[], Sample]:
        def measure() -> Sample:
            result = run_agent(
                target.python,
                REQLESS_AGENT,
                "put",
                "--url",
                ctx.url,
                "--queue",
                QUEUE,
                "--n",
                n,
                "--mode",
                mode,
                *put_many_args(target),
            )
            return {"rate": n / result["seconds"], "method": result["method"]}

        return measure

    def raw(impl: str, mode: str) -> Callable[[], Sample]:
        def measure() -> Sample:
            result = run_agent(
                sys.executable,
                RAW_AGENT,
                "put",
                "--impl",
                impl,
                "--url",
                ctx.url,
                "--n",
                n,
                "--mode",
                mode,
            )
            return {"rate": n / result["seconds"]}

        return measure

    def huey(storage: str) -> Callable[[], Sample]:
        def measure() -> Sample:
            assert ctx.huey is not None
            result = run_agent(
                ctx.huey.python, HUEY_AGENT, "put", "--n", n, env=ctx.huey_env(storage)
            )
            return {"rate": n / result["seconds"]}

        return measure

    subjects: dict[str, Callable[[], Sample]] = {}
    for target in ctx.targets:
        subjects[f"{target.label}/one"] = reqless(target, "one")
        subjects[f"{target.label}/bulk"] = reqless(target, "bulk")
    subjects["raw/one"] = raw("raw", "one")
    subjects["raw/pipe"] = raw("raw", "pipe")
    subjects["lua/one"] = raw("lua", "one")
    subjects["lua/pipe"] = raw("lua", "pipe")
    if ctx.huey is not None:
        for storage in ctx.huey.storages:
            subjects[f"huey-{storage}/one"] = huey(storage)
    return repeat(ctx, subjects)


# -- drain ----------------------------------------------------------------------------


def loop_drain(ctx: Context, fill: Callable[[], None], commands: list[list[str]]) -> Sample:
    """Consumers that pop + complete until the queue is empty, started together."""
    fill()
    agents = [Agent(command).start() for command in commands]
    try:
        for agent in agents:
            agent.wait_ready()
        ctx.redis.config_resetstat()
        before = snapshot(ctx.redis)
        for agent in agents:
            agent.go()
        results = [agent.result() for agent in agents]
    finally:
        for agent in agents:
            if agent.process.poll() is None:
                agent.process.kill()
    after = snapshot(ctx.redis)
    done = sum(r["count"] for r in results)
    if done != ctx.n:
        raise RuntimeError(f"the consumers took {done} jobs, expected {ctx.n}")
    seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    cost = ServerCost.from_stats(done, after["cpu"] - before["cpu"], after["commands"])
    return {
        "rate": done / seconds,
        "seconds": seconds,
        "client_cpu_usec": sum(r["cpu"] for r in results) * 1e6 / done,
        "server_cpu_usec": cost.cpu_usec,
        "server_commands": cost.commands,
        "server_scripts": cost.calls if cost.inner else 0.0,
        "server": cost.as_dict(),
    }


def program_drain(
    ctx: Context,
    fill: Callable[[], None],
    program: Program,
    count: Callable[[], int],
    poll_command: str,
    total: int | None = None,
) -> Sample:
    """A consumer program drains N jobs (or `total`); timed from the first completion to the last.

    Start-up (interpreter, imports, forking) is left out: the window opens at the
    first poll that sees a completed job, and the rate is the jobs completed in the
    window over its length. Server and client CPU are measured over the same window.
    """
    fill()
    launched = time.monotonic()
    program.start()
    polls = 0
    try:
        wait_until(lambda: count() > 0 or not program.alive(), 120, POLL, "a first job done")
        if not program.alive():
            raise RuntimeError(f"{program.command[0]} exited early; see {program.log}")
        ctx.redis.config_resetstat()
        before = snapshot(ctx.redis)
        pids = program.pids()
        client_before = process_cpu(pids)
        first, start = count(), time.monotonic()
        last = first
        deadline = start + 900
        goal = ctx.n if total is None else total
        while last < goal:
            if time.monotonic() > deadline or not program.alive():
                raise RuntimeError(f"drain stalled at {last}/{goal}; see {program.log}")
            time.sleep(POLL)
            last = count()
            polls += 1
        end = time.monotonic()
        after = snapshot(ctx.redis)
        client_after = process_cpu(pids)
    finally:
        program.stop()
    done = last - first
    cost = ServerCost.from_stats(
        done, after["cpu"] - before["cpu"], after["commands"], {poll_command: polls + 1}
    )
    return {
        "rate": done / (end - start),
        "seconds": end - start,
        "wall_with_startup": end - launched,
        "client_cpu_usec": (client_after - client_before) * 1e6 / done,
        "server_cpu_usec": cost.cpu_usec,
        "server_commands": cost.commands,
        "server_scripts": cost.calls if cost.inner else 0.0,
        "server": cost.as_dict(),
    }


def worker_program(ctx: Context, target: Target, queue: str, *extra: str) -> Program:
    """`reqless-py-worker` on `queue`, running the job classes of bench/agents."""
    sandbox = ctx.workdir / f"worker-{target.label}"
    sandbox.mkdir(exist_ok=True)
    return Program(
        [
            *target.worker,
            "--url",
            ctx.url,
            "-q",
            queue,
            "--path",
            str(AGENTS),
            "--workdir",
            str(sandbox),
            *extra,
        ],
        ctx.workdir / f"worker-{target.label}.log",
    )


def huey_consumer(ctx: Context, storage: str, workers: int) -> Program:
    assert ctx.huey is not None
    return Program(
        [str(ctx.huey.consumer), "bench_huey_app.huey", "-w", str(workers), "-k", "process"],
        ctx.workdir / f"huey-{storage}.log",
        env=ctx.huey_env(storage),
    )


def figure_drain(ctx: Context) -> dict[str, Any]:
    """Jobs per second drained by `consumers` processes from a queue of N no-op jobs."""
    c = ctx.consumers

    def loop(target: Target) -> Callable[[], Sample]:
        commands = [
            [
                str(target.python),
                str(REQLESS_AGENT),
                "loop",
                "--url",
                ctx.url,
                "--queue",
                QUEUE,
                "--name",
                f"bench-loop-{i}",
            ]
            for i in range(c)
        ]
        return lambda: loop_drain(ctx, lambda: fill_reqless(ctx, target, ctx.n), commands)

    def worker(target: Target) -> Callable[[], Sample]:
        def measure() -> Sample:
            program = worker_program(
                ctx, target, QUEUE, "--workers", str(c), "--interval", f"{ctx.interval:g}"
            )
            return program_drain(
                ctx,
                lambda: fill_reqless(ctx, target, ctx.n),
                program,
                lambda: int(ctx.redis.zcard("ql:completed")),
                "zcard",
            )

        return measure

    def raw(impl: str) -> Callable[[], Sample]:
        commands = [
            [sys.executable, str(RAW_AGENT), "loop", "--impl", impl, "--url", ctx.url]
            for _ in range(c)
        ]
        return lambda: loop_drain(ctx, lambda: fill_raw(ctx, ctx.n), commands)

    def huey(storage: str) -> Callable[[], Sample]:
        assert ctx.huey is not None
        info = ctx.huey.storages[storage]
        key = info["queue_key"]
        size = ctx.redis.zcard if info["queue_type"] == "zset" else ctx.redis.llen

        def measure() -> Sample:
            return program_drain(
                ctx,
                lambda: fill_huey(ctx, storage, ctx.n),
                huey_consumer(ctx, storage, c),
                lambda: ctx.n - int(size(key)),
                "zcard" if info["queue_type"] == "zset" else "llen",
            )

        return measure

    subjects: dict[str, Callable[[], Sample]] = {}
    for target in ctx.targets:
        subjects[f"{target.label}/loop"] = loop(target)
        subjects[f"{target.label}/worker"] = worker(target)
    subjects["raw/loop"] = raw("raw")
    subjects["lua/loop"] = raw("lua")
    if ctx.huey is not None:
        for storage in ctx.huey.storages:
            subjects[f"huey-{storage}/consumer"] = huey(storage)
    return repeat(ctx, subjects)


# -- queue patterns -------------------------------------------------------------------


def figure_patterns(ctx: Context) -> dict[str, Any]:
    """`-q 'tenant-*'` over `--pattern-queues` known queues against the plain queue name.

    busy: `--pattern-busy` jobs in one queue (`tenant-1000`), drained by a worker
    given the pattern and by one given the plain name. spread: one job in each
    queue, drained by the pattern worker; its reference is the plain worker
    draining as many jobs from the one queue. One worker child (`--workers 1`).
    """
    queues, busy = ctx.pattern_queues, ctx.pattern_busy
    one = f"tenant-{min(1000, queues - 1):04d}"

    def drain(target: Target, queue: str, mode: str, jobs: int) -> Callable[[], Sample]:
        def fill() -> None:
            run_agent(
                target.python, REQLESS_AGENT, "tenants", "--url", ctx.url,
                "--queues", queues, "--queue", one, "--mode", mode, "--n", jobs,
            )  # fmt: skip

        def measure() -> Sample:
            program = worker_program(
                ctx, target, queue, "--workers", "1", "--interval", f"{ctx.interval:g}"
            )
            count = lambda: int(ctx.redis.zcard("ql:completed"))  # noqa: E731
            return program_drain(ctx, fill, program, count, "zcard", total=jobs)

        return measure

    subjects: dict[str, Callable[[], Sample]] = {}
    for target in ctx.targets:
        subjects[f"{target.label}/busy-plain"] = drain(target, one, "busy", busy)
        subjects[f"{target.label}/busy-pattern"] = drain(target, "tenant-*", "busy", busy)
        subjects[f"{target.label}/spread-plain"] = drain(target, one, "busy", queues)
        subjects[f"{target.label}/spread-pattern"] = drain(target, "tenant-*", "spread", queues)
    result = repeat(ctx, subjects)
    for target in ctx.targets:
        for kind in ("busy", "spread"):
            plain = result[f"{target.label}/{kind}-plain"]["rate"]
            pattern = result[f"{target.label}/{kind}-pattern"]
            pattern["vs_plain"] = pattern["rate"] / plain
    return result


# -- pickup latency ---------------------------------------------------------------------


def latency_sample(latencies: list[float], expected: int) -> Sample:
    if len(latencies) != expected:
        raise RuntimeError(f"got {len(latencies)} pickups, expected {expected}")
    ms = [x * 1000 for x in latencies]
    return {
        "p50_ms": percentile(ms, 50),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms),
        "latencies_ms": ms,
    }


def stamps(ctx: Context) -> list[str]:
    return [str(item) for item in ctx.redis.lrange(PICKUP_KEY, 0, -1)]


def figure_pickup(ctx: Context) -> dict[str, Any]:
    """Idle consumer; jobs put `pickup_gap` apart; latency = start of the job - put."""
    count, gap = ctx.pickup_jobs, ctx.pickup_gap

    def reqless(target: Target) -> Callable[[], Sample]:
        def measure() -> Sample:
            program = worker_program(ctx, target, PICKUP_QUEUE, "--workers", "1")
            program.start()
            try:
                # One warm-up job proves the worker is up; then it is idle, polling.
                run_agent(
                    target.python,
                    REQLESS_AGENT,
                    "pickup",
                    "--url",
                    ctx.url,
                    "--queue",
                    PICKUP_QUEUE,
                    "--count",
                    1,
                )
                wait_until(lambda: ctx.redis.llen(PICKUP_KEY) >= 1, 60, what="warm-up job")
                ctx.redis.delete(PICKUP_KEY)
                time.sleep(0.2)
                result = run_agent(
                    target.python,
                    REQLESS_AGENT,
                    "pickup",
                    "--url",
                    ctx.url,
                    "--queue",
                    PICKUP_QUEUE,
                    "--count",
                    count,
                    "--gap",
                    gap,
                )
                wait_until(lambda: ctx.redis.llen(PICKUP_KEY) >= count, 60, what="pickups")
            finally:
                program.stop()
            started = dict(line.split() for line in stamps(ctx))
            puts: dict[str, float] = result["put_times"]
            return latency_sample([float(started[jid]) - t for jid, t in puts.items()], count)

        return measure

    def raw() -> Sample:
        consumer = Agent(
            [
                sys.executable,
                str(RAW_AGENT),
                "latency-consume",
                "--url",
                ctx.url,
                "--count",
                str(count),
            ]
        ).start()
        consumer.wait_ready()
        time.sleep(0.2)
        run_agent(
            sys.executable,
            RAW_AGENT,
            "latency-put",
            "--url",
            ctx.url,
            "--count",
            count,
            "--gap",
            gap,
        )
        return latency_sample(consumer.result(timeout=120)["latencies"], count)

    def huey(storage: str) -> Callable[[], Sample]:
        def measure() -> Sample:
            assert ctx.huey is not None
            env = ctx.huey_env(storage)
            program = huey_consumer(ctx, storage, 1).start()
            try:
                run_agent(ctx.huey.python, HUEY_AGENT, "pickup", "--count", 1, env=env)
                wait_until(lambda: ctx.redis.llen(PICKUP_KEY) >= 1, 60, what="warm-up task")
                ctx.redis.delete(PICKUP_KEY)
                time.sleep(0.2)
                run_agent(
                    ctx.huey.python, HUEY_AGENT, "pickup", "--count", count, "--gap", gap, env=env
                )
                wait_until(lambda: ctx.redis.llen(PICKUP_KEY) >= count, 60, what="pickups")
            finally:
                program.stop()
            return latency_sample([float(x) for x in stamps(ctx)], count)

        return measure

    subjects: dict[str, Callable[[], Sample]] = {}
    for target in ctx.targets:
        subjects[f"{target.label}/worker"] = reqless(target)
    subjects["raw/brpop"] = raw
    if ctx.huey is not None:
        subjects["huey-plain/consumer"] = huey("plain")
    results = repeat(ctx, subjects)
    for summary in results.values():  # percentiles over every run's jobs together
        pooled = [x for s in summary["samples"] for x in s.pop("latencies_ms")]
        summary.pop("latencies_ms", None)
        summary["p50_ms"] = percentile(pooled, 50)
        summary["p99_ms"] = percentile(pooled, 99)
        summary["max_ms"] = max(pooled)
        summary["jobs"] = len(pooled)
    return results


# -- cost at depth ------------------------------------------------------------------------


def figure_depth(ctx: Context) -> dict[str, Any]:
    """Pop + complete cycles with `depth` jobs waiting, one process, one by one."""
    m = ctx.depth_cycles
    results: dict[str, Any] = {}

    def cycle_sample(result: dict[str, Any]) -> Sample:
        cost = ServerCost.from_stats(m, result["cpu"], result["commands"])
        return {
            "usec_per_cycle": result["seconds"] * 1e6 / m,
            "rate": m / result["seconds"],
            "server_cpu_usec": cost.cpu_usec,
            "server_script_usec": cost.script_usec,
            "server_commands": cost.commands,
        }

    for depth in ctx.depths:
        for target in ctx.targets:
            key = f"{target.label}/depth-{depth}"
            ctx.flush()
            ctx.log(f"  {key}: filling {depth + m} jobs")
            fill_reqless(ctx, target, depth + m)
            samples = []
            for rep in range(ctx.reps):
                result = run_agent(
                    target.python,
                    REQLESS_AGENT,
                    "depth",
                    "--url",
                    ctx.url,
                    "--queue",
                    QUEUE,
                    "--m",
                    m,
                )
                samples.append({**cycle_sample(result), "depth_before": result["depth_before"]})
                ctx.log(f"    rep {rep + 1}: {samples[-1]['usec_per_cycle']:.1f} us/cycle")
                fill_reqless(ctx, target, m)
            results[key] = summarise(samples)
        key = f"raw/depth-{depth}"
        ctx.flush()
        fill_raw(ctx, depth + m)
        samples = []
        for _ in range(ctx.reps):
            result = run_agent(sys.executable, RAW_AGENT, "depth", "--url", ctx.url, "--m", m)
            samples.append({**cycle_sample(result), "depth_before": result["depth_before"]})
            fill_raw(ctx, m)
        results[key] = summarise(samples)
        ctx.log(f"  {key}: {results[key]['usec_per_cycle']:.1f} us/cycle")
    return results


# -- server cost per operation ------------------------------------------------------------


def figure_server(ctx: Context) -> dict[str, Any]:
    """Server CPU and commands per put, pop, complete (and config.get) by one client."""
    n = ctx.server_n

    def phases(result: dict[str, Any]) -> Sample:
        sample: Sample = {}
        for phase, stats in result["phases"].items():
            cost = ServerCost.from_stats(n, stats["cpu"], stats["commands"])
            sample[f"{phase}_cpu_usec"] = cost.cpu_usec
            sample[f"{phase}_script_usec"] = cost.script_usec
            sample[f"{phase}_calls"] = cost.calls
            sample[f"{phase}_inner"] = cost.inner
            sample[f"{phase}_commands"] = cost.commands
            sample[f"{phase}_rate"] = n / stats["seconds"]
            sample[f"{phase}_by_command"] = cost.by_command
        sample["job_cpu_usec"] = sum(sample[f"{p}_cpu_usec"] for p in ("put", "pop", "complete"))
        sample["job_script_usec"] = sum(
            sample[f"{p}_script_usec"] for p in ("put", "pop", "complete")
        )
        sample["job_commands"] = sum(sample[f"{p}_commands"] for p in ("put", "pop", "complete"))
        return sample

    def reqless(target: Target) -> Callable[[], Sample]:
        return lambda: phases(
            run_agent(target.python, REQLESS_AGENT, "phases", "--url", ctx.url, "--n", n)
        )

    def raw(impl: str) -> Callable[[], Sample]:
        return lambda: phases(
            run_agent(
                sys.executable, RAW_AGENT, "phases", "--impl", impl, "--url", ctx.url, "--n", n
            )
        )

    subjects: dict[str, Callable[[], Sample]] = {}
    for target in ctx.targets:
        subjects[f"{target.label}/lifecycle"] = reqless(target)
    subjects["raw/lifecycle"] = raw("raw")
    subjects["lua/lifecycle"] = raw("lua")
    subjects["minimal/lifecycle"] = raw("minimal")
    return repeat(ctx, subjects)


# -- where the worker's time goes ------------------------------------------------------------


def figure_profile(ctx: Context) -> dict[str, Any]:
    """cProfile (CPU time) of one worker child's main thread while the worker drains N jobs."""
    results: dict[str, Any] = {}
    for target in ctx.targets:
        ctx.flush()
        out = ctx.workdir / f"profile-{target.label}"
        out.mkdir(exist_ok=True)
        for old in out.glob("*.prof"):
            old.unlink()
        fill_reqless(ctx, target, ctx.n)
        program = worker_program(
            ctx,
            target,
            QUEUE,
            "--workers",
            str(ctx.consumers),
            "--interval",
            f"{ctx.interval:g}",
        )
        program.command[: len(target.worker)] = [str(target.python), str(PROFILE_WORKER)]
        program.env = {"BENCH_PROFILE_DIR": str(out)}
        ctx.log(f"  {target.label}: profiling a worker drain of {ctx.n} jobs")
        program.start()
        try:
            wait_until(lambda: ctx.redis.zcard("ql:completed") >= ctx.n, 900, 0.05, "drain")
        finally:
            program.stop(signal.SIGTERM)
        profiles = sorted(out.glob("*.prof"), key=lambda p: p.stat().st_size)
        if not profiles:
            raise RuntimeError(f"no profile written in {out}; see {program.log}")
        report = subprocess.run(
            [str(target.python), "-c", _PSTATS, str(profiles[-1])],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        results[target.label] = {"profile": str(profiles[-1]), "report": report}
        if ctx.huey is not None:
            results[target.label]["py_spy"] = py_spy_profile(ctx, target)
    return results


_PSTATS = """
import io, pstats, sys
for order in ("cumulative", "tottime"):
    out = io.StringIO()
    stats = pstats.Stats(sys.argv[1], stream=out)
    stats.strip_dirs().sort_stats(order).print_stats(15)
    text = out.getvalue()
    print(text[text.index("   ncalls"):].rstrip() if "   ncalls" in text else text)
    print()
# Own time grouped by where the code lives: which library the CPU goes to. Time in
# C functions counts for the module that called them, except socket I/O (the kernel).
def group(filename, name):
    if filename == "~":
        if "socket" in name:
            return "socket send/recv (kernel)"
        return None
    if "/reqless/" in filename:
        return "reqless/" + filename.split("/reqless/")[-1]
    if "site-packages/" in filename:
        return filename.split("site-packages/")[-1].split("/")[0] + " (library)"
    parts = filename.replace("<frozen ", "").rstrip(">").split("/")
    return "stdlib " + "/".join(parts[-2:] if parts[-1] == "__init__.py" else parts[-1:])
groups = {}
raw = pstats.Stats(sys.argv[1]).stats
for (filename, line, name), (cc, nc, tt, ct, callers) in raw.items():
    own = group(filename, name)
    if own is not None:
        groups[own] = groups.get(own, 0.0) + tt
        continue
    shares = {caller: value[2] for caller, value in callers.items()}
    total_share = sum(shares.values()) or 1.0
    for (cfile, cline, cname), share in shares.items():
        key = group(cfile, cname) or "C functions"
        groups[key] = groups.get(key, 0.0) + tt * share / total_share
total = sum(groups.values())
print("own time by module, C calls counted for their caller (share of the profiled CPU):")
for key, tt in sorted(groups.items(), key=lambda kv: -kv[1])[:15]:
    print(f"  {100 * tt / total:5.1f}%  {tt:7.3f}s  {key}")
"""


def py_spy_profile(ctx: Context, target: Target) -> str | None:
    """py-spy (from huey's environment) sampling one worker child: the hottest frames."""
    assert ctx.huey is not None
    py_spy = ctx.huey.python.parent / "py-spy"
    if not py_spy.exists():
        return None
    ctx.flush()
    fill_reqless(ctx, target, ctx.n)
    program = worker_program(
        ctx, target, QUEUE, "--workers", str(ctx.consumers), "--interval", f"{ctx.interval:g}"
    ).start()
    out = ctx.workdir / f"py-spy-{target.label}.txt"
    try:
        wait_until(lambda: ctx.redis.zcard("ql:completed") > 0, 60, what="a first job done")
        children = [pid for pid in program.pids() if pid != program.process.pid]
        if not children:
            return None
        done = subprocess.run(
            [
                str(py_spy),
                "record",
                "--pid",
                str(children[0]),
                "--duration",
                "3",
                "--rate",
                "500",
                "--format",
                "raw",
                "--function",
                "--output",
                str(out),
                "--nonblocking",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            return f"py-spy failed: {done.stderr.strip()[-500:]}"
    finally:
        program.stop()
    return summarise_folded(out.read_text()) if out.exists() else None


def summarise_folded(text: str, top: int = 20) -> str:
    """Share of samples per function, inclusive and self, from py-spy's folded stacks."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = [_frame(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
        own[frames[-1]] = own.get(frames[-1], 0) + count

    def table(counts: dict[str, int], limit: int) -> list[str]:
        rows = sorted(counts.items(), key=lambda kv: -kv[1])[:limit]
        return [f"  {100 * c / max(total, 1):5.1f}%  {name}" for name, c in rows]

    return "\n".join(
        [
            f"{total} samples of the busy main thread; inclusive (the function or its callees):",
            *table(inclusive, top),
            "self (the function's own code):",
            *table(own, 15),
        ]
    )


def _frame(frame: str) -> str:
    function, _, where = frame.partition(" (")
    return f"{function} ({os.path.basename(where)}" if where else function
