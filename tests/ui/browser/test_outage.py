"""The 503 "Redis unreachable" page (docs/ui.md, Reading the pages) in Chromium: the live dot shows
the
outage and the sidebar counts say they are unavailable, instead of a green dot
over counts from before the outage."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from reqless.client import Client
from reqless.server import LocalServer, start_server
from reqless.ui import UISettings
from tests.ui.browser.conftest import Serve
from tests.ui.browser.live_server import LiveServer
from tests.ui.browser.tabs import Tabs

pytestmark = pytest.mark.browser

NAV_FAILED = 'nav [data-live="failed_total"]'


@pytest.fixture
def own_server() -> Iterator[LocalServer]:
    """A server this test may stop (the session's one serves the other tests)."""
    running = start_server("valkey")
    yield running
    running.stop()


def test_outage_page_shows_a_red_dot_and_no_counts(
    own_server: LocalServer,
    serve: Serve,
    watched_tabs: Callable[[LiveServer], Tabs],
) -> None:
    client = Client(own_server.url, hostname="w", retry_window=0)
    try:
        queue = client.queues["q"]
        queue.put("app.Job", {})
        job = queue.pop()
        assert job is not None
        job.fail("q-Error", "boom")
        live = serve(UISettings(refresh_floor=1.0), clients=client)
        tabs = watched_tabs(live)
        # The 503 page and the stream it may open log failed loads.
        tabs.guard.allow("503")
        page = tabs.page()
        page.goto(live.url + "/")
        page.wait_for_function(
            "() => document.querySelector('[data-live-indicator]').classList.contains('green')"
        )
        assert page.locator(NAV_FAILED).inner_text() == "1"
        own_server.stop()
        response = page.goto(live.url + "/queues")
        assert response is not None and response.status == 503
        # Give the page's script the time to open (or try) its live channel.
        page.wait_for_timeout(2500)
        dot = page.locator("[data-live-indicator]")
        assert "red" in (dot.get_attribute("class") or "")
        assert "Redis" in (dot.get_attribute("title") or "")
        counts = page.locator("nav .count")
        assert counts.count() > 0
        for index in range(counts.count()):
            count = counts.nth(index)
            assert count.inner_text() == "—", count.evaluate("el => el.outerHTML")
            assert "unavailable" in (count.get_attribute("title") or "")
        assert page.locator(".updated").inner_text().startswith("Redis unreachable")
    finally:
        client.database.close()


def test_open_page_turns_red_when_redis_goes_away(
    own_server: LocalServer,
    serve: Serve,
    watched_tabs: Callable[[LiveServer], Tabs],
) -> None:
    client = Client(own_server.url, hostname="w", retry_window=0)
    try:
        client.queues["q"].put("app.Job", {})
        live = serve(UISettings(refresh_floor=1.0), clients=client)
        tabs = watched_tabs(live)
        tabs.guard.allow("503")
        context = tabs.context()
        context.add_init_script("localStorage.setItem('reqless.refresh', '2')")
        page = tabs.page(context)
        page.goto(live.url + "/")
        page.wait_for_function(
            "() => document.querySelector('[data-live-indicator]').classList.contains('green')"
        )
        waiting = page.locator('main [data-live="totals.waiting"]')
        assert waiting.inner_text() == "1"
        own_server.stop()
        page.wait_for_function(
            "() => document.querySelector('[data-live-indicator]').classList.contains('red')",
            timeout=15_000,
        )
        assert "Redis unreachable" in (
            page.locator("[data-live-indicator]").get_attribute("title") or ""
        )
        assert waiting.inner_text() == "—"
        assert page.locator('nav [data-live="queue_count"]').inner_text() == "—"
        assert page.locator(".updated").inner_text().startswith("Redis unreachable since")
        assert page.locator("[data-reachable]").inner_text() == "Redis unreachable"
        # Back on the same port (empty: the server keeps no data): counts return.
        back = start_server("valkey", port=own_server.port)
        try:
            page.wait_for_function(
                "() => document.querySelector('[data-live-indicator]').classList.contains('green')",
                timeout=15_000,
            )
            assert waiting.inner_text() == "0"
            assert "reachable" in page.locator("[data-reachable]").inner_text()
            assert "Redis" not in page.locator("[data-reachable]").inner_text()
        finally:
            back.stop()
    finally:
        client.database.close()
