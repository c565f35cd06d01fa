"""Cluster and Sentinel URLs on the command line: a cluster that does not answer,
a cluster URL at a single server and a cluster without a namespace each end the
command with one line that says so, and the worker program waits for a cluster
that is not up yet (docs/scale-out.md)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis

from reqless.server import LocalServer, free_port
from tests.cli.process import clean_environment, run_reqless
from tests.patience import PATIENCE
from tests.topology import LocalCluster


def test_a_cluster_nobody_answers_is_unreachable() -> None:
    url = f"redis+cluster://127.0.0.1:{free_port()}"
    result = run_reqless("--namespace", "a", "queues", "--url", url)
    assert result.code == 3, result.err
    assert result.err.startswith(f"Error: cannot reach the server at {url}")
    assert "no node of the cluster answered" in result.err
    assert "Traceback" not in result.err


def test_a_cluster_url_at_a_single_server_says_so(server: LocalServer, redis: Redis) -> None:
    url = f"redis+cluster://127.0.0.1:{server.port}"
    result = run_reqless("--namespace", "a", "put", "q", "app.Job", "--url", url)
    assert result.code == 3, result.err
    assert result.err.startswith(f"Error: 127.0.0.1:{server.port} is not a cluster node: ")
    assert "Traceback" not in result.err
    assert redis.keys("*") == []


def test_a_cluster_without_a_namespace_is_refused(cluster: LocalCluster) -> None:
    result = run_reqless("put", "q", "app.Job", "--url", cluster.url)
    assert result.code == 1, result.err
    assert "a cluster needs a namespace" in result.err
    listed = run_reqless("--namespace", "a", "queues", "--json", "--url", cluster.url)
    assert listed.code == 0 and listed.json() == [], listed.err


def test_the_worker_waits_for_a_cluster_that_is_not_up(tmp_path: Path) -> None:
    url = f"redis+cluster://127.0.0.1:{free_port()}"
    program = str(Path(sys.executable).parent / "reqless-py-worker")
    log = tmp_path / "worker.log"
    with log.open("wb") as stderr:
        worker = subprocess.Popen(
            [program, "--url", url, "--namespace", "a", "-q", "q", "--workdir", str(tmp_path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            env=clean_environment(),
        )  # fmt: skip
    try:
        deadline = time.monotonic() + PATIENCE
        while "trying again" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.poll() is None, log.read_text()
        assert "cannot reach the server at" in log.read_text()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)
    assert "Traceback" not in log.read_text()
