"""Cron expressions for the asyncio client: `reqless.cron` over an AsyncClient."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from reqless.cron import fire_times_call

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient

__all__ = ["next_fire_times"]


async def next_fire_times(
    client: AsyncClient,
    expression: str,
    *,
    timezone: str = "UTC",
    after: datetime | float | None = None,
    count: int = 5,
) -> list[datetime]:
    """The next `count` fire times of cron `expression` (see `reqless.cron.next_fire_times`)."""
    call = fire_times_call(expression, timezone=timezone, after=after, count=count)
    return await client._run(call)
