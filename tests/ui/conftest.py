"""Fixtures of the UI tests: the app on a real valkey-server, driven by Starlette's
test client, with same-origin headers and the CSRF token a browser page would send.

The UI reads through the client library, whose core calls are tested on both
servers elsewhere; most UI tests therefore run on valkey only (`ui_server`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from redis import Redis
from starlette.testclient import TestClient

from reqless.client import Client
from reqless.server import LocalServer, start_server
from reqless.ui import UISettings, create_app
from reqless.ui.state import Authorize

ORIGIN = "http://127.0.0.1"
CSRF_COOKIE = "reqless_csrf"
CSRF_HEADER = "X-CSRF-Token"


@pytest.fixture(scope="session")
def ui_server() -> Iterator[LocalServer]:
    running = start_server("valkey")
    yield running
    running.stop()


@pytest.fixture
def ui_redis(ui_server: LocalServer) -> Iterator[Redis]:
    """A decoded-text connection to a freshly flushed database."""
    connection = ui_server.client()
    connection.flushall()
    yield connection
    connection.close()


@pytest.fixture
def ui_client(ui_server: LocalServer, ui_redis: Redis) -> Iterator[Client]:
    """The reqless client the UI shows (created after the flush)."""
    made = Client(ui_server.url, hostname="ui-test-worker", retry_window=0)
    yield made
    made.database.close()


class UI:
    """A browser-like caller of the app: GETs freely; changes carry the JSON body,
    the same-origin `Origin` header and the CSRF token, as the UI's own script does."""

    def __init__(self, test_client: TestClient) -> None:
        self.http = test_client

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.http.get(path, **kwargs)

    def csrf_token(self) -> str:
        token = self.http.cookies.get(CSRF_COOKIE)
        if token is None:
            self.http.get("/api/v1/info")
            token = self.http.cookies.get(CSRF_COOKIE)
        assert token, "the UI did not set its CSRF cookie"
        return str(token)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        sent = {"Origin": ORIGIN, CSRF_HEADER: self.csrf_token(), **(headers or {})}
        return self.http.request(method, path, json={} if body is None else body, headers=sent)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("PUT", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("PATCH", path, body, **kwargs)

    def delete(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("DELETE", path, body, **kwargs)


MakeUI = Callable[..., UI]


@pytest.fixture
def make_ui(ui_client: Client) -> Iterator[MakeUI]:
    """`make_ui(settings=None, authorize=None, clients=None, **headers)` -> UI."""
    opened: list[TestClient] = []

    def make(
        settings: UISettings | None = None,
        authorize: Authorize | None = None,
        clients: Client | Mapping[str, Client] | None = None,
        **test_client_options: Any,
    ) -> UI:
        app = create_app(clients or ui_client, settings, authorize)
        options: dict[str, Any] = {"base_url": ORIGIN}
        options.update(test_client_options)
        test_client = TestClient(app, **options)
        test_client.__enter__()
        opened.append(test_client)
        return UI(test_client)

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


@pytest.fixture
def ui(make_ui: MakeUI) -> UI:
    """The app with default settings (loopback, no auth: every user is admin)."""
    return make_ui()
