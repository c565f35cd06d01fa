"""`reqless dev` keeps what its worker and the jobs write in `.reqless/worker.log`.

A job's own log records and its prints land there without `-v`; `-v` shows them
on the terminal as well.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from reqless.client import Client
from tests.cli.test_dev import Dev, _wait_state
from tests.patience import PATIENCE

pytestmark = pytest.mark.slow

JOB = """\
import logging


class Chatty:
    @staticmethod
    def process(job):
        logging.getLogger("myapp").info("myapp says hello from %s", job.jid)
        print("the job printed", job.jid)
        job.complete()
"""


def _wait_text(path: Path, *wanted: str, timeout: float = PATIENCE) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if all(part in text for part in wanted):
            return text
        time.sleep(0.1)
    raise AssertionError(f"{path} never had {wanted}:\n{text[-3000:]}")


@pytest.mark.parametrize("verbose", [False, True])
def test_a_jobs_log_lines_and_prints_go_to_the_worker_log(tmp_path: Path, verbose: bool) -> None:
    (tmp_path / "chatty_jobs.py").write_text(JOB)
    flags = ["-v"] if verbose else []
    dev = Dev(tmp_path, "dev", "--no-ui", "-w", "1", "-q", "talk", *flags)
    try:
        state = dev.state("server_pid", "worker_pid")
        client = Client(state["url"], retry_window=0)
        try:
            jid = client.queues["talk"].put("chatty_jobs.Chatty", {})
            _wait_state(client, jid, "complete")
        finally:
            client.database.close()
        text = _wait_text(
            dev.data / "worker.log", f"myapp says hello from {jid}", f"the job printed {jid}"
        )
        assert f"[talk {jid}] myapp says hello from {jid}" in text
        assert dev.stop(signal.SIGINT) == 0
        terminal = dev.output()
        # -v: the terminal shows the worker's output too; without it, only the banner.
        assert (f"the job printed {jid}" in terminal) is verbose, terminal
        assert (f"myapp says hello from {jid}" in terminal) is verbose, terminal
    finally:
        dev.kill()
        if dev.process.stdout is not None:
            dev.process.stdout.close()
