"""The failover scenario (issue 22): the primary is killed mid-run and a replica
takes over, with and without durable acknowledgement.

A producer puts jobs one at a time and notes each put the client acknowledged;
a worker program runs them. Part-way, the primary that serves the jobs is
SIGKILLed (with `SIGKILL`, nothing is flushed) and Sentinel or the cluster
promotes its replica; the clients follow it without a restart. With
`durable=True` every acknowledged put, pop, heartbeat and complete was on the
replica before the client was told (`WAIT 1`), so nothing acknowledged may be
lost and no job may run twice at the same time. Without it, replication runs
behind the primary by however much it had not sent yet: what was lost is
counted, not hidden.
"""

from __future__ import annotations

import functools
import os
import signal
import time
from pathlib import Path
from typing import Literal

from redis.crc import key_slot
from redis.exceptions import RedisError

from reqless.client import Client
from reqless.durability import Durability
from reqless.exceptions import ReqlessError
from reqless.server import LocalServer, ServerKind
from tests.reliability.harness import PATIENCE, Fleet, states, wait_until
from tests.reliability.ledger import Ledger, Report, analyse
from tests.reliability.scenarios import HEARTBEAT, QUEUE, Producer, reached, running
from tests.topology import LocalCluster, LocalSentinelSet, start_cluster, start_sentinel

__all__ = ["failover"]

Topology = Literal["sentinel", "cluster"]
#: The namespace of the cluster runs (a cluster needs one).
NAMESPACE = "ledger"
#: Seconds a client keeps retrying a call that met the switch.
RETRY_WINDOW = 30.0
#: Seconds between two puts: the producer is still putting when the primary dies.
PUT_PAUSE = 0.02
#: How long an acknowledgement may take before the write counts as not acknowledged.
ACK_TIMEOUT = 2.0


def _settled_or_gone(client: Client, jids: list[str]) -> bool:
    """Every job finished, or unknown to the server (lost in the failover)."""
    try:
        found = states(client, jids)
    except (RedisError, ReqlessError):
        return False
    return all(state in ("complete", "failed", None) for state in found.values())


def _replicas_of(primary: LocalServer, world: LocalSentinelSet | LocalCluster) -> list[LocalServer]:
    with primary.client() as redis:
        info = redis.info("replication")
    ports = {
        int(v["port"]) for k, v in info.items() if k.startswith("slave") and isinstance(v, dict)
    }
    nodes = world.servers if isinstance(world, LocalSentinelSet) else world.nodes
    return [node for node in nodes if node.port in ports]


def _cut_replication(primary: LocalServer, replicas: list[LocalServer], lag: float) -> None:
    """Leave the replicas `lag` seconds behind the primary before it is killed, as
    a slow or broken network would: they are stopped (SIGSTOP, so that they cannot
    reconnect and catch up) and their links dropped, while the primary goes on
    acknowledging writes. The caller continues them once the primary is dead."""
    if lag <= 0:
        return
    for replica in replicas:
        os.kill(replica.process.pid, signal.SIGSTOP)
    with primary.client() as redis:
        redis.execute_command("CLIENT", "KILL", "TYPE", "replica")
    time.sleep(lag)


def _continue(replicas: list[LocalServer]) -> None:
    for replica in replicas:
        os.kill(replica.process.pid, signal.SIGCONT)


def failover(
    kind: ServerKind,
    workdir: Path,
    topology: Topology = "sentinel",
    durable: bool = True,
    jobs: int = 150,
    workers: int = 2,
    lag: float = 0.5,
) -> Report:
    """Kill the serving primary once, mid-run, `lag` seconds after its replica
    stopped hearing from it; return what the ledger shows."""
    world: LocalSentinelSet | LocalCluster = (
        start_sentinel(kind) if topology == "sentinel" else start_cluster(kind)
    )
    namespace = NAMESPACE if topology == "cluster" else None
    durability = Durability(replicas=1, timeout=ACK_TIMEOUT) if durable else None
    extra = ["--ack-replicas", "1", "--ack-timeout", str(ACK_TIMEOUT)] if durable else []
    if namespace is not None:
        extra += ["--namespace", namespace]
    client = Client(world.url, hostname="failover-test", retry_window=RETRY_WINDOW,
                    namespace=namespace, durability=durability)  # fmt: skip
    ledger = Ledger(workdir / "ledger.jsonl")
    name = f"{topology} failover ({'durable' if durable else 'plain'})"
    try:
        client.config["heartbeat"] = HEARTBEAT
        client.config["grace-period"] = 0
        producer = Producer(client, ledger, jobs, pause=PUT_PAUSE)
        fleet = Fleet(world.url, workdir, [QUEUE], workers=workers, extra=extra)
        fleet.start()
        try:
            fleet.wait_for_children()
            producer.start()
            wait_until(functools.partial(reached, ledger, jobs // 3), 60, "progress")
            wait_until(lambda: running(ledger), PATIENCE, "a job under way")
            victim = (
                world.primary()
                if isinstance(world, LocalSentinelSet)
                else world.node_for_slot(key_slot(client.keys.prefix.encode()))
            )
            replicas = _replicas_of(victim, world)
            cut = functools.partial(_cut_replication, victim, replicas, lag)
            if isinstance(world, LocalSentinelSet):
                cut()
                victim.process.kill()
                victim.process.wait()
                _continue(replicas)
                world.note_killed(victim)
                killed_at = time.time()
                world.wait_failover()
            else:
                world.kill(victim, before=cut)
                _continue(replicas)
                killed_at = time.time()
                world.wait_failover(victim)
            switched = time.time()
            # As an operator would: the old primary comes back, empty, as the new
            # primary's replica, so that writes can be acknowledged again.
            world.restart(victim)
            replica_back = time.time()
            producer.join(120)
            try:
                wait_until(lambda: _settled_or_gone(client, producer.jids), 120, name)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{fleet.log_tail()}") from None
            report = analyse(name, ledger, states(client, producer.jids))
            if report.failed:
                report.notes["failures"] = sorted({
                    f"{job.failure.get('group')}: {job.failure.get('message', '')[:160]}"
                    for job in client.jobs.get(*report.failed)
                })  # fmt: skip
        finally:
            producer.stop()
            fleet.stop()
        report.notes.update({
            "replica behind (s)": lag,
            "failover (s)": round(switched - killed_at, 1),
            "replica back (s)": round(replica_back - killed_at, 1),
            "puts refused": producer.refused,
            "last refusal": producer.last_refusal[:200],
            "topology": topology,
        })  # fmt: skip
        return report
    finally:
        client.database.close()
        world.stop()
