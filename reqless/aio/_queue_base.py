"""What a queue does on the server, and its per-state job listings: the part both
clients share (`len`, counts and the heartbeat differ by design, see the queue classes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, overload

from reqless import defaults
from reqless._calls import groups as group_calls
from reqless._calls import queue as calls
from reqless._calls.encoding import class_string
from reqless._calls.groups import GroupInfo
from reqless.exceptions import ArgumentError, DurabilityError
from reqless.keys import KeySpace

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient
    from reqless.aio.job import AsyncJob
    from reqless.aio.throttle import AsyncThrottle

__all__ = ["AsyncQueueBase", "AsyncQueueJobs"]


class AsyncQueueJobs:
    """Job ids of one queue by state (`await queue.jobs.running()` and so on)."""

    def __init__(self, name: str, client: AsyncClient) -> None:
        self._name = name
        self.client = client

    @property
    def name(self) -> str:
        """The queue's name."""
        return self._name

    async def _by_state(self, state: str, offset: int, count: int) -> list[str]:
        return await self.client._run(calls.jobs_by_state(self._name, state, offset, count))

    async def running(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jobs whose lock is still valid, earliest deadline first."""
        return await self._by_state("running", offset, count)

    async def stalled(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jobs the next pop hands to another worker: expired locks (earliest
        deadline first), then jobs handed back by their worker (`job.timeout`)."""
        return await self._by_state("stalled", offset, count)

    async def scheduled(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jobs waiting for their delay to pass."""
        return await self._by_state("scheduled", offset, count)

    async def depends(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jobs waiting for other jobs to complete."""
        return await self._by_state("depends", offset, count)

    async def recurring(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Recurring templates attached to the queue."""
        return await self._by_state("recurring", offset, count)

    async def throttled(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jobs held back by a throttle."""
        return await self._by_state("throttled", offset, count)


class AsyncQueueBase:
    """A named queue's calls to the server, but for those that differ by client."""

    def __init__(self, name: str, client: AsyncClient, worker_name: str) -> None:
        self._name = name
        self.client = client
        self.worker_name = worker_name
        self._jobs: AsyncQueueJobs | None = None

    @property
    def name(self) -> str:
        """The queue's name."""
        return self._name

    def __repr__(self) -> str:
        return f"<reqless.aio.AsyncQueue {self._name!r}>"

    def __str__(self) -> str:
        return self._name

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AsyncQueueBase):
            return self._name == other._name
        if isinstance(other, str):
            return self._name == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._name)

    @staticmethod
    def class_string(klass: type | str) -> str:
        """The dotted path a job class is stored under."""
        return class_string(klass)

    @property
    def jobs(self) -> AsyncQueueJobs:
        """Job ids of this queue by state."""
        if self._jobs is None:
            self._jobs = AsyncQueueJobs(self._name, self.client)
        return self._jobs

    async def put(
        self,
        klass: type | str,
        data: Any,
        priority: float | None = None,
        tags: list[str] | None = None,
        delay: float | None = None,
        retries: int | None = None,
        jid: str | None = None,
        depends: list[str] | None = None,
        throttles: list[str] | None = None,
        *,
        replace: bool = False,
        unique: str | None = None,
        on_conflict: str = "keep",
        unique_until: str = "finish",
        unique_for: float | None = None,
        group: str | None = None,
        batch: str | None = None,
    ) -> str:
        """Put a job into this queue and return its jid.

        Args:
            klass: the job class, or its dotted path.
            data: JSON text, or any JSON-serialisable value (encoded for you).
            priority: higher pops sooner (default 0).
            tags: tags to index the job under.
            delay: seconds before the job may be popped.
            retries: how many lost locks or retries it survives (default 5; 0 means none).
            jid: the job id; a random one by default. Putting an existing jid replaces
                that job whatever its state (a running one is taken from its worker),
                and warns (`ReplacedJobWarning`), which costs one more round trip.
            depends: jids that must complete before this job can run.
            throttles: throttle names the job must hold a slot of to run.
            replace: the jid may name an existing job, to be replaced: no check, no warning.
            unique: a unique key (docs/concepts.md, Unique jobs): while another job
                put with it has not ended, this put returns that job's jid instead.
            on_conflict: what a put does when another live job holds `unique`:
                "keep" it (default, nothing changes), "replace" its data, priority
                and delay while it waits (a running one is kept), or "error"
                (UniqueConflictError).
            unique_until: "finish" (default): the key is held until the job
                completes, is cancelled or fails for good; "start": until it starts.
            unique_for: seconds after which the key is free whatever the job does.
            group: the job's fair group in this queue (docs/concepts.md, Fair
                groups): among ready jobs of equal priority, the queue serves its
                groups in turn. 1 to 256 characters, no control characters.
            batch: the id of an open batch the job joins (docs/batches.md).
        """
        call = calls.put(
            self.worker_name, self._name, klass=klass, data=data, priority=priority, tags=tags,
            delay=delay, retries=retries, jid=jid, depends=depends, throttles=throttles,
            limit=self.client.max_data_bytes, unique=unique, on_conflict=on_conflict,
            unique_until=unique_until, unique_for=unique_for, group=group, batch=batch,
        )  # fmt: skip
        if jid is None or replace:
            return await self.client._run(call)
        found = await self.client._run(calls.existing([jid]))
        new = await self.client._run(call)
        if new == jid:  # another job holding the unique key: nothing was replaced
            calls.warn_replaced(found)  # once it did replace them
        return new

    async def put_many(
        self,
        jobs: Iterable[Mapping[str, Any]],
        *,
        chunk_size: int = defaults.PUT_MANY_CHUNK,
        replace: bool = False,
    ) -> list[str]:
        """Put many jobs in a few round trips; returns their jids in order.

        Each item holds `put`'s keyword arguments (`klass` and `data` required;
        `group`, `batch`, `unique` and its options too, and a job whose key another live job holds,
        the one before it in the list included, has that job's jid in the reply):
        `queue.put_many({"klass": GnomesJob, "data": {"n": n}} for n in range(1000))`.
        Every job is checked before anything is sent; then each chunk of
        `chunk_size` jobs is put in one atomic call, in order, so jobs of equal
        priority pop in the order given. Chunks also stay under the client's
        `max_data_bytes` of data. Jobs naming the jid of an existing job replace
        it, with a `ReplacedJobWarning` unless `replace=True` (see `put`).

        With a client's `durability`, the first chunk not acknowledged in time
        raises `DurabilityError`, whose `reply` holds the jids put so far (that
        chunk's included: it was applied); later chunks are not sent.
        """
        prepared = calls.put_many(
            self.worker_name, self._name, jobs, chunk_size, self.client.max_data_bytes
        )
        found = []
        if prepared.named and not replace:
            found = await self.client._run(calls.existing(prepared.named))
        jids: list[str] = []
        for call in prepared.calls:
            try:
                chunk = await self.client._run(call)
            except DurabilityError as exc:
                exc.reply = [*jids, *exc.reply]
                raise
            jids.extend(chunk)
        calls.warn_replaced(found)  # once it did replace them
        return jids

    async def requeue(
        self,
        klass: type | str,
        data: Any,
        priority: float | None = None,
        tags: list[str] | None = None,
        delay: float | None = None,
        retries: int | None = None,
        jid: str | None = None,
        depends: list[str] | None = None,
        throttles: list[str] | None = None,
    ) -> str:
        """Like `put`, but only for a job that already exists (error otherwise)."""
        return await self.client._run(calls.requeue(
            self.worker_name, self._name, klass=klass, data=data, priority=priority, tags=tags,
            delay=delay, retries=retries, jid=jid, depends=depends, throttles=throttles,
            limit=self.client.max_data_bytes,
        ))  # fmt: skip

    async def recur(
        self,
        klass: type | str,
        data: Any,
        interval: float | None = None,
        offset: float = 0,
        priority: float | None = None,
        tags: list[str] | None = None,
        retries: int | None = None,
        jid: str | None = None,
        throttles: list[str] | None = None,
        backlog: int | None = None,
        *,
        cron: str | None = None,
        timezone: str = "UTC",
        overlap: str = "allow",
        catchup: str = "latest",
        jitter: float = 0,
        unique: str | None = None,
    ) -> str:
        """Spawn a job every `interval` seconds, or at the fire times of `cron`; returns its jid.

        Give exactly one of `interval` and `cron`. Jobs are spawned by the core when
        the queue is popped or peeked, so no process has to stay up to schedule them
        and no number of workers fires a time twice.

        With `interval`, the first job is spawned at now + `offset`, and `backlog`
        caps how many missed intervals are caught up: by default 0
        (`defaults.RECUR_BACKLOG`), every one of them, so a one-minute schedule
        nobody popped for an hour spawns 60 jobs at the next pop; `backlog=1` spawns
        only the latest missed run, `backlog=N` the last N.

        With `cron` (five fields or a macro such as `@daily`, in `timezone`; see
        docs/cron.md): `overlap` is `allow`, `skip` (no run while the previous one
        of this schedule is unfinished) or `queue_one` (hold back one run until it
        finishes); `catchup` after a time without pops is `latest` (one run for the
        missed times), `none` (none) or `all` (each, up to `backlog`, default 100);
        `jitter` delays each start by up to that many seconds. Recurring again
        with the same `jid` updates the schedule in place, keeping its count.

        `unique` (either kind): each job is put with that unique key, and a time
        whose key a live job still holds is skipped (docs/concepts.md, Unique jobs).
        """
        if cron is not None:
            if interval is not None:
                raise ArgumentError("recur needs exactly one of interval and cron")
            if offset:
                raise ArgumentError("offset applies to interval schedules, not to cron ones")
            return await self.client._run(calls.recur_on_cron(
                self._name, klass, data, cron, timezone=timezone, overlap=overlap,
                catchup=catchup, jitter=jitter, priority=priority, tags=tags, retries=retries,
                jid=jid, throttles=throttles, backlog=backlog, limit=self.client.max_data_bytes,
                unique=unique,
            ))  # fmt: skip
        if interval is None:
            raise ArgumentError("recur needs exactly one of interval and cron")
        if (timezone, overlap, catchup, jitter) != ("UTC", "allow", "latest", 0):
            raise ArgumentError("timezone, overlap, catchup and jitter apply to cron schedules")
        return await self.client._run(calls.recur(
            self._name, klass, data, interval, offset, priority, tags, retries, jid, throttles,
            defaults.RECUR_BACKLOG if backlog is None else backlog, self.client.max_data_bytes,
            unique,
        ))  # fmt: skip

    @overload
    async def pop(self, count: None = None) -> AsyncJob | None: ...
    @overload
    async def pop(self, count: int) -> list[AsyncJob]: ...

    async def pop(self, count: int | None = None) -> AsyncJob | list[AsyncJob] | None:
        """Pop one job (or None), or a list of up to `count` jobs."""
        from reqless.aio.job import AsyncJob

        payloads = await self.client._run(calls.pop(self._name, self.worker_name, count))
        jobs = [AsyncJob(self.client, **payload) for payload in payloads]
        if count is None:
            return jobs[0] if jobs else None
        return jobs

    @overload
    async def peek(self, offset: int | None = None, count: None = None) -> AsyncJob | None: ...
    @overload
    async def peek(self, offset: int | None, count: int) -> list[AsyncJob]: ...
    @overload
    async def peek(self, *, count: int) -> list[AsyncJob]: ...

    async def peek(
        self, offset: int | None = None, count: int | None = None
    ) -> AsyncJob | list[AsyncJob] | None:
        """Look at the next job (or None), or a list of `count` jobs, without popping."""
        from reqless.aio.job import AsyncJob

        payloads = await self.client._run(calls.peek(self._name, offset, count))
        jobs = [AsyncJob(self.client, **payload) for payload in payloads]
        if count is None:
            return jobs[0] if jobs else None
        return jobs

    async def stats(self, date: float | str | None = None) -> dict[str, Any]:
        """Wait and run statistics, and failure counters, for the day of `date`."""
        return await self.client._run(calls.stats(self._name, date))

    async def pause(self) -> None:
        """Stop workers from popping this queue (put and peek still work)."""
        await self.client._run(calls.pause(self._name))

    async def unpause(self) -> None:
        """Let workers pop this queue again."""
        await self.client._run(calls.unpause(self._name))

    async def groups(self, offset: int = 0, limit: int = 25) -> list[GroupInfo]:
        """The queue's fair groups with waiting (or held) jobs, the next served first:
        each with its `waiting` count, `weight`, `turn`, and the jid it is `parked`
        on (held back by a throttle) or None."""
        return await self.client._run(group_calls.queue_groups(self._name, offset, limit))

    async def group_jobs(self, group: str, offset: int = 0, limit: int = 25) -> list[str]:
        """Jids waiting in `group`, in the order the group hands them out."""
        return await self.client._run(
            group_calls.queue_group_jobs(self._name, group, offset, limit)
        )

    async def set_group_weight(self, group: str, weight: int) -> int:
        """Let `group` take `weight` jobs per turn (a whole number from 1 to 1000; 1,
        the default, clears it). The weight stays while the group has no jobs."""
        return await self.client._run(group_calls.queue_group_weight(self._name, group, weight))

    @property
    def throttle(self) -> AsyncThrottle:
        """The queue's own throttle (`ql:q:<name>`): caps its running jobs."""
        return self.client.throttles[KeySpace.queue_throttle_id(self._name)]
