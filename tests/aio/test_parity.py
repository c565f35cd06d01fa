"""The asyncio client mirrors the sync one, signature by signature.

Every public method and property of each sync class has an async twin with the
same parameters (names, kinds, defaults) and annotations, once `Async` names are
read as their sync twins and `Awaitable[...]`/coroutines are unwrapped. Methods
the sync client runs at once are coroutines in the async one. What differs by
design is listed once, in `DIFFERENCES`, each with its reason.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest

import reqless.aio
from reqless.client import Client
from reqless.collections import Jobs, Queues, Throttles, Workers
from reqless.config import Config
from reqless.events import Events
from reqless.job import Job, RecurringJob
from reqless.listener import Listener
from reqless.queue import Jobs as QueueJobs
from reqless.queue import Queue
from reqless.queue_patterns import QueuePatterns
from reqless.throttle import Throttle

#: Every public class of the sync client and its asyncio twin.
PAIRS: list[tuple[type, type]] = [
    (Client, reqless.aio.AsyncClient),
    (Queue, reqless.aio.AsyncQueue),
    (QueueJobs, reqless.aio.AsyncQueueJobs),
    (Job, reqless.aio.AsyncJob),
    (RecurringJob, reqless.aio.AsyncRecurringJob),
    (Jobs, reqless.aio.AsyncJobs),
    (Queues, reqless.aio.AsyncQueues),
    (Workers, reqless.aio.AsyncWorkers),
    (Throttles, reqless.aio.AsyncThrottles),
    (Throttle, reqless.aio.AsyncThrottle),
    (Config, reqless.aio.AsyncConfig),
    (QueuePatterns, reqless.aio.AsyncQueuePatterns),
    (Events, reqless.aio.AsyncEvents),
    (Listener, reqless.aio.AsyncListener),
]


@dataclass(frozen=True)
class Difference:
    """Members that differ by design: `sync` has no same-shaped twin, nor has `async_`.

    Either side may be empty (a member only one client has); both are qualified
    names (`Queue.__len__`, `AsyncQueue.length`).
    """

    sync: tuple[str, ...]
    async_: tuple[str, ...]
    reason: str


AWAIT_PROPERTY = "a property cannot be awaited: the asyncio client has a coroutine method"
AWAIT_SETTER = "a property setter cannot be awaited: the asyncio client has set_<name>()"
AWAIT_PROTOCOL = "len(), [] and the mapping protocol cannot be awaited: a coroutine method"
MAPPING = "Config is a MutableMapping; AsyncConfig has coroutine methods in its place"
LAZY_DETAILS = ("a sync job reads its details on first use; an async property cannot await, "
                "so AsyncJob fetches them with load_details() (and raises before)")  # fmt: skip
THREADS = "sync listening runs in a thread, asyncio listening in a task"

#: The one list of intended differences between the two clients.
DIFFERENCES = [
    Difference((), ("AsyncClient.from_client", "AsyncClient.sync_client"),
               "a sync client for plain (non-async) handlers, which run in a thread"),
    Difference((), ("AsyncClient.aclose", "AsyncClient.__aenter__", "AsyncClient.__aexit__"),
               "an asyncio pool is closed by awaiting; the sync pool closes itself"),
    Difference(("Client.node",), (),
               "per-server reads of the UI and the worker program, which are sync"),
    Difference(("Client.after_fork",), (),
               "the forking worker forks sync clients only; asyncio workers do not fork"),
    Difference(("Queue.__len__",), ("AsyncQueue.length",), AWAIT_PROTOCOL),
    Difference(("Queue.counts",), ("AsyncQueue.counts",), AWAIT_PROPERTY),
    Difference(("Queue.heartbeat",), ("AsyncQueue.heartbeat", "AsyncQueue.set_heartbeat"),
               AWAIT_SETTER),
    Difference(("Job.history", "Job.dependencies", "Job.dependents"),
               ("AsyncJob.history", "AsyncJob.dependencies", "AsyncJob.dependents",
                "AsyncJob.load_details"), LAZY_DETAILS),
    Difference(("Job.priority",), ("AsyncJob.priority", "AsyncJob.set_priority"), AWAIT_SETTER),
    Difference((), ("AsyncJob.sync_job",),
               "a plain handler gets a sync twin of the job, as it runs in a thread"),
    Difference(("RecurringJob.priority", "RecurringJob.retries", "RecurringJob.interval",
                "RecurringJob.klass"),
               ("AsyncRecurringJob.priority", "AsyncRecurringJob.retries",
                "AsyncRecurringJob.interval", "AsyncRecurringJob.klass",
                "AsyncRecurringJob.set_priority",
                "AsyncRecurringJob.set_retries", "AsyncRecurringJob.set_interval",
                "AsyncRecurringJob.set_data", "AsyncRecurringJob.set_klass"), AWAIT_SETTER),
    Difference(("RecurringJob.next",), ("AsyncRecurringJob.next_run",), AWAIT_PROPERTY),
    Difference(("Jobs.__getitem__",), ("AsyncJobs.find",), AWAIT_PROTOCOL),
    Difference(("Queues.counts", "Queues.names"), ("AsyncQueues.counts", "AsyncQueues.names"),
               AWAIT_PROPERTY),
    Difference(("Workers.counts",), ("AsyncWorkers.counts",), AWAIT_PROPERTY),
    Difference(("Workers.__getitem__",), ("AsyncWorkers.jobs",), AWAIT_PROTOCOL),
    Difference(tuple(f"Config.{name}" for name in (
                   "all", "__getitem__", "__setitem__", "__delitem__", "__contains__",
                   "__iter__", "__len__", "__eq__", "keys", "values", "items", "popitem")),
               tuple(f"AsyncConfig.{name}" for name in ("all", "set", "unset", "has")), MAPPING),
    Difference(("Events.__init__",), ("AsyncEvents.__init__",),
               "the sync listener bounds its first subscription by the client's retry_window"),
    Difference(("Events.thread",), ("AsyncEvents.listening",), THREADS),
]  # fmt: skip

_EXCUSED = {name for diff in DIFFERENCES for name in (*diff.sync, *diff.async_)}
#: Dunders that are part of a class's API; the rest of `object`'s are not compared.
_DUNDERS = {"__init__", "__call__", "__len__", "__getitem__", "__setitem__", "__delitem__",
            "__contains__", "__iter__", "__eq__", "__hash__", "__enter__", "__exit__",
            "__aenter__", "__aexit__", "__str__"}  # fmt: skip
_RENAMES = [(re.compile(r"\bAsyncQueueJobs\b"), "Jobs"),
            (re.compile(r"\bAsync([A-Z]\w*)"), r"\1")]  # fmt: skip
_AWAITABLE = re.compile(r"(?:Awaitable\[|Coroutine\[Any, Any, )(.*)\]")
_GENERATOR = re.compile(r"Generator\[(.*), None, None\]")


def _members(cls: type) -> dict[str, Any]:
    """Public methods and properties of `cls` (its own and inherited), by name."""
    found = {}
    for name in dir(cls):
        if name.startswith("_") and name not in _DUNDERS:
            continue
        value = inspect.getattr_static(cls, name)
        if value is inspect.getattr_static(object, name, None):
            continue
        if isinstance(value, property | cached_property | staticmethod | classmethod) or (
            inspect.isfunction(value)
        ):
            found[name] = value
    return found


def _annotation(text: Any) -> str:
    """An annotation as text, with async names read as their sync twins."""
    text = "" if text is inspect.Parameter.empty else str(text)
    for pattern, sync in _RENAMES:
        text = pattern.sub(sync, text)
    unwrapped = _AWAITABLE.fullmatch(text)
    if unwrapped:
        return unwrapped.group(1)
    # A generator's twin is an async generator, typed AsyncIterator.
    generator = _GENERATOR.fullmatch(text)
    return f"Iterator[{generator.group(1)}]" if generator else text


def _shape(member: Any) -> tuple[Any, ...]:
    """What must match between twins: parameters and annotations, or a property's type."""
    if isinstance(member, property):
        returns = inspect.signature(member.fget).return_annotation if member.fget else None
        return ("property", _annotation(returns), member.fset is not None)
    if isinstance(member, cached_property):
        return ("property", _annotation(inspect.signature(member.func).return_annotation), False)
    function = member.__func__ if isinstance(member, staticmethod | classmethod) else member
    signature = inspect.signature(function)
    parameters = [(p.name, p.kind, repr(p.default), _annotation(p.annotation))
                  for p in signature.parameters.values()]  # fmt: skip
    return (type(member).__name__, parameters, _annotation(signature.return_annotation))


