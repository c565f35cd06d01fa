"""Job classes the fault tests' workers run: each records itself in the ledger.

Job data: `ledger` (the ledger file) and `sleep` (seconds of work, taken in
small steps so that a halt lands promptly); `Dying` also takes `how`.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import signal
import time
from typing import Any

from reqless.decorators import retry
from reqless.exceptions import LostLockError
from tests.reliability.ledger import Ledger

__all__ = [
    "AsyncStubborn",
    "Dying",
    "Recorded",
    "RetriedOnTimeout",
    "Stubborn",
    "StubbornForOneSecond",
]


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


class Stubborn:
    """Swallows every interruption (a bare `except:` in a sleep loop) for `sleep` seconds.

    It writes `start` and `end` lines like Recorded, then completes. A worker can only
    stop it by killing its process.
    """

    @staticmethod
    def process(job: Any) -> None:
        """Sleep in small steps, swallowing whatever is raised meanwhile."""
        data = json.loads(job.data)
        ledger = Ledger(data["ledger"])
        mine = {"jid": job.jid, "pid": os.getpid(), "worker": job.worker_name}
        ledger.write("start", **mine)
        deadline = time.monotonic() + float(data.get("sleep", 30))
        while time.monotonic() < deadline:
            try:
                time.sleep(0.05)
            except:  # noqa: E722 - the point of this job
                ledger.write("swallowed", **mine)
        ledger.write("end", outcome="ok", **mine)
        job.complete()


class RetriedOnTimeout:
    """Recorded, with a handler that `@reqless.retry` retries on TimeoutError after 30 s."""

    @staticmethod
    @retry(TimeoutError, delay=30)
    def process(job: Any) -> None:
        """Run as Recorded does."""
        Recorded.process(job)


class StubbornForOneSecond(Stubborn):
    """A Stubborn job whose class sets its own time limit of one second."""

    timeout = 1


class AsyncStubborn:
    """Stubborn as an `async def` handler (for the asyncio worker): it swallows cancellation."""

    @staticmethod
    async def process(job: Any) -> None:
        """Sleep in small steps, swallowing whatever is raised meanwhile."""
        data = json.loads(job.data)
        ledger = Ledger(data["ledger"])
        mine = {"jid": job.jid, "pid": os.getpid(), "worker": job.worker_name}
        ledger.write("start", **mine)
        deadline = time.monotonic() + float(data.get("sleep", 30))
        while time.monotonic() < deadline:
            try:
                await asyncio.sleep(0.05)
            except:  # noqa: E722 - the point of this job
                ledger.write("swallowed", **mine)
        ledger.write("end", outcome="ok", **mine)
        await job.complete()


class Dying:
    """Ends its own process mid-job, as `data["how"]` says: `kill9`, `exit3` or `segfault`."""

    @staticmethod
    def process(job: Any) -> None:
        """Write `start`, wait `sleep` seconds, then die."""
        data = json.loads(job.data)
        ledger = Ledger(data["ledger"])
        ledger.write("start", jid=job.jid, pid=os.getpid(), worker=job.worker_name)
        time.sleep(float(data.get("sleep", 0.2)))
        how = data.get("how")
        ledger.write("dying", jid=job.jid, pid=os.getpid(), how=how)
        if how == "kill9":
            os.kill(os.getpid(), signal.SIGKILL)
        elif how == "exit3":
            os._exit(3)
        elif how == "segfault":
            ctypes.string_at(0)
        job.complete()
