"""Job classes the asyncio tests put and process."""

from __future__ import annotations

import json
from typing import Any


class Noop:
    """Does nothing (a class to put)."""

    @staticmethod
    def process(job: Any) -> None:
        """Nothing."""


class AsyncCompletes:
    """An `async def` handler that completes its job with a note in its data."""

    @staticmethod
    async def process(job: Any) -> None:
        """Complete, recording which kind of job object it was given."""
        job.data = {"given": type(job).__name__}
        await job.complete()


class PlainCompletes:
    """A plain handler: it runs in a thread with a sync `reqless.Job`."""

    @staticmethod
    def process(job: Any) -> None:
        """Complete, recording which kind of job object it was given."""
        job.data = {"given": type(job).__name__}
        job.complete()


class AsyncRaises:
    """An `async def` handler that raises."""

    @staticmethod
    async def process(job: Any) -> None:
        """Raise ValueError with the job's data."""
        raise ValueError(json.loads(job.data).get("why", "no reason"))


class OnlyOtherQueue:
    """A handler named after a queue, and no `process`."""

    @staticmethod
    async def special(job: Any) -> None:
        """Complete."""
        await job.complete()
