"""What a put says or refuses before it surprises anyone: a replaced job, a class no
worker can import, data too large to send. Sync and async clients alike."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from reqless import defaults
from reqless.aio import AsyncClient
from reqless.client import Client
from reqless.exceptions import LostLockError, ReqlessError
from reqless.queue import ReplacedJobWarning
from reqless.server import LocalServer
from tests.client.recording import RecordingClient
from tests.helpers import snapshot

KLASS = "tests.client.test_put_checks.Gnome"


class Gnome:
    """A job class of an importable module."""


# A class whose path says `__main__`, as one defined in a script run directly.
MainGnome = type("MainGnome", (), {"__module__": "__main__"})


@pytest.fixture
def rec(server: LocalServer, redis: Redis) -> Iterator[RecordingClient]:
    made = RecordingClient(server.url, hostname="test-worker")
    yield made
    made.database.close()


def _async(server: LocalServer, scenario: Any, **options: Any) -> Any:
    async def run() -> Any:
        async with AsyncClient(server.url, hostname="test-worker", **options) as client:
            return await scenario(client)

    return asyncio.run(run())


# -- a put that replaces an existing job ----------------------------------------------


def test_a_put_replacing_a_running_job_warns_and_names_its_worker(client: Client) -> None:
    queue = client.queues["q"]
    queue.put(KLASS, {"n": 1}, jid="mine")
    running = queue.pop()
    assert running is not None
    with pytest.warns(ReplacedJobWarning) as caught:
        assert queue.put(KLASS, {"n": 2}, jid="mine") == "mine"
    (warning,) = caught
    text = str(warning.message)
    assert "mine (running in 'q'" in text and "'test-worker'" in text
    assert "LostLockError" in text and "replace=True" in text
    assert warning.filename == __file__  # points at the caller's put
    with pytest.raises(LostLockError):
        running.complete()


def test_replace_true_replaces_without_a_warning_or_a_check(rec: RecordingClient) -> None:
    queue = rec.queues["q"]
    queue.put(KLASS, {"n": 1}, jid="mine")
    rec.calls.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        queue.put(KLASS, {"n": 2}, jid="mine", replace=True)
    assert [call[0] for call in rec.calls] == ["queue.put"]
    assert rec.jobs.get_job("mine").data == '{"n": 2}'


def test_a_generated_jid_costs_no_extra_round_trip(rec: RecordingClient) -> None:
    rec.queues["q"].put(KLASS, {})
    rec.queues["q"].put_many([{"klass": KLASS, "data": {}}] * 3)
    assert [call[0] for call in rec.calls] == ["queue.put", "queue.putMany"]


def test_a_new_explicit_jid_is_checked_once_and_does_not_warn(rec: RecordingClient) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec.queues["q"].put(KLASS, {}, jid="fresh")
    assert [call[0] for call in rec.calls] == ["job.getMulti", "queue.put"]


def test_put_many_warns_once_for_every_job_it_replaced(client: Client) -> None:
    queue = client.queues["q"]
    queue.put(KLASS, {}, jid="a")
    queue.put(KLASS, {}, jid="b", delay=60)
    items: list[dict[str, Any]] = [
        {"klass": KLASS, "data": {}, "jid": jid} for jid in ("a", "b", "c")
    ]
    with pytest.warns(ReplacedJobWarning, match=r"2 existing job\(s\).*a \(waiting.*b \(sched"):
        assert queue.put_many(items) == ["a", "b", "c"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        queue.put_many(items, replace=True)


def test_a_put_the_server_refuses_does_not_warn(client: Client) -> None:
    client.queues["q"].put(KLASS, {}, jid="self")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ReqlessError):
            client.queues["q"].put(KLASS, {}, jid="self", depends=["self"])


def test_the_async_client_warns_alike(server: LocalServer, redis: Redis) -> None:
    async def scenario(client: AsyncClient) -> None:
        queue = client.queues["q"]
        await queue.put(KLASS, {}, jid="a")
        await queue.pop()
        with pytest.warns(ReplacedJobWarning, match="a \\(running in 'q'"):
            await queue.put(KLASS, {}, jid="a")
        with pytest.warns(ReplacedJobWarning, match="a \\(waiting"):
            await queue.put_many([{"klass": KLASS, "data": {}, "jid": "a"}])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            await queue.put(KLASS, {}, jid="a", replace=True)
            await queue.put_many([{"klass": KLASS, "data": {}, "jid": "a"}], replace=True)

    _async(server, scenario)


# -- class paths no worker could import ------------------------------------------------


@pytest.mark.parametrize(
    "klass",
    ["not a class!", "app..Job", ".Job", "app.", "app.Job()", "a-b.C", "K<script>", "app:::Job"],
)
def test_a_class_path_no_worker_could_hold_is_refused(
    client: Client, redis: Redis, klass: str
) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match="job class must be a class path such as "):
        client.queues["q"].put(klass, {})
    with pytest.raises(ReqlessError, match="job 1: job class must be a class path such as "):
        client.queues["q"].put_many([{"klass": KLASS, "data": {}}, {"klass": klass, "data": {}}])
    with pytest.raises(ReqlessError, match="job class must be a class path such as "):
        client.queues["q"].recur(klass, {}, 60)
    assert snapshot(redis) == before


@pytest.mark.parametrize("klass", [MainGnome, "__main__.MainGnome"])
def test_a_class_of_main_is_refused_with_the_reason(
    client: Client, redis: Redis, klass: type | str
) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match=r"defined in __main__.*which no worker can import"):
        client.queues["q"].put(klass, {})
    with pytest.raises(ReqlessError, match=r"job 0: job class __main__\.MainGnome"):
        client.queues["q"].put_many([{"klass": klass, "data": {}}])
    assert snapshot(redis) == before


def test_the_async_client_refuses_a_main_class(server: LocalServer, redis: Redis) -> None:
    async def scenario(client: AsyncClient) -> None:
        with pytest.raises(ReqlessError, match="defined in __main__"):
            await client.queues["q"].put(MainGnome, {})
        with pytest.raises(ReqlessError, match="defined in __main__"):
            await client.queues["q"].put_many([{"klass": MainGnome, "data": {}}])
        with pytest.raises(ReqlessError, match="must be a class path"):
            await client.queues["q"].put("not a class!", {})

    before = snapshot(redis)
    _async(server, scenario)
    assert snapshot(redis) == before


def test_single_names_and_module_classes_are_still_accepted(client: Client) -> None:
    # A one-word class can be handled by a worker of another language.
    assert client.queues["q"].put("Job", {})
    for other_language in ("Billing::Charge", "App\\Jobs\\Charge", "app.Outer$Inner"):
        jid = client.queues["q"].put(other_language, {})
        assert client.jobs.get_job(jid).klass_name == other_language
    assert client.jobs.get_job(client.queues["q"].put(Gnome, {})).klass_name == KLASS


# -- data too large to send ------------------------------------------------------------


def test_data_over_the_clients_limit_is_refused_before_sending(
    server: LocalServer, redis: Redis
) -> None:
    client = Client(server.url, max_data_bytes=100)
    big = {"text": "x" * 100}
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match=r"job data is 112 bytes, over the client's limit of 1"):
        client.queues["q"].put(KLASS, big)
    with pytest.raises(ReqlessError, match=r"job 0: job data is 112 bytes"):
        client.queues["q"].put_many([{"klass": KLASS, "data": big}])
    with pytest.raises(ReqlessError, match="over the client's limit"):
        client.queues["q"].recur(KLASS, big, 60)
    # Characters are not bytes: 52 characters, 102 bytes of UTF-8 text.
    with pytest.raises(ReqlessError, match="job data is 102 bytes"):
        client.queues["q"].put(KLASS, '"' + "é" * 50 + '"')
    assert snapshot(redis) == before
    assert client.queues["q"].put(KLASS, {"text": "x" * 80})
    client.database.close()


def test_put_many_splits_calls_to_stay_under_the_limit(server: LocalServer, redis: Redis) -> None:
    client = RecordingClient(server.url, max_data_bytes=100)
    items = [{"klass": KLASS, "data": {"t": "x" * 40}} for _ in range(5)]  # 49 bytes each
    jids = client.queues["q"].put_many(items)
    assert [call[0] for call in client.calls] == ["queue.putMany"] * 3
    assert len(jids) == 5 and len(client.queues["q"]) == 5
    client.database.close()


def test_the_limit_defaults_to_64_mib_and_none_turns_it_off(server: LocalServer) -> None:
    assert defaults.MAX_DATA_BYTES == 64 * 1024 * 1024
    assert Client(server.url).max_data_bytes == defaults.MAX_DATA_BYTES
    assert Client(server.url, max_data_bytes=None).max_data_bytes is None
    for bad in (0, -1, 1.5, True, "big"):
        with pytest.raises(ReqlessError, match="max_data_bytes must be"):
            Client(server.url, max_data_bytes=bad)  # type: ignore[arg-type]


def test_the_async_client_has_the_same_limit(server: LocalServer, redis: Redis) -> None:
    async def scenario(client: AsyncClient) -> None:
        assert client.sync_client.max_data_bytes == 100
        with pytest.raises(ReqlessError, match="over the client's limit of 100"):
            await client.queues["q"].put(KLASS, {"text": "x" * 100})
        with pytest.raises(ReqlessError, match="over the client's limit of 100"):
            await client.queues["q"].put_many([{"klass": KLASS, "data": {"text": "x" * 100}}])

    before = snapshot(redis)
    _async(server, scenario, max_data_bytes=100)
    assert snapshot(redis) == before
