"""Enqueue reqless jobs from an asyncio web app: Starlette here, FastAPI alike.

Run it with `uvicorn asyncio_starlette:app` (REQLESS_URL names the server), and
the job with `reqless-py-worker --asyncio -q emails --path docs/examples`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reqless.aio import AsyncClient, AsyncJob


class SendWelcome:
    """The job: an `async def` handler, run by `reqless-py-worker --asyncio`."""

    @staticmethod
    async def process(job: AsyncJob) -> None:
        """Pretend to send the mail (an HTTP call to a mail API would go here)."""
        address = json.loads(job.data)["email"]
        await asyncio.sleep(0.01)
        job.data = {"email": address, "sent": True}
        await job.complete()


def create_app(url: str | None = None) -> Starlette:
    """The app; one AsyncClient for its lifetime, closed at shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        where = url or os.environ.get("REQLESS_URL", "redis://localhost:6379")
        async with AsyncClient(where) as client:
            app.state.reqless = client
            yield

    async def signup(request: Request) -> JSONResponse:
        body: Any = await request.json()
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or "@" not in email:
            return JSONResponse({"error": "a JSON body with an email is required"}, 400)
        client: AsyncClient = request.app.state.reqless
        jid = await client.queues["emails"].put(SendWelcome, {"email": email}, retries=3)
        return JSONResponse({"jid": jid}, status_code=202)

    async def job_status(request: Request) -> JSONResponse:
        client: AsyncClient = request.app.state.reqless
        found = await client.jobs.get(request.path_params["jid"])
        if not found:
            return JSONResponse({"error": "no such job"}, status_code=404)
        return JSONResponse({"state": found[0].state})

    routes = [
        Route("/signups", signup, methods=["POST"]),
        Route("/jobs/{jid}", job_status, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


app = create_app()
