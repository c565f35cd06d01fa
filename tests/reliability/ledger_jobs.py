"""Job classes the fault tests' workers run: each records itself in the ledger.

Job data: `ledger` (the ledger file) and `sleep` (seconds of work, taken in
small steps so that a halt lands promptly).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from reqless.exceptions import LostLockError
from tests.reliability.ledger import Ledger

__all__ = ["Recorded"]


class Recorded:
    """Sleeps for `sleep` seconds between a `start` and an `end` line, then completes."""

    @staticmethod
    def process(job: Any) -> None:
        """Run the job, writing each step to the ledger."""
        data = json.loads(job.data)
        ledger = Ledger(data["ledger"])
        mine = {"jid": job.jid, "pid": os.getpid(), "worker": job.worker_name}
        ledger.write("start", remaining=job.retries_left, **mine)
        outcome = "error"
        try:
            deadline = time.monotonic() + float(data.get("sleep", 0.02))
            while (left := deadline - time.monotonic()) > 0:
                time.sleep(min(left, 0.05))
            outcome = "ok"
        except BaseException as exc:
            outcome = type(exc).__name__  # JobHalted when the worker stopped it
            raise
        finally:
            ledger.write("end", outcome=outcome, **mine)
        try:
            job.complete()
        except LostLockError:
            ledger.write("refused", **mine)
            return
        except BaseException as exc:
            # A reset connection (the server may or may not have applied it), or
            # the worker halting the job because the server took it away.
            ledger.write("unacked", error=type(exc).__name__, **mine)
            raise
        ledger.write("acked", **mine)
