"""The HTML pages of §4 (placeholder until written)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute

from reqless.ui.errors import ApiError

__all__ = ["error_page", "routes"]


def routes() -> list[BaseRoute]:
    return []


def error_page(request: Request, error: ApiError) -> Response:
    return PlainTextResponse(error.message, status_code=error.status, headers=error.headers)
