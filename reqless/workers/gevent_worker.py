"""A worker that runs up to N jobs at once, each in its own greenlet (needs gevent).

Importing this module imports gevent; nothing else in the package does, so gevent
stays an optional extra (`pip install 'reqless[gevent]'`). Greenlets only take
turns at I/O when the standard library is monkey-patched: call
`gevent.monkey.patch_all()` before importing anything else, as
`reqless-py-worker --greenlets N` does (see docs/worker.md).
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import gevent
import gevent.pool

from reqless.exceptions import LostLockError
from reqless.logger import logger
from reqless.workers.base_worker import BaseWorker, JobHalted
from reqless.workers.halting import outlived_kill_grace, settle_halted, settle_timed_out
from reqless.workers.policy import INTERRUPTS, Action, SlotState, decide
from reqless.workers.signals import basic_signal_handler
from reqless.workers.timeout_retry import timeout_retry_delay
from reqless.workers.util import create_sandbox, in_main_thread, set_title

if TYPE_CHECKING:
    from reqless.job import Job

__all__ = ["DEFAULT_GREENLETS", "GeventWorker"]

#: Pool size when the `greenlets` keyword is absent or 0.
DEFAULT_GREENLETS = 10
#: How many jids a process title lists before it abbreviates.
_TITLE_JIDS = 3


@dataclass
class _Running:
    """A job in a greenlet: what the heartbeat greenlet and the halting code need."""

    job: Job
    greenlet: gevent.Greenlet
    lock_length: float
    #: When it started (time.monotonic()) and its time limit (0: none).
    started_at: float = 0.0
    timeout: float = 0.0
    #: True while `job.process()` runs; a job is only halted inside it.
    in_job: bool = False
    #: Why and when it was interrupted; whether the server took it away.
    halted: Action | None = None
    halted_at: float | None = None
    lost: bool = False
    #: It outlived its kill grace (and was dealt with).
    abandoned: bool = False
    #: Its record on the forking parent's job board.
    record: int | None = None
    #: The `gevent.Timeout` it was stopped with at its time limit (as before the
    #: policy: job code sees the same exception).
    timer: gevent.Timeout | None = None

    def state(self) -> SlotState:
        """What the supervision policy looks at."""
        return SlotState(
            started_at=self.started_at, timeout=self.timeout, lock_length=self.lock_length,
            lock_expires=self.job.expires_at, halted=self.halted, halted_at=self.halted_at,
            lost=self.lost,
        )  # fmt: skip


class GeventWorker(BaseWorker):
    """Runs up to `greenlets` jobs concurrently in one process, one greenlet each.

    Job `k` of the pool works in its own sandbox `<sandbox>/greenlet-<j>` (emptied
    before and after each job), where `<sandbox>` is the `sandbox` keyword (the
    child's directory under `ForkingWorker`) or `<cwd>/reqless-py-workers`. A
    heartbeat greenlet keeps every running job's lock; when the server takes a
    job away (lock lost, cancelled, moved) its greenlet is killed and the job is
    left alone. After `job_timeout` seconds a job is stopped and failed in group
    `<queue>-TimeoutError`. `stop()` stops popping, lets running jobs finish for
    `shutdown_timeout` seconds, then stops them and hands them back to their
    queues with `job.timeout()`.

    Extra keyword arguments: `greenlets` (pool size, default 10), `sandbox`
    (or `sandbox_path`) and `shutdown_timeout`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.size = int(self.kwargs.get("greenlets") or DEFAULT_GREENLETS)
        base = (
            self.kwargs.get("sandbox")
            or self.kwargs.get("sandbox_path")
            or os.path.join(os.getcwd(), "reqless-py-workers")
        )
        self.sandbox = str(Path(base).absolute())
        #: Free sandboxes; a greenlet takes the first and gives it back at the end.
        self.sandboxes = [os.path.join(self.sandbox, f"greenlet-{j}") for j in range(self.size)]
        #: Sandboxes known to be empty: the last job in each emptied it on the way out.
        self._empty_sandboxes: set[str] = set()
        self.pool = gevent.pool.Pool(self.size)
        #: The greenlet of each running job, by jid.
        self.greenlets: dict[str, gevent.Greenlet] = {}
        self._running: dict[str, _Running] = {}
        self._loop: Any = None

    @classmethod
    def job_slots(cls, kwargs: dict[str, Any]) -> int:
        """Jobs one worker built with `kwargs` runs at once: its greenlets."""
        return int(kwargs.get("greenlets") or DEFAULT_GREENLETS)

    # -- the loop -------------------------------------------------------------

    def run(self) -> None:
        """Pop and start jobs while a greenlet is free, until `stop()`; then drain."""
        self._loop = gevent.get_hub().loop
        heartbeater = gevent.spawn(self._supervise)
        try:
            if self.forked:
                self.hooks.call("after_fork", self)
            self.hooks.call("on_start", self)
            with self.listener():
                try:
                    self._pop_loop()
                finally:
                    self.release_popped()
                    self._drain()
        finally:
            heartbeater.kill(block=False)
            self.hooks.call("on_stop", self)

    def _pop_loop(self) -> None:
        jobs = self.jobs()
        while not self.shutdown:
            # Pop only when a greenlet is free, so no job waits locked but idle.
            self.pool.wait_available(timeout=1.0)
            if self.shutdown or (self.recycling() and not self._popped):
                break
            if self.pool.full():
                continue
            try:
                job = next(jobs)
            except StopIteration:
                break
            if job is None:
                if not self._running:
                    set_title(f"Sleeping for {self.interval:f}s")
            else:
                self._start(job)

    def free_slots(self) -> int:
        """Free greenlets (within the recycling budget): one pop takes up to this many jobs."""
        return self.recycler.room(int(self.pool.free_count()))

    def _start(self, job: Job) -> None:
        # Import (or re-import) the job's class here, one job at a time: two
        # greenlets importing the same module at once could see it half-done.
        # A failure is left to job.process(), which fails the job.
        klass = None
        try:
            klass = job.klass
        except Exception as exc:
            logger.warning("cannot import %s for job %s: %s", job.klass_name, job.jid, exc)
        greenlet = gevent.Greenlet(self.process, job)
        self.recycler.job_started()
        lock_length = max(job.expires_at - time.time(), 1.0)
        entry = _Running(job, greenlet, lock_length, time.monotonic(),
                         self.settings.timeout_for(klass))  # fmt: skip
        if self.board is not None:
            delay = timeout_retry_delay(job, self.settings.retry_policy_for(job.queue_name),
                                        entry.timeout)  # fmt: skip
            entry.record = self.board.claim(job.jid, entry.started_at, entry.timeout, delay)
        self._running[job.jid] = entry
        self.greenlets[job.jid] = greenlet
        self.pool.start(greenlet)
        self._update_title()

    def _drain(self) -> None:
        """Let running jobs finish for what is left of `shutdown_timeout`, then halt them."""
        self._shutdown = True
        self.log_stop_request()
        # Recycling, not stopping: running jobs finish, unless a stop comes meanwhile.
        while self.stop_requested_at is None and not self.pool.join(timeout=0.2):
            pass
        started = self.stop_requested_at or time.monotonic()
        remaining = max(started + self.shutdown_timeout - time.monotonic(), 0.0)
        if self.pool.join(timeout=remaining):
            return
        for jid in list(self._running):
            self._halt(jid, "shutdown")
        if not self.pool.join(timeout=10):
            logger.error("greenlets did not stop: %s", ", ".join(self.greenlets))

    # -- one job ---------------------------------------------------------------

    def process(self, job: Job) -> None:
        """Run `job` in a free sandbox (called in the job's greenlet)."""
        sandbox = self.sandboxes.pop(0)
        entry = self._running.get(job.jid)
        try:
            with create_sandbox(sandbox, known_empty=sandbox in self._empty_sandboxes):
                self._empty_sandboxes.discard(sandbox)
                job.sandbox = sandbox
                self._run_job(job, entry)
            # Emptied on the way out; no other job uses it until it is handed out again.
            self._empty_sandboxes.add(sandbox)
        except JobHalted as halt:
            # A halt that arrived just after the job returned: nothing to stop.
            logger.debug("late halt (%s) for job %s ignored", halt.reason, job.jid)
        except Exception:
            # A greenlet is a process boundary of sorts: log, never kill the pool.
            logger.exception("processing job %s failed", job.jid)
        finally:
            self.sandboxes.append(sandbox)
            if self._running.get(job.jid) is entry:
                self._running.pop(job.jid, None)
                self.greenlets.pop(job.jid, None)
            if entry is not None and self.board is not None:
                self.board.release(entry.record)
            self._update_title()
        self.after_job(job, entry.halted if entry is not None else None)

    def _run_job(self, job: Job, entry: _Running | None) -> None:
        if entry is not None:
            entry.in_job = True
        try:
            self.run_handler(job)
        except gevent.Timeout as exc:
            if entry is None or exc is not entry.timer:
                raise
            self._stop_in_job(entry)
            if not entry.abandoned:
                settle_halted(job, Action.TIMEOUT, entry.timeout)
        except JobHalted as halt:
            self._stop_in_job(entry)
            if entry is None or not entry.abandoned:
                limit = entry.timeout if entry is not None else self.job_timeout
                settle_halted(job, halt.reason, limit)
        finally:
            self._stop_in_job(entry)

    @staticmethod
    def _stop_in_job(entry: _Running | None) -> None:
        if entry is not None:
            entry.in_job = False

    def is_own_exception(self, exc: BaseException) -> bool:
        """JobHalted, a killed greenlet's GreenletExit, or one of our time-limit Timeouts."""
        if isinstance(exc, JobHalted | gevent.GreenletExit):
            return True
        return any(exc is entry.timer for entry in list(self._running.values()))

    # -- stopping a running job ----------------------------------------------

    def halt_job_processing(self, jid: str) -> None:
        """Kill the greenlet running `jid`, if any, once the server confirms it took the job.

        May be called from any thread; the work itself happens in the event loop.
        """
        if self._loop is None:
            return
        # Asking the server is I/O: do it in a greenlet of its own.
        self._loop.run_callback_threadsafe(gevent.spawn, self._halt_if_lost, jid)

    def _halt_if_lost(self, jid: str) -> None:
        entry = self._running.get(jid)
        if entry is not None and entry.in_job and not self.still_holds(entry.job):
            entry.lost = True
            self._act(entry, time.monotonic())

    def _halt(self, jid: str, reason: str) -> None:
        entry = self._running.get(jid)
        if entry is None or not entry.in_job or entry.halted is not None:
            return
        logger.warning("halting the greenlet of job %s (%s)", jid, reason)
        entry.halted, entry.halted_at = Action(reason), time.monotonic()
        if self.board is not None:
            self.board.halted(entry.record, entry.halted, entry.halted_at)
        if entry.halted is Action.TIMEOUT:
            entry.timer = gevent.Timeout(entry.timeout)
            entry.greenlet.kill(entry.timer, block=False)
        else:
            entry.greenlet.kill(JobHalted(reason), block=False)

    # -- supervision: heartbeats, time limits, shutdown ----------------------

    def _supervise(self) -> None:
        limits = self.settings.limits
        while True:
            self.log_stop_request()
            now = time.monotonic()
            wake = now + limits.check_interval
            for entry in list(self._running.values()):
                if entry.in_job:
                    wake = min(wake, self._act(entry, now))
            gevent.sleep(max(wake - time.monotonic(), 0.0))

    def _act(self, entry: _Running, now: float) -> float:
        """Act on the policy's decision for one job; returns when to look again."""
        decision = decide(entry.state(), now, time.time(), self.stop_requested_at,
                          self.settings.limits)  # fmt: skip
        action = decision.action
        if action in INTERRUPTS:
            self._halt(entry.job.jid, action.value)
        elif action is Action.HEARTBEAT:
            self._heartbeat(entry)
        elif action is Action.KILL and not entry.abandoned:
            entry.abandoned = True
            failure = outlived_kill_grace(entry.job, entry.halted or Action.TIMEOUT,
                                          entry.timeout, self.board is not None)  # fmt: skip
            if failure is not None:
                settle_timed_out(entry.job, failure, entry.timeout)
        return decision.next_check

    def _heartbeat(self, entry: _Running) -> None:
        try:
            entry.job.heartbeat()
            logger.debug("heartbeat for job %s until %s", entry.job.jid, entry.job.expires_at)
        except LostLockError:
            entry.lost = True
            self._act(entry, time.monotonic())
        except Exception as exc:
            logger.warning("heartbeat for job %s failed: %s", entry.job.jid, exc)

    # -- signals and titles ---------------------------------------------------

    def install_signals(self) -> None:
        """TERM/INT stop gracefully, QUIT exits at once, USR1 prints the stacks, USR2 console."""
        from reqless.workers.main_worker import install_worker_signals

        install_worker_signals(self)
        if not in_main_thread():
            return
        dump = basic_signal_handler(on_quit=self.stop)

        def usr1(signum: int, frame: FrameType | None) -> None:
            dump(signum, frame)
            self._dump_greenlets()

        signal.signal(signal.SIGUSR1, usr1)

    def _dump_greenlets(self) -> None:
        parts = []
        for jid, greenlet in list(self.greenlets.items()):
            frame = greenlet.gr_frame
            stack = "".join(traceback.format_stack(frame)) if frame else "  (not started)\n"
            parts.append(f"Greenlet of job {jid}:\n{stack}")
        text = "".join(parts) or "No job greenlets are running.\n"
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        logger.warning("%s", text.rstrip("\n"))

    def _update_title(self) -> None:
        jids = list(self._running)
        if not jids:
            set_title(f"Sleeping for {self.interval:f}s")
            return
        shown = ", ".join(jids[:_TITLE_JIDS])
        more = f" and {len(jids) - _TITLE_JIDS} more" if len(jids) > _TITLE_JIDS else ""
        set_title(f"Working on {shown}{more}")
