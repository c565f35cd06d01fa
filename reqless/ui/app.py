"""`create_app`: the ASGI app of the UI (docs/ui.md, Embedding in your application), assembled from
its parts.

Routes live in the modules named for what they serve: pages (HTML), api_read and
api_actions (JSON API), stream (server-sent events), health (/healthz, /metrics).
With several instances every page and API path sits under `/i/{instance}` (docs/ui.md, Several
instances).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from reqless.client import Client
from reqless.exceptions import CoreError, ReqlessError
from reqless.server_access import explain
from reqless.ui import pages
from reqless.ui.actions import api_actions
from reqless.ui.errors import ApiError
from reqless.ui.http import security
from reqless.ui.http.context import instance
from reqless.ui.http.paths import RawPathMiddleware, url_prefix
from reqless.ui.live import health, stream
from reqless.ui.reads import api_read
from reqless.ui.settings import UISettings
from reqless.ui.state import Authorize, UIState

__all__ = ["create_app"]

STATIC_DIR = Path(__file__).parent / "static"


def _instance_routes() -> list[BaseRoute]:
    """Everything that exists once per instance: pages, API, stream."""
    return [*api_read.routes(), *api_actions.routes(), *stream.routes(), *pages.routes()]


async def _to_first_instance(request: Request) -> Response:
    state: UIState = request.app.state.ui
    first = next(iter(state.instances))
    return RedirectResponse(f"{url_prefix(request)}/i/{first}/", status_code=307)


def _routes(state: UIState) -> list[BaseRoute]:
    shared: list[BaseRoute] = [
        *health.routes(),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    if state.multi:
        return [
            *shared,
            Route("/", _to_first_instance),
            Mount("/i/{instance}", routes=_instance_routes()),
        ]
    return [*shared, *_instance_routes()]


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return "/api/" in path or path.endswith("/healthz") or path.endswith("/metrics")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if _wants_json(request):
        return security.json_response(exc.body(), status_code=exc.status, headers=exc.headers)
    return pages.error_page(request, exc)


_HTTP_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "invalid_argument"}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "invalid_argument")
    message = "no such page" if exc.status_code == 404 else str(exc.detail)
    return await _api_error(request, ApiError(code, message))


async def _redis_down(request: Request, exc: Exception) -> Response:
    try:
        where = instance(request)
        names = {"instance": where.name, "url": where.url}
    except ApiError:
        names = {}
    explained = explain(exc, names["url"]) if names else None  # a password or TLS problem
    message = str(explained) if explained else f"Redis is unreachable: {exc}"
    error = ApiError("redis_unavailable", message, names)
    error.headers["Retry-After"] = "5"
    return await _api_error(request, error)


async def _core_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, CoreError):
        error = ApiError("core_error", str(exc), {"core_message": str(exc)})
    else:
        error = ApiError("invalid_argument", str(exc))
    return await _api_error(request, error)


def create_app(
    clients: Client | Mapping[str, Client],
    settings: UISettings | None = None,
    authorize: Authorize | None = None,
) -> Starlette:
    """The UI as an ASGI app.

    Args:
        clients: one `reqless.Client`, or instance name -> client (names match
            `[A-Za-z0-9_-]{1,32}`; with several, paths gain `/i/{name}`).
        settings: the options of `reqless ui` (defaults when None).
        authorize: `authorize(request) -> Role | None`; when given it replaces the
            built-in authentication, and None means 403.

    Mount it anywhere (`Mount("/ops", app=create_app(client))`): links, assets, API
    calls and cookies follow the mount path. Background parts (the event relay,
    long operations) start on first use, so they run whether or not the host app
    forwards lifespan events.
    """
    state = UIState.build(clients, settings, authorize)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            stream.shutdown(state)
            api_actions.shutdown(state)

    app = Starlette(
        routes=_routes(state),
        middleware=[Middleware(RawPathMiddleware), *security.middleware(state, pages.error_page)],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            RedisConnectionError: _redis_down,
            RedisTimeoutError: _redis_down,
            ReqlessError: _core_error,
        },
        lifespan=lifespan,
    )
    app.state.ui = state
    return app
