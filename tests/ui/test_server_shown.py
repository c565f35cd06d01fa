"""Every page says which server it shows, and a password problem is said plainly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reqless.client import Client
from reqless.server import LocalServer, start_server
from tests.ui.conftest import MakeUI


@pytest.fixture(scope="module")
def protected() -> Iterator[LocalServer]:
    server = start_server("valkey", password="hunter2")
    yield server
    server.stop()


def test_the_footer_names_the_server(make_ui: MakeUI, ui_server: LocalServer) -> None:
    page = make_ui().get("/queues")
    assert page.status_code == 200
    footer = page.text.split('<footer class="foot">', 1)[1]
    assert f"<code data-server-url>redis://127.0.0.1:{ui_server.port}/0</code>" in footer


def test_a_server_wanting_a_password_gets_a_page_that_says_so(
    make_ui: MakeUI, protected: LocalServer
) -> None:
    client = Client(f"redis://127.0.0.1:{protected.port}/0", retry_window=0)
    try:
        page = make_ui(clients=client).get("/queues")
    finally:
        client.database.close()
    assert page.status_code == 503
    assert "requires a password: put it in the URL as redis://:PASSWORD@127.0.0.1:" in page.text
    assert "HELLO must be called" not in page.text
