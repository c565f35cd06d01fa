"""The stored queue patterns, for the asyncio client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from reqless._calls import server as calls
from reqless.models import QueuePriorityPattern

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient

__all__ = ["AsyncQueuePatterns"]


class AsyncQueuePatterns:
    """Identifier and priority patterns (`client.queue_patterns`); see `QueuePatterns`."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"<reqless.aio.AsyncQueuePatterns of {self.client!r}>"

    async def get_queue_identifier_patterns(self) -> dict[str, list[str]]:
        """`{identifier: [pattern, ...]}`; `default` is `["*"]` unless it was set."""
        return await self.client._run(calls.identifier_patterns())

    async def set_queue_identifier_patterns(
        self, identifier_patterns: Mapping[str, list[str]]
    ) -> None:
        """Replace every identifier mapping; everything is checked first."""
        await self.client._run(calls.set_identifier_patterns(identifier_patterns))

    async def get_queue_priority_patterns(self) -> list[QueuePriorityPattern]:
        """The priority tiers in order."""
        return await self.client._run(calls.priority_patterns())

    async def set_queue_priority_patterns(
        self, queue_priority_patterns: Sequence[QueuePriorityPattern]
    ) -> None:
        """Replace the priority tiers; `[]` restores the default."""
        await self.client._run(calls.set_priority_patterns(queue_priority_patterns))
