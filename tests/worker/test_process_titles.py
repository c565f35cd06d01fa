"""Process titles of real worker processes, read from /proc/<pid>/cmdline: once a
job is done the title goes back to the idle form at once, in every mode, and
not only after the next wait for work (which lasts up to `--interval`)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reqless.client import Client
from reqless.server import LocalServer
from tests.worker.conftest import JobsModule, StartWorker, cmdline, job_state, lines, wait_for

pytestmark = pytest.mark.timeout(120)

#: A long interval: a title fixed by the next empty pop would come too late.
INTERVAL = "30"
IDLE = f"reqless-py-worker Sleeping for {float(INTERVAL):f}s"

MODES = {
    "serial": [],
    "gevent": ["--greenlets", "2"],
    "asyncio": ["--asyncio", "--concurrency", "2"],
}

MAIN_WORKER = """\
import sys
from reqless.client import Client
from reqless.workers import MainWorker
url, path, sandbox = sys.argv[1:]
sys.path.insert(0, path)
MainWorker(["q"], Client(url, hostname="solo"), interval=30, sandbox=sandbox).run()
"""


def run_one_job(client: Client, jobs_module: JobsModule) -> tuple[str, int]:
    """Put a short job on q and wait until it completes; returns its jid and the pid that ran it."""
    runs = jobs_module.file("runs")
    jid = client.queues["q"].put(jobs_module.klass, {"runs": runs, "sleep": 0.3})
    wait_for(lambda: job_state(client, jid) == "complete", message="the job to complete")
    [[ran, pid, *_]] = lines(runs)
    assert ran == jid
    return jid, int(pid)


@pytest.mark.parametrize("mode", list(MODES))
def test_a_child_shows_the_idle_title_once_its_job_is_done(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker, mode: str
) -> None:
    if mode == "gevent":
        pytest.importorskip("gevent")
    worker = start_worker("-q", "q", "--workers", "1", "--interval", INTERVAL, *MODES[mode])
    worker.wait_children(1)

    jid, pid = run_one_job(client, jobs_module)

    wait_for(lambda: cmdline(pid) == IDLE, message=f"the idle title (now {cmdline(pid)!r})")
    # The parent supervises and never shows a job.
    assert "Working on" not in cmdline(worker.pid)
    assert jid not in cmdline(worker.pid)
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0


@pytest.fixture
def main_worker(server: LocalServer, jobs_module: JobsModule, tmp_path: Path) -> Iterator[int]:
    """A standalone MainWorker process (no forking parent) on queue q; yields its pid."""
    command = [sys.executable, "-c", MAIN_WORKER, server.url, str(jobs_module.directory),
               str(tmp_path / "sandbox")]  # fmt: skip
    with open(tmp_path / "main-worker.stderr", "wb") as stderr:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield process.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def test_a_standalone_main_worker_shows_the_idle_title_once_its_job_is_done(
    client: Client, jobs_module: JobsModule, main_worker: int
) -> None:
    _, pid = run_one_job(client, jobs_module)

    assert pid == main_worker
    wait_for(lambda: cmdline(pid) == IDLE, message=f"the idle title (now {cmdline(pid)!r})")