def _mismatches(sync_cls: type, async_cls: type, excused: set[str] = _EXCUSED) -> list[str]:
    sync_members, async_members = _members(sync_cls), _members(async_cls)
    problems = []
    for name in sorted(set(sync_members) | set(async_members)):
        sync_name, async_name = f"{sync_cls.__name__}.{name}", f"{async_cls.__name__}.{name}"
        in_sync = name in sync_members and sync_name not in excused
        in_async = name in async_members and async_name not in excused
        if in_sync and not in_async:
            problems.append(f"{sync_name} has no twin {async_name}")
        elif in_async and not in_sync:
            problems.append(f"{async_name} has no twin {sync_name}")
        elif in_sync and in_async:
            sync_member, async_member = sync_members[name], async_members[name]
            if _shape(sync_member) != _shape(async_member):
                problems.append(f"{async_name}{_shape(async_member)} is not "
                                f"{sync_name}{_shape(sync_member)}")  # fmt: skip
            if inspect.iscoroutinefunction(sync_member):
                problems.append(f"{sync_name} is a coroutine in the sync client")
            waits = inspect.iscoroutinefunction(async_member)
            if inspect.isfunction(sync_member) and not waits and _does_io(sync_member):
                problems.append(f"{async_name} calls the server without being awaited")
    return problems


