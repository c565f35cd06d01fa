"""The event relay: one subscription per instance, normalised events, bounded fan-out."""

from __future__ import annotations

import itertools
import json
import queue
import time
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import start_server
from reqless.ui import UISettings
from reqless.ui.live import relay
from reqless.ui.state import UIState

WAIT_S = 10.0


@pytest.fixture
def state(ui_client: Client) -> Iterator[UIState]:
    made = UIState.build(ui_client, UISettings(), None)
    yield made
    relay.shutdown(made)


class Inbox:
    """A subscription whose notifications land in a thread-safe queue."""

    def __init__(self, the_relay: relay.Relay, event_filter: relay.EventFilter, size: int) -> None:
        self.signals: queue.Queue[None] = queue.Queue()
        self.subscription = the_relay.subscribe(event_filter, lambda: self.signals.put(None), size)
        self.items: list[tuple[str, dict[str, Any]]] = []

    def until(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        """Wait for at least `count` items in total (the wait is a safety bound)."""
        deadline = time.monotonic() + WAIT_S
        while len(self.items) < count:
            self.signals.get(timeout=max(0.01, deadline - time.monotonic()))
            self.items.extend(self.subscription.take())
        return self.items


def _inbox(state: UIState, size: int = 1000, **filters: Any) -> Inbox:
    the_relay = relay.get(state, state.default_instance)
    inbox = Inbox(the_relay, relay.EventFilter(**filters), size)
    assert the_relay.wait_ready(WAIT_S)
    return inbox


@pytest.mark.parametrize(
    ("channel", "data", "expected"),
    [
        ("ql:log", '{"jid":"j","event":"put","queue":"q"}',
         {"kind": "put", "jid": "j", "queue": "q"}),
        ("ql:log", '{"jid":"j","queue":false,"event":"canceled","worker":false}',
         {"kind": "canceled", "jid": "j"}),
        ("ql:log", '{"jid":"j","queue":"q","event":"canceled","worker":""}',
         {"kind": "canceled", "jid": "j", "queue": "q"}),
        ("ql:log", '{"message":"m","jid":"j","group":"g","event":"failed","worker":"w"}',
         {"kind": "failed", "jid": "j", "group": "g", "message": "m", "worker": "w"}),
        ("ql:log", '{"jid":"j","to":"n","event":"advanced","queue":"q"}',
         {"kind": "advanced", "jid": "j", "to": "n", "queue": "q"}),
        ("ql:log", '{"option":"o","event":"config_set","value":"v"}',
         {"kind": "config_set", "option": "o", "value": "v"}),
        ("ql:log", "not json", {"kind": "unknown", "message": "not json"}),
        ("ql:popped", "j", {"kind": "popped", "jid": "j"}),
        ("ql:untrack", "j", {"kind": "untrack", "jid": "j"}),
    ],
)  # fmt: skip
def test_normalise(channel: str, data: str, expected: dict[str, Any]) -> None:
    event = relay.normalise(channel, data, 12.5)
    assert event == {**expected, "channel": channel, "received_at": 12.5}


def test_normalise_masks_secrets() -> None:
    keys = ("password", "token")
    failed = relay.normalise(
        "ql:log", json.dumps({"event": "failed", "message": "login password=hunter2 refused"}),
        1.0, keys,
    )  # fmt: skip
    assert "hunter2" not in failed["message"]
    assert failed["message"].startswith("login password=")
    config = relay.normalise(
        "ql:log",
        '{"option":"api-Token","event":"config_set","value":"s3cret"}',
        1.0,
        ("api-token",),
    )
    assert config["value"] == "••••"
    plain = relay.normalise(
        "ql:log", '{"option":"heartbeat","event":"config_set","value":"60"}', 1.0, keys
    )
    assert plain["value"] == "60"


def test_filter() -> None:
    event = {"kind": "put", "jid": "j", "queue": "q", "channel": "ql:log"}
    assert relay.EventFilter().matches(event)
    assert relay.EventFilter(queue="q", jid="j", kinds=frozenset({"put"})).matches(event)
    assert not relay.EventFilter(queue="other").matches(event)
    assert not relay.EventFilter(worker="w").matches(event)
    assert not relay.EventFilter(kinds=frozenset({"failed"})).matches(event)
    advanced = {"kind": "advanced", "queue": "a", "to": "b"}
    assert relay.EventFilter(queue="b").matches(advanced)


def test_overflow_drops_oldest_and_reports_a_gap() -> None:
    woken: list[None] = []
    subscription = relay.Subscription(relay.EventFilter(), lambda: woken.append(None), size=3)
    for number in range(5):
        subscription.offer({"kind": "put", "jid": str(number)})
    items = subscription.take()
    assert items[0] == ("gap", {"dropped": 2, "reason": "overflow"})
    assert [data["jid"] for _, data in items[1:]] == ["2", "3", "4"]
    assert subscription.take() == []
    assert len(woken) == 5


def test_hears_core_events(state: UIState, ui_client: Client) -> None:
    inbox = _inbox(state)
    queue_ = ui_client.queues["q"]
    jid = queue_.put("Klass", {"a": 1}, jid="one")
    ui_client.track(jid)
    job = queue_.pop()
    assert job is not None
    job.fail("group", "it broke")
    items = inbox.until(5)
    events = [data for topic, data in items if topic == "events"]
    kinds = [(e["channel"], e["kind"]) for e in events]
    assert kinds[:5] == [
        ("ql:log", "put"),
        ("ql:track", "track"),
        ("ql:popped", "popped"),
        ("ql:log", "failed"),
        ("ql:failed", "failed"),
    ]
    assert events[2]["queue"] == "q"  # looked up for tracked-job notifications too
    failed = events[3]
    # The queue is looked up, since failure messages do not carry it.
    assert failed["queue"] == "q"
    assert failed["group"] == "group"
    assert failed["message"] == "it broke"
    assert failed["worker"] == "ui-test-worker"
    assert all(isinstance(e["received_at"], float) for e in events)


def test_filters_apply_before_queueing(state: UIState, ui_client: Client) -> None:
    inbox = _inbox(state, size=2, queue="wanted")
    for number in range(5):
        ui_client.queues["other"].put("Klass", {}, jid=f"o{number}")
    ui_client.queues["wanted"].put("Klass", {}, jid="w")
    items = inbox.until(1)
    assert items == [("events", items[0][1])]
    assert items[0][1]["jid"] == "w"


def test_throughput_counts_by_minute_and_queue(state: UIState, ui_client: Client) -> None:
    inbox = _inbox(state)
    first = ui_client.queues["first"]
    first.put("Klass", {}, jid="a")
    first.put("Klass", {}, jid="b")
    ui_client.queues["second"].put("Klass", {}, jid="c")
    popped = first.pop(2)
    popped[0].complete()
    popped[1].fail("g", "m")
    inbox.until(5)
    found = relay.throughput(state, state.default_instance)
    assert len(found["minutes"]) == 60
    assert found["since_at"] <= time.time()
    totals = {key: sum(m[key] for m in found["minutes"]) for key in ("put", "completed", "failed")}
    assert totals == {"put": 3, "completed": 1, "failed": 1}
    by_queue: dict[str, dict[str, int]] = {}
    for minute in found["minutes"]:
        for name, counts in minute["by_queue"].items():
            mine = by_queue.setdefault(name, {"put": 0, "completed": 0, "failed": 0})
            for key, value in counts.items():
                mine[key] += value
    assert by_queue == {
        "first": {"put": 2, "completed": 1, "failed": 1},
        "second": {"put": 1, "completed": 0, "failed": 0},
    }
    starts = [m["minute_at"] for m in found["minutes"]]
    assert starts == sorted(starts)
    assert all(b - a == 60 for a, b in itertools.pairwise(starts))


def test_one_thread_per_instance_and_shutdown(state: UIState) -> None:
    inst = state.default_instance
    first = relay.get(state, inst)
    assert relay.get(state, inst) is first
    assert first.wait_ready(WAIT_S)
    relay.shutdown(state)
    assert not first.running


def test_reconnects_after_an_outage_with_a_gap() -> None:
    server = start_server("valkey")
    port = server.port
    client = Client(server.url, retry_window=0)
    state = UIState.build(client, UISettings(), None)
    try:
        inbox = _inbox(state)
        the_relay = relay.get(state, state.default_instance)
        server.stop()
        server = start_server("valkey", port=port)
        deadline = time.monotonic() + WAIT_S
        while the_relay.reconnects == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert the_relay.wait_ready(WAIT_S)
        with Redis(host="127.0.0.1", port=port, decode_responses=True) as raw:
            raw.publish("ql:log", json.dumps({"jid": "after", "event": "put", "queue": "q"}))
        items = inbox.until(2)
        assert ("gap", {"dropped": None, "reason": "reconnect"}) in items
        assert items[-1][1]["jid"] == "after"
        assert the_relay.reconnects >= 1
    finally:
        relay.shutdown(state)
        client.database.close()
        server.stop()
