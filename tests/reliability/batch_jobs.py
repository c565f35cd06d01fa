"""Job classes of the batch scenario (tests/reliability/batches.py): each records itself
in the ledger (tests/reliability/ledger.py) as `ledger_jobs.Recorded` does.

Job data: `ledger` (the ledger file), `sleep` (seconds of work) and, for members,
`fail` (raise instead of completing).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from reqless.exceptions import LostLockError
from tests.reliability.ledger import Ledger

__all__ = ["FAILED_OUTCOME", "BatchCallback", "BatchMember", "Boom"]

#: The `end` outcome of a member that raised on purpose.
FAILED_OUTCOME = "raised"


class Boom(RuntimeError):
    """What a member raises on purpose: the worker fails the job for good."""


def _complete(job: Any, ledger: Ledger, mine: dict[str, Any]) -> None:
    try:
        job.complete()
    except LostLockError:
        ledger.write("refused", **mine)
        return
    except BaseException as exc:
        ledger.write("unacked", error=type(exc).__name__, **mine)
        raise
    ledger.write("acked", **mine)


class BatchMember:
    """Works `sleep` seconds between `start` and `end` lines, then completes, or raises
    `Boom` when its data says `fail`."""

    @staticmethod
    def process(job: Any) -> None:
        """Run the job, writing each step to the ledger."""
        data = json.loads(job.data)
        ledger = Ledger(data["ledger"])
        mine = {"jid": job.jid, "pid": os.getpid(), "worker": job.worker_name}
        ledger.write("start", **mine)
        outcome = "error"
        try:
            deadline = time.monotonic() + float(data.get("sleep", 0.02))
            while (left := deadline - time.monotonic()) > 0:
                time.sleep(min(left, 0.05))
            outcome = FAILED_OUTCOME if data.get("fail") else "ok"
        except BaseException as exc:
            outcome = type(exc).__name__  # JobHalted when the worker stopped it
            raise
        finally:
            ledger.write("end", outcome=outcome, **mine)
        if data.get("fail"):
            raise Boom(f"job {job.jid} fails on purpose")
        _complete(job, ledger, mine)


class BatchCallback:
    """A batch's callback: its `start` line carries the batch counts the core gave it."""

    @staticmethod
    def process(job: Any) -> None:
        """Record the run and the counts, then complete."""
        data = json.loads(job.data)
        ledger = Ledger(data["ledger"])
        mine = {"jid": job.jid, "pid": os.getpid(), "worker": job.worker_name}
        ledger.write("start", callback=data.get("batch"), **mine)
        ledger.write("end", outcome="ok", **mine)
        _complete(job, ledger, mine)
