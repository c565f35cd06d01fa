"""Server-sent events at `GET /api/v1/stream`.

Topics (`topics=counts,events,operations`):

* `counts`: the shared snapshot (`snapshot.current`). One hub thread per instance
  computes it once per interval, the smallest interval any connected stream asked
  for (never below the refresh floor), and hands it to every stream. A stream
  sends it first at once, then when it changed, and at least every 30 s.
* `events`: what the relay (`relay.py`) hears, filtered on the server by
  `queue`, `jid`, `worker`, `group` and `kind`; a `gap` says how many were dropped.
* `operations`: progress of long operations (docs/ui.md, Actions), sent when it changes.

Wire format: `event: counts|events|gap|operations` then `data: <one JSON object>`.
Counts messages are the snapshot plus `interval_s` (this stream's interval after
the floor); the first also has `interval_clamped_from_s` when the floor raised
the interval asked for. While Redis does not answer, a counts message is
`{"at", "unavailable": true, "interval_s"}`: the counts are unknown. Gaps are
`{"dropped": n, "reason": "overflow"}`, or
`{"dropped": null, "reason": "reconnect"|"not_subscribed"}` when the relay could
not hear for a while. Operations are `{"items": [...]}` (this instance's only).
A stream that is not about counts starts with a `: connected` comment.

A `: keep-alive` comment goes out every 15 s. At most `settings.max_streams`
streams run at once per process; beyond that the answer is 503 `unavailable`
with Retry-After. Behind uvicorn, an open stream holds up a graceful shutdown
until `timeout_graceful_shutdown` runs out; the stream then ends its body cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from reqless.logger import logger
from reqless.ui.errors import ApiError
from reqless.ui.http.context import instance, require, ui
from reqless.ui.live import relay, snapshot
from reqless.ui.roles import Role
from reqless.ui.state import Instance, UIState

__all__ = ["GRACEFUL_SHUTDOWN_S", "TOPICS", "Hub", "hub", "open_streams", "routes", "shutdown"]

TOPICS = ("counts", "events", "operations")
#: Interval used when the client names none (raised to the floor if lower).
DEFAULT_INTERVAL_S = 5.0
MAX_INTERVAL_S = 3600.0
#: Counts are re-sent at least this often, changed or not.
RESEND_S = 30.0
#: A comment line this often keeps proxies from closing an idle stream.
KEEPALIVE_S = 15.0
OPERATIONS_POLL_S = 1.0
#: How long a new events stream waits for the relay's subscription before it starts.
READY_WAIT_S = 2.0
MAX_FILTER_LENGTH = 1024
#: What servers should pass as uvicorn's `timeout_graceful_shutdown`: open streams
#: never end by themselves, so without it a stop waits for every browser tab.
GRACEFUL_SHUTDOWN_S = 2
_PART = "stream"


# -- the counts hub -------------------------------------------------------------


class _Watcher:
    """A stream's seat at the hub: its interval and the newest snapshot for it."""

    def __init__(self, interval: float, notify: Callable[[], None]) -> None:
        self.interval = interval
        self._notify = notify
        self._latest: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def push(self, value: dict[str, Any]) -> None:
        with self._lock:
            self._latest = value
        self._notify()

    def take(self) -> dict[str, Any] | None:
        with self._lock:
            value, self._latest = self._latest, None
        return value


class Hub:
    """Computes one instance's snapshot once per interval for all its streams."""

    def __init__(self, state: UIState, inst: Instance) -> None:
        self.state = state
        self.instance = inst
        #: Snapshots handed out so far (one per interval, whatever the streams).
        self.ticks = 0
        self._watchers: set[_Watcher] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None

    @property
    def interval(self) -> float | None:
        with self._lock:
            return min((w.interval for w in self._watchers), default=None)

    def join(self, interval: float, notify: Callable[[], None]) -> _Watcher:
        watcher = _Watcher(interval, notify)
        with self._lock:
            self._watchers.add(watcher)
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(
                    target=self._run, name=f"reqless-ui-counts-{self.instance.name}", daemon=True
                )
                self._thread.start()
        # A shorter interval takes effect now, not after the current, longer wait.
        self._wake.set()
        return watcher

    def leave(self, watcher: _Watcher) -> None:
        with self._lock:
            self._watchers.discard(watcher)
        self._wake.set()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(5.0)

    def _run(self) -> None:
        last_tick = time.monotonic()
        while True:
            with self._lock:
                if not self._watchers or self._stopped:
                    self._thread = None
                    return
                interval = min(w.interval for w in self._watchers)
            wait = last_tick + interval - time.monotonic()
            if wait > 0:
                self._wake.wait(min(wait, 1.0))
                self._wake.clear()
                continue
            last_tick = time.monotonic()
            try:
                # Half the interval: a snapshot a page just computed is reused,
                # and the previous tick's is not mistaken for a current one.
                value = snapshot.current(self.state, self.instance, max_age=interval / 2)
            except Exception as exc:
                # Redis may be down: streams say so rather than resend counts from
                # before, and the next tick tries again.
                logger.warning("counts snapshot of %s failed: %s", self.instance.name, exc)
                value = {"at": time.time(), "unavailable": True}
            self.ticks += 1
            with self._lock:
                watchers = list(self._watchers)
            for watcher in watchers:
                watcher.push(value)


