"""Events, Listener and Future: callbacks for tracked-job events over pubsub."""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from reqless.client import Client
from reqless.events import Events
from reqless.exceptions import ReqlessError
from reqless.future import Future
from reqless.listener import Listener, Message
from reqless.server import LocalServer, free_port

#: Each test taking `client` runs through the sync and the asyncio client.
BOTH_CLIENTS = True

EVENTS = ("canceled", "completed", "failed", "popped", "put", "stalled", "track", "untrack")


class Recorder:
    """Collects (event, jid) pairs from callbacks running in another thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self._cond = threading.Condition()

    def callback(self, evt: str) -> Callable[[str], None]:
        def record(jid: str) -> None:
            with self._cond:
                self.calls.append((evt, jid))
                self._cond.notify_all()

        return record

    def wait_for(self, count: int, timeout: float = 5.0) -> list[tuple[str, str]]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.calls) >= count, timeout)
            return list(self.calls)


def put(client: Client, jid: str, queue: str = "q") -> None:
    client.queues[queue].put("tests.Klass", "{}", jid=jid, replace=True)


def test_client_events_is_created_once(client: Client) -> None:
    assert isinstance(client.events, Events)
    assert client.events is client.events


def test_class_attributes() -> None:
    assert Events.namespace == "ql:"
    assert Events.events == EVENTS


def test_listener_channels(client: Client) -> None:
    assert client.events.listener.channels == [f"ql:{evt}" for evt in EVENTS]
    assert client.events.listener.is_listening is False


def test_on_unknown_event_raises_not_implemented(client: Client) -> None:
    with pytest.raises(NotImplementedError, match="nope"):
        client.events.on("nope", print)


def test_off_returns_the_callback_and_on_works_again(client: Client) -> None:
    # The original removed the event, so `on` raised NotImplementedError afterwards.
    events = client.events
    events.on("put", print)
    assert events.off("put") is print
    assert events.off("put") is None
    events.on("put", repr)
    assert events.off("put") is repr
    assert events.off("nope") is None


def test_repr_lists_registered_callbacks(client: Client) -> None:
    client.events.on("put", print)
    assert "['put']" in repr(client.events)


def test_thread_delivers_every_tracked_job_event(client: Client) -> None:
    recorder = Recorder()
    events = client.events
    for evt in EVENTS:
        events.on(evt, recorder.callback(evt))
    with events.thread() as listening:
        assert listening is events
        assert events.listener.is_listening
        put(client, "jid")
        client.track("jid")
        put(client, "jid")
        job = client.queues["q"].pop()
        assert job is not None
        job.complete()
        put(client, "jid")
        job = client.queues["q"].pop()
        assert job is not None
        job.fail("group", "message")
        client.untrack("jid")
        client.track("jid")
        job.cancel()
        calls = recorder.wait_for(10)
    assert calls == [
        ("track", "jid"),
        ("put", "jid"),
        ("popped", "jid"),
        ("completed", "jid"),
        ("put", "jid"),
        ("popped", "jid"),
        ("failed", "jid"),
        ("untrack", "jid"),
        ("track", "jid"),
        ("canceled", "jid"),
    ]
    assert not events.listener.is_listening


def test_stalled_event(client: Client) -> None:
    recorder = Recorder()
    client.events.on("stalled", recorder.callback("stalled"))
    client("config.set", "heartbeat", -10)  # locks expire at once (Config refuses it)
    client.config["grace-period"] = 0
    put(client, "jid")
    client.track("jid")
    with client.events.thread():
        assert client.queues["q"].pop() is not None
        assert client.queues["q"].pop() is not None  # reassigns the expired lock
        assert recorder.wait_for(1) == [("stalled", "jid")]


def test_untracked_jobs_produce_no_events(client: Client) -> None:
    recorder = Recorder()
    client.events.on("put", recorder.callback("put"))
    client.events.on("track", recorder.callback("track"))
    with client.events.thread():
        put(client, "other")
        put(client, "jid")
        client.track("jid")
        assert recorder.wait_for(1) == [("track", "jid")]
    assert recorder.calls == [("track", "jid")]


def test_events_without_a_callback_are_skipped(client: Client) -> None:
    recorder = Recorder()
    client.events.on("untrack", recorder.callback("untrack"))
    client.events.on("track", None)
    put(client, "jid")
    with client.events.thread():
        client.track("jid")
        client.untrack("jid")
        assert recorder.wait_for(1) == [("untrack", "jid")]


def test_a_raising_callback_does_not_stop_the_listener(client: Client) -> None:
    recorder = Recorder()

    def boom(jid: str) -> None:
        raise RuntimeError(jid)

    client.events.on("track", boom)
    client.events.on("untrack", recorder.callback("untrack"))
    put(client, "jid")
    with client.events.thread():
        client.track("jid")
        client.untrack("jid")
        assert recorder.wait_for(1) == [("untrack", "jid")]


def test_off_while_listening_takes_effect(client: Client) -> None:
    recorder = Recorder()
    client.events.on("track", recorder.callback("track"))
    client.events.on("untrack", recorder.callback("untrack"))
    put(client, "jid")
    with client.events.thread():
        client.events.off("track")
        client.track("jid")
        client.untrack("jid")
        assert recorder.wait_for(1) == [("untrack", "jid")]


def test_thread_can_be_used_again(client: Client) -> None:
    recorder = Recorder()
    client.events.on("track", recorder.callback("track"))
    for jid in ("a", "missed", "b"):
        put(client, jid)
    with client.events.thread():
        client.track("a")
        recorder.wait_for(1)
    client.track("missed")
    with client.events.thread():
        client.track("b")
        calls = recorder.wait_for(2)
    assert calls == [("track", "a"), ("track", "b")]


def test_thread_exit_is_prompt(client: Client) -> None:
    with client.events.thread():
        started = time.monotonic()
    assert time.monotonic() - started < 2


def test_listen_blocks_until_a_callback_unlistens(client: Client) -> None:
    events = client.events
    seen: list[str] = []

    def stop(jid: str) -> None:
        seen.append(jid)
        events.unlisten()

    events.on("track", stop)
    put(client, "jid")

    def publish() -> None:
        events.listener.wait_until_listening()
        client.track("jid")

    publisher = threading.Thread(target=publish)
    publisher.start()
    events.listen()
    publisher.join()
    assert seen == ["jid"]
    assert not events.listener.is_listening


def test_thread_raises_when_the_server_is_unreachable() -> None:
    unreachable = Redis(
        host="127.0.0.1", port=free_port(), decode_responses=True, retry=Retry(NoBackoff(), 0)
    )
    events = Events(unreachable, retry_window=0.5)
    started = time.monotonic()
    with pytest.raises(ReqlessError, match="before subscribing"), events.thread():
        pass  # pragma: no cover
    assert time.monotonic() - started < 5


def test_unlisten_when_not_listening_is_a_no_op(client: Client) -> None:
    client.events.unlisten()
    assert not client.events.listener.is_listening


# --- Listener --------------------------------------------------------------------------------


def listen_in_thread(listener: Listener) -> tuple[threading.Thread, list[Message]]:
    received: list[Message] = []

    def run() -> None:
        for message in listener.listen():
            received.append(message)

    thread = threading.Thread(target=run)
    thread.start()
    assert listener.wait_until_listening(timeout=5)
    return thread, received


def test_listener_yields_only_messages(server: LocalServer, redis: Redis) -> None:
    listener = Listener(redis, ["a", "b"])
    assert "listening=False" in repr(listener)
    thread, received = listen_in_thread(listener)
    assert listener.is_listening
    redis.publish("a", "one")
    redis.publish("c", "ignored")
    redis.publish("b", "two")
    deadline = time.monotonic() + 5
    while len(received) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    listener.unlisten()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert [(m["type"], m["channel"], m["data"]) for m in received] == [
        ("message", "a", "one"),
        ("message", "b", "two"),
    ]
    assert not listener.is_listening


def test_listener_restarts_after_unlisten(redis: Redis) -> None:
    listener = Listener(redis, ["a"])
    for payload in ("first", "second"):
        thread, received = listen_in_thread(listener)
        redis.publish("a", payload)
        deadline = time.monotonic() + 5
        while not received and time.monotonic() < deadline:
            time.sleep(0.01)
        listener.unlisten()
        thread.join(timeout=5)
        assert [m["data"] for m in received] == [payload]


def test_listener_refuses_to_listen_twice(redis: Redis) -> None:
    listener = Listener(redis, ["a"])
    thread, _ = listen_in_thread(listener)
    with pytest.raises(ReqlessError, match="already listening"):
        next(listener.listen())
    assert listener.is_listening  # the running listen is untouched
    listener.unlisten()
    thread.join(timeout=5)


def test_wait_until_listening_times_out_when_not_started(redis: Redis) -> None:
    assert Listener(redis, ["a"]).wait_until_listening(timeout=0.01) is False


def test_closing_the_generator_stops_listening(redis: Redis) -> None:
    listener = Listener(redis, ["a"])
    messages = listener.listen()
    redis.publish("a", "lost")  # before subscribing: not delivered

    def publish() -> None:
        listener.wait_until_listening(timeout=5)
        redis.publish("a", "x")

    publisher = threading.Thread(target=publish)
    publisher.start()
    assert next(messages)["data"] == "x"
    publisher.join()
    messages.close()
    assert not listener.is_listening
    assert listener.wait_until_listening(timeout=0.01) is False


def test_listener_needs_channels(redis: Redis) -> None:
    with pytest.raises(ReqlessError, match="at least one channel"):
        Listener(redis, [])


# --- Future ----------------------------------------------------------------------------------


def test_future_result() -> None:
    future: Future[int] = Future()
    assert not future.done()
    assert "done=False" in repr(future)
    with pytest.raises(TimeoutError):
        future.result(timeout=0.01)
    future.set_result(5)
    assert future.done()
    assert future.result() == 5
    with pytest.raises(concurrent.futures.InvalidStateError):
        future.set_result(6)


def test_future_wakes_a_waiting_thread() -> None:
    future: Future[str] = Future()
    results: list[str] = []
    waiter = threading.Thread(target=lambda: results.append(future.result(timeout=5)))
    waiter.start()
    future.set_result("done")
    waiter.join()
    assert results == ["done"]
