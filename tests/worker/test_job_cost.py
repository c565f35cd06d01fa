"""What one job costs a worker child, in Python calls: the worker program's drain
figure (bench/README.md) depends on it.

A SerialWorker runs here as a forking parent's child does (a board view to
report its jobs on, the worker program's log handlers) and drains no-op jobs;
the calls its thread makes per job (Python functions and C functions alike,
counted with `sys.setprofile`) are held to a budget. Time is never asserted:
the count is the same on any machine, and it grows with every per-job step a
change adds to the worker loop, the job, the call or the log record.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from reqless.client import Client
from reqless.workers.board import JobBoard
from reqless.workers.logs import configure_worker_logging
from reqless.workers.serial_worker import SerialWorker
from tests.worker.conftest import wait_for

pytestmark = pytest.mark.timeout(120, method="thread")

#: Calls per job the worker's thread may make (a few more than it made when the
#: budget was set, 211: how often a reply is read in two parts varies).
#: The worker program's children made 203 at 13c530d, before the job board, job
#: log contexts, unique jobs and per-call descriptions, 251 after them, 227 once
#: those were trimmed; the importer remembering each class, the serial worker's
#: sandbox without a context manager and the text log making its time text once
#: a second took 24 more off.
BUDGET = 216
JOBS = 40
#: Jobs left out at the start: the first ones import the class and fill caches.
WARM_UP = 5

_calls = 0
_starts: list[int] = []


def _count(frame: FrameType, event: str, arg: Any) -> None:
    global _calls
    if event in ("call", "c_call"):
        _calls += 1


class NoOp:
    """Completes itself, and notes how many calls were made before it started."""

    @staticmethod
    def process(job: Any) -> None:
        _starts.append(_calls)
        job.complete()


def test_a_no_op_job_stays_within_its_call_budget(client: Client, tmp_path: Path) -> None:
    queue = client.queues["cost"]
    queue.put_many([{"klass": f"{__name__}.NoOp", "data": {"i": i}} for i in range(JOBS)])
    worker = SerialWorker(["cost"], client, interval=0.05, sandbox=str(tmp_path / "sandbox"))
    worker.board = JobBoard(children=1, slots=1).view(0)  # as a forking parent's child has
    root = logging.getLogger()
    kept = (list(root.handlers), root.level)
    root.handlers[:] = []  # pytest's capturing handlers: not the worker program's
    configure_worker_logging("info", "text", stream=io.StringIO())

    def stop_when_drained() -> None:
        wait_for(lambda: client.jobs.complete(0, JOBS + 1) and len(_starts) == JOBS)
        worker.stop()

    _starts.clear()
    stopper = threading.Thread(target=stop_when_drained, daemon=True)
    stopper.start()
    sys.setprofile(_count)
    try:
        worker.run()
    finally:
        sys.setprofile(None)
        root.handlers[:] = kept[0]
        root.setLevel(kept[1])
        stopper.join(5)
    assert len(_starts) == JOBS
    per_job = (_starts[-1] - _starts[WARM_UP]) / (JOBS - 1 - WARM_UP)
    assert per_job <= BUDGET, f"{per_job:.1f} calls per job, over the budget of {BUDGET}"
