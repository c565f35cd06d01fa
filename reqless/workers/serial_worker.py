"""A worker that runs one job at a time in its main thread."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from reqless import defaults
from reqless.exceptions import LostLockError, ReqlessError
from reqless.logger import logger
from reqless.workers.base_worker import BaseWorker
from reqless.workers.util import create_sandbox, set_title

if TYPE_CHECKING:
    from reqless.job import Job

__all__ = ["JobHalted", "SerialWorker"]


class JobHalted(BaseException):
    """Raised inside a running job to stop it (not an Exception, so job code's
    `except Exception` does not swallow it). `reason` is `lost` (the server took
    the job away), `timeout` (hard time limit) or `shutdown` (stop grace expired)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SerialWorker(BaseWorker):
    """Pops and runs jobs one at a time, in the thread that calls `run()`.

    While a job runs, a background thread heartbeats it before its lock expires
    and the worker's channel is watched: when the server takes the job away (its
    lock was lost, it was cancelled or moved), the job is stopped by raising
    `JobHalted` in it. The same happens after `job_timeout` seconds (the job is
    then failed) and when a graceful stop's `shutdown_timeout` runs out (the job
    is then handed back to the queue at once with `job.timeout()`).

    Stopping jobs uses SIGALRM, so `run()` must be called from the main thread
    of the process, and job code should not use SIGALRM itself.

    Extra keyword arguments: `sandbox` (the job's scratch directory, emptied
    before and after every job; default `<cwd>/reqless-py-workers`) and
    `shutdown_timeout` (seconds; default `defaults.SHUTDOWN_TIMEOUT`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sandbox = self.kwargs.get("sandbox") or os.path.join(os.getcwd(), "reqless-py-workers")
        self.sandbox = str(Path(sandbox).absolute())
        self.shutdown_timeout = float(
            self.kwargs.get("shutdown_timeout", defaults.SHUTDOWN_TIMEOUT)
        )
        self.jid: str | None = None
        self._job: Job | None = None
        self._lock_length = 0.0
        self._halt: tuple[str, str] | None = None
        self._deadline: float | None = None
        self._state = threading.Lock()

    # -- the loop -------------------------------------------------------------

    def run(self) -> None:
        """Run jobs until `stop()` (or a signal) ends the loop."""
        previous = signal.signal(signal.SIGALRM, self._on_alarm)
        heartbeater = threading.Thread(target=self._heartbeat_loop, daemon=True,
                                       name="reqless-heartbeat")  # fmt: skip
        heartbeater.start()
        try:
            with self.listener():
                for job in self.jobs():
                    if job is None:
                        self.jid = None
                        set_title(f"Sleeping for {self.interval:f}s")
                        self.wait()
                    else:
                        self.process(job)
                    if self.shutdown:
                        break
        finally:
            self.shutdown = True
            self._wakeup.set()
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            heartbeater.join(2)

    def process(self, job: Job) -> None:
        """Run one job in the sandbox, stopping it if it is halted."""
        self.jid = job.jid
        set_title(f"Working on {job.jid} ({job.klass_name})")
        try:
            try:
                self._start(job)
                with create_sandbox(self.sandbox):
                    job.sandbox = self.sandbox
                    job.process()
            finally:
                self._finish()
        except JobHalted as halt:
            self._halted(job, halt.reason)

    def _start(self, job: Job) -> None:
        with self._state:
            self._job = job
            self._halt = None
            self._lock_length = max(job.expires_at - time.time(), 1.0)
            self._deadline = None
            if self.job_timeout > 0:
                self._deadline = time.monotonic() + self.job_timeout
                signal.setitimer(signal.ITIMER_REAL, self.job_timeout)

    def _finish(self) -> None:
        with self._state:
            self._job = None
            self._halt = None
            self._deadline = None
        signal.setitimer(signal.ITIMER_REAL, 0)

    def _halted(self, job: Job, reason: str) -> None:
        if reason == "lost":
            logger.warning("stopped job %s: the server took it away from this worker", job.jid)
        elif reason == "timeout":
            logger.error("stopped job %s after its time limit of %ss", job.jid, self.job_timeout)
            message = f"Job exceeded its time limit of {self.job_timeout:g} seconds"
            self._settle(job.fail, f"{job.queue_name}-TimeoutError", message)
        else:
            logger.warning("stopped job %s at shutdown; handing it back to its queue", job.jid)
            self._settle(job.timeout)

    @staticmethod
    def _settle(action: Any, *args: Any) -> None:
        try:
            action(*args)
        except (LostLockError, ReqlessError) as exc:
            logger.warning("could not settle a stopped job: %s", exc)

    def install_signals(self) -> None:
        """TERM/INT stop gracefully, QUIT exits at once, USR1 stack, USR2 debugger."""
        from reqless.workers.main_worker import install_worker_signals

        install_worker_signals(self)

    # -- stopping a running job ----------------------------------------------

    def halt_job_processing(self, jid: str) -> None:
        """Stop job `jid` if it is the one running and the server took it away."""
        with self._state:
            job = self._job
        if job is None or job.jid != jid or self.still_holds(job):
            return
        self._request_halt(jid, "lost")

    def _request_halt(self, jid: str, reason: str) -> None:
        with self._state:
            if self._job is None or self._job.jid != jid:
                return
            self._halt = (jid, reason)
        # Python runs signal handlers in the main thread, between bytecodes or by
        # interrupting a blocking call: that is where the job code runs.
        os.kill(os.getpid(), signal.SIGALRM)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        with self._state:
            job, halt, deadline = self._job, self._halt, self._deadline
            if job is None:
                return
            if halt is not None and halt[0] == job.jid:
                self._halt = None
                raise JobHalted(halt[1])
            if deadline is not None and time.monotonic() >= deadline - 0.01:
                self._deadline = None
                raise JobHalted("timeout")

    def stop(self) -> None:
        """Stop gracefully: finish the running job (for up to `shutdown_timeout`)."""
        super().stop()
        with self._state:
            job = self._job
        if job is not None and self.shutdown_timeout >= 0:
            timer = threading.Timer(self.shutdown_timeout, self._request_halt,
                                    (job.jid, "shutdown"))  # fmt: skip
            timer.daemon = True
            timer.start()

    # -- heartbeats -----------------------------------------------------------

    def _heartbeat_loop(self) -> None:
        while not self.shutdown:
            with self._state:
                job, length = self._job, self._lock_length
            if job is not None and job.expires_at - time.time() < length * defaults.HEARTBEAT_SHARE:
                try:
                    job.heartbeat()
                    logger.debug("heartbeat for job %s until %s", job.jid, job.expires_at)
                except LostLockError:
                    self._request_halt(job.jid, "lost")
                except Exception as exc:
                    logger.warning("heartbeat for job %s failed: %s", job.jid, exc)
            self._wakeup.wait(min(1.0, max(length / 8, 0.05)) if job else 0.5)
