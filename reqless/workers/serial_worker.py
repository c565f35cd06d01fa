"""A worker that runs one job at a time, in the thread that calls `run()`."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from reqless.exceptions import LostLockError
from reqless.logger import logger
from reqless.workers.base_worker import BaseWorker, JobHalted
from reqless.workers.halting import outlived_kill_grace, settle_halted, settle_timed_out
from reqless.workers.operator_signals import install_worker_signals
from reqless.workers.policy import INTERRUPTS, Action, SlotState, decide
from reqless.workers.timeout_retry import timeout_retry_delay
from reqless.workers.util import clean, in_main_thread, set_title

if TYPE_CHECKING:
    from reqless.job import Job

__all__ = ["JobHalted", "SerialWorker"]


class SerialWorker(BaseWorker):
    """Pops and runs jobs one at a time, in the thread that calls `run()`.

    While a job runs, a supervisor thread heartbeats it before its lock expires
    and the worker's channel is watched: when the server takes the job away (its
    lock was lost, it was cancelled or moved), the job is stopped by raising
    `JobHalted` in it. The same happens after `job_timeout` seconds (the job is
    then failed) and when a graceful stop's `shutdown_timeout` runs out (the job
    is then handed back to the queue at once with `job.timeout()`).

    In the main thread, `JobHalted` is raised by a SIGALRM handler, which also
    interrupts a blocking call such as `time.sleep()`; job code should not use
    SIGALRM itself. In any other thread no signal is used: the exception is
    raised asynchronously and takes effect at the job's next Python bytecode, so
    a job blocked in one long call stops only when that call returns.

    Extra keyword arguments: `sandbox` (the job's scratch directory, emptied
    before and after every job; default `<cwd>/reqless-py-workers`) and
    `shutdown_timeout` (seconds; default `defaults.SHUTDOWN_TIMEOUT`).
    """

    pops_on_complete = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sandbox = self.kwargs.get("sandbox") or os.path.join(os.getcwd(), "reqless-py-workers")
        self.sandbox = str(Path(sandbox).absolute())
        self.jid: str | None = None
        # The running job and its halting state. The main thread only assigns
        # these (no lock): the SIGALRM handler runs on that thread and must never
        # wait for a lock it may itself hold. Helper threads asking for a halt
        # serialize on `_halt_lock`.
        self._job: Job | None = None
        self._lock_length = 0.0
        self._started_at = 0.0
        self._timeout = 0.0
        self._lost = False
        #: Why and when the running job was interrupted (see `reqless.workers.policy`).
        self._halt_action: Action | None = None
        self._halted_at: float | None = None
        #: The running job outlived its kill grace and was settled without it.
        self._abandoned = False
        self._record: int | None = None
        self._limits = self.settings.limits
        self._halt: tuple[str, str] | None = None
        self._halt_reason = ""
        self._halt_lock = threading.Lock()
        self._thread_id = 0
        self._uses_alarm = False
        self._finished = threading.Event()
        #: Whether the sandbox is known to be empty (the last job's clean-up emptied it).
        self._sandbox_empty = False

    # -- the loop -------------------------------------------------------------

    def run(self) -> None:
        """Run jobs until `stop()` (or a signal) ends the loop."""
        self._thread_id = threading.get_ident()
        self._uses_alarm = in_main_thread()
        previous = signal.signal(signal.SIGALRM, self._on_alarm) if self._uses_alarm else None
        self._finished.clear()
        supervisor = threading.Thread(target=self._supervise, daemon=True,
                                      name="reqless-supervisor")  # fmt: skip
        supervisor.start()
        idle = False
        try:
            if self.forked:
                self.hooks.call("after_fork", self)
            self.hooks.call("on_start", self)
            with self.listener():
                for job in self.jobs():
                    if job is not None:
                        idle = False
                        self.process(job)
                    # Once per idle spell (a title is a system call), and as soon as
                    # no job is at hand: the next wait for work may last `interval`.
                    if not idle and not self._popped:
                        self.jid, idle = None, True
                        set_title(f"Sleeping for {self.interval:f}s")
                    # `recycling()` spelled out (once per job): a worker without a
                    # recycling limit asks nothing more than whether it is stopping.
                    recycler = self.recycler
                    if self._shutdown or (recycler.limited and recycler.due() and not self._popped):
                        break
        finally:
            self._shutdown = True
            self.release_popped()
            self.log_stop_request()
            self.hooks.call("on_stop", self)
            self._finished.set()
            if self._uses_alarm:
                signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
            supervisor.join(2)

    def process(self, job: Job) -> None:
        """Run one job in the sandbox, stopping it if it is halted."""
        self.jid = job.jid
        set_title(f"Working on {job.jid} ({job.klass_name})")
        self.recycler.started += 1  # Recycler.job_started(), without a call per job
        halted: str | None = None
        try:
            try:
                self._start(job)
                # `create_sandbox` spelled out: its context manager cost more than
                # the directory work itself, once per job.
                sandbox = self.sandbox
                if not self._sandbox_empty:
                    os.makedirs(sandbox, exist_ok=True)
                    clean(sandbox)
                self._sandbox_empty = False
                try:
                    job.sandbox = sandbox
                    self.run_handler(job)
                finally:
                    clean(sandbox)
                # Emptied on the way out, and nothing runs in it until the next job.
                self._sandbox_empty = True
            finally:
                # First, with no call before it: from here on no halt applies.
                self._job = None
                self._finish()
                self.collect_popped(job)
        except JobHalted as halt:
            halted = halt.reason or self._halt_reason
            self._halted(job, halted)
        if self.hooks.after_job is not None:
            self.after_job(job, halted)

    def _start(self, job: Job) -> None:
        self._halt = None
        self._halt_reason = ""
        self._halt_action = self._halted_at = None
        self._lost = self._abandoned = False
        self._lock_length = max(job.expires_at - time.time(), 1.0)
        # The class is imported here rather than in job.process(), which uses the
        # same cached class; a class that cannot be imported is failed there.
        try:
            klass = job.klass
        except Exception:
            klass = None
        self._timeout = self.settings.timeout_for(klass)
        self._started_at = time.monotonic()
        if self.board is not None:
            delay = None  # no time limit: nothing to retry it for
            if self._timeout > 0:
                policy = self.retry_policy_for(job.queue_name)
                delay = timeout_retry_delay(job, policy, self._timeout)
            self._record = self.board.claim(job.jid, self._started_at, self._timeout, delay)
        self._job = job

    def _finish(self) -> None:
        if self.board is not None:
            self.board.release(self._record)
            self._record = None
        if not self._uses_alarm:
            with self._halt_lock:
                # A halt asked for just before the job ended must not hit what follows.
                if self._halt_reason and not isinstance(sys.exc_info()[1], JobHalted):
                    _clear_pending_halt(self._thread_id)

    def _halted(self, job: Job, reason: str) -> None:
        if self._abandoned:
            return  # settled already, when it outlived its kill grace
        settle_halted(job, reason, self._timeout)

    def install_signals(self) -> None:
        """TERM/INT stop gracefully, QUIT exits at once, USR1 stack, USR2 debugger."""
        install_worker_signals(self)

    # -- stopping a running job ----------------------------------------------

    def halt_job_processing(self, jid: str) -> None:
        """Stop job `jid` if it is the one running and the server took it away."""
        job = self._job
        if job is None or job.jid != jid or self.still_holds(job):
            return
        self._lost = True
        self._check(job)

    def _request_halt(self, jid: str, reason: str) -> None:
        """Raise `JobHalted(reason)` in job `jid` if it still runs (from a helper thread)."""
        with self._halt_lock:
            job = self._job
            if job is None or job.jid != jid or self._halt_reason:
                return  # not running any more, or already being stopped
            self._halt_reason = reason
            self._halt = (jid, reason)
            self._halt_action, self._halted_at = Action(reason), time.monotonic()
            if self.board is not None:
                self.board.halted(self._record, Action(reason), self._halted_at)
            if self._uses_alarm:
                # Python runs signal handlers in the main thread, between bytecodes or
                # by interrupting a blocking call: that is where the job code runs.
                os.kill(os.getpid(), signal.SIGALRM)
            else:
                _raise_in_thread(self._thread_id, JobHalted)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        # Reads and plain assignments only: see __init__.
        job, halt = self._job, self._halt
        if job is not None and halt is not None and halt[0] == job.jid:
            self._halt = None
            raise JobHalted(halt[1])

    # -- the supervisor thread: heartbeats, time limits, stops -----------------

    def _supervise(self) -> None:
        pause = self._limits.check_interval
        while not self._finished.is_set():
            self.log_stop_request()
            job = self._job
            if job is not None:
                pause = self._check(job) - time.monotonic()
            else:
                pause = self._limits.check_interval
            self._finished.wait(max(pause, 0.0))

    def _check(self, job: Job) -> float:
        """Act on the policy's decision for `job`; returns when to look again."""
        slot = SlotState(
            started_at=self._started_at, timeout=self._timeout, lock_length=self._lock_length,
            lock_expires=job.expires_at, halted=self._halt_action, halted_at=self._halted_at,
            lost=self._lost,
        )  # fmt: skip
        decision = decide(slot, time.monotonic(), time.time(), self.stop_requested_at,
                          self._limits)  # fmt: skip
        if decision.action in INTERRUPTS:
            self._request_halt(job.jid, decision.action.value)
        elif decision.action is Action.HEARTBEAT:
            self._heartbeat(job)
        elif decision.action is Action.KILL and not self._abandoned and self._job is job:
            self._abandoned = True
            failure = outlived_kill_grace(job, self._halt_action or Action.TIMEOUT, self._timeout,
                                          self.board is not None)  # fmt: skip
            if failure is not None:
                settle_timed_out(job, failure, self._timeout)
        return decision.next_check

    def _heartbeat(self, job: Job) -> None:
        try:
            job.heartbeat()
            logger.debug("heartbeat for job %s until %s", job.jid, job.expires_at)
        except LostLockError:
            self._lost = True
            self._check(job)
        except Exception as exc:
            logger.warning("heartbeat for job %s failed: %s", job.jid, exc)


def _raise_in_thread(thread_id: int, exception: type[BaseException]) -> None:
    """Have `exception` raised in thread `thread_id` at its next bytecode."""
    target = ctypes.c_ulong(thread_id)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(exception))


class _HaltCleared(BaseException):
    """Replaces a halt that came too late, and is caught where it is raised."""


def _clear_pending_halt(thread_id: int) -> None:
    """Drop a `JobHalted` still pending for this thread (`thread_id` is the caller's).

    Cancelling with a NULL exception would leave the interpreter's "pending work"
    flag set for good: every later bytecode boundary then takes the slow path, and
    under a trace function (coverage, a profiler) the thread spins at its next call.
    Replacing the pending exception with one of our own and catching it here
    clears the flag the normal way.
    """
    try:
        _raise_in_thread(thread_id, _HaltCleared)
        for _ in range(1000):  # each backward jump lets the interpreter deliver it
            pass
    except _HaltCleared:
        return
