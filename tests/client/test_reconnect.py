"""Calls and event listeners ride out a server restart within the retry window.

Each test starts its own server (with an append-only file, so data survives the
restart) on a fresh port, stops it, and starts it again on the same port while a
call or a listener is waiting. A stub server checks which commands are repeated
after the connection dropped once the command was sent.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from reqless import defaults
from reqless.client import Client
from reqless.server import LocalServer, free_port, start_server
from tests.helpers import read_command

KLASS = "tests.client.test_reconnect.Gnome"


class Restartable:
    """A server of the fixture's kind on a fixed port, with AOF, that can be restarted."""

    def __init__(self, kind: Any, workdir: Path) -> None:
        self.kind = kind
        self.workdir = workdir
        self.port = free_port()
        self.current: LocalServer | None = self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> LocalServer:
        self.current = start_server(self.kind, self.port, workdir=self.workdir, appendonly=True)
        return self.current

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()
            self.current = None


@pytest.fixture
def restartable(server: LocalServer, tmp_path: Path) -> Iterator[Restartable]:
    made = Restartable(server.kind, tmp_path)
    yield made
    made.stop()


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run `call` in a thread; the list gets its result or the exception it raised."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_the_default_window_outlasts_a_restart() -> None:
    assert defaults.RETRY_WINDOW >= 10
    assert Client("redis://127.0.0.1:1").retry_window == defaults.RETRY_WINDOW


@pytest.mark.slow
@pytest.mark.parametrize("outage", [1.5, 3.0])
def test_a_put_waits_out_a_restart(restartable: Restartable, outage: float) -> None:
    client = Client(restartable.url, hostname="restart")
    try:
        client.queues["q"].put(KLASS, {})  # connected, script loaded
        restartable.stop()
        thread, outcome = in_thread(lambda: client.queues["q"].put(KLASS, {"late": True}))
        time.sleep(outage)
        assert thread.is_alive(), outcome  # still retrying, not failed
        restartable.start()
        thread.join(30)
        assert outcome and isinstance(outcome[0], str), outcome
        job = client.jobs[outcome[0]]
        assert job is not None and job.data == '{"late": true}'
        assert len(client.queues["q"]) == 2
    finally:
        client.database.close()


@pytest.mark.slow
def test_a_pop_waits_out_a_restart_when_it_could_not_be_sent(restartable: Restartable) -> None:
    client = Client(restartable.url, hostname="restart")
    try:
        jid = client.queues["q"].put(KLASS, {})
        restartable.stop()
        thread, outcome = in_thread(lambda: client.queues["q"].pop())
        time.sleep(1.5)
        restartable.start()
        thread.join(30)
        assert outcome and getattr(outcome[0], "jid", None) == jid, outcome
    finally:
        client.database.close()


def test_the_window_bounds_the_wait() -> None:
    client = Client(f"redis://127.0.0.1:{free_port()}", retry_window=1.0)
    started = time.monotonic()
    with pytest.raises(RedisConnectionError):
        client.queues["q"].put(KLASS, {})
    assert 0.9 <= time.monotonic() - started < 8


def test_a_zero_window_does_not_retry() -> None:
    client = Client(f"redis://127.0.0.1:{free_port()}", retry_window=0)
    started = time.monotonic()
    with pytest.raises(RedisConnectionError):
        client.jobs["x"]
    assert time.monotonic() - started < 1


@pytest.mark.slow
def test_an_events_thread_survives_a_three_second_outage(restartable: Restartable) -> None:
    client = Client(restartable.url, hostname="restart")
    seen: list[str] = []
    arrived = threading.Event()

    def on_put(jid: str) -> None:
        seen.append(jid)
        arrived.set()

    client.events.on("put", on_put)
    try:
        jid = client.queues["q"].put(KLASS, {})
        client.track(jid)
        with client.events.thread():
            restartable.stop()
            time.sleep(3)
            restartable.start()
            assert restartable.current is not None
            with restartable.current.client() as raw:
                # Published events reach only subscribers: wait for the resubscription.
                deadline = time.monotonic() + 20
                while dict(raw.pubsub_numsub("ql:put")).get("ql:put", 0) < 1:
                    assert time.monotonic() < deadline, "the listener did not resubscribe"
                    time.sleep(0.05)
            client.queues["q"].put(KLASS, {}, jid=jid, replace=True)
            assert arrived.wait(10), "no event after the outage"
        assert seen == [jid]
    finally:
        client.database.close()


# --- what is repeated after the command may have run -----------------------------------


class DroppingServer:
    """Speaks just enough RESP for a client; drops the connection on each core call.

    It counts the core calls (FCALL or EVALSHA) it received, so a test can tell
    whether the client sent a command again after the connection dropped with it
    in flight.
    """

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.core_calls = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as stream:
            while not self.stop.is_set():
                words = read_command(stream)
                if words is None:
                    return
                if words[0] in (b"FCALL", b"EVALSHA"):
                    self.core_calls += 1
                    return  # the command arrived; its reply never leaves
                if words[0] == b"HELLO":
                    conn.sendall(b"%%1\r\n+proto\r\n:%s\r\n" % words[1])
                else:
                    conn.sendall(b"+OK\r\n")

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.listener.close()


@pytest.fixture
def dropping() -> Iterator[DroppingServer]:
    made = DroppingServer()
    yield made
    made.close()


def test_a_pop_is_not_sent_twice(dropping: DroppingServer) -> None:
    client = Client(f"redis://127.0.0.1:{dropping.port}", retry_window=1.0)
    with pytest.raises(RedisConnectionError):
        client.queues["q"].pop()
    assert dropping.core_calls == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.jobs["x"],
        lambda c: c.queues["q"].put(KLASS, {}),
        lambda c: c.queues["q"].peek(),
    ],
    ids=["job-get", "put", "peek"],
)
def test_safe_commands_are_sent_again(dropping: DroppingServer, call: Any) -> None:
    client = Client(f"redis://127.0.0.1:{dropping.port}", retry_window=1.0)
    with pytest.raises(RedisConnectionError):
        call(client)
    assert dropping.core_calls > 1


@pytest.mark.parametrize(
    "command", ["job.complete", "job.fail", "job.retry", "job.cancel", "queue.unfail"]
)
def test_commands_that_change_state_once_are_not_sent_twice(
    dropping: DroppingServer, command: str
) -> None:
    client = Client(f"redis://127.0.0.1:{dropping.port}", retry_window=1.0)
    with pytest.raises(RedisConnectionError):
        client(command, "jid", "w")
    assert dropping.core_calls == 1
