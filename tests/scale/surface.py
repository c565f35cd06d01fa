"""One scenario run: a client of one kind on one target, plus peers and raw access.

`ScaleSurface` is the `Surface` of tests/aio/conftest.py (the same calling
convention, so a scenario reads alike everywhere) with what the scale targets
add: `peer()` opens a second client of the same kind, namespace and server (for
a worker other than `test-worker`), and `raw` is a plain connection to the one
node that holds the client's keys (the namespace's primary in a cluster, the
current primary behind Sentinel). `run_on` runs a scenario and closes it all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis import Redis

from reqless.aio import AsyncClient
from reqless.client import Client
from tests.aio.conftest import Kind, Surface

__all__ = ["ScaleSurface", "Scenario", "Target", "run_on"]


@dataclass(frozen=True)
class Target:
    """Where a scenario runs: a server URL and the namespace of its clients."""

    url: str
    namespace: str | None
    #: A plain connection to the node that holds the namespace's keys.
    raw: Redis
    #: Seconds a call is retried for (long on targets that may fail over).
    retry_window: float = 5.0


class ScaleSurface(Surface):
    """A `Surface` on a scale target, able to open more clients like its own."""

    def __init__(self, kind: Kind, target: Target) -> None:
        self.target = target
        self._peers: list[Client | AsyncClient] = []
        super().__init__(kind, self._connect(kind, "test-worker"), target.raw)

    def _connect(self, kind: Kind, hostname: str) -> Client | AsyncClient:
        made: Client | AsyncClient
        target = self.target
        if kind == "sync":
            made = Client(target.url, hostname, namespace=target.namespace,
                          retry_window=target.retry_window)  # fmt: skip
        else:
            made = AsyncClient(target.url, hostname, namespace=target.namespace,
                               retry_window=target.retry_window)  # fmt: skip
        self._peers.append(made)
        return made

    def peer(self, hostname: str) -> Any:
        """Another client of this one's kind, target and namespace, as worker `hostname`."""
        return self._connect(self.kind, hostname)

    async def close(self) -> None:
        """Close this surface's client and every peer."""
        for made in self._peers:
            if isinstance(made, AsyncClient):
                await made.aclose()
            else:
                made.database.close()


Scenario = Callable[[ScaleSurface], Awaitable[None]]


def run_on(kind: Kind, target: Target, scenario: Scenario) -> None:
    """Run `scenario` through a fresh client of `kind` on `target`, then close it."""

    async def main() -> None:
        surface = ScaleSurface(kind, target)
        try:
            await scenario(surface)
        finally:
            await surface.close()

    asyncio.run(main())
