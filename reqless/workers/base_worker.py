"""What every worker shares: which queues to pop, in which order, resuming held
jobs, and hearing when the server takes a job away."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from reqless import defaults
from reqless.abstract import AbstractQueueResolver
from reqless.exceptions import LostLockError
from reqless.listener import Listener
from reqless.logger import logger
from reqless.queue import Queue
from reqless.queue_resolvers import TransformingQueueResolver

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job

__all__ = ["HALTING_EVENTS", "BaseWorker"]

#: Worker-channel events that mean "stop running this job": its lock expired and
#: it went to another worker, it was cancelled, or it was put somewhere else.
HALTING_EVENTS = frozenset({"lock_lost", "canceled", "put"})


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
        **kwargs: kept in `self.kwargs` for sub-workers (for example `sandbox`).
    """

    def __init__(
        self,
        queues: Iterable[str | Queue] | AbstractQueueResolver,
        client: Client,
        interval: float | None = None,
        resume: bool | list[Job] | None = None,
        *,
        round_robin: bool = False,
        job_timeout: float = 0,
        **kwargs: Any,
    ) -> None:
        self.client = client
        if isinstance(queues, AbstractQueueResolver):
            self.queue_resolver: AbstractQueueResolver = queues
        else:
            names = [q.name if isinstance(q, Queue) else q for q in queues]
            self.queue_resolver = TransformingQueueResolver(names)
        self.interval = float(interval) if interval else defaults.WORKER_INTERVAL
        self.round_robin = round_robin
        self.job_timeout = float(job_timeout or 0)
        self.kwargs: dict[str, Any] = {
            **kwargs,
            "interval": self.interval,
            "round_robin": round_robin,
            "job_timeout": self.job_timeout,
            "resume": resume,
        }
        self.resume: list[Job] = self.resumable() if resume is True else list(resume or [])
        self.shutdown = False
        self._wakeup = threading.Event()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.client.worker_name!r}>"

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

        Yields None after a pass over every queue found nothing (the caller waits).
        In the default order an earlier queue is always tried first; with
        `round_robin` each queue gives at most one job per pass.
        """
        for job in self.resume:
            try:
                if job.heartbeat():
                    yield job
            except LostLockError:
                logger.warning("could not resume job %s: its lock is gone", job.jid)
        self.resume = []
        while not self.shutdown:
            found = False
            for queue in self.queues:
                if self.shutdown:
                    return
                popped = self._pop(queue)
                if popped is None:
                    continue
                found = True
                yield popped
                if not self.round_robin:
                    break
            if not found:
                yield None

    def _pop(self, queue: Queue) -> Job | None:
        try:
            return queue.pop()
        except RedisError as exc:
            # A server restart or a network blip: say so and let the caller wait.
            logger.warning("could not pop from %s: %s", queue.name, exc)
            return None

    def wait(self, seconds: float | None = None) -> None:
        """Sleep between passes; `stop()` ends the wait early."""
        self._wakeup.wait(self.interval if seconds is None else seconds)

    @contextmanager
    def listener(self) -> Iterator[None]:
        """Listen on this worker's channel in a background thread while inside.

        Events that take a running job away from this worker call
        `halt_job_processing(jid)`. The subscription is made again after a
        connection error.
        """
        channel = f"ql:w:{self.client.worker_name}"
        stopping = threading.Event()
        current: list[Listener] = []

        def run() -> None:
            while not stopping.is_set():
                listener = Listener(self.client.database, [channel])
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

    def run(self) -> None:
        """Run jobs until stopped."""
        raise NotImplementedError

    def install_signals(self) -> None:
        """Install the operator signals for a process this worker owns (none here)."""

    def stop(self) -> None:
        """Stop gracefully: pop nothing more, finish the job at hand, then return."""
        self.shutdown = True
        self._wakeup.set()
