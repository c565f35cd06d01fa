"""Authentication, roles, CSRF, host check and response headers (§8) (placeholder)."""

from __future__ import annotations

import json
from typing import Any

from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from reqless.ui.roles import Role, User
from reqless.ui.state import UIState

__all__ = ["json_response", "middleware"]


def json_response(
    body: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """JSON in UTF-8, never cached (§6.1, §8.5)."""
    return Response(
        json.dumps(body, ensure_ascii=False, allow_nan=False),
        status_code=status_code,
        headers={"Cache-Control": "no-store", **(headers or {})},
        media_type="application/json; charset=utf-8",
    )


class _Anonymous:
    def __init__(self, app: ASGIApp, state: UIState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        role = Role.VIEWER if self.state.settings.read_only else Role.ADMIN
        scope["reqless.user"] = User("anonymous", role)
        await self.app(scope, receive, send)


def middleware(state: UIState) -> list[Middleware]:
    return [Middleware(_Anonymous, state=state)]
