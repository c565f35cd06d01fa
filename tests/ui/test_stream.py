"""`GET /api/v1/stream`: server-sent events read from a real uvicorn server."""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest
import uvicorn
from redis import Redis
from starlette.applications import Starlette

from reqless.client import Client
from reqless.ui import UISettings, create_app
from reqless.ui.live import relay, snapshot, stream
from reqless.ui.state import UIState

from .conftest import MakeUI

WAIT_S = 10.0
Message = tuple[str, Any]


class LiveServer:
    """The app served by uvicorn in a thread, on a free loopback port."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="on",
            ws="none",
            timeout_graceful_shutdown=stream.GRACEFUL_SHUTDOWN_S,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def state(self) -> UIState:
        found: UIState = self.app.state.ui
        return found

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + WAIT_S
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(WAIT_S)
        self.socket.close()


class EventStream:
    """An SSE client: a thread parses messages into a queue as they arrive.

    It owns its socket so `close()` can shut it down under the blocked reader:
    merely closing a socket another thread reads from sends nothing to the server.
    """

    def __init__(self, url: str) -> None:
        self.messages: queue.Queue[Message] = queue.Queue()
        parts = urlsplit(url)
        self.socket = socket.create_connection((parts.hostname, parts.port), timeout=WAIT_S)
        self.connection = http.client.HTTPConnection(str(parts.hostname), parts.port)
        self.connection.sock = self.socket
        self.connection.request("GET", f"{parts.path}?{parts.query}")
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.socket.settimeout(None)
        self._reader = threading.Thread(target=self._read, daemon=True)
        if self.status == 200:
            self._reader.start()

    def header(self, name: str) -> str:
        return str(self.response.getheader(name))

    def _read(self) -> None:
        topic = "message"
        try:
            while True:
                raw = self.response.readline()
                if not raw:
                    break
                line = raw.decode().rstrip("\n")
                if line.startswith(":"):
                    self.messages.put(("comment", line[1:].strip()))
                elif line.startswith("event: "):
                    topic = line[len("event: ") :]
                elif line.startswith("data: "):
                    self.messages.put((topic, json.loads(line[len("data: ") :])))
                    topic = "message"
        except (OSError, ValueError, http.client.HTTPException):
            pass  # shut down by the test
        self.messages.put(("closed", None))

    def next(self, topic: str | None = None) -> Any:
        """The next message (of `topic`, skipping others); fails after WAIT_S."""
        deadline = time.monotonic() + WAIT_S
        while True:
            got, data = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            assert got != "closed", "the stream ended"
            if topic is None or got == topic:
                return data if topic else (got, data)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        if self._reader.is_alive():
            self._reader.join(WAIT_S)
        self.connection.close()
        self.socket.close()


def until(check: Callable[[], bool]) -> None:
    """Wait for `check()` to hold; the limit is a safety bound, not an assertion."""
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


@pytest.fixture
def serve(ui_client: Client) -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def start(settings: UISettings | None = None, clients: Any = None) -> LiveServer:
        live = LiveServer(create_app(clients or ui_client, settings))
        servers.append(live.__enter__())
        return live

    yield start
    for live in servers:
        live.__exit__()


@pytest.fixture
def streams() -> Iterator[Callable[[str], EventStream]]:
    opened: list[EventStream] = []

    def open_stream(url: str) -> EventStream:
        made = EventStream(url)
        opened.append(made)
        return made

    yield open_stream
    for each in opened:
        each.close()


Serve = Callable[..., LiveServer]
Streams = Callable[[str], EventStream]


def test_counts_start_with_an_immediate_snapshot(
    serve: Serve, streams: Streams, ui_client: Client
) -> None:
    ui_client.queues["q"].put("Klass", {})
    live = serve(UISettings(refresh_floor=2.0))
    events = streams(live.url("/api/v1/stream?topics=counts&interval=0.5"))
    assert events.header("content-type").startswith("text/event-stream")
    assert events.header("cache-control") == "no-store"
    first = events.next("counts")
    assert first["totals"]["waiting"] == 1
    assert first["queues"][0]["name"] == "q"
    # Asked for 0.5 s: the server's floor of 2 s applies, and it says so.
    assert first["interval_s"] == 2.0
    assert first["interval_clamped_from_s"] == 0.5


def test_counts_are_sent_again_when_they_change(
    serve: Serve, streams: Streams, ui_client: Client
) -> None:
    live = serve(UISettings(refresh_floor=0.1))
    events = streams(live.url("/api/v1/stream?topics=counts&interval=0.1"))
    assert events.next("counts")["totals"]["waiting"] == 0
    ui_client.queues["q"].put("Klass", {})
    assert events.next("counts")["totals"]["waiting"] == 1
    ui_client.queues["q"].put("Klass", {})
    assert events.next("counts")["totals"]["waiting"] == 2


def test_counts_unchanged_are_not_resent_every_tick(
    serve: Serve, streams: Streams, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = serve(UISettings(refresh_floor=0.05))
    events = streams(live.url("/api/v1/stream?topics=counts&interval=0.05"))
    events.next("counts")
    the_hub = stream.hub(live.state, live.state.default_instance)
    ticks = the_hub.ticks
    until(lambda: the_hub.ticks >= ticks + 5)
    assert events.messages.empty()


def test_counts_resent_after_the_resend_period(
    serve: Serve, streams: Streams, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "RESEND_S", 0.2)
    live = serve(UISettings(refresh_floor=0.05))
    events = streams(live.url("/api/v1/stream?topics=counts&interval=0.05"))
    first = events.next("counts")
    again = events.next("counts")
    assert again["totals"] == first["totals"]


def test_fifty_streams_share_one_snapshot_per_interval(
    serve: Serve, streams: Streams, ui_redis: Redis
) -> None:
    live = serve(UISettings(refresh_floor=0.1))
    inst = live.state.default_instance
    opened = [streams(live.url("/api/v1/stream?topics=counts&interval=0.1")) for _ in range(50)]
    for each in opened:
        each.next("counts")
    assert stream.open_streams(live.state) == 50
    the_hub = stream.hub(live.state, inst)
    ui_redis.config_resetstat()
    ticks = the_hub.ticks
    computed = snapshot.computations(live.state, inst)
    until(lambda: the_hub.ticks >= ticks + 5)
    # Each snapshot reads ZCARD ql:tracked once; nothing else does here.
    zcards = ui_redis.info("commandstats").get("cmdstat_zcard", {}).get("calls", 0)
    ticks_after = the_hub.ticks
    computed_after = snapshot.computations(live.state, inst)
    # One computation per tick, whatever the number of streams (+1: a tick may
    # fall between two of the readings above).
    assert 1 <= computed_after - computed <= ticks_after - ticks + 1
    assert 1 <= zcards <= ticks_after - ticks + 1


def test_events_arrive_after_a_real_put(serve: Serve, streams: Streams, ui_client: Client) -> None:
    live = serve()
    events = streams(live.url("/api/v1/stream?topics=events&queue=wanted"))
    assert events.next() == ("comment", "connected")
    ui_client.queues["other"].put("Klass", {}, jid="not-this")
    ui_client.queues["wanted"].put("Klass", {}, jid="this")
    found = events.next("events")
    assert found["jid"] == "this"
    assert found["kind"] == "put"
    assert found["queue"] == "wanted"
    assert found["channel"] == "ql:log"
    assert isinstance(found["received_at"], float)


def test_events_filtered_by_jid_and_worker(
    serve: Serve, streams: Streams, ui_client: Client
) -> None:
    live = serve()
    by_jid = streams(live.url("/api/v1/stream?topics=events&jid=two"))
    by_worker = streams(live.url("/api/v1/stream?topics=events&worker=ui-test-worker&kind=failed"))
    by_jid.next()
    by_worker.next()
    q = ui_client.queues["q"]
    q.put("Klass", {}, jid="one")
    q.put("Klass", {}, jid="two")
    job = q.pop()
    assert job is not None and job.jid == "one"
    job.fail("grp", "bad")
    assert by_jid.next("events")["jid"] == "two"
    failed = by_worker.next("events")
    assert (failed["kind"], failed["jid"], failed["group"]) == ("failed", "one", "grp")


def test_a_slow_reader_loses_nothing_silently(
    serve: Serve, streams: Streams, ui_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relay, "QUEUE_SIZE", 3)
    live = serve()
    events = streams(live.url("/api/v1/stream?topics=events"))
    events.next()
    with ui_client.database.pipeline(transaction=False) as pipe:
        for number in range(200):
            pipe.publish("ql:log", json.dumps({"jid": str(number), "event": "put", "queue": "q"}))
        pipe.execute()
    seen = dropped = 0
    while seen + dropped < 200:
        topic, data = events.next()
        if topic == "events":
            seen += 1
        elif topic == "gap":
            dropped += data["dropped"]
    # Every published event either arrived or is counted in a gap.
    assert seen + dropped == 200


def test_disconnect_frees_the_subscription(serve: Serve, streams: Streams) -> None:
    live = serve(UISettings(refresh_floor=0.1))
    inst = live.state.default_instance
    events = streams(live.url("/api/v1/stream?topics=counts,events&interval=0.1"))
    events.next("counts")
    the_relay = relay.get(live.state, inst)
    assert stream.open_streams(live.state) == 1
    assert the_relay.subscriber_count == 1
    events.close()
    until(lambda: stream.open_streams(live.state) == 0)
    until(lambda: the_relay.subscriber_count == 0)
    the_hub = stream.hub(live.state, inst)
    until(lambda: the_hub.interval is None)


def test_too_many_streams_give_503(serve: Serve, streams: Streams) -> None:
    live = serve(UISettings(max_streams=1))
    first = streams(live.url("/api/v1/stream?topics=events"))
    first.next()
    refused = httpx2.get(live.url("/api/v1/stream?topics=events"), timeout=WAIT_S)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "10"
    assert refused.json()["error"]["code"] == "unavailable"
    first.close()
    until(lambda: stream.open_streams(live.state) == 0)
    again = streams(live.url("/api/v1/stream?topics=events"))
    assert again.next() == ("comment", "connected")


def test_keep_alive_comments(
    serve: Serve, streams: Streams, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "KEEPALIVE_S", 0.1)
    live = serve()
    events = streams(live.url("/api/v1/stream?topics=events"))
    assert events.next() == ("comment", "connected")
    assert events.next() == ("comment", "keep-alive")


def test_operations_progress_is_pushed(
    serve: Serve, streams: Streams, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reqless.ui.actions import operations
    from reqless.ui.actions.tally import Tally
    from reqless.ui.http import audit

    monkeypatch.setattr(stream, "OPERATIONS_POLL_S", 0.05)
    live = serve()
    events = streams(live.url("/api/v1/stream?topics=operations"))
    assert events.next() == ("comment", "connected")
    assert events.next("operations") == {"items": []}
    halfway = threading.Event()
    release = threading.Event()

    def work(tally: Tally) -> None:
        tally.succeeded(2)
        halfway.set()
        assert release.wait(WAIT_S)
        tally.succeeded(2)

    state = live.state
    who = audit.Actor("tester", "admin", None, state.default_instance, state)
    operations.start(state, who, "test-action", ["a", "b", "c", "d"], {}, 4, work)
    assert halfway.wait(WAIT_S)
    running = events.next("operations")["items"][0]
    while running["processed"] < 2:
        running = events.next("operations")["items"][0]
    assert (running["state"], running["total"]) == ("running", 4)
    release.set()
    done = running
    while done["state"] != "done":
        done = events.next("operations")["items"][0]
    assert done["processed"] == done["ok"] == 4


def test_per_instance_paths(
    serve: Serve, streams: Streams, ui_client: Client, ui_server: Any
) -> None:
    other = Client(ui_server.url, retry_window=0)
    try:
        live = serve(clients={"main": ui_client, "second": other})
        events = streams(live.url("/i/second/api/v1/stream?topics=counts"))
        assert events.next("counts")["queue_count"] == 0
        missing = httpx2.get(live.url("/i/nope/api/v1/stream"), timeout=WAIT_S)
        assert missing.status_code == 404
    finally:
        other.database.close()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("topics=bogus", "topics"),
        ("topics=counts,nope", "topics"),
        ("interval=abc", "interval"),
        ("interval=0", "interval"),
        ("interval=-2", "interval"),
        ("interval=nan", "interval"),
        ("interval=100000", "interval"),
        ("queue=" + "x" * 2000, "queue"),
    ],
)
def test_bad_parameters_give_400(make_ui: MakeUI, query: str, parameter: str) -> None:
    ui = make_ui()
    response = ui.get(f"/api/v1/stream?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_argument"
    assert error["details"]["parameter"] == parameter
    assert stream.open_streams(ui.http.app.state.ui) == 0  # type: ignore[attr-defined]


def test_server_shutdown_ends_open_streams(ui_client: Client) -> None:
    # uvicorn waits for open responses when stopping; with its graceful-shutdown
    # timeout it cancels them, and the stream then ends its body cleanly.
    live = LiveServer(create_app(ui_client)).__enter__()
    events = EventStream(live.url("/api/v1/stream?topics=counts,events"))
    try:
        events.next("counts")
        live.__exit__()
        assert not live.thread.is_alive()
        while events.messages.get(timeout=WAIT_S)[0] != "closed":
            pass
        assert stream.open_streams(live.state) == 0
    finally:
        events.close()


def test_needs_a_login_when_auth_is_on(make_ui: MakeUI) -> None:
    from reqless.ui.settings import BasicUser

    ui = make_ui(UISettings(basic_users=(BasicUser("someone", "secret"),)))
    response = ui.get("/api/v1/stream?topics=counts")
    assert response.status_code == 401
    assert stream.open_streams(ui.http.app.state.ui) == 0  # type: ignore[attr-defined]
