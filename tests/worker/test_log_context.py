"""The job log context a worker sets around a handler is a whole `JobLogContext`
(reqless/workers/logs.py writes its slots directly, once per job)."""

from __future__ import annotations

import asyncio
import dataclasses
from types import SimpleNamespace
from typing import Any

import pytest

from reqless.workers.logs import JobLogContext, current_job, logs_job, logs_job_async

WORKER = SimpleNamespace(client=SimpleNamespace(worker_name="box-1"))
JOB = SimpleNamespace(jid="abc123", queue_name="mail")
EXPECTED = JobLogContext("box-1", "abc123", "mail")


def check(context: JobLogContext | None) -> JobLogContext | None:
    assert context == EXPECTED
    assert context is not None and type(context) is JobLogContext
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.jid = "other"  # type: ignore[misc]
    return context


def test_a_handler_runs_inside_its_jobs_context() -> None:
    @logs_job
    def run(worker: Any, job: Any) -> JobLogContext | None:
        return check(current_job())

    assert run(WORKER, JOB) == EXPECTED
    assert current_job() is None


def test_an_async_handler_runs_inside_its_jobs_context() -> None:
    @logs_job_async
    async def run(worker: Any, job: Any) -> JobLogContext | None:
        return check(current_job())

    async def main() -> JobLogContext | None:
        return await run(WORKER, JOB)

    # In the main thread, as the asyncio worker runs it (tests/conftest.py fails
    # a test that leaves an event loop running there).
    assert asyncio.run(main()) == EXPECTED
    assert current_job() is None
