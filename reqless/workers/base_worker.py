"""What every worker shares: which queues to pop, in which order, resuming held
jobs, hearing when the server takes a job away, stopping, and what a job's
handler leaves behind."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from reqless.abstract import AbstractQueueResolver
from reqless.exceptions import DurabilityError, LostLockError, ReqlessError
from reqless.job_retry import RetryPolicy
from reqless.listener import Listener
from reqless.logger import logger
from reqless.pickup import Pickup
from reqless.queue import Queue
from reqless.queue_resolvers import TransformingQueueResolver
from reqless.queue_windows import QueueWindow
from reqless.workers.board import BoardView
from reqless.workers.hooks import Hooks, Outcome
from reqless.workers.job_outcome import capture_handler_exception, outcome_of
from reqless.workers.logs import logs_job
from reqless.workers.recycling import Recycler
from reqless.workers.settings import WorkerSettings
from reqless.workers.util import Waker, in_main_thread

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job

__all__ = ["HALTING_EVENTS", "BaseWorker", "JobHalted"]

#: Worker-channel events that mean "stop running this job": its lock expired and
#: it went to another worker, it was cancelled, or it was put somewhere else.
HALTING_EVENTS = frozenset({"lock_lost", "canceled", "put"})
#: Keywords a worker takes that are settings (see WorkerSettings.from_keywords).
_SETTING_KEYWORDS = (
    "shutdown_timeout", "kill_grace", "hooks", "max_jobs_per_child", "max_memory_per_child",
)  # fmt: skip


class JobHalted(BaseException):
    """Raised inside a running job to stop it (not an Exception, so job code's
    `except Exception` does not swallow it). `reason` is `lost` (the server took
    the job away), `timeout` (hard time limit) or `shutdown` (stop grace expired);
    it is empty when the exception was raised without arguments (in a thread)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


