"""The `scale` figure: one server against a 3-primary cluster, with 1, 2 and 3 namespaces.

Run with `--only scale` (it is not in the default run). Besides the bench's own
server it starts a cluster of 3 primaries with one replica each (`tests.topology`,
the starter the test suite uses) and picks namespaces whose slots land on
different primaries. Four subjects: the bench's server with 1 namespace, and the
cluster with 1, 2 and 3 namespaces. Each is measured three ways, with N jobs split
evenly over its namespaces:

- put: one process per namespace, started together, puts its share one call per job;
- library loop: max(--consumers, namespaces) processes, process i bound to namespace
  i mod namespaces, pop + complete until their queue is empty, started together;
- worker: one `reqless-py-worker` with `--namespace` for each namespace and
  `--workers` max(2, namespaces), timed from the first completed job to the Nth.

The machine has few cores, so throughput alone says little: each sample also has
the client CPU per job and, for each primary, the jobs it served and its CPU
(INFO used_cpu_user + used_cpu_sys) per job, plus the replicas' CPU per job.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis import Redis

from bench.figures import (
    POLL,
    QUEUE,
    Context,
    Sample,
    Target,
    put_many_args,
    repeat,
)
from bench.harness import AGENTS, REQLESS_AGENT, Agent, Program, process_cpu, run_agent, wait_until
from reqless.keys import KeySpace
from tests.topology import LocalCluster, start_cluster

__all__ = ["figure_scale", "pick_namespaces", "split"]

#: Primaries of the cluster (each with one replica).
PRIMARIES = 3
#: Milliseconds before a cluster node counts as failing during the figure: far
#: longer than the tests' second, so a loaded machine does not fail a primary over.
NODE_TIMEOUT_MS = 15_000
#: The subjects: (name, on the cluster, namespaces).
SUBJECTS = (("server-1", False, 1), ("cluster-1", True, 1), ("cluster-2", True, 2),
            ("cluster-3", True, 3))  # fmt: skip
PHASES = ("put", "loop", "worker")
#: Seconds the replicas may take to catch up with their primaries.
CATCH_UP = 30.0


@dataclass
class Servers:
    """Where a subject runs: its URL, the primaries in slot order, and the replicas."""

    url: str
    primaries: list[Redis]
    #: Each replica with the primary (an index into `primaries`) it follows.
    replicas: list[tuple[Redis, int]]

    def flush(self) -> None:
        for primary in self.primaries:
            primary.flushall()

    def cpu(self) -> tuple[list[float], list[float]]:
        """CPU seconds (user + sys) so far of each primary and of each replica."""
        return [_cpu(p) for p in self.primaries], [_cpu(r) for r, _ in self.replicas]

    def catch_up(self) -> None:
        """Wait until every replica applied all its primary wrote, and check that no
        failover happened (a primary that is no longer one spoils the figure)."""
        for primary in self.primaries:
            if primary.info("replication")["role"] != "master":
                raise RuntimeError(f"{_where(primary)} is no longer a primary: a failover")

        def applied() -> bool:
            for replica, index in self.replicas:
                wrote = int(self.primaries[index].info("replication")["master_repl_offset"])
                if int(replica.info("replication")["slave_repl_offset"]) < wrote:
                    return False
            return True

        wait_until(applied, CATCH_UP, POLL, "the replicas to catch up")


def _cpu(redis: Redis) -> float:
    info = redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _where(redis: Redis) -> str:
    kwargs = redis.connection_pool.connection_kwargs
    return f"{kwargs.get('host')}:{kwargs.get('port')}"


def pick_namespaces(owner: Callable[[str], int], count: int, prefix: str = "bench-") -> list[str]:
    """One namespace per primary: the first names `<prefix>0`, `<prefix>1`, ... whose
    slot is on primary 0, 1, ... `count - 1` (`owner` gives a name's primary index)."""
    found: dict[int, str] = {}
    for i in range(100 * count):
        name = f"{prefix}{i}"
        found.setdefault(owner(name), name)
        if all(index in found for index in range(count)):
            return [found[index] for index in range(count)]
    raise RuntimeError(f"no names {prefix}N found for each of {count} primaries")


def split(n: int, parts: int) -> list[int]:
    """`n` jobs split as evenly as can be over `parts` namespaces."""
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


@dataclass
class Layout:
    """The cluster the figure started, as the figure sees it."""

    cluster: LocalCluster
    servers: Servers
    #: Slot ranges of each primary, in slot order.
    slots: list[tuple[int, int]]
    #: One namespace per primary, in primary order.
    namespaces: list[str]
    namespace_slots: list[int]

    @staticmethod
    def start(kind: str) -> Layout:
        cluster = start_cluster("valkey" if kind == "valkey" else "redis", PRIMARIES, 1)
        try:
            for node in cluster.nodes:
                with node.client() as redis:
                    redis.config_set("cluster-node-timeout", NODE_TIMEOUT_MS)
            with cluster.nodes[0].client() as redis:
                table = sorted(redis.execute_command("CLUSTER", "SLOTS"), key=lambda e: e[0])
            by_port = {node.port: node for node in cluster.nodes}
            primaries = [by_port[int(entry[2][1])].client() for entry in table]
            # A node's CLUSTER SLOTS may not list the replicas yet (gossip is slow);
            # each replica knows its primary.
            home = {int(entry[2][1]): index for index, entry in enumerate(table)}
            replicas = []
            for node in cluster.replicas():
                client = node.client()
                replicas.append((client, home[int(client.info("replication")["master_port"])]))
            ranges = [(int(entry[0]), int(entry[1])) for entry in table]

            probe: Any = primaries[0]  # redis-py leaves execute_command untyped

            def slot(name: str) -> int:
                return int(probe.execute_command("CLUSTER", "KEYSLOT", KeySpace(name).prefix))

            def owner(name: str) -> int:
                at = slot(name)
                return next(i for i, (lo, hi) in enumerate(ranges) if lo <= at <= hi)

            namespaces = pick_namespaces(owner, len(primaries))
            hosts = ",".join(f"127.0.0.1:{by_port[int(e[2][1])].port}" for e in table)
            servers = Servers(f"redis+cluster://{hosts}", primaries, replicas)
            return Layout(cluster, servers, ranges, namespaces, [slot(n) for n in namespaces])
        except BaseException:
            cluster.stop()
            raise

    def stop(self) -> None:
        for redis in [*self.servers.primaries, *(r for r, _ in self.servers.replicas)]:
            redis.close()
        self.cluster.stop()

    def describe(self) -> dict[str, Any]:
        return {
            "primaries": [
                {"slots": f"{lo}-{hi}", "namespace": ns, "namespace_slot": at}
                for (lo, hi), ns, at in zip(
                    self.slots, self.namespaces, self.namespace_slots, strict=True
                )
            ],
            "replicas": len(self.servers.replicas),
        }


@dataclass
class Subject:
    """One subject: its servers and its namespaces, each with the primary that serves it."""

    servers: Servers
    namespaces: list[str]
    homes: list[int]  # the primary (index) of each namespace

    def served(self, per_namespace: list[int]) -> list[int]:
        """Jobs each primary served, from the jobs of each namespace."""
        jobs = [0] * len(self.servers.primaries)
        for home, count in zip(self.homes, per_namespace, strict=True):
            jobs[home] += count
        return jobs


def cost_sample(
    subject: Subject,
    before: tuple[list[float], list[float]],
    after: tuple[list[float], list[float]],
    per_namespace: list[int],
    seconds: float,
    client_cpu: float,
) -> Sample:
    """Rate, client CPU per job, and each primary's jobs and CPU per job over a window."""
    jobs = sum(per_namespace)
    sample: Sample = {
        "rate": jobs / seconds,
        "seconds": seconds,
        "jobs": jobs,
        "client_cpu_usec": client_cpu * 1e6 / jobs,
    }
    primaries_cpu = 0.0
    for index, served in enumerate(subject.served(per_namespace)):
        spent = after[0][index] - before[0][index]
        primaries_cpu += spent
        sample[f"p{index + 1}_jobs"] = served
        sample[f"p{index + 1}_cpu_ms"] = spent * 1e3
        sample[f"p{index + 1}_cpu_usec"] = spent * 1e6 / served if served else 0.0
    replicas_cpu = sum(a - b for a, b in zip(after[1], before[1], strict=True))
    sample["primaries_cpu_usec"] = primaries_cpu * 1e6 / jobs
    sample["replicas_cpu_usec"] = replicas_cpu * 1e6 / jobs
    sample["servers_cpu_usec"] = (primaries_cpu + replicas_cpu) * 1e6 / jobs
    return sample


def _together(subject: Subject, agents: list[Agent]) -> tuple[list[dict[str, Any]], Any, Any]:
    """Start agents together after the replicas caught up; CPU before and after."""
    try:
        for agent in agents:
            agent.start()
        for agent in agents:
            agent.wait_ready()
        subject.servers.catch_up()
        before = subject.servers.cpu()
        for agent in agents:
            agent.go()
        results = [agent.result() for agent in agents]
        subject.servers.catch_up()
        after = subject.servers.cpu()
    finally:
        for agent in agents:
            if agent.process.poll() is None:
                agent.process.kill()
    return results, before, after


def measure_put(ctx: Context, target: Target, subject: Subject) -> Sample:
    """One process per namespace puts its share, one call per job, all started together."""
    shares = split(ctx.n, len(subject.namespaces))
    agents = [
        Agent(_agent(target, "put", subject.servers.url, namespace,
                     "--n", share, "--mode", "one", "--wait-go"))
        for namespace, share in zip(subject.namespaces, shares, strict=True)
    ]  # fmt: skip
    results, before, after = _together(subject, agents)
    seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    client = sum(r["cpu"] for r in results)
    return cost_sample(subject, before, after, shares, seconds, client)


def fill(ctx: Context, target: Target, subject: Subject) -> None:
    """Each namespace's share of N no-op jobs, put in bulk (not timed)."""
    for namespace, share in zip(
        subject.namespaces, split(ctx.n, len(subject.namespaces)), strict=True
    ):
        run_agent(target.python, REQLESS_AGENT, *_args("put", subject.servers.url, namespace,
                  "--n", share, "--mode", "bulk", *put_many_args(target)))  # fmt: skip


def measure_loop(ctx: Context, target: Target, subject: Subject) -> Sample:
    """max(consumers, namespaces) pop + complete loops, process i on namespace i mod k."""
    k = len(subject.namespaces)
    fill(ctx, target, subject)
    bound = [subject.namespaces[i % k] for i in range(max(ctx.consumers, k))]
    agents = [
        Agent(_agent(target, "loop", subject.servers.url, namespace, "--name", f"bench-loop-{i}"))
        for i, namespace in enumerate(bound)
    ]
    results, before, after = _together(subject, agents)
    per_namespace = [
        sum(r["count"] for r, ns in zip(results, bound, strict=True) if ns == namespace)
        for namespace in subject.namespaces
    ]
    if sum(per_namespace) != ctx.n:
        raise RuntimeError(f"the loops took {sum(per_namespace)} jobs, expected {ctx.n}")
    seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    client = sum(r["cpu"] for r in results)
    return cost_sample(subject, before, after, per_namespace, seconds, client)


def measure_worker(ctx: Context, target: Target, subject: Subject) -> Sample:
    """The worker program serving every namespace; timed from the first completion."""
    k = len(subject.namespaces)
    fill(ctx, target, subject)
    subject.servers.catch_up()
    sandbox = ctx.workdir / f"scale-worker-{target.label}"
    sandbox.mkdir(exist_ok=True)
    namespaces = [arg for ns in subject.namespaces for arg in ("--namespace", ns)]
    program = Program(
        [*target.worker, "--url", subject.servers.url, "-q", QUEUE, "--path", str(AGENTS),
         "--workdir", str(sandbox), "--workers", str(max(2, k)),
         "--interval", f"{ctx.interval:g}", *namespaces],
        ctx.workdir / f"scale-worker-{target.label}.log",
    )  # fmt: skip
    completed = [
        (subject.servers.primaries[home], KeySpace(ns).COMPLETED)
        for ns, home in zip(subject.namespaces, subject.homes, strict=True)
    ]

    def counts() -> list[int]:
        return [int(primary.zcard(key)) for primary, key in completed]

    program.start()
    try:
        wait_until(lambda: sum(counts()) > 0 or not program.alive(), 120, POLL, "a first job done")
        if not program.alive():
            raise RuntimeError(f"the worker exited early; see {program.log}")
        before = subject.servers.cpu()
        pids = program.pids()
        client_before = process_cpu(pids)
        first, start = counts(), time.monotonic()
        last, deadline = first, start + 900
        while sum(last) < ctx.n:
            if time.monotonic() > deadline or not program.alive():
                raise RuntimeError(f"drain stalled at {sum(last)}/{ctx.n}; see {program.log}")
            time.sleep(POLL)
            last = counts()
        end = time.monotonic()
        client_after = process_cpu(pids)
        subject.servers.catch_up()
        after = subject.servers.cpu()
    finally:
        program.stop()
    per_namespace = [b - a for a, b in zip(first, last, strict=True)]
    return cost_sample(
        subject, before, after, per_namespace, end - start, client_after - client_before
    )


def _args(command: str, url: str, namespace: str, *args: str | int) -> list[str]:
    """The reqless agent's arguments for `command` on `namespace` of the queue `QUEUE`."""
    return [command, "--url", url, "--queue", QUEUE, "--namespace", namespace, *map(str, args)]


def _agent(target: Target, command: str, url: str, namespace: str, *args: str | int) -> list[str]:
    """The command line of a reqless agent in `target`'s interpreter."""
    return [str(target.python), str(REQLESS_AGENT), *_args(command, url, namespace, *args)]


MEASURES: dict[str, Callable[[Context, Target, Subject], Sample]] = {
    "put": measure_put,
    "loop": measure_loop,
    "worker": measure_worker,
}


def figure_scale(ctx: Context) -> dict[str, Any]:
    """Put, library loop and worker drain: one server, 1 namespace, against the
    cluster with 1, 2 and 3 namespaces; per-primary jobs and CPU per job."""
    server_info = ctx.redis.info("server")
    kind = "valkey" if server_info.get("server_name") == "valkey" else "redis"
    layout = Layout.start(kind)
    try:
        ctx.log(f"  scale: {kind} cluster {layout.servers.url}, namespaces {layout.namespaces}")
        single = Servers(ctx.url, [ctx.redis], [])
        subjects: dict[str, Subject] = {}
        for name, clustered, k in SUBJECTS:
            servers = layout.servers if clustered else single
            homes = list(range(k)) if clustered else [0]
            subjects[name] = Subject(servers, layout.namespaces[:k], homes)

        def measure(target: Target, subject: Subject, phase: str) -> Callable[[], Sample]:
            def run() -> Sample:
                subject.servers.flush()
                return MEASURES[phase](ctx, target, subject)

            return run

        timed = {
            f"{target.label}/{name}/{phase}": measure(target, subject, phase)
            for target in ctx.targets
            for name, subject in subjects.items()
            for phase in PHASES
        }
        results = repeat(ctx, timed)
        layout.servers.flush()
    finally:
        layout.stop()
    for key, value in results.items():
        label, _, phase = key.split("/")
        value["ratio"] = value["rate"] / results[f"{label}/server-1/{phase}"]["rate"]
    results["layout"] = {"server": kind, **layout.describe()}
    return results
