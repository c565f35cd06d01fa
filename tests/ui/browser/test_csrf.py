"""Acceptance, CSRF, from a real browser: a page on another origin that the operator
visits tries to change the UI's Redis with a form post and with fetch; nothing
changes. (Every forged variant against every endpoint is in test_acceptance_api.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from redis import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from reqless.client import Client
from tests.ui.browser.live_server import LiveServer
from tests.ui.browser.redis_dump import dump
from tests.ui.browser.site import open_page
from tests.ui.browser.tabs import Tabs

pytestmark = pytest.mark.browser


def _evil_app(target: str) -> Starlette:
    """A page that posts to the UI as soon as it loads, three ways."""
    endpoint = f"{target}/api/v1/queues/victim/pause"

    async def evil(request: Request) -> Response:
        return HTMLResponse(
            f"""<!doctype html><title>cute cats</title>
            <iframe name="sink"></iframe>
            <form id="f" method="POST" action="{endpoint}" target="sink">
              <input name="x" value="1"></form>
            <script>
              document.getElementById('f').submit();
              fetch('{endpoint}', {{method: 'POST', mode: 'no-cors', credentials: 'include',
                body: '{{}}', headers: {{'Content-Type': 'text/plain'}}}});
              fetch('{endpoint}', {{method: 'POST', credentials: 'include',
                body: '{{}}', headers: {{'Content-Type': 'application/json'}}}})
                .catch(() => null);
            </script>"""
        )

    return Starlette(routes=[Route("/", evil)])


@pytest.fixture
def evil_site(live: LiveServer) -> Iterator[LiveServer]:
    site = LiveServer(_evil_app(live.url))
    site.start()
    yield site
    site.stop()


def test_another_site_cannot_change_anything(
    tabs: Tabs,
    browser: Browser,
    evil_site: LiveServer,
    ui_client: Client,
    ui_redis: Redis,
) -> None:
    ui_client.queues["victim"].put("app.Job", {})
    context = tabs.context()
    ui_page = tabs.page(context)
    open_page(ui_page, "/queues/victim")  # the operator has the UI open: cookie set
    before = dump(ui_redis)
    visited: list[tuple[str, int]] = []
    evil = context.new_page()  # not watched: its requests to the UI are the attack
    evil.on("response", lambda reply: visited.append((reply.url, reply.status)))
    evil.goto(evil_site.url + "/")
    for _ in range(100):
        if sum("/pause" in url for url, _status in visited) >= 2:
            break
        evil.wait_for_timeout(50)
    evil.wait_for_timeout(300)
    statuses = [status for url, status in visited if "/pause" in url]
    assert statuses, "the forged requests never reached the UI"
    assert all(status in (403, 415) for status in statuses), visited
    assert dump(ui_redis) == before
    assert not ui_client.queues["victim"].counts["paused"]
