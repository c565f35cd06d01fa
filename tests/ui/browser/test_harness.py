"""The browser harness itself: the guard hears everything it must fail on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tests.ui.browser.live_server import LiveServer
from tests.ui.browser.tabs import Guard, Tabs

pytestmark = pytest.mark.browser


async def _blank(request: Request) -> Response:
    return HTMLResponse("<!doctype html><title>blank</title><p>blank</p>")


@pytest.fixture
def bare_server() -> Iterator[LiveServer]:
    live = LiveServer(Starlette(routes=[Route("/", _blank)]))
    live.start()
    yield live
    live.stop()


def test_guard_hears_dialogs_console_errors_csp_and_foreign_requests(
    browser: Browser, bare_server: LiveServer
) -> None:
    tabs = Tabs(browser, Guard(bare_server.url))
    page = tabs.page()
    page.goto("/")
    page.evaluate("() => { alert('x'); console.error('boom'); }")
    page.evaluate(
        "() => document.dispatchEvent(new SecurityPolicyViolationEvent("
        "'securitypolicyviolation', {violatedDirective: 'script-src', blockedURI: 'inline',"
        " effectiveDirective: 'script-src', originalPolicy: 'x', disposition: 'enforce',"
        " statusCode: 200}))"
    )
    page.evaluate("() => fetch('http://example.invalid/x').catch(() => null)")
    page.wait_for_function("() => window.__streams !== undefined")
    problems = tabs.guard.problems()
    assert any(text.startswith("dialog opened: alert: x") for text in problems), problems
    assert any("boom" in text for text in problems), problems
    assert any("CSP violation: script-src" in text for text in problems), problems
    assert any("example.invalid" in text for text in problems), problems
