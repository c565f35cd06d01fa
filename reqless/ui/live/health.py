"""`GET /healthz` and `GET /metrics` (docs/ui.md, Metrics): served once, outside the instance paths.

`/healthz` is for load balancers: it pings every instance and names the ones that
did not answer, and nothing else. `/metrics` exists only with `--metrics`; whether
it needs a login is the security middleware's decision (`--metrics-auth`).
"""

from __future__ import annotations

import asyncio

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reqless.ui.errors import ApiError
from reqless.ui.http.context import ui
from reqless.ui.http.security import json_response
from reqless.ui.live import metrics
from reqless.ui.state import Instance

__all__ = ["PING_TIMEOUT_S", "routes"]

#: An instance that has not answered PING within this many seconds is failing.
PING_TIMEOUT_S = 3.0


def _ping(inst: Instance) -> bool:
    try:
        return bool(inst.client.database.ping())
    except Exception:
        # Any failure (refused, timed out, wrong password) means "not healthy";
        # the reason is deliberately not revealed to unauthenticated callers.
        return False


async def _answers(inst: Instance) -> bool:
    try:
        return await asyncio.wait_for(run_in_threadpool(_ping, inst), PING_TIMEOUT_S)
    except TimeoutError:
        return False


async def healthz(request: Request) -> Response:
    """200 `{"status": "ok"}`, or 503 with the names of the instances that failed."""
    state = ui(request)
    names = list(state.instances)
    results = await asyncio.gather(*(_answers(state.instances[name]) for name in names))
    failing = [name for name, ok in zip(names, results, strict=True) if not ok]
    if failing:
        return json_response({"status": "unavailable", "failing": failing}, status_code=503)
    return json_response({"status": "ok"})


def metrics_text(request: Request) -> Response:
    """Prometheus text exposition of the instances' counts (404 without --metrics)."""
    state = ui(request)
    if not state.settings.metrics:
        raise ApiError.not_found("metrics are off (start the UI with --metrics)")
    return Response(
        metrics.exposition(state),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/metrics", metrics_text, methods=["GET"]),
    ]