@dataclass
class _Streams:
    """This process's open streams and hubs."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    open: int = 0
    hubs: dict[str, Hub] = field(default_factory=dict)


def _streams(state: UIState) -> _Streams:
    found = state.parts.get(_PART)
    if not isinstance(found, _Streams):
        found = state.parts.setdefault(_PART, _Streams())
    assert isinstance(found, _Streams)
    return found


def hub(state: UIState, inst: Instance) -> Hub:
    """The counts hub of `inst` (its thread runs only while streams watch)."""
    streams = _streams(state)
    with streams.lock:
        found = streams.hubs.get(inst.name)
        if found is None:
            found = streams.hubs[inst.name] = Hub(state, inst)
        return found


def open_streams(state: UIState) -> int:
    """How many streams are open in this process."""
    return _streams(state).open


def shutdown(state: UIState) -> None:
    """Stop the relay and hub threads (app shutdown)."""
    streams = _streams(state)
    with streams.lock:
        hubs = list(streams.hubs.values())
        streams.hubs.clear()
    for each in hubs:
        each.stop()
    relay.shutdown(state)


# -- request parsing ------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    topics: frozenset[str]
    interval: float
    asked_interval: float | None
    event_filter: relay.EventFilter


def _text(request: Request, name: str) -> str:
    value = request.query_params.get(name, "")
    if len(value) > MAX_FILTER_LENGTH:
        raise ApiError.invalid(name, f"must be at most {MAX_FILTER_LENGTH} characters")
    return value


def _parse(request: Request, floor: float) -> _Request:
    raw_topics = request.query_params.get("topics", "") or "counts"
    topics = frozenset(t.strip() for t in raw_topics.split(",") if t.strip())
    unknown = sorted(topics - set(TOPICS))
    if unknown or not topics:
        raise ApiError.invalid("topics", f"unknown topic(s) {unknown}; use {', '.join(TOPICS)}")
    raw_interval = request.query_params.get("interval", "")
    asked: float | None = None
    if raw_interval:
        try:
            asked = float(raw_interval)
        except ValueError:
            raise ApiError.invalid("interval", f"{raw_interval!r} is not a number") from None
        if not math.isfinite(asked) or asked <= 0 or asked > MAX_INTERVAL_S:
            raise ApiError.invalid("interval", f"must be above 0 and at most {MAX_INTERVAL_S:g}")
    # The server's floor wins over whatever the browser asks; the first
    # counts message says so.
    interval = max(floor, asked if asked is not None else DEFAULT_INTERVAL_S)
    kinds = frozenset(k.strip() for k in _text(request, "kind").split(",") if k.strip())
    event_filter = relay.EventFilter(
        queue=_text(request, "queue"),
        jid=_text(request, "jid"),
        worker=_text(request, "worker"),
        group=_text(request, "group"),
        kinds=kinds,
    )
    return _Request(topics, interval, asked, event_filter)


# -- one stream -----------------------------------------------------------------


def _message(topic: str, data: dict[str, Any]) -> str:
    # One JSON line: compact JSON never contains a raw newline.
    return f"event: {topic}\ndata: {json.dumps(data, ensure_ascii=False, allow_nan=False)}\n\n"


def _without_time(value: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if key != "at"}


def _list_operations(state: UIState) -> list[dict[str, Any]] | None:
    """Engineer B's operations, or None while that module does not exist."""
    try:
        from reqless.ui.actions import operations
    except ImportError:
        return None
    listing = getattr(operations, "list_operations", None)
    if listing is None:
        return None
    found: list[dict[str, Any]] = listing(state)
    return found


