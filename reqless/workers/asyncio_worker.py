"""A worker that runs up to N jobs at once as tasks of one asyncio event loop.

`async def` handlers are awaited with a `reqless.aio.AsyncJob`; plain functions
run in a thread (`asyncio.to_thread`) with a `reqless.Job`, and a thread cannot
be stopped: see docs/asyncio.md. `reqless-py-worker --asyncio --concurrency N`
runs one such loop in each forked child.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

from reqless import defaults
from reqless.aio.client import AsyncClient
from reqless.aio.job import AsyncJob
from reqless.aio.listener import AsyncListener
from reqless.aio.pickup import AsyncPickup
from reqless.exceptions import DurabilityError, LostLockError, ReqlessError
from reqless.logger import logger
from reqless.workers.base_worker import (
    HALTING_EVENTS,
    BaseWorker,
    escaped_failure,
    warn_if_left_running,
)
from reqless.workers.halting import halt_outcome, outlived_kill_grace
from reqless.workers.hooks import Outcome
from reqless.workers.job_outcome import capture_handler_exception, outcome_of
from reqless.workers.job_threads import JobThreads, current_job
from reqless.workers.logs import logs_job_async
from reqless.workers.operator_signals import install_worker_signals
from reqless.workers.policy import INTERRUPTS, Action, SlotState, decide
from reqless.workers.timeout_retry import timeout_error, timeout_policy, timeout_retry_delay
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
    #: When it started (time.monotonic()) and its time limit (0: none).
    started_at: float
    timeout: float
    #: Why the job is being stopped: `lost`, `timeout` or `shutdown` (None: it is not).
    reason: str | None = None
    halted_at: float | None = None
    #: The server took it away (a confirmed notice, or a refused heartbeat).
    lost: bool = False
    #: It outlived its kill grace (and was dealt with).
    abandoned: bool = False
    #: Its record on the forking parent's job board.
    record: int | None = None
    #: Completing it pops a successor, counted ahead by the recycling budget.
    reserved: bool = False

    def state(self) -> SlotState:
        """What the supervision policy looks at."""
        return SlotState(
            started_at=self.started_at, timeout=self.timeout, lock_length=self.lock_length,
            lock_expires=self.job.expires_at,
            halted=Action(self.reason) if self.reason is not None else None,
            halted_at=self.halted_at, lost=self.lost,
        )  # fmt: skip


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
        self._running: dict[str, _Running] = {}
        #: Failures being sent for jobs that outlived their kill grace.
        self._settling: set[asyncio.Future[None]] = set()
        self._changed: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._aclient: AsyncClient | None = None
        #: The threads plain handlers run in (made by `run()`).
        self._threads: JobThreads | None = None
        self._title = ""

    @property
    def aclient(self) -> AsyncClient:
        """The asyncio client of the running loop (made by `run()`)."""
        if self._aclient is None:
            raise ReqlessError("the asyncio worker is not running")
        return self._aclient

    #: `async def` hooks are awaited in the event loop.
    async_hooks = True

    def free_slots(self) -> int:
        """Free slots (within the recycling budget): one pop takes up to this many jobs."""
        return self.recycler.room(max(self.size - len(self._running), 0))

    @classmethod
    def job_slots(cls, kwargs: dict[str, Any]) -> int:
        """Jobs one worker built with `kwargs` runs at once: its concurrency."""
        return int(kwargs.get("concurrency") or DEFAULT_CONCURRENCY)

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
        self._threads = JobThreads(self.size)
        loop.set_default_executor(self._threads)
        signals = self._install_loop_signals(loop)
        space = self.client.keys
        channel = space.worker_channel(self.client.worker_name)
        listener = AsyncListener(self.aclient.database, [channel], sharded=space.sharded)
        listening = asyncio.create_task(self._listen(listener), name="reqless-listener")
        supervisor = asyncio.create_task(self._supervise(), name="reqless-supervisor")
        try:
            if self.forked:
                await self.hooks.acall("after_fork", self)
            await self.hooks.acall("on_start", self)
            await listener.wait_until_listening(10)
            if self.on_ready is not None:
                self.on_ready()
            await self._resume()
            await self._pop_loop()
            await self._drain()
        finally:
            self._shutdown = True
            listener.unlisten()
            for task in (supervisor, listening):
                task.cancel()
            await asyncio.gather(supervisor, listening, return_exceptions=True)
            for signum in signals:
                loop.remove_signal_handler(signum)
            self.log_stop_request()
            await self.hooks.acall("on_stop", self)
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
            if self.recycler.due():
                break
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
        while not self.recycling():
            if not self.free_slots():
                await self._wait_for_change(self.interval)
                continue
            names = self._queue_order()
            if not names:
                await self._wait_for_change(self.interval)
                continue
            if not self._running:
                self._retitle_idle()
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
        klass = None
        try:
            klass = job.klass
        except Exception as exc:
            logger.warning("cannot import %s for job %s: %s", job.klass_name, job.jid, exc)
        # Completing the job also pops the job that takes over its slot: one
        # round trip per job once every slot is busy.
        job.pop_next_from = functools.partial(self._successor_queues, job.jid)
        self.recycler.job_started()
        task = asyncio.create_task(self._process(job), name=f"job-{job.jid}")
        running = self._running[job.jid] = _Running(
            job, task, max(job.expires_at - time.time(), 1.0), time.monotonic(),
            self.settings.timeout_for(klass),
        )  # fmt: skip
        if self.board is not None:
            delay = timeout_retry_delay(job, self.settings.retry_policy_for(job.queue_name),
                                        running.timeout)  # fmt: skip
            running.record = self.board.claim(job.jid, running.started_at, running.timeout, delay)

    async def _process(self, job: AsyncJob) -> None:
        sandbox = self.sandboxes.pop(0)
        current_job.set(job.jid)  # this task's own context: see JobThreads
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
            await self._outlast_threads(job.jid)
            if not running.abandoned:
                await self._halted(job, running.reason, running.timeout)
        finally:
            if self._threads is not None:
                self._threads.forget(job.jid)
            ended = self._running.pop(job.jid, None)
            if ended is not None and self.board is not None:
                self.board.release(ended.record)
            if ended is not None and ended.reserved:
                self.recycler.reserved -= 1  # its successor (if any) is counted as started
            self.sandboxes.append(sandbox)
            popped, job.popped_next = job.popped_next, []
            for successor in popped:
                self._start(successor)
            if not self._running:
                # Now, not when the pop loop next wakes (up to `interval` away).
                self._retitle_idle()
            if self._changed is not None:
                self._changed.set()
        await self._after_job(job, ended.reason if ended is not None else None)

    def _successor_queues(self, jid: str) -> list[str]:
        """The queues completing job `jid` pops its successor from (reserved in the budget)."""
        if self.recycler.room(1) < 1:
            return []
        queues = self._next_queues()
        running = self._running.get(jid)
        if queues and running is not None and not running.reserved:
            running.reserved = True
            self.recycler.reserved += 1
        return queues

    async def _after_job(self, job: AsyncJob, halted: str | None) -> None:
        """Call the `after_job` hook with what became of `job` (see BaseWorker.after_job)."""
        if self.hooks.after_job is None:
            return
        if halted:
            outcome = Outcome(halted)
        else:
            try:
                outcome = outcome_of(job, await self.aclient.jobs.get(job.jid))
            except (RedisError, ReqlessError):
                outcome = Outcome.UNKNOWN
        await self.hooks.acall("after_job", job, outcome)

    async def _outlast_threads(self, jid: str) -> None:
        """Wait while a thread still runs the code of job `jid`, which was told to stop.

        Its task is cancelled, but a thread cannot be: until the thread returns the
        job still runs here, so it keeps its board record (marked interrupted) and
        is not settled. A watching parent kills this process after the kill grace
        and settles the job while its lock still holds; without one, the
        supervisor fails a timed-out job at the kill grace (see `_act`).
        """
        threads = self._threads
        while threads is not None and (work := threads.running(jid)):
            await asyncio.wait([asyncio.wrap_future(future) for future in work])

    @logs_job_async
    async def _run_handler(self, job: AsyncJob) -> None:
        """`await job.process()`, plus what it leaves to the worker (see BaseWorker)."""
        # Retry policy (docs/worker.md): see BaseWorker.run_handler.
        job.retry_policy = self.settings.retry_policy_for(job.queue_name)
        await self.hooks.acall("before_job", job)
        raised = capture_handler_exception(job) if self.hooks.on_failure else []
        try:
            await job.process()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            # SystemExit, KeyboardInterrupt...: out of a task they would end the
            # loop and every other job; the job is failed instead.
            await self._fail_escaped_async(job, exc)
            await self.hooks.acall("on_failure", job, exc)
            return
        for error in raised:
            await self.hooks.acall("on_failure", job, error)
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

    async def _halted(self, job: AsyncJob, reason: str, limit: float) -> None:
        failure = halt_outcome(job, reason, limit)
        if failure is not None:
            await self._settle_timed_out(job, failure, limit)
        elif reason == Action.SHUTDOWN:
            await _settle(job.timeout())

    @staticmethod
    async def _settle_timed_out(job: AsyncJob, failure: tuple[str, str], limit: float) -> None:
        # As halting.settle_timed_out: retried when a retry policy handles a time-out.
        policy = timeout_policy(job, job.retry_policy)
        if policy is not None:
            await _settle(job._retry_for(policy, timeout_error(limit)))
        else:
            await _settle(job.fail(*failure))

    # -- stopping a running job ----------------------------------------------

    def halt(self, jid: str, reason: str) -> None:
        """Cancel the task of job `jid` (if it runs) for `reason`."""
        running = self._running.get(jid)
        if running is None or running.reason is not None:
            return
        running.reason = reason
        running.halted_at = time.monotonic()
        if self.board is not None:
            self.board.halted(running.record, Action(reason), running.halted_at)
        running.task.cancel()

    def halt_job_processing(self, jid: str) -> None:
        """Stop job `jid` at once (the worker-channel listener checks with the server first)."""
        running = self._running.get(jid)
        if running is not None:
            running.lost = True
            self._act(running, time.monotonic())

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
                self.halt_job_processing(running.job.jid)
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
        while True:
            if self._running:
                # Here rather than per job: a title is a system call.
                self._retitle(f"Working on {len(self._running)} jobs")
            now = time.monotonic()
            wake = now + self.settings.limits.check_interval
            due: list[_Running] = []
            for running in list(self._running.values()):
                wake = min(wake, self._act(running, now, due))
            if due:
                await asyncio.gather(*(self._heartbeat(running) for running in due))
            await asyncio.sleep(max(wake - time.monotonic(), 0.0))

    def _act(self, running: _Running, now: float, due: list[_Running] | None = None) -> float:
        """Act on the policy's decision for one job; returns when to look again.

        A heartbeat is I/O: the job is added to `due` (heartbeated by the caller).
        """
        decision = decide(running.state(), now, time.time(), self.stop_requested_at,
                          self.settings.limits)  # fmt: skip
        action = decision.action
        if action in INTERRUPTS:
            self.halt(running.job.jid, action.value)
        elif action is Action.HEARTBEAT and due is not None:
            due.append(running)
        elif action is Action.KILL and not running.abandoned:
            running.abandoned = True
            reason = Action(running.reason) if running.reason else Action.TIMEOUT
            failure = outlived_kill_grace(running.job, reason, running.timeout,
                                          self.board is not None)  # fmt: skip
            if failure is not None:
                future = asyncio.ensure_future(
                    self._settle_timed_out(running.job, failure, running.timeout)
                )
                self._settling.add(future)
                future.add_done_callback(self._settling.discard)
        return decision.next_check

    def _retitle(self, wanted: str) -> None:
        if wanted != self._title:
            self._title = wanted
            set_title(wanted)

    def _retitle_idle(self) -> None:
        self._retitle(f"Sleeping for {self.interval:f}s")

    async def _heartbeat(self, running: _Running) -> None:
        job = running.job
        try:
            await job.heartbeat()
            logger.debug("heartbeat for job %s until %s", job.jid, job.expires_at)
        except LostLockError:
            running.lost = True
            self._act(running, time.monotonic())
        except Exception as exc:
            logger.warning("heartbeat for job %s failed: %s", job.jid, exc)

    # -- operator signals -----------------------------------------------------

    def install_signals(self) -> None:
        """TERM/INT stop gracefully, QUIT exits at once, USR1 prints every task's stack."""
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
    except DurabilityError as exc:
        logger.error("job %s: %s", exc.jid, exc)  # settled on the primary all the same
    except (ReqlessError, RedisError) as exc:
        logger.warning("could not settle a stopped job: %s", exc)
