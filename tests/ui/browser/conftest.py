"""Fixtures of the browser acceptance tests: headless Chromium driving the UI
served by uvicorn on a free loopback port, against the session's valkey-server.

Playwright's sync API runs an event loop of its own in the test thread, so the app
runs in a thread of its own (uvicorn), never through Starlette's TestClient here.

Every page a test opens is watched: console errors, uncaught page errors, dialogs
(alert/confirm/prompt opened by data would be XSS), CSP violations and requests to
any other origin fail the test at teardown. A test that expects one kind of console
noise (a 404 page logs "Failed to load resource") says so with `guard.allow(...)`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping

import pytest
from playwright.sync_api import (
    Browser,
    Page,
    Playwright,
    sync_playwright,
)

from reqless.client import Client
from reqless.ui import UISettings, create_app
from reqless.ui.state import Authorize
from tests.ui.browser.chromium import CHROMIUM_ARGS, chromium_path
from tests.ui.browser.live_server import LiveServer
from tests.ui.browser.tabs import Guard, Tabs


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright, for the tests of this package only: while it runs, its event loop
    is set running in the main thread, where `asyncio.run` then refuses to start."""
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """A headless Chromium per test; absent Chromium skips, except in CI.

    Per test, not per session: closing the browser ends every renderer at once,
    whereas closing a tab right after an action reloaded it now and then left
    Chromium waiting on the renderer for good."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (set REQLESS_CHROMIUM or install chromium)")
        pytest.skip("chromium is not installed")
    launched = playwright_driver.chromium.launch(
        executable_path=str(path), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


Serve = Callable[..., LiveServer]


@pytest.fixture
def serve(ui_client: Client) -> Iterator[Serve]:
    """`serve(settings=None, authorize=None, clients=None)` -> a started LiveServer."""
    started: list[LiveServer] = []

    def make(
        settings: UISettings | None = None,
        authorize: Authorize | None = None,
        clients: Client | Mapping[str, Client] | None = None,
    ) -> LiveServer:
        live = LiveServer(create_app(clients or ui_client, settings, authorize))
        live.start()
        started.append(live)
        return live

    yield make
    for live in started:
        live.stop()


@pytest.fixture
def live(serve: Serve) -> LiveServer:
    """The app with default settings (no auth on loopback: every user is admin)."""
    return serve()


@pytest.fixture
def tabs(live: LiveServer, browser: Browser) -> Iterator[Tabs]:
    """Pages on the default live server; the test fails if a watched page misbehaved.

    `live` comes before `browser` so the browser closes first: a server stopping
    under open streams would wait out its graceful-shutdown time."""
    opened = Tabs(browser, Guard(live.url))
    yield opened
    opened.guard.check()


@pytest.fixture
def page(tabs: Tabs) -> Page:
    """One watched page on the default live server."""
    return tabs.page()


@pytest.fixture
def guard(tabs: Tabs) -> Guard:
    return tabs.guard


def tabs_for(browser: Browser, live: LiveServer) -> Tabs:
    """Tabs on another live server (e.g. with other settings); call `.guard.check()`
    at the end, or use it through `watched_tabs`."""
    return Tabs(browser, Guard(live.url))


@pytest.fixture
def watched_tabs(browser: Browser) -> Iterator[Callable[[LiveServer], Tabs]]:
    """`watched_tabs(live)` -> Tabs on that server, checked at teardown."""
    made: list[Tabs] = []

    def make(live: LiveServer) -> Tabs:
        opened = tabs_for(browser, live)
        made.append(opened)
        return opened

    yield make
    for opened in made:
        opened.guard.check()
