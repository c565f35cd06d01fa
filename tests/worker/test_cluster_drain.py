"""The worker program on a real 3-primary cluster: one program serves three
namespaces, one per primary, and drains them all (issue 22)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from redis.crc import key_slot

from reqless.client import Client
from reqless.keys import KeySpace
from tests.topology import LocalCluster
from tests.worker.conftest import JobsModule, job_data, job_state, wait_for

#: Three namespace names whose slots belong to three different primaries of an
#: evenly split cluster (checked below, so that a change of split shows).
NAMESPACES = ("bench-0", "bench-2", "bench-3")


def _primary_port(cluster: LocalCluster, namespace: str) -> int:
    return cluster.node_for_slot(key_slot(KeySpace(namespace).prefix.encode())).port


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_worker_drains_three_namespaces_spread_over_three_primaries(
    cluster: LocalCluster, jobs_module: JobsModule, tmp_path: Path
) -> None:
    cluster.flushall()
    assert len({_primary_port(cluster, name) for name in NAMESPACES}) == 3
    clients = {name: Client(cluster.url, namespace=name) for name in NAMESPACES}
    jids = {
        name: [client.queues["q"].put(jobs_module.klass, {"record": True}) for _ in range(5)]
        for name, client in clients.items()
    }
    program = str(Path(sys.executable).parent / "reqless-py-worker")
    spaces = [flag for name in NAMESPACES for flag in ("--namespace", name)]
    log = tmp_path / "worker.log"
    with log.open("wb") as stderr:
        worker = subprocess.Popen(
            [program, "--url", cluster.url, *spaces, "-w", "3", "-q", "q", "--name", "cw",
             "--path", str(jobs_module.directory), "--workdir", str(tmp_path / "work"),
             "--interval", "0.1"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, start_new_session=True,
        )  # fmt: skip
    try:

        def drained() -> bool:
            return all(
                job_state(clients[name], jid) == "complete"
                for name in NAMESPACES
                for jid in jids[name]
            )

        wait_for(drained, timeout=60, message="every job complete")
        # Child i serves namespace i: each namespace's jobs ran in its own child.
        for index, name in enumerate(NAMESPACES):
            ran_by = {job_data(clients[name], jid)["recorded"]["worker"] for jid in jids[name]}
            assert ran_by == {f"cw-{index}"}
        # Each primary ran its own namespace's jobs: its completed set holds them.
        for name in NAMESPACES:
            node = cluster.node_for_slot(key_slot(KeySpace(name).prefix.encode()))
            with node.client() as direct:
                assert direct.zcard(KeySpace(name).COMPLETED) == 5
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        for client in clients.values():
            client.database.close()
