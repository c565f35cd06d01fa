"""Blocking pickup: pop from several queues, or sleep until one of them has work.

An idle worker that polls notices a new job half an interval late on average.
`Pickup.take` instead pops from its queues in one core call (`queues.pop`); when
that finds nothing, the same call records the worker as waiting, and the worker
blocks in BLPOP on the queues' wake lists, onto which the core pushes a token
whenever it makes a job ready there. It also wakes when a scheduled job, a
recurring spawn or a lock expiry comes due. See docs/core-design.md.

The pop that follows a wake-up is sent in one pipeline with the BLPOP
(`queues.popAt`), so the server runs it the moment the BLPOP returns: waking up
costs no round trip of its own, which is a third of the pickup latency.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redis.client import Pipeline
from redis.exceptions import RedisError

from reqless._calls import queue as queue_calls
from reqless.exceptions import DurabilityError
from reqless.logger import logger
from reqless.queue_windows import QueueWindow

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job

__all__ = ["Pickup"]

#: The longest single BLPOP: how soon a blocked worker notices `stopping()`.
BLOCK_SLICE = 0.5

#: Refusals of the pipelined pop in a row after which a Pickup stops trying it
#: (a server that never knows the function, such as one whose ACL forbids
#: FUNCTION LOAD, so that the client runs the core as a script).
_MAX_REFUSALS = 3


@dataclass(frozen=True, slots=True)
class _Picked:
    """A `queues.pop` reply: the jobs, or what to block on and for how long."""

    jobs: list[Job]
    wake: list[str]
    block: float
    #: The worker's clock minus the server's (the reply's `clock`), or None.
    clock: float | None


class Pickup:
    """Pops jobs for `client`'s worker name, blocking while there are none.

    Args:
        client: the worker's client (its `worker_name` holds the jobs).
        stopping: returns True when the worker is stopping; checked between
            slices of a wait so that a stop is noticed within half a second.
    """

    def __init__(self, client: Client, stopping: Callable[[], bool] = lambda: False) -> None:
        self.client = client
        self.stopping = stopping
        self._pipeline: Pipeline | None = None
        # Sends a core command into the pipeline (see _blpop_then_pop).
        self._send: Callable[..., Any] | None = None
        self._refusals = 0

    def pop(
        self, queues: Sequence[str], limit: int, wait: float
    ) -> tuple[list[Job], list[str], float]:
        """Pop up to `limit` jobs; with none, register to be woken and say how.

        Returns the jobs and, when there were none and `wait` > 0, the wake lists
        to block on and for how long (at most `wait`, less when something comes
        due sooner).
        """
        picked = self._pop(queues, limit, wait)
        return picked.jobs, picked.wake, picked.block

    def take(self, queues: Sequence[str], limit: int, wait: float) -> list[Job]:
        """Jobs from `queues` (earlier queues first); blocks up to `wait` s when none.

        Returns an empty list when the wait ends without work (or on a stop);
        the caller simply asks again. Given a `QueueWindow` (a few of many
        queues), it pops window after window and waits on all the queues only
        when none is ready.
        """
        if isinstance(queues, QueueWindow):
            jobs, queues = self._take_windows(queues, limit)
            if jobs:
                return jobs
        picked = self._pop(queues, limit, wait)
        if picked.jobs or picked.block <= 0:
            return picked.jobs
        if picked.clock is None or self._refusals >= _MAX_REFUSALS:
            if self.block(picked.wake, picked.block):
                return self.pop(queues, limit, 0)[0]
            return []
        return self._wait_and_pop(queues, limit, picked)

    def block(self, keys: list[str], seconds: float) -> bool:
        """BLPOP the wake lists `keys` (from an empty pop) for up to `seconds`.

        True when a token arrived (a job was made ready), False on time-out,
        stop or a connection error (which the next pop will report).
        """
        deadline = time.monotonic() + seconds
        database = self.client.database
        while not self.stopping():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                # BLPOP takes its timeout in seconds with millisecond precision.
                if database.blpop(keys, timeout=max(min(left, BLOCK_SLICE), 0.001)):
                    return True
            except RedisError as exc:
                logger.warning("waiting for work failed: %s", exc)
                return False
        return False

    def _take_windows(self, window: QueueWindow, limit: int) -> tuple[list[Job], list[str]]:
        """Jobs from the first window that has any, else ([], the queues to wait on)."""
        queues: list[str] = window
        while isinstance(queues, QueueWindow):
            jobs = self._pop(queues, limit, 0).jobs
            if jobs:
                queues.served()
                return jobs, queues
            queues = queues.exhausted()
        return [], queues

    def _pop(self, queues: Sequence[str], limit: int, wait: float) -> _Picked:
        call = queue_calls.pick(self.client.worker_name, limit, wait, queues)
        try:
            return self._jobs(self.client._run(call))
        except DurabilityError as exc:
            # Held on the primary: run them, as nothing else will before their
            # locks expire (docs/scale-out.md, "Durable acknowledgement").
            logger.error("running popped jobs without acknowledgement: %s", exc)
            return self._jobs(exc.reply)

    def _jobs(self, picked: queue_calls.Picked) -> _Picked:
        from reqless.job import Job

        jobs = [Job(self.client, **payload) for payload in picked.payloads]
        return _Picked(jobs, picked.wake, picked.block, picked.clock)

    def _wait_and_pop(self, queues: Sequence[str], limit: int, picked: _Picked) -> list[Job]:
        """Block in slices, each a BLPOP followed by `queues.popAt` in one pipeline.

        A slice that pops nothing (it timed out, or another worker was faster)
        has registered the wait again for what is left of it.
        """
        deadline = time.monotonic() + picked.block
        clock = picked.clock
        while not self.stopping():
            left = deadline - time.monotonic()
            if left <= 0 or clock is None:
                return []
            seconds = max(min(left, BLOCK_SLICE), 0.001)
            try:
                reply = self._blpop_then_pop(picked.wake, seconds, queues, limit, left, clock)
            except RedisError as exc:
                logger.warning("waiting for work failed: %s", exc)
                self._pipeline = self._send = None  # the next one may go elsewhere
                return []
            if reply is None:
                # Refused (the server lost the function, say): pop the plain way,
                # which loads it again.
                return self.pop(queues, limit, 0)[0]
            picked = reply
            if picked.jobs or picked.block <= 0:
                return picked.jobs
            deadline = min(deadline, time.monotonic() + picked.block)
            clock = picked.clock if picked.clock is not None else clock
        return []

    def _blpop_then_pop(
        self,
        keys: list[str],
        seconds: float,
        queues: Sequence[str],
        limit: int,
        wait: float,
        clock: float,
    ) -> _Picked | None:
        """BLPOP `keys` for `seconds`, then `queues.popAt`, in one round trip.

        Returns what the pop found, or None when the server refused the pop.
        """
        if self._pipeline is None or self._send is None:
            # On the connection the core calls use: in a cluster, the client of
            # the namespace's primary (a cluster pipeline would ask where FCALL goes).
            self._pipeline = self.client._runner.redis.pipeline(transaction=False)
            # The client's gateway to the core, buffering into the pipeline.
            self._send = self.client._runner.pipelined(self._pipeline).call
        call = queue_calls.pick_at(self.client.worker_name, limit, wait, clock, queues)
        durability = self.client.durability
        self._pipeline.blpop(keys, timeout=seconds)
        self._send(call.command, *call.args)
        waits = () if durability is None else durability.wait_commands()
        buffer: Any = self._pipeline  # redis-py leaves execute_command untyped
        for parts in waits:
            buffer.execute_command(*parts)
        try:
            _, reply, *answers = self._pipeline.execute(raise_on_error=False)
        finally:
            self._pipeline.reset()
        if isinstance(reply, Exception):
            self._refusals += 1
            logger.debug("the server refused the pipelined pop: %s", reply)
            return None
        self._refusals = 0
        if durability is not None:
            try:
                durability.check(call.command, reply, answers)
            except DurabilityError as exc:
                logger.error("running popped jobs without acknowledgement: %s", exc)
        return self._jobs(call.parse(reply))
