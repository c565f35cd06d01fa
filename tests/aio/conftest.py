"""Fixtures of the asyncio client tests: one scenario, run through both clients.

pytest-asyncio is not a dependency: a test is a plain function that hands an
`async def` scenario to `both` (or `aio`), which runs it with `asyncio.run`.
`both` is parametrised: the same scenario runs once against `reqless.Client`
and once against `reqless.aio.AsyncClient`, through `Surface.__call__`, which
awaits what the async client returns and passes the sync client's results on.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Literal

import pytest
from redis import Redis

from reqless.aio import AsyncClient
from reqless.client import Client
from reqless.server import LocalServer

Kind = Literal["sync", "async"]


class Surface:
    """One client, sync or async, behind one calling convention for scenarios."""

    def __init__(self, kind: Kind, client: Client | AsyncClient, raw: Redis) -> None:
        self.kind = kind
        self.client: Any = client
        #: A plain sync connection to the same database, for checks.
        self.raw = raw

    async def __call__(self, action: Callable[[Any], Any]) -> Any:
        """`action(client)`, awaited when the async client returned an awaitable."""
        result = action(self.client)
        if inspect.isawaitable(result):
            result = await result
        return result

    @property
    def is_async(self) -> bool:
        """True for the asyncio client."""
        return self.kind == "async"

    async def job(self, jid: str) -> Any:
        """The job `jid` (a Job or AsyncJob), or None."""
        return await self(lambda c: c.jobs.get(jid))

    async def length(self, queue: str) -> int:
        """`len(queue)`, or `await queue.length()`."""
        if self.is_async:
            return int(await self.client.queues[queue].length())
        return len(self.client.queues[queue])

    async def counts(self, queue: str) -> dict[str, Any]:
        """`queue.counts`, or `await queue.counts()`."""
        if self.is_async:
            return dict(await self.client.queues[queue].counts())
        return dict(self.client.queues[queue].counts)


Scenario = Callable[[Surface], Awaitable[None]]
Runner = Callable[[Scenario], None]


def run_scenario(kind: Kind, server: LocalServer, raw: Redis, scenario: Scenario) -> None:
    """Run `scenario` against a fresh client of `kind` named `test-worker`."""

    async def main() -> None:
        if kind == "sync":
            client = Client(server.url, hostname="test-worker")
            try:
                await scenario(Surface(kind, client, raw))
            finally:
                client.database.close()
        else:
            async with AsyncClient(server.url, hostname="test-worker") as aclient:
                await scenario(Surface(kind, aclient, raw))

    asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def both(request: pytest.FixtureRequest, server: LocalServer, redis: Redis) -> Iterator[Runner]:
    """Runs a scenario through the sync client, then (second param) the async one."""
    kind: Kind = request.param
    yield lambda scenario: run_scenario(kind, server, redis, scenario)


@pytest.fixture
def aio(server: LocalServer, redis: Redis) -> Iterator[Runner]:
    """Runs a scenario through the async client only (for async-only behaviour)."""
    yield lambda scenario: run_scenario("async", server, redis, scenario)
