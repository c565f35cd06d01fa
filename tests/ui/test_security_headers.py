"""The response headers of docs/ui.md, Response headers, on every kind of response."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from reqless.ui import UISettings
from reqless.ui.settings import BasicUser

from .conftest import UI, MakeUI
from .security_probe import CHANGE, PAGE, WHOAMI, add_probe

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
STATIC_DIR = Path(__file__).parents[2] / "reqless" / "ui" / "static"


def _assert_secured(answer: Any, *, no_store: bool = True) -> None:
    headers = answer.headers
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    if no_store:
        assert headers["Cache-Control"] == "no-store"
    # Each header once: a route's own value never doubles ours.
    assert len(headers.get_list("Content-Security-Policy")) == 1


@pytest.fixture
def probe(make_ui: MakeUI) -> UI:
    return add_probe(make_ui())


def test_html_and_api_responses(probe: UI) -> None:
    page = probe.get(PAGE)
    assert page.headers["content-type"].startswith("text/html")
    _assert_secured(page)
    _assert_secured(probe.get(WHOAMI))
    _assert_secured(probe.post(CHANGE, {"a": 1}))


def test_error_responses(make_ui: MakeUI, probe: UI) -> None:
    _assert_secured(probe.get("/api/v1/no-such-thing"))
    _assert_secured(probe.get("/no-such-page"))
    _assert_secured(probe.post(CHANGE, {}, headers={"Origin": "https://evil.example"}))
    _assert_secured(probe.get(PAGE, headers={"Host": "evil.example"}))
    _assert_secured(probe.post(CHANGE, {"x": "y" * (1 << 20)}))
    locked = make_ui(UISettings(basic_users=(BasicUser("ada", "pw"),)))
    _assert_secured(locked.get("/api/v1/info"))
    _assert_secured(locked.get("/"))


def test_static_responses(probe: UI) -> None:
    shipped = sorted(p for p in STATIC_DIR.rglob("*") if p.is_file())
    missing = probe.get("/static/no-such-file.css")
    _assert_secured(missing)
    if shipped:
        path = "/static/" + shipped[0].relative_to(STATIC_DIR).as_posix()
        asset = probe.get(path)
        assert asset.status_code == 200
        # Assets may be cached; they still carry the policy.
        _assert_secured(asset, no_store=False)


def test_health_response(probe: UI) -> None:
    _assert_secured(probe.get("/healthz"))


def test_frame_ancestors_can_be_widened(make_ui: MakeUI) -> None:
    ui = make_ui(UISettings(frame_ancestors=("'self'", "https://admin.example.com")))
    policy = ui.get("/healthz").headers["Content-Security-Policy"]
    assert policy.endswith("frame-ancestors 'self' https://admin.example.com")
    assert "frame-ancestors 'none'" not in policy


def test_websockets_are_refused(probe: UI) -> None:
    with pytest.raises(WebSocketDisconnect), probe.http.websocket_connect("/api/v1/stream"):
        pass
