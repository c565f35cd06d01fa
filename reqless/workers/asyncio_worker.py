"""A worker that runs up to N jobs at once as tasks of one asyncio event loop.

`async def` handlers are awaited with a `reqless.aio.AsyncJob`; plain functions
run in a thread (`asyncio.to_thread`) with a `reqless.Job`, and a thread cannot
be stopped: see docs/asyncio.md. `reqless-py-worker --asyncio --concurrency N`
runs one such loop in each forked child.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

from reqless import defaults
from reqless.aio.client import AsyncClient
from reqless.aio.job import AsyncJob
from reqless.aio.listener import AsyncListener
from reqless.aio.pickup import AsyncPickup
from reqless.exceptions import LostLockError, ReqlessError
from reqless.logger import logger
from reqless.workers.base_worker import (
    HALTING_EVENTS,
    BaseWorker,
    escaped_failure,
    warn_if_left_running,
)
from reqless.workers.util import create_sandbox, in_main_thread, set_title

__all__ = ["DEFAULT_CONCURRENCY", "AsyncioWorker"]

#: Jobs run at once when the `concurrency` keyword is absent or 0.
DEFAULT_CONCURRENCY = 10


@dataclass
class _Running:
    """A job in a task: what the supervisor and the halting code need."""

    job: AsyncJob
    task: asyncio.Task[None]
    lock_length: float
    #: When the job's `--timeout` runs out (time.monotonic()), if it has one.
    deadline: float | None
    #: Why the job is being stopped: `lost`, `timeout` or `shutdown` (None: it is not).
    reason: str | None = None


class AsyncioWorker(BaseWorker):
    """Runs up to `concurrency` jobs concurrently in one event loop, one task each.

    Job slot `j` works in its own sandbox `<sandbox>/slot-<j>` (emptied before
    and after each job), where `<sandbox>` is the `sandbox` keyword (the child's
    directory under `ForkingWorker`) or `<cwd>/reqless-py-workers`. A supervisor
    task keeps every running job's lock; when the server takes a job away (lock
    lost, cancelled, moved), its task is cancelled and the job left alone. After
    `job_timeout` seconds a job's task is cancelled and the job failed in group
    `<queue>-TimeoutError`. `stop()` (TERM, INT) stops popping, lets running jobs
    finish for `shutdown_timeout` seconds, then cancels them and hands them back
    to their queues with `job.timeout()`. USR1 prints the stack of every task.

    Pops take as many jobs as there are free slots, in one round trip, and wait
    for work with the blocking pickup (`reqless.aio.pickup`).

    Extra keyword arguments: `concurrency` (default 10), `sandbox` and
    `shutdown_timeout`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.size = int(self.kwargs.get("concurrency") or DEFAULT_CONCURRENCY)
        base = self.kwargs.get("sandbox") or os.path.join(os.getcwd(), "reqless-py-workers")
        self.sandbox = str(Path(base).absolute())
        #: Free sandboxes; a job takes the first and gives it back at the end.
        self.sandboxes = [os.path.join(self.sandbox, f"slot-{j}") for j in range(self.size)]
        self.shutdown_timeout = float(
            self.kwargs.get("shutdown_timeout", defaults.SHUTDOWN_TIMEOUT)
        )
        self._running: dict[str, _Running] = {}
        self._changed: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._aclient: AsyncClient | None = None

    @property
    def aclient(self) -> AsyncClient:
        """The asyncio client of the running loop (made by `run()`)."""
        if self._aclient is None:
            raise ReqlessError("the asyncio worker is not running")
        return self._aclient

    def free_slots(self) -> int:
        """Free slots: one pop takes up to this many jobs."""
        return max(self.size - len(self._running), 0)

    # -- the loop -------------------------------------------------------------

    def run(self) -> None:
        """Run jobs until `stop()` (or TERM/INT); then let running jobs finish and return."""
        asyncio.run(self._main())

    async def _main(self) -> None:
        connections = max(defaults.ASYNC_MAX_CONNECTIONS, self.size + 4)
        self._aclient = AsyncClient.from_client(self.client, max_connections=connections)
        self._changed = asyncio.Event()
        loop = self._loop = asyncio.get_running_loop()
        # One thread per slot for plain (non-async) handlers, not the default few.
        loop.set_default_executor(ThreadPoolExecutor(self.size, thread_name_prefix="reqless-job"))
        signals = self._install_loop_signals(loop)
        listener = AsyncListener(self.aclient.database, [f"ql:w:{self.client.worker_name}"])
        listening = asyncio.create_task(self._listen(listener), name="reqless-listener")
        supervisor = asyncio.create_task(self._supervise(), name="reqless-supervisor")
        try:
            await listener.wait_until_listening(10)
            if self.on_ready is not None:
                self.on_ready()
            await self._resume()
            await self._pop_loop()
            await self._drain()
        finally:
            self.shutdown = True
            listener.unlisten()
            for task in (supervisor, listening):
                task.cancel()
            await asyncio.gather(supervisor, listening, return_exceptions=True)
            for signum in signals:
                loop.remove_signal_handler(signum)
            self.log_stop_request()
            await self.aclient.aclose()
            self._aclient = self._loop = None

    def _install_loop_signals(self, loop: asyncio.AbstractEventLoop) -> list[int]:
        # The loop's own handlers wake it at once; QUIT (exit now) and USR2 keep
        # the handlers `install_signals` put in place.
        if not in_main_thread():
            return []
        handlers = {
            signal.SIGTERM: lambda: self._on_loop_stop(signal.SIGTERM),
            signal.SIGINT: lambda: self._on_loop_stop(signal.SIGINT),
            signal.SIGUSR1: self.dump_tasks,
        }
        for signum, handler in handlers.items():
            loop.add_signal_handler(signum, handler)
        return list(handlers)

    def _on_loop_stop(self, signum: int) -> None:
        self.stop_signal = signum
        self.stop()
        self.log_stop_request()

    def stop(self) -> None:
        """Stop gracefully: pop nothing more, let running jobs finish, then return.

        Safe from any thread and from a signal handler.
        """
        super().stop()
        loop, changed = self._loop, self._changed
        if loop is not None and changed is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed already
                loop.call_soon_threadsafe(changed.set)

    async def _resume(self) -> None:
        jids = [job.jid for job in self.resume]
        self.resume = []
        if not jids:
            return
        for job in await self.aclient.jobs.get(*jids):
            while not self.free_slots():
                await self._wait_for_change(self.interval)
            try:
                await job.heartbeat()
            except LostLockError:
                logger.warning("could not resume job %s: its lock is gone", job.jid)
                continue
            self._start(job)

    async def _pop_loop(self) -> None:
        pickup = AsyncPickup(self.aclient, stopping=lambda: self.shutdown)
        while not self.shutdown:
            if not self.free_slots():
                await self._wait_for_change(self.interval)
                continue
            names = self._queue_order()
            if not names:
                await self._wait_for_change(self.interval)
                continue
            if not self._running:
                set_title(f"Sleeping for {self.interval:f}s")
            try:
                jobs = await pickup.take(names, self.free_slots, self.interval)
            except RedisError as exc:
                logger.warning("could not pop from %s: %s", ", ".join(names), exc)
                await self._wait_for_change(self.interval)
                continue
            for job in jobs:
                self._start(job)

    async def _wait_for_change(self, seconds: float) -> None:
        changed = self._changed
        assert changed is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), seconds)
        changed.clear()

    async def _drain(self) -> None:
        """Wait for the running jobs (the supervisor stops them past the shutdown timeout)."""
        while self._running:
            tasks = [running.task for running in self._running.values()]
            await asyncio.wait(tasks, timeout=defaults.WORKER_CHECK_INTERVAL)

    def _start(self, job: AsyncJob) -> None:
        # Import (or re-import) the job's class here, one job at a time: a failure
        # is left to job.process(), which fails the job.
        try:
            job.klass  # noqa: B018
        except Exception as exc:
            logger.warning("cannot import %s for job %s: %s", job.klass_name, job.jid, exc)
        # Completing the job also pops the job that takes over its slot: one
        # round trip per job once every slot is busy.
        job.pop_next_from = self._next_queues
        limit = self.job_timeout
        task = asyncio.create_task(self._process(job), name=f"job-{job.jid}")
        self._running[job.jid] = _Running(
            job, task, max(job.expires_at - time.time(), 1.0),
            time.monotonic() + limit if limit > 0 else None,
        )  # fmt: skip

    async def _process(self, job: AsyncJob) -> None:
        sandbox = self.sandboxes.pop(0)
        try:
            with create_sandbox(sandbox):
                job.sandbox = sandbox
                await self._run_handler(job)
        except asyncio.CancelledError:
            running = self._running.get(job.jid)
            if running is None or running.reason is None:
                raise  # not ours: the loop itself is being torn down
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            await self._halted(job, running.reason)
        finally:
            self._running.pop(job.jid, None)
            self.sandboxes.append(sandbox)
            popped, job.popped_next = job.popped_next, []
            for successor in popped:
                self._start(successor)
            if self._changed is not None:
                self._changed.set()

    async def _run_handler(self, job: AsyncJob) -> None:
        """`await job.process()`, plus what it leaves to the worker (see BaseWorker)."""
        try:
            await job.process()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            # SystemExit, KeyboardInterrupt...: out of a task they would end the
            # loop and every other job; the job is failed instead.
            await self._fail_escaped_async(job, exc)
            return
        await self._warn_if_unsettled_async(job)

    async def _fail_escaped_async(self, job: AsyncJob, exc: BaseException) -> None:
        await _settle(job.fail(*escaped_failure(job.jid, job.klass_name, job.queue_name, exc)))

    async def _warn_if_unsettled_async(self, job: AsyncJob) -> None:
        if job.settled:
            return
        try:
            found = await self.aclient.jobs.get(job.jid)
        except (RedisError, ReqlessError):
            return
        warn_if_left_running(job.jid, job.klass_name, self.client.worker_name, found)

    async def _halted(self, job: AsyncJob, reason: str) -> None:
        if reason == "timeout":
            logger.error("stopped job %s after its time limit of %ss", job.jid, self.job_timeout)
            message = f"Job exceeded its time limit of {self.job_timeout:g} seconds"
            await _settle(job.fail(f"{job.queue_name}-TimeoutError", message))
        elif reason == "shutdown":
            logger.warning("stopped job %s at shutdown; handing it back to its queue", job.jid)
            await _settle(job.timeout())
        else:
            logger.warning("stopped job %s: the server took it away from this worker", job.jid)

    # -- stopping a running job ----------------------------------------------

    def halt(self, jid: str, reason: str) -> None:
        """Cancel the task of job `jid` (if it runs) for `reason`."""
        running = self._running.get(jid)
        if running is None or running.reason is not None:
            return
        running.reason = reason
        running.task.cancel()

    def halt_job_processing(self, jid: str) -> None:
        """Stop job `jid` at once (the worker-channel listener checks with the server first)."""
        self.halt(jid, "lost")

    async def _listen(self, listener: AsyncListener) -> None:
        while not self.shutdown:
            try:
                async for message in listener.listen():
                    await self._handle(message["data"])
            except RedisError as exc:
                logger.warning("worker channel lost: %s; resubscribing", exc)
                await asyncio.sleep(1.0)

    async def _handle(self, data: str) -> None:
        try:
            payload = json.loads(data)
            if payload.get("event") not in HALTING_EVENTS:
                return
            running = self._running.get(str(payload["jid"]))
            if running is not None and not await self._still_holds(running.job):
                self.halt(running.job.jid, "lost")
        except Exception:
            logger.exception("could not handle worker-channel message %r", data)

    @staticmethod
    async def _still_holds(job: AsyncJob) -> bool:
        # A notice can be stale (see BaseWorker.still_holds): only one the server
        # confirms stops the job; when it cannot be asked, the notice is believed.
        try:
            await job.heartbeat()
        except LostLockError:
            return False
        except RedisError as exc:
            logger.warning("could not check whether job %s is still ours: %s", job.jid, exc)
            return False
        logger.info("ignored a stale notice for job %s: this worker still holds it", job.jid)
        return True

    # -- the supervisor task: heartbeats, time limits, shutdown ---------------

    async def _supervise(self) -> None:
        title = ""
        while True:
            if self._running:
                # Here rather than per job: a title is a system call.
                title = self._retitle(title, f"Working on {len(self._running)} jobs")
            now = time.monotonic()
            stopping = self.stop_requested_at
            due = []
            for jid, running in list(self._running.items()):
                if running.reason is not None:
                    continue
                if running.deadline is not None and now >= running.deadline:
                    self.halt(jid, "timeout")
                elif stopping is not None and 0 <= self.shutdown_timeout <= now - stopping:
                    self.halt(jid, "shutdown")
                elif running.job.ttl < running.lock_length * defaults.HEARTBEAT_SHARE:
                    due.append(running)
            if due:
                await asyncio.gather(*(self._heartbeat(running) for running in due))
            await asyncio.sleep(defaults.WORKER_CHECK_INTERVAL)

    @staticmethod
    def _retitle(current: str, wanted: str) -> str:
        if wanted != current:
            set_title(wanted)
        return wanted

    async def _heartbeat(self, running: _Running) -> None:
        job = running.job
        try:
            await job.heartbeat()
            logger.debug("heartbeat for job %s until %s", job.jid, job.expires_at)
        except LostLockError:
            self.halt(job.jid, "lost")
        except Exception as exc:
            logger.warning("heartbeat for job %s failed: %s", job.jid, exc)

    # -- operator signals -----------------------------------------------------

    def install_signals(self) -> None:
        """TERM/INT stop gracefully, QUIT exits at once, USR1 prints every task's stack."""
        from reqless.workers.main_worker import install_worker_signals

        install_worker_signals(self)

    def dump_tasks(self) -> None:
        """Write the stack of every task of the loop to standard error and the log."""
        out = io.StringIO()
        out.write(f"Signaled traceback for {os.getpid()}:\n")
        for task in asyncio.all_tasks():
            out.write(f"Task {task.get_name()}:\n")
            task.print_stack(file=out)
        text = out.getvalue()
        if sys.stderr is not None:
            sys.stderr.write(text)
            sys.stderr.flush()
        logger.warning("%s", text.rstrip("\n"))


async def _settle(action: Any) -> None:
    """Await `job.fail(...)`, `job.timeout()`...; a job no longer ours is only logged."""
    try:
        await action
    except (ReqlessError, RedisError) as exc:
        logger.warning("could not settle a stopped job: %s", exc)
