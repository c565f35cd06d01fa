"""Nothing is lost when the server restarts (with AOF) under a running worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reqless.client import Client
from reqless.server import ServerKind, free_port, start_server
from tests.patience import PATIENCE

JOBS = """
import time


class Steady:
    @staticmethod
    def process(job):
        time.sleep(0.2)
        job.complete()
"""


@pytest.fixture
def worker_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory with the job module; worker processes are killed at teardown."""
    (tmp_path / "steadyjobs.py").write_text(JOBS)
    yield tmp_path


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_server_restart_under_a_worker_loses_no_job(kind: ServerKind, worker_dir: Path) -> None:
    data = worker_dir / "data"
    data.mkdir()
    port = free_port()
    server = start_server(kind, port, workdir=data, appendonly=True)
    client = Client(server.url, hostname="restart-test")
    client.config["heartbeat"] = 3
    client.config["grace-period"] = 0
    jids = [client.queues["q"].put("steadyjobs.Steady", {"n": n}) for n in range(40)]
    log = (worker_dir / "worker.log").open("wb")
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "reqless-py-worker"), "--url", server.url, "--verbose",
         "-q", "q", "--workers", "2", "--interval", "0.1", "--workdir", str(worker_dir / "work")],
        cwd=worker_dir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=log, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + PATIENCE
        while len(client.jobs.complete(0, 100)) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        server.stop()  # a clean shutdown writes the AOF out
        time.sleep(1.0)
        server = start_server(kind, port, workdir=data, appendonly=True)

        deadline = time.monotonic() + PATIENCE
        states: dict[str, str | None] = {}
        while time.monotonic() < deadline:
            states = {jid: getattr(client.jobs[jid], "state", None) for jid in jids}
            if all(state == "complete" for state in states.values()):
                break
            time.sleep(0.25)
        pending = {jid: s for jid, s in states.items() if s != "complete"}
        assert not pending, (pending, (worker_dir / "worker.log").read_text()[-3000:])
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        log.close()
        client.database.close()
        server.stop()