class _Connection:
    """What one stream holds: its slot, its relay subscription, its hub seat."""

    def __init__(self, state: UIState, inst: Instance, asked: _Request) -> None:
        self.state = state
        self.instance = inst
        self.asked = asked
        self.wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self.relay: relay.Relay | None = None
        self.subscription: relay.Subscription | None = None
        self.hub: Hub | None = None
        self.watcher: _Watcher | None = None
        self.first_counts: dict[str, Any] | None = None
        self._closed = False

    def notify(self) -> None:
        """Wake the stream (called from relay and hub threads)."""
        # A closed loop means the stream is gone already.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self.wake.set)

    def close(self) -> None:
        """Free the slot and the subscriptions; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self.relay is not None and self.subscription is not None:
            self.relay.unsubscribe(self.subscription)
        if self.hub is not None and self.watcher is not None:
            self.hub.leave(self.watcher)
        streams = _streams(self.state)
        with streams.lock:
            streams.open -= 1

    async def start(self) -> None:
        """Subscribe; the first snapshot is read here so Redis being down is a 503."""
        if "counts" in self.asked.topics:
            self.first_counts = await run_in_threadpool(
                snapshot.current, self.state, self.instance, self.asked.interval
            )
            self.hub = hub(self.state, self.instance)
            self.watcher = self.hub.join(self.asked.interval, self.notify)
        if "events" in self.asked.topics:
            self.relay = relay.get(self.state, self.instance)
            self.subscription = self.relay.subscribe(self.asked.event_filter, self.notify)
            if not await run_in_threadpool(self.relay.wait_ready, READY_WAIT_S):
                # Not subscribed yet (Redis down?): the tail may miss events.
                self.subscription.offer_gap("not_subscribed")

    def _counts_message(self, value: dict[str, Any], first: bool) -> str:
        data = {**value, "interval_s": self.asked.interval}
        asked = self.asked.asked_interval
        if first and asked is not None and asked < self.asked.interval:
            data["interval_clamped_from_s"] = asked
        return _message("counts", data)

    async def messages(self) -> AsyncIterator[str]:
        try:
            async for chunk in self._messages():
                yield chunk
        finally:
            self.close()

    async def _messages(self) -> AsyncIterator[str]:
        topics = self.asked.topics
        last_counts: dict[str, Any] | None = None
        counts_sent_at = last_sent_at = time.monotonic()
        last_operations: list[dict[str, Any]] | None = None
        operations_at = 0.0
        if self.first_counts is not None:
            last_counts = self.first_counts
            yield self._counts_message(last_counts, first=True)
        else:
            # Sends the headers and one byte so clients and proxies see the stream open.
            yield ": connected\n\n"
        while True:
            now = time.monotonic()
            out: list[str] = []
            if self.subscription is not None:
                out.extend(_message(topic, data) for topic, data in self.subscription.take())
            if self.watcher is not None:
                fresh = self.watcher.take()
                due = now - counts_sent_at >= RESEND_S
                if fresh is not None:
                    changed = last_counts is None or _without_time(fresh) != _without_time(
                        last_counts
                    )
                    last_counts = fresh
                    due = due or changed
                if due and last_counts is not None:
                    out.append(self._counts_message(last_counts, first=False))
                    counts_sent_at = now
            if "operations" in topics and now - operations_at >= OPERATIONS_POLL_S:
                operations_at = now
                listing = _list_operations(self.state)
                if listing is not None:
                    # Operations of the other instances belong to their own streams.
                    name = self.instance.name
                    listing = [op for op in listing if op.get("instance", name) == name]
                if listing is not None and listing != last_operations:
                    last_operations = listing
                    out.append(_message("operations", {"items": listing}))
            if not out and now - last_sent_at >= KEEPALIVE_S:
                out.append(": keep-alive\n\n")
            if out:
                last_sent_at = now
                yield "".join(out)
            timeout = KEEPALIVE_S - (time.monotonic() - last_sent_at)
            if self.watcher is not None:
                timeout = min(timeout, RESEND_S - (time.monotonic() - counts_sent_at))
            if "operations" in topics:
                timeout = min(timeout, OPERATIONS_POLL_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), max(timeout, 0.01))
            self.wake.clear()


class _EventStreamResponse(StreamingResponse):
    """Watches for the client leaving whatever the ASGI spec version, and frees the
    connection even when the body was never started."""

    def __init__(self, connection: _Connection) -> None:
        super().__init__(
            connection.messages(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
        self.connection = connection

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        streaming = asyncio.ensure_future(self.stream_response(send))
        watching = asyncio.ensure_future(self.listen_for_disconnect(receive))
        try:
            await asyncio.wait({streaming, watching}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            # The server stops (uvicorn's timeout_graceful_shutdown ran out). End
            # the body properly, so the browser sees the stream close and
            # reconnects, and the server logs no failed request.
            streaming.cancel()
            watching.cancel()
            self.connection.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        for task in (streaming, watching):
            task.cancel()
        await asyncio.gather(streaming, watching, return_exceptions=True)
        self.connection.close()
        failure = None if streaming.cancelled() else streaming.exception()
        # OSError: the client went away mid-write; nothing to report.
        if failure is not None and not isinstance(failure, OSError):
            raise failure


async def stream(request: Request) -> Response:
    """`GET /api/v1/stream`: see the module docstring."""
    require(request, Role.VIEWER)
    state = ui(request)
    inst = instance(request)
    asked = _parse(request, state.settings.refresh_floor)
    streams = _streams(state)
    with streams.lock:
        if streams.open >= state.settings.max_streams:
            raise ApiError(
                "unavailable",
                f"too many open streams (at most {state.settings.max_streams}); retry later",
                {"max_streams": state.settings.max_streams},
                headers={"Retry-After": "10"},
            )
        streams.open += 1
    connection = _Connection(state, inst, asked)
    try:
        await connection.start()
    except BaseException:
        connection.close()
        raise
    return _EventStreamResponse(connection)


def routes() -> list[BaseRoute]:
    return [Route("/api/v1/stream", stream, methods=["GET"])]
