"""Tiny routes the security tests add to a real UI app, so they do not depend on
which API endpoints exist yet: one GET that reports the user, and one change that
needs the operator role and echoes its body."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from reqless.ui.http import security
from reqless.ui.http.context import require, user
from reqless.ui.roles import Role

from .conftest import UI

WHOAMI = "/api/v1/_probe/whoami"
CHANGE = "/api/v1/_probe/change"
EDITED = "/api/v1/jobs/some%2Fjid/requeue-with-data"
PAGE = "/_probe/page"


def _whoami(request: Request) -> Response:
    who = user(request)
    return security.json_response({"name": who.name, "role": who.role.label, "via": who.via})


async def _change(request: Request) -> Response:
    who = require(request, Role.OPERATOR)
    body = await request.json()
    return security.json_response({"user": who.name, "body": body})


def _page(request: Request) -> Response:
    return HTMLResponse(f"<p>{security.csrf_token(request)}</p>")


def add_probe(ui: UI) -> UI:
    """Add the probe routes to the app behind `ui` (routes are looked up per request)."""
    ui.http.app.router.routes[:0] = [  # type: ignore[attr-defined]
        Route(WHOAMI, _whoami),
        Route(CHANGE, _change, methods=["POST"]),
        Route(EDITED, _change, methods=["POST"]),
        Route(PAGE, _page),
    ]
    return ui


@contextmanager
def security_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture `reqless.ui.http.security` (the package logger does not propagate)."""
    logger = logging.getLogger("reqless.ui.security")
    caplog.set_level(logging.INFO, logger="reqless.ui.security")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def basic(name: str, password: str) -> dict[str, str]:
    """The Authorization header of HTTP Basic."""
    raw = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
