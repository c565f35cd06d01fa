"""docs/examples/asyncio_starlette.py runs as docs/asyncio.md shows it."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from redis import Redis
from starlette.testclient import TestClient

from reqless.aio import AsyncClient
from reqless.server import LocalServer

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    yield importlib.import_module("asyncio_starlette")
    sys.modules.pop("asyncio_starlette", None)


def test_a_request_handler_enqueues_a_job_the_asyncio_worker_runs(
    example: ModuleType, server: LocalServer, redis: Redis
) -> None:
    with TestClient(example.create_app(server.url)) as http:
        refused = http.post("/signups", json={"name": "no email"})
        assert refused.status_code == 400
        assert http.get("/jobs/unknown").status_code == 404
        accepted = http.post("/signups", json={"email": "ada@example.com"})
        assert accepted.status_code == 202
        jid = accepted.json()["jid"]
        assert http.get(f"/jobs/{jid}").json() == {"state": "waiting"}

        async def work() -> None:  # what one slot of the asyncio worker does
            async with AsyncClient(server.url, hostname="worker") as client:
                job = await client.queues["emails"].pop()
                assert job is not None and job.klass_name == "asyncio_starlette.SendWelcome"
                await job.process()

        asyncio.run(work())
        assert http.get(f"/jobs/{jid}").json() == {"state": "complete"}