class BaseWorker:
    """Pops jobs from a list of queues; subclasses decide how jobs are run.

    Args:
        queues: queue names (or Queue objects), or a resolver whose `resolve()`
            returns the names to poll, in priority order, on every pass.
        client: the client; its `worker_name` is this worker's identity.
        interval: seconds to sleep after a pass that found no work.
        resume: True to first resume the jobs this worker name still holds, or a
            list of jobs to resume.
        round_robin: pop one job from each queue per pass, instead of always
            preferring earlier queues.
        job_timeout: hard time limit per job in seconds (0: none).
        settings: every setting in one value (`WorkerSettings`); the keywords
            above, `shutdown_timeout` and `kill_grace` override it.
        **kwargs: kept in `self.kwargs` for sub-workers (for example `sandbox`).
    """

    def __init__(
        self,
        queues: Iterable[str | Queue] | AbstractQueueResolver,
        client: Client,
        interval: float | None = None,
        resume: bool | list[Job] | None = None,
        *,
        round_robin: bool | None = None,
        job_timeout: float | None = None,
        settings: WorkerSettings | None = None,
        **kwargs: Any,
    ) -> None:
        self.client = client
        if isinstance(queues, AbstractQueueResolver):
            self.queue_resolver: AbstractQueueResolver = queues
        else:
            names = [q.name if isinstance(q, Queue) else q for q in queues]
            self.queue_resolver = TransformingQueueResolver(names)
        given = {"interval": interval, "round_robin": round_robin, "job_timeout": job_timeout}
        given.update((key, kwargs.pop(key, None)) for key in _SETTING_KEYWORDS)
        #: Every setting, checked once (see `reqless.workers.settings`).
        self.settings = WorkerSettings.from_keywords(settings, given)
        self.interval = self.settings.interval
        self.round_robin = self.settings.round_robin
        self.job_timeout = self.settings.job_timeout
        self.shutdown_timeout = self.settings.shutdown_timeout
        #: The hooks this worker calls (reqless.workers.hooks).
        self.hooks: Hooks = self.settings.worker_hooks
        self.check_hooks()
        #: Counts started jobs and says when the worker is due for recycling.
        self._retry_policies: dict[str, RetryPolicy | None] = {}
        self.recycler = Recycler(self.settings.max_jobs_per_child,
                                 self.settings.max_memory_per_child)  # fmt: skip
        #: True in a child a ForkingWorker forked (it then calls the `after_fork` hook).
        self.forked = False
        self.kwargs: dict[str, Any] = {
            **kwargs,
            "interval": self.interval,
            "round_robin": self.round_robin,
            "job_timeout": self.job_timeout,
            "shutdown_timeout": self.shutdown_timeout,
            "kill_grace": self.settings.kill_grace,
            "settings": self.settings,
            "resume": resume,
        }
        #: The table this worker reports its running jobs on, when a forking
        #: parent watches them (set by the parent in the child), else None.
        self.board: BoardView | None = None
        self.resume: list[Job] = self.resumable() if resume is True else list(resume or [])
        self._shutdown = False
        #: When `stop()` was first called (time.monotonic()), and the signal that asked.
        self.stop_requested_at: float | None = None
        self.stop_signal: int | None = None
        #: Called once when the worker is up and about to run its first job.
        self.on_ready: Callable[[], object] | None = None
        self._stop_logged = False
        #: Jobs popped for this worker and not started yet.
        self._popped: list[Job] = []
        self._turn = 0
        self._waker = Waker()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.client.worker_name!r}>"

    #: Whether this worker awaits `async def` hooks (only the asyncio worker does).
    async_hooks = False

    def check_hooks(self) -> None:
        """Refuse `async def` hooks this worker cannot await (ReqlessError)."""
        if not self.async_hooks:
            self.hooks.refuse_async(type(self).__name__)

    @property
    def turn(self) -> int:
        """The round-robin turn: which queue the next pop asks first (see `_queue_order`)."""
        return self._turn

    @turn.setter
    def turn(self, value: int) -> None:
        self._turn = value

    def recycling(self) -> bool:
        """Whether the worker takes no new job: it is stopping or due for recycling."""
        # Most workers have no recycling limit: no call for them (this runs thrice a job).
        return self._shutdown or (self.recycler.limited and self.recycler.due())

    @property
    def shutdown(self) -> bool:
        """Whether the worker is stopping.

        Setting it to True is the same as calling `stop()`: embedding code that
        sets the flag from another thread (as the spec documents) gets the same
        graceful stop, and a sleeping or supervising loop wakes up at once.
        """
        return self._shutdown

    @shutdown.setter
    def shutdown(self, value: bool) -> None:
        if value:
            self.stop()
        else:
            self._shutdown = False

    @property
    def queues(self) -> Iterator[Queue]:
        """The queues to poll now, in order."""
        for name in self.queue_resolver.resolve():
            yield self.client.queues[name]

    def resumable(self) -> list[Job]:
        """Jobs whose lock this worker name still holds, in the queues it polls."""
        jids = self.client.workers[self.client.worker_name]["jobs"]
        names = set(self.queue_resolver.resolve())
        return [job for job in self.client.jobs.get(*jids) if job.queue_name in names]

    def jobs(self) -> Iterator[Job | None]:
        """Jobs to run, forever: resumed ones first, then popped ones.

        Popping blocks while no queue has work (see `reqless.pickup`): the worker
        wakes within a millisecond of a job being put or released in any of its
        queues, or of a scheduled job coming due, and after `interval` seconds
        at the latest. Yields None after such a wait found nothing (the caller
        need not wait again). In the default order an earlier queue is always
        tried first; with `round_robin` the first queue asked turns each pass.
        Calls `on_ready` first: the worker is up.
        """
        if self.on_ready is not None:
            self.on_ready()
        for job in self.resume:
            if self.recycling():
                break
            try:
                if job.heartbeat():
                    yield job
            except LostLockError:
                logger.warning("could not resume job %s: its lock is gone", job.jid)
        self.resume = []
        pickup = Pickup(self.client, stopping=lambda: self.shutdown)
        recycler = self.recycler
        # Go on while not stopping, and not due for recycling or with popped jobs to
        # run: `recycling()` spelled out, as this runs once per job.
        while not self._shutdown and (
            not (recycler.limited and recycler.due()) or self._popped
        ):  # fmt: skip
            if not self._popped:
                self._popped = self._take(pickup, self._queue_order())
                if not self._popped:
                    yield None
                    continue
            job = self._popped.pop(0)
            if self.pops_on_complete and not self._popped:
                job.pop_next_from = self._next_queues
            yield job

    def _queue_order(self) -> list[str]:
        """The queues to pop from now, in order (with `round_robin`, turning each time)."""
        resolver = self.queue_resolver
        if isinstance(resolver, TransformingQueueResolver):
            # Kept between pops; a window of ready queues when there are many.
            names = resolver.pop_order()
        else:
            names = list(resolver.resolve())
        # A window already moves on through the ready queues.
        if self.round_robin and names and not isinstance(names, QueueWindow):
            self._turn %= len(names)
            names = names[self._turn :] + names[: self._turn]
            self._turn += 1
        return names

    #: Whether `job.complete()` also pops the worker's next job (one round trip
    #: per job instead of two); a worker that runs one job at a time sets it.
    pops_on_complete = False

    def _next_queues(self) -> list[str]:
        # Asked when the job completes: a worker that is stopping (or due for
        # recycling) pops nothing more. `recycling()` spelled out: once per job.
        if self._shutdown or (self.recycler.limited and self.recycler.due()):
            return []
        return self._queue_order()

    def collect_popped(self, job: Job) -> None:
        """Keep the jobs `job.complete()` popped for this worker (call once `job` is done)."""
        self._popped += job.popped_next
        job.popped_next = []

    def release_popped(self) -> None:
        """Hand back jobs popped but never started (the worker is stopping)."""
        popped, self._popped = self._popped, []
        for job in popped:
            # First in line for the next worker, and no retry is used up.
            settle(job.timeout)

    @classmethod
    def job_slots(cls, kwargs: dict[str, Any]) -> int:
        """Jobs one worker built with `kwargs` runs at once (the size of its board view)."""
        return 1

    def free_slots(self) -> int:
        """How many jobs the worker can start now (one pop takes up to this many)."""
        return 1

    def _take(self, pickup: Pickup, names: list[str]) -> list[Job]:
        if not names:
            self.wait()  # no queue matches yet: look again after the interval
            return []
        try:
            return pickup.take(names, max(self.free_slots(), 1), self.interval)
        except RedisError as exc:
            # A server restart or a network blip: say so and wait before trying again.
            logger.warning("could not pop from %s: %s", ", ".join(names), exc)
            self.wait()
            return []

    def wait(self, seconds: float | None = None) -> None:
        """Sleep between passes; `stop()` ends the wait early."""
        self._waker.wait(self.interval if seconds is None else seconds)

    @contextmanager
    def listener(self) -> Iterator[None]:
        """Listen on this worker's channel in a background thread while inside.

        Events that take a running job away from this worker call
        `halt_job_processing(jid)`. The subscription is made again after a
        connection error.
        """
        space = self.client.keys
        channel = space.worker_channel(self.client.worker_name)
        stopping = threading.Event()
        current: list[Listener] = []

        def run() -> None:
            while not stopping.is_set():
                listener = Listener(self.client.database, [channel], sharded=space.sharded)
                current[:] = [listener]
                try:
                    for message in listener.listen():
                        self._handle_message(message["data"])
                except RedisError as exc:
                    logger.warning("worker channel %s lost: %s; resubscribing", channel, exc)
                    stopping.wait(1.0)
                finally:
                    started.set()

        started = threading.Event()
        thread = threading.Thread(target=run, name=f"reqless-listener-{channel}", daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not started.is_set() and time.monotonic() < deadline:
            if current and current[0].wait_until_listening(0.1):
                break
        try:
            yield
        finally:
            stopping.set()
            for listener in current:
                listener.unlisten()
            thread.join(5)

    def _handle_message(self, data: str) -> None:
        try:
            payload = json.loads(data)
            if payload.get("event") in HALTING_EVENTS:
                self.halt_job_processing(str(payload["jid"]))
        except Exception:
            logger.exception("could not handle worker-channel message %r", data)

    def halt_job_processing(self, jid: str) -> None:
        """Stop running job `jid` (if this worker runs it): it is no longer ours."""
        raise NotImplementedError

    @staticmethod
    def still_holds(job: Job) -> bool:
        """Whether the server still gives `job` to this worker (checked by heartbeating it).

        A notice that a job was taken away can be stale: the core sends it before
        it hands the job out again, possibly to this same worker name (a replaced
        child gets its slot's name back), and it may arrive while that new run is
        under way. Only a notice the server confirms stops the job. When the
        server cannot be asked, the notice is believed.
        """
        try:
            job.heartbeat()
        except LostLockError:
            return False
        except RedisError as exc:
            logger.warning("could not check whether job %s is still ours: %s", job.jid, exc)
            return False
        logger.info("ignored a stale notice for job %s: this worker still holds it", job.jid)
        return True

    # -- what a handler leaves behind ----------------------------------------

    @logs_job
    def run_handler(self, job: Job) -> None:
        """`job.process()`, plus what it leaves to the worker.

        `job.process()` fails a job whose handler raised an Exception. A
        `SystemExit` (`sys.exit()`) or another BaseException would end the worker
        instead, and the job would sit `running` until its lock expired: it is
        failed here, and the worker carries on. The worker's own exceptions
        (`is_own_exception`) pass through, and so does an operator's Ctrl-C. A
        handler that returned leaving the job running under this worker is
        reported: the job is retried only once its lock expires.
        """
        # Retry policy (docs/worker.md): an exception the job's queue's policy
        # handles makes job.process() retry the job instead of failing it.
        try:
            job.retry_policy = self._retry_policies[job.queue_name]  # known queue: no call
        except KeyError:
            job.retry_policy = self.retry_policy_for(job.queue_name)
        hooks = self.hooks
        if hooks.before_job is not None:
            hooks.call("before_job", job)
        raised = capture_handler_exception(job) if hooks.on_failure else []
        try:
            job.process()
        except BaseException as exc:
            if self.is_own_exception(exc) or not self._fail_escaped(job, exc):
                raise
            self.hooks.call("on_failure", job, exc)
            return
        for error in raised:
            self.hooks.call("on_failure", job, error)
        if not job.settled:  # the usual case is settled: no call for it
            self._warn_if_unsettled(job)

    def retry_policy_for(self, queue: str) -> RetryPolicy | None:
        """The retry policy of jobs in `queue` (looked up once per queue: the settings
        are frozen)."""
        try:
            return self._retry_policies[queue]
        except KeyError:
            policy = self._retry_policies[queue] = self.settings.retry_policy_for(queue)
            return policy

    def after_job(self, job: Job, halted: str | None) -> None:
        """Call the `after_job` hook with what became of `job` (`halted`: why it was stopped)."""
        if self.hooks.after_job is None:
            return
        if halted:
            outcome = Outcome(halted)
        else:
            try:
                outcome = outcome_of(job, self.client.jobs.get(job.jid))
            except (RedisError, ReqlessError):
                outcome = Outcome.UNKNOWN
        self.hooks.call("after_job", job, outcome)

    def is_own_exception(self, exc: BaseException) -> bool:
        """Whether `exc` was raised in the job by this worker (to stop it)."""
        return isinstance(exc, JobHalted)

    def _fail_escaped(self, job: Job, exc: BaseException) -> bool:
        """Fail `job` for `exc`; False when `exc` must go on (the operator's Ctrl-C)."""
        if _is_ctrl_c(exc):
            logger.warning("interrupted job %s; handing it back to its queue", job.jid)
            settle(job.timeout)
            return False
        settle(job.fail, *escaped_failure(job.jid, job.klass_name, job.queue_name, exc))
        return True

    def _warn_if_unsettled(self, job: Job) -> None:
        if job.settled:
            return  # the usual case: the handler settled the job through this object
        try:
            found = self.client.jobs.get(job.jid)
        except (RedisError, ReqlessError):
            return  # cannot tell; the server's lock expiry settles it anyway
        warn_if_left_running(job.jid, job.klass_name, self.client.worker_name, found)

    # -- running and stopping --------------------------------------------------

    def run(self) -> None:
        """Run jobs until stopped."""
        raise NotImplementedError

    def install_signals(self) -> None:
        """Install the operator signals for a process this worker owns (none here)."""

    def stop(self) -> None:
        """Stop gracefully: pop nothing more, finish the job at hand, then return.

        Safe from any thread and from a signal handler: it only sets flags and
        writes one byte to a pipe (see `Waker`).
        """
        self._shutdown = True
        if self.stop_requested_at is None:
            self.stop_requested_at = time.monotonic()
        self._waker.wake()

    def on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        """The TERM and INT handler: a graceful stop, logged later by `log_stop_request`.

        Ctrl-C sends INT to every process of the group, and often twice, so this
        may interrupt anything, itself included: it takes no lock and does not log.
        """
        self.stop_signal = signum
        self.stop()

    def log_stop_request(self) -> None:
        """Log, once, the stop a signal asked for (the handler itself cannot log)."""
        if self.stop_signal is not None and not self._stop_logged:
            self._stop_logged = True
            name = signal.Signals(self.stop_signal).name
            logger.info("worker %s: %s, stopping after the current job", os.getpid(), name)


def settle(action: Callable[..., object], *args: Any) -> None:
    """Call `job.fail`, `job.timeout`, ...; a job that is no longer ours is only logged."""
    try:
        action(*args)
    except DurabilityError as exc:
        logger.error("job %s: %s", exc.jid, exc)  # settled on the primary all the same
    except (LostLockError, ReqlessError, RedisError) as exc:
        logger.warning("could not settle a stopped job: %s", exc)


def _is_ctrl_c(exc: BaseException) -> bool:
    # With Python's own INT handler in place, KeyboardInterrupt in the main thread
    # is most likely the operator's Ctrl-C (the programs install their own handler).
    return (
        isinstance(exc, KeyboardInterrupt)
        and in_main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )


def escaped_failure(
    jid: str, klass_name: str, queue_name: str, exc: BaseException
) -> tuple[str, str]:
    """Log and describe a job that raised a BaseException: its failure (group, message)."""
    name = type(exc).__name__
    if isinstance(exc, SystemExit):
        what = f"called sys.exit({exc.code!r})"
    else:
        what = f"raised {name}, which is not an Exception"
    logger.error("job %s (%s) %s; failing it", jid, klass_name, what)
    stack = "".join(traceback.format_exception(exc))
    return f"{queue_name}-{name}", f"{klass_name} {what}: a job must not stop its worker\n{stack}"


def warn_if_left_running(jid: str, klass_name: str, worker: str, found: Iterable[Any]) -> None:
    """Warn when the server still shows job `jid` (in `found`) running under `worker`."""
    if any(now.state == "running" and now.worker_name == worker for now in found):
        logger.warning(
            "job %s (%s) returned without completing, failing, retrying or moving it; "
            "it stays running under %s until its lock expires, then it is retried",
            jid, klass_name, worker,
        )  # fmt: skip