def _does_io(function: Any) -> bool:
    # A sync method that calls the server (through `_run` or the connection)
    # must be a coroutine in the asyncio twin.
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return "_run(" in source or ".database." in source


@pytest.mark.parametrize(("sync_cls", "async_cls"), PAIRS, ids=[s.__name__ for s, _ in PAIRS])
def test_the_twins_have_the_same_signatures(sync_cls: type, async_cls: type) -> None:
    assert _mismatches(sync_cls, async_cls) == []


def test_every_listed_difference_names_members_that_exist() -> None:
    classes = {cls.__name__: cls for pair in PAIRS for cls in pair}
    stale = []
    for diff in DIFFERENCES:
        assert diff.reason and (diff.sync or diff.async_)
        for qualified in (*diff.sync, *diff.async_):
            owner, name = qualified.split(".")
            if owner not in classes or name not in _members(classes[owner]):
                stale.append(qualified)
    assert stale == []


def test_every_listed_difference_is_one() -> None:
    needless = []
    for diff in DIFFERENCES:
        excused = _EXCUSED - {*diff.sync, *diff.async_}
        if not any(_mismatches(sync_cls, async_cls, excused) for sync_cls, async_cls in PAIRS):
            needless.append(diff)
    assert needless == []


def test_renamed_members_wait_in_the_asyncio_client() -> None:
    classes = {cls.__name__: cls for _, cls in PAIRS}
    for diff in DIFFERENCES:
        for qualified in diff.async_:
            owner, name = qualified.split(".")
            member = _members(classes[owner])[name]
            if inspect.isfunction(member) and _does_io(member):
                assert inspect.iscoroutinefunction(member), qualified


def test_a_changed_signature_is_caught() -> None:
    class Twin(reqless.aio.AsyncThrottle):
        async def set_maximum(  # type: ignore[override]
            self, maximum: int | None = None, expiry: float = 0
        ) -> None:
            """A parameter renamed and given another default."""

    problems = _mismatches(Throttle, Twin)
    assert len(problems) == 1 and "Twin.set_maximum" in problems[0]
