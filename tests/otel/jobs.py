"""Job classes of the OpenTelemetry tests (imported by name by the client)."""

from __future__ import annotations

from typing import Any


class Completes:
    """Completes its job."""

    @staticmethod
    def process(job: Any) -> None:
        job.complete()


class Raises:
    """Raises ValueError (the job is failed)."""

    @staticmethod
    def process(job: Any) -> None:
        raise ValueError("no such gnome")


class RetriesOnce:
    """Retries its job on the first run, completes it on the second."""

    @staticmethod
    def process(job: Any) -> None:
        if job.retries_left == job.original_retries:
            job.retry()
        else:
            job.complete()


class AsyncCompletes:
    """An asyncio job that completes."""

    @staticmethod
    async def process(job: Any) -> None:
        await job.complete()
