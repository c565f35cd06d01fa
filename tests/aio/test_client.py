"""The asyncio client itself: construction, calls, tags, workers, patterns, drift."""

from __future__ import annotations

import asyncio
import json

import pytest

from reqless import defaults
from reqless.aio import AsyncClient
from reqless.client import Client
from reqless.core import CoreError
from reqless.exceptions import ReqlessError
from reqless.models import QueuePriorityPattern
from reqless.server import LocalServer
from tests.aio.conftest import Runner, Surface

KLASS = "tests.aio.jobs.Noop"


def test_constructor_does_not_contact_the_server() -> None:
    async def scenario() -> None:
        client = AsyncClient("redis://127.0.0.1:1/3", hostname="me")
        assert repr(client) == "<reqless.aio.AsyncClient 127.0.0.1:1 db=3 worker='me'>"
        assert client.retry_window == defaults.RETRY_WINDOW
        kwargs = client.database.connection_pool.connection_kwargs
        assert kwargs["decode_responses"] is True
        assert client.database.connection_pool.max_connections == defaults.ASYNC_MAX_CONNECTIONS
        await client.aclose()

    asyncio.run(scenario())


def test_a_bad_retry_window_is_refused() -> None:
    with pytest.raises(ReqlessError, match="retry_window must be a finite number >= 0"):
        AsyncClient(retry_window=-1)


def test_from_client_copies_url_options_and_name(server: LocalServer) -> None:
    sync = Client(server.url, hostname="twin", socket_timeout=30)

    async def scenario() -> None:
        async with AsyncClient.from_client(sync, max_connections=7) as client:
            assert client.worker_name == "twin" and client.sync_client is sync
            pool = client.database.connection_pool
            assert pool.max_connections == 7
            assert pool.connection_kwargs["socket_timeout"] == 30
            assert await client.database.ping()

    asyncio.run(scenario())
    assert sync.database.ping()  # not closed by the async client
    sync.database.close()


def test_calls_return_raw_replies_and_core_errors(aio: Runner) -> None:
    async def scenario(s: Surface) -> None:
        assert json.loads(await s.client("queues.names")) == []
        with pytest.raises(CoreError, match="Unknown command") as caught:
            await s.client("no.such.command")
        assert "Unknown command" in caught.value.raw

    aio(scenario)


def test_the_same_error_text_as_the_sync_client(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        with pytest.raises(CoreError) as caught:
            await s(lambda c: c("queue.put", "w", "q", "jid", "K", "{}", "soon"))
        assert str(caught.value) == 'Put(): Arg "delay" not a number: soon'
        assert caught.value.location is not None and caught.value.location.startswith("src/")

    both(scenario)


def test_tags_workers_and_unfail(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        for _ in range(2):
            await s(lambda c: c.queues["q"].put(KLASS, {}, tags=["common"]))
        assert await s(lambda c: c.tags()) == ["common"]
        job = await s(lambda c: c.queues["q"].pop())
        counts = await s(lambda c: c.workers.counts() if s.is_async else c.workers.counts)
        assert counts[0]["name"] == "test-worker" and counts[0]["jobs"] == 1
        held = await s(lambda c: c.workers.jobs("test-worker") if s.is_async
                       else c.workers["test-worker"])  # fmt: skip
        assert held == {"jobs": [job.jid], "stalled": []}
        await s(lambda c: c.workers.forget("test-worker"))
        await s(lambda c: job.fail("g", "m"))
        assert await s(lambda c: c.unfail("g", "q")) == 1
        with pytest.raises(ReqlessError, match="group must be a non-empty string"):
            await s(lambda c: c.unfail("", "q"))

    both(scenario)


def test_queue_patterns(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        patterns = s.client.queue_patterns
        await s(lambda c: patterns.set_queue_identifier_patterns({"mail": ["mail-*"]}))
        found = await s(lambda c: patterns.get_queue_identifier_patterns())
        assert found["mail"] == ["mail-*"]
        tiers = [QueuePriorityPattern(["urgent-*"], True)]
        await s(lambda c: patterns.set_queue_priority_patterns(tiers))
        stored = await s(lambda c: patterns.get_queue_priority_patterns())
        assert stored[0] == tiers[0]
        with pytest.raises(ReqlessError, match="not a QueuePriorityPattern"):
            await s(lambda c: patterns.set_queue_priority_patterns(["x"]))
        with pytest.raises(ReqlessError, match="must be a list of strings"):
            await s(lambda c: patterns.set_queue_identifier_patterns({"a": "b"}))

    both(scenario)
