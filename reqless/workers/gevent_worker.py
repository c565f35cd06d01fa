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

from reqless import defaults
from reqless.exceptions import LostLockError
from reqless.logger import logger
from reqless.workers.base_worker import BaseWorker, JobHalted, settle
from reqless.workers.signals import basic_signal_handler
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
    #: True while `job.process()` runs; a job is only halted inside it.
    in_job: bool = False
    #: The job's `--timeout` timer, if any (its exception passes through the job).
    timer: gevent.Timeout | None = None


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
        self.shutdown_timeout = float(
            self.kwargs.get("shutdown_timeout", defaults.SHUTDOWN_TIMEOUT)
        )
        self.pool = gevent.pool.Pool(self.size)
        #: The greenlet of each running job, by jid.
        self.greenlets: dict[str, gevent.Greenlet] = {}
        self._running: dict[str, _Running] = {}
        self._loop: Any = None

    # -- the loop -------------------------------------------------------------

    def run(self) -> None:
        """Pop and start jobs while a greenlet is free, until `stop()`; then drain."""
        self._loop = gevent.get_hub().loop
        heartbeater = gevent.spawn(self._heartbeat_loop)
        try:
            with self.listener():
                try:
                    self._pop_loop()
                finally:
                    self.release_popped()
                    self._drain()
        finally:
            heartbeater.kill(block=False)

    def _pop_loop(self) -> None:
        jobs = self.jobs()
        while not self.shutdown:
            # Pop only when a greenlet is free, so no job waits locked but idle.
            self.pool.wait_available(timeout=1.0)
            if self.shutdown:
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
        """Free greenlets: one pop takes up to this many jobs."""
        return int(self.pool.free_count())

    def _start(self, job: Job) -> None:
        # Import (or re-import) the job's class here, one job at a time: two
        # greenlets importing the same module at once could see it half-done.
        # A failure is left to job.process(), which fails the job.
        try:
            job.klass  # noqa: B018
        except Exception as exc:
            logger.warning("cannot import %s for job %s: %s", job.klass_name, job.jid, exc)
        greenlet = gevent.Greenlet(self.process, job)
        lock_length = max(job.expires_at - time.time(), 1.0)
        self._running[job.jid] = _Running(job, greenlet, lock_length)
        self.greenlets[job.jid] = greenlet
        self.pool.start(greenlet)
        self._update_title()

    def _drain(self) -> None:
        """Let running jobs finish for what is left of `shutdown_timeout`, then halt them."""
        self.shutdown = True
        self.log_stop_request()
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
            self._update_title()

    def _run_job(self, job: Job, entry: _Running | None) -> None:
        timer = gevent.Timeout(self.job_timeout) if self.job_timeout > 0 else None
        if entry is not None:
            entry.in_job = True
            entry.timer = timer
        try:
            if timer is not None:
                timer.start()
            self.run_handler(job)
        except gevent.Timeout as exc:
            if exc is not timer:
                raise
            self._stop_in_job(entry)
            limit = f"{self.job_timeout:g}"
            logger.error("stopped job %s after its time limit of %ss", job.jid, limit)
            message = f"Job exceeded its time limit of {limit} seconds"
            settle(job.fail, f"{job.queue_name}-TimeoutError", message)
        except JobHalted as halt:
            self._stop_in_job(entry)
            if halt.reason == "lost":
                logger.warning("stopped job %s: the server took it away from this worker", job.jid)
            else:
                logger.warning("stopped job %s at shutdown; handing it back to its queue", job.jid)
                settle(job.timeout)
        finally:
            self._stop_in_job(entry)
            if timer is not None:
                timer.close()

    @staticmethod
    def _stop_in_job(entry: _Running | None) -> None:
        if entry is not None:
            entry.in_job = False

    def is_own_exception(self, exc: BaseException) -> bool:
        """JobHalted, a killed greenlet's GreenletExit, or one of our `--timeout` timers."""
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
            self._halt(jid, "lost")

    def _halt(self, jid: str, reason: str) -> None:
        entry = self._running.get(jid)
        if entry is None or not entry.in_job:
            return
        logger.warning("halting the greenlet of job %s (%s)", jid, reason)
        entry.greenlet.kill(JobHalted(reason), block=False)

    # -- heartbeats -----------------------------------------------------------

    def _heartbeat_loop(self) -> None:
        while True:
            self.log_stop_request()
            for jid, entry in list(self._running.items()):
                left = entry.job.expires_at - time.time()
                if not entry.in_job or left >= entry.lock_length * defaults.HEARTBEAT_SHARE:
                    continue
                try:
                    entry.job.heartbeat()
                    logger.debug("heartbeat for job %s until %s", jid, entry.job.expires_at)
                except LostLockError:
                    self._halt(jid, "lost")
                except Exception as exc:
                    logger.warning("heartbeat for job %s failed: %s", jid, exc)
            gevent.sleep(defaults.WORKER_CHECK_INTERVAL)

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
