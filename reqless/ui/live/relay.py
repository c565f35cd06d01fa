"""The event relay: ONE pubsub subscription per instance, fanned out to streams.

A daemon thread per instance, started on first use and stopped by `shutdown`,
subscribes to the core's log channel and the tracked-job channels. Each message
becomes an event with the `FIELDS` plus "kind" and "received_at". Subscribers
(the SSE streams) each get a bounded queue: when a slow client lets it fill up,
the oldest events go and a `gap` with the number dropped is delivered instead, so
no tail ever pretends to be complete. The relay also counts puts, completions
and failures per minute for the overview's throughput chart.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless import defaults
from reqless.keys import KeySpace
from reqless.listener import message_kinds
from reqless.logger import logger
from reqless.ui.reads.redact import MASK, is_redacted_key, redact_text
from reqless.ui.state import Instance, UIState

__all__ = [
    "QUEUE_SIZE",
    "EventFilter",
    "Relay",
    "Subscription",
    "channels",
    "get",
    "normalise",
    "shutdown",
    "throughput",
]

#: The shared layout's names, for `normalise` called without a space.
_DEFAULT_SPACE = KeySpace()


def channels(space: KeySpace) -> tuple[str, ...]:
    """Every channel the relay of a client of `space` listens to: the log (first)
    and the tracked-job notifications."""
    return (space.channel("log"), *(space.channel(name) for name in defaults.TRACKED_EVENTS))


#: Events a subscriber may have waiting before the oldest are dropped.
QUEUE_SIZE = 1_000
WINDOW_MINUTES = 60
#: Fields of a core payload that an event carries over, when present.
FIELDS: tuple[str, ...] = (
    "jid", "queue", "worker", "group", "message", "to", "option", "value", "fraction",
)  # fmt: skip
_POLL_S = defaults.LISTENER_POLL_INTERVAL
_BACKOFF_CAP_S = 5.0
_FAILED_RETRIES = "failed-retries-"
#: Kinds whose messages name a job but not its queue (canceled ones do, or the job is gone).
_QUEUE_LOOKUP = frozenset({"failed", "lock_lost", *defaults.TRACKED_EVENTS}) - {"canceled"}
_PART = "relay"


def normalise(
    channel: str,
    data: str,
    received_at: float,
    redact_keys: Iterable[str] = (),
    space: KeySpace = _DEFAULT_SPACE,
) -> dict[str, Any]:
    """One pubsub message as a stream event.

    Log messages are JSON objects whose `event` becomes `kind`; tracked-job
    channels carry a bare jid and their name is the kind. Fields a message does
    not carry (or carries as false / empty, as the core does for a missing job)
    are left out. Secrets are masked as everywhere in the UI (docs/ui.md, Reading the pages): in
    failure
    messages, and the value of a config option named like a redacted key.
    `space` names the channels (the instance client's `keys`).
    """
    event: dict[str, Any] = {"channel": channel}
    if channel != space.channel("log"):
        event["kind"] = space.channel_event(channel)
        event["jid"] = data
    else:
        try:
            payload = json.loads(data)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            # Another client wrote something unexpected: show it, do not drop it.
            event["kind"] = "unknown"
            event["message"] = data
        else:
            event["kind"] = str(payload.get("event") or "unknown")
            for key in FIELDS:
                value = payload.get(key)
                if value is None or value is False or value == "":
                    continue
                event[key] = value if isinstance(value, str) else json.dumps(value)
    if "message" in event:
        event["message"] = redact_text(event["message"], redact_keys)[0]
    if "value" in event and is_redacted_key(event.get("option"), redact_keys):
        event["value"] = MASK
    event["received_at"] = received_at
    return event


@dataclass(frozen=True)
class EventFilter:
    """Server-side filters of a stream; empty values match everything."""

    queue: str = ""
    jid: str = ""
    worker: str = ""
    group: str = ""
    kinds: frozenset[str] = frozenset()

    def matches(self, event: dict[str, Any]) -> bool:
        if self.kinds and event.get("kind") not in self.kinds:
            return False
        if self.queue and self.queue not in (event.get("queue"), event.get("to")):
            return False
        if self.jid and event.get("jid") != self.jid:
            return False
        if self.worker and event.get("worker") != self.worker:
            return False
        return not (self.group and event.get("group") != self.group)


class Subscription:
    """One subscriber's bounded queue of (topic, data) pairs.

    `notify` is called (from the relay thread) after each delivery; it must not
    block. `take()` returns what is waiting, with a `gap` first when events were
    dropped since the last take.
    """

    def __init__(
        self, event_filter: EventFilter, notify: Callable[[], None], size: int = QUEUE_SIZE
    ) -> None:
        self.filter = event_filter
        self._notify = notify
        self._items: deque[tuple[str, dict[str, Any]]] = deque()
        self._size = max(1, size)
        self._dropped = 0
        self._lock = threading.Lock()

    def offer(self, event: dict[str, Any]) -> None:
        """Queue `event` if it passes the filter, dropping the oldest when full."""
        if self.filter.matches(event):
            self._put("events", event)

    def offer_gap(self, reason: str) -> None:
        """Mark a stretch of unknown length when no events could be heard (reconnect)."""
        self._put("gap", {"dropped": None, "reason": reason})

    def _put(self, topic: str, data: dict[str, Any]) -> None:
        with self._lock:
            if len(self._items) >= self._size:
                self._items.popleft()
                self._dropped += 1
            self._items.append((topic, data))
        self._notify()

    def take(self) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            items = list(self._items)
            self._items.clear()
            dropped, self._dropped = self._dropped, 0
        if dropped:
            items.insert(0, ("gap", {"dropped": dropped, "reason": "overflow"}))
        return items


def _empty_counts() -> dict[str, int]:
    return {"put": 0, "completed": 0, "failed": 0}


class Relay:
    """The subscription of one instance and its fan-out (see the module docstring)."""

    def __init__(self, inst: Instance, redact_keys: Iterable[str] = ()) -> None:
        self.instance = inst
        self.redact_keys = tuple(redact_keys)
        #: The names of the instance client's keys and channels (its namespace's).
        self.keys = inst.client.keys
        #: What the thread subscribes to (sharded channels in a namespace).
        self.channels = channels(self.keys)
        self._log_channel = self.channels[0]
        self.started_at = time.time()
        #: Reconnections after a lost subscription (each delivered as a gap).
        self.reconnects = 0
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()
        self._minutes: dict[int, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------

    def start(self) -> None:
        """Start the listening thread unless it already runs."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._run, name=f"reqless-ui-relay-{self.instance.name}", daemon=True
            )
            self._thread.start()

    def request_stop(self) -> None:
        """Ask the thread to end (it does within one poll interval)."""
        self._stop.set()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread and wait for it."""
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        with self._lock:
            return self._thread is not None and self._thread.is_alive()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the subscription is confirmed; False on timeout."""
        return self._ready.wait(timeout)

    # -- subscribers ------------------------------------------------------------

    def subscribe(
        self,
        event_filter: EventFilter,
        notify: Callable[[], None],
        size: int | None = None,
    ) -> Subscription:
        """A new subscriber queue of `size` events (default `QUEUE_SIZE`)."""
        subscription = Subscription(event_filter, notify, QUEUE_SIZE if size is None else size)
        with self._lock:
            self._subscribers.add(subscription)
        self.start()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def _deliver(self, deliver: Callable[[Subscription], None]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            try:
                deliver(subscription)
            except Exception:
                # One broken subscriber must not starve the others.
                logger.exception("relay: delivering to a subscriber failed")

    # -- throughput -------------------------------------------------------------

    def throughput(self) -> dict[str, Any]:
        """Per-minute put / completed / failed counts over the last 60 minutes.

        `minutes` holds all 60 minutes, oldest first; those before `since_at`
        (when this process started listening) are zeros because nothing was heard.
        """
        newest = int(time.time() // 60) * 60
        with self._lock:
            minutes = []
            for start in range(newest - 60 * (WINDOW_MINUTES - 1), newest + 60, 60):
                found = self._minutes.get(start)
                row: dict[str, Any] = {"minute_at": float(start), **_empty_counts()}
                if found is None:
                    row["by_queue"] = {}
                else:
                    row.update({key: found[key] for key in ("put", "completed", "failed")})
                    row["by_queue"] = {q: dict(c) for q, c in found["by_queue"].items()}
                minutes.append(row)
        return {"since_at": self.started_at, "minutes": minutes}

    def _count(self, what: str, queue: str | None, at: float) -> None:
        start = int(at // 60) * 60
        with self._lock:
            minute = self._minutes.get(start)
            if minute is None:
                minute = {**_empty_counts(), "by_queue": {}}
                self._minutes[start] = minute
                oldest = start - 60 * WINDOW_MINUTES
                for old in [m for m in self._minutes if m <= oldest]:
                    del self._minutes[old]
            minute[what] += 1
            if queue:
                minute["by_queue"].setdefault(queue, _empty_counts())[what] += 1

    def _count_log_event(self, event: dict[str, Any]) -> None:
        kind = event["kind"]
        at = event["received_at"]
        if kind == "put":
            self._count("put", event.get("queue"), at)
        elif kind == "completed":
            self._count("completed", event.get("queue"), at)
        elif kind == "advanced":
            # completeAndRequeue: done in one queue, put into the next.
            self._count("completed", event.get("queue"), at)
            self._count("put", event.get("to"), at)
        elif kind == "failed":
            self._count("failed", event.get("queue"), at)

    def _add_queue(self, event: dict[str, Any]) -> None:
        """Add the job's queue to an event that does not carry it (failed, lock lost,
        the tracked-job channels), so queue filters and per-queue counts work."""
        group = str(event.get("group") or "")
        if group.startswith(_FAILED_RETRIES):
            event["queue"] = group[len(_FAILED_RETRIES) :]
            return
        jid = event.get("jid")
        if not jid:
            return
        try:
            # A job keeps its last queue in its record, failed ones too (one bounded read).
            queue = self.instance.client.database.hget(self.keys.job(jid), "queue")
        except (RedisConnectionError, RedisTimeoutError):
            return
        if isinstance(queue, str) and queue:
            event["queue"] = queue

    # -- the listening thread ---------------------------------------------------

    def _handle(self, channel: str, data: Any) -> None:
        event = normalise(channel, str(data), time.time(), self.redact_keys, self.keys)
        if "queue" not in event and event["kind"] in _QUEUE_LOOKUP:
            self._add_queue(event)
        if channel == self._log_channel:
            self._count_log_event(event)
        self._deliver(lambda subscription: subscription.offer(event))

    def _reconnected(self) -> None:
        self.reconnects += 1
        self._deliver(lambda subscription: subscription.offer_gap("reconnect"))

    def _run(self) -> None:
        pause = 0.1
        heard_before = False
        sharded = self.keys.sharded
        kinds = message_kinds(sharded)
        while not self._stop.is_set():
            pubsub = self.instance.client.database.pubsub()
            confirmed: set[str] = set()
            try:
                if sharded:
                    pubsub.ssubscribe(*self.channels)
                else:
                    pubsub.subscribe(*self.channels)
                get = pubsub.get_sharded_message if sharded else pubsub.get_message
                while not self._stop.is_set():
                    message = get(timeout=_POLL_S)
                    if message is None:
                        continue
                    if message["type"] == kinds.confirmation:
                        channel = str(message["channel"])
                        if channel in confirmed:
                            # redis-py re-subscribed by itself after a lost connection.
                            self._reconnected()
                            confirmed.clear()
                        confirmed.add(channel)
                        if len(confirmed) == len(self.channels) and not self._ready.is_set():
                            self._ready.set()
                            pause = 0.1
                            if heard_before:
                                self._reconnected()
                            heard_before = True
                    elif message["type"] == kinds.message:
                        self._handle(str(message["channel"]), message["data"])
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                logger.warning("relay %s: subscription lost (%s); subscribing again",
                               self.instance.name, exc)  # fmt: skip
            except Exception:
                # The thread is a process boundary: log, back off and carry on.
                logger.exception("relay %s: unexpected error", self.instance.name)
            finally:
                self._ready.clear()
                try:
                    pubsub.close()
                except Exception:
                    logger.debug("relay %s: closing the pubsub failed", self.instance.name)
            self._stop.wait(pause)
            pause = min(pause * 2, _BACKOFF_CAP_S)


def _relays(state: UIState) -> dict[str, Relay]:
    relays: dict[str, Relay] = state.parts.setdefault(_PART, {})
    return relays


def get(state: UIState, inst: Instance) -> Relay:
    """The relay of `inst`, started if it was not running."""
    relays = _relays(state)
    relay = relays.get(inst.name)
    if relay is None:
        # setdefault: two first callers racing still end up with one relay.
        relay = relays.setdefault(inst.name, Relay(inst, state.settings.redact_keys))
    relay.start()
    return relay


def throughput(state: UIState, inst: Instance) -> dict[str, Any]:
    """`{"since_at", "minutes": [{"minute_at","put","completed","failed","by_queue"}]}`."""
    return get(state, inst).throughput()


def shutdown(state: UIState) -> None:
    """Stop every relay thread (app shutdown)."""
    relays = _relays(state)
    for relay in list(relays.values()):
        relay.request_stop()
    for relay in list(relays.values()):
        relay.stop()
    relays.clear()
