"""The asyncio client behind the sync client's API, so one test body runs on both.

`open_client("async", url)` yields an `AsyncClient` wrapped in `Adapted`: every
coroutine it returns is run to completion on an event loop in a thread of its
own, and what comes back is wrapped again. Where the two APIs differ by design
(docs/asyncio.md), the sync spelling is translated into the async one:
`client.jobs[jid]` is `await client.jobs.find(jid)`, `len(queue)` is
`await queue.length()`, `job.priority = 5` is `await job.set_priority(5)`,
`config[option]` is `await config.get(option)`, and so on. Nothing else is
papered over: a difference the tables below do not list fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Literal, TypeVar, cast

from reqless.aio import AsyncClient
from reqless.aio.collections import AsyncJobs, AsyncQueues, AsyncThrottles, AsyncWorkers
from reqless.aio.config import AsyncConfig
from reqless.aio.events import AsyncEvents
from reqless.aio.job import AsyncJob, AsyncRecurringJob
from reqless.aio.listener import AsyncListener
from reqless.aio.queue import AsyncQueue, AsyncQueueJobs
from reqless.aio.queue_patterns import AsyncQueuePatterns
from reqless.aio.throttle import AsyncThrottle
from reqless.client import Client
from reqless.config import Config
from reqless.core import Arg
from reqless.events import Events
from reqless.job import Job, RecurringJob
from reqless.queue import Queue
from reqless.throttle import Throttle

__all__ = ["Adapted", "Kind", "LoopThread", "RecordingAsyncClient", "open_client"]

Kind = Literal["sync", "async"]
T = TypeVar("T")

#: The sync class each wrapped async object stands for (`isinstance(job, Job)` holds).
SYNC_TWIN: dict[type, type] = {
    AsyncClient: Client,
    AsyncJob: Job,
    AsyncRecurringJob: RecurringJob,
    AsyncQueue: Queue,
    AsyncConfig: Config,
    AsyncEvents: Events,
    AsyncThrottle: Throttle,
}
WRAPPED = (*SYNC_TWIN, AsyncJobs, AsyncQueues, AsyncThrottles, AsyncWorkers, AsyncQueueJobs,
           AsyncQueuePatterns, AsyncListener)  # fmt: skip


def _load_details_first(name: str) -> Callable[[Any], Awaitable[Any]]:
    # A popped job of the sync client fetches its details on first use.
    async def read(job: AsyncJob) -> Any:
        if getattr(job, f"_{name}") is None:
            await job.load_details()
        return getattr(job, name)

    return read


#: Sync properties that are coroutine methods of the async twin: name -> reader.
READ: dict[type, dict[str, Callable[[Any], Awaitable[Any]]]] = {
    AsyncQueue: {"counts": lambda q: q.counts(), "heartbeat": lambda q: q.heartbeat()},
    AsyncQueues: {"counts": lambda qs: qs.counts(), "names": lambda qs: qs.names()},
    AsyncWorkers: {"counts": lambda ws: ws.counts()},
    AsyncConfig: {"all": lambda c: c.all()},
    AsyncRecurringJob: {"next": lambda r: r.next_run()},
    AsyncJob: {
        name: _load_details_first(name) for name in ("history", "dependencies", "dependents")
    },
}
#: Sync property setters that are coroutine methods of the async twin.
WRITE: dict[type, dict[str, str]] = {
    AsyncQueue: {"heartbeat": "set_heartbeat"},
    AsyncJob: {"priority": "set_priority"},
    AsyncRecurringJob: {
        name: f"set_{name}" for name in ("priority", "retries", "interval", "data", "klass")
    },
}
#: `collection[key]` of the sync client, by the async collection's method.
GET_ITEM: dict[type, str] = {AsyncJobs: "find", AsyncWorkers: "jobs", AsyncConfig: "get"}


class LoopThread:
    """An event loop running in a daemon thread; `run()` waits for a coroutine on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sync-adapter-loop",
                                       daemon=True)  # fmt: skip
        self.thread.start()

    def run(self, awaitable: Awaitable[T]) -> T:
        """Run `awaitable` on the loop and return its result (or raise its exception)."""
        if threading.current_thread() is self.thread:
            raise RuntimeError("a blocking call from the adapter's own loop would deadlock")

        async def wait() -> T:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wait(), self.loop).result(60)

    def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`func(*args, **kwargs)` in the loop's thread (async objects are not thread-safe)."""
        if threading.current_thread() is self.thread:
            return func(*args, **kwargs)  # from a callback: already there

        async def call() -> T:
            return func(*args, **kwargs)

        return self.run(call())

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class Adapted:
    """An object of `reqless.aio` behind the API of its sync twin (see the module)."""

    def __init__(self, target: Any, loop: LoopThread, cache: dict[int, Adapted]) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_loop", loop)
        object.__setattr__(self, "_cache", cache)

    # -- wrapping ----------------------------------------------------------------

    def _wrap(self, value: Any) -> Any:
        if isinstance(value, WRAPPED):
            cache: dict[int, Adapted] = self._cache
            found = cache.get(id(value))
            if found is None or found._target is not value:
                found = cache[id(value)] = Adapted(value, self._loop, cache)
            return found
        if isinstance(value, list):
            return [self._wrap(item) for item in value]
        if isinstance(value, dict):
            return {key: self._wrap(item) for key, item in value.items()}
        return value

    def _settle(self, value: Any) -> Any:
        if asyncio.iscoroutine(value):
            value = self._loop.run(value)
        return self._wrap(value)

    def _method(self, func: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            args = tuple(_unwrap(arg) for arg in args)
            kwargs = {key: _unwrap(value) for key, value in kwargs.items()}
            return self._settle(self._loop.call(func, *args, **kwargs))

        return call

    def _table(self, tables: dict[type, dict[str, Any]]) -> dict[str, Any]:
        return tables.get(type(self._target), {})

    # -- attributes --------------------------------------------------------------

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        # So that isinstance(adapted, Job) and the like hold for the sync twin.
        return SYNC_TWIN.get(type(self._target), Adapted)

    def __getattr__(self, name: str) -> Any:
        target = self._target
        reader = self._table(READ).get(name)
        if reader is not None:
            return self._wrap(self._loop.run(reader(target)))
        if isinstance(target, AsyncEvents) and name == "thread":
            return self._events_thread
        value = getattr(target, name)
        if callable(value) and not isinstance(value, type) and not isinstance(value, WRAPPED):
            return self._method(value)
        return self._wrap(value)

    def __setattr__(self, name: str, value: Any) -> None:
        setter = self._table(WRITE).get(name)
        if setter is None:
            setattr(self._target, name, _unwrap(value))
        else:
            self._loop.run(getattr(self._target, setter)(_unwrap(value)))

    @contextlib.contextmanager
    def _events_thread(self) -> Iterator[Adapted]:
        # `with client.events.thread():` is `async with client.events.listening():`.
        listening = self._target.listening()
        self._loop.run(listening.__aenter__())
        try:
            yield self
        finally:
            self._loop.run(listening.__aexit__(None, None, None))

    # -- protocols of the sync twins ---------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._method(self._target)(*args, **kwargs)

    def __getitem__(self, key: Any) -> Any:
        method = GET_ITEM.get(type(self._target))
        if method is None:
            return self._wrap(self._target[key])
        return self._method(getattr(self._target, method))(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._config().set(key, value)

    def __delitem__(self, key: str) -> None:
        self._config().unset(key)

    def __contains__(self, key: object) -> bool:
        return bool(self._config().has(key))

    def __iter__(self) -> Iterator[str]:
        return iter(self._config().all())

    def __len__(self) -> int:
        if isinstance(self._target, AsyncQueue):
            return int(self._loop.run(self._target.length()))
        return len(self._config().all())

    def _config(self) -> Any:
        if not isinstance(self._target, AsyncConfig):
            raise TypeError(f"{type(self._target).__name__} is not a mapping")
        return self

    def __eq__(self, other: object) -> bool:
        return bool(self._target == _unwrap(other))

    def __hash__(self) -> int:
        return hash(self._target)

    def __repr__(self) -> str:
        return repr(self._target)

    def __str__(self) -> str:
        return str(self._target)


def _unwrap(value: Any) -> Any:
    if type(value) is Adapted or isinstance(value, Adapted):
        return object.__getattribute__(value, "_target")
    return value


class RecordingAsyncClient(AsyncClient):
    """An AsyncClient that also remembers every command it sends, in `calls`."""

    def __init__(self, url: str, hostname: str | None = None, **kwargs: Any) -> None:
        super().__init__(url, hostname, **kwargs)
        self.calls: list[tuple[Arg, ...]] = []

    async def __call__(
        self, command: str, *args: Arg, repeatable: bool = False, acknowledged: bool = False
    ) -> Any:
        self.calls.append((command, *args))
        return await super().__call__(
            command, *args, repeatable=repeatable, acknowledged=acknowledged
        )

    def last(self, command: str) -> tuple[Arg, ...]:
        """The arguments (after the command name) of the latest call of `command`."""
        for call in reversed(self.calls):
            if call[0] == command:
                return call[1:]
        raise AssertionError(f"{command} was not called; calls: {self.calls}")


@contextlib.contextmanager
def open_client(
    kind: Kind, url: str, hostname: str = "test-worker", *, recording: bool = False
) -> Iterator[Client]:
    """A client of `url`: a `reqless.Client`, or an adapted `AsyncClient` (typed as a Client)."""
    if kind == "sync":
        from tests.client.recording import RecordingClient

        sync = (RecordingClient if recording else Client)(url, hostname=hostname)
        try:
            yield sync
        finally:
            sync.database.close()
        return
    loop = LoopThread()
    klass = RecordingAsyncClient if recording else AsyncClient

    async def make() -> AsyncClient:
        return klass(url, hostname=hostname)

    made = loop.run(make())
    try:
        yield cast(Client, Adapted(made, loop, {}))
    finally:
        loop.run(made.aclose())
        loop.close()
