"""`GET /healthz`: PING every instance, reveal nothing else."""

from __future__ import annotations

from reqless.client import Client
from reqless.server import start_server
from reqless.ui import UISettings
from reqless.ui.settings import BasicUser

from .conftest import MakeUI


def test_ok_when_every_instance_answers(make_ui: MakeUI) -> None:
    response = make_ui().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_names_the_failing_instance(make_ui: MakeUI, ui_client: Client) -> None:
    server = start_server("valkey")
    stopped = Client(server.url, retry_window=0)
    try:
        server.stop()
        ui = make_ui(clients={"alive": ui_client, "gone": stopped})
        response = ui.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable", "failing": ["gone"]}
        # Served once, not under the instance prefix.
        assert ui.get("/i/alive/healthz").status_code == 404
    finally:
        stopped.database.close()
        server.stop()


def test_recovers_when_the_server_is_back(make_ui: MakeUI) -> None:
    server = start_server("valkey")
    port = server.port
    client = Client(server.url, retry_window=0)
    try:
        ui = make_ui(clients=client)
        assert ui.get("/healthz").status_code == 200
        server.stop()
        assert ui.get("/healthz").status_code == 503
        server = start_server("valkey", port=port)
        assert ui.get("/healthz").json() == {"status": "ok"}
    finally:
        client.database.close()
        server.stop()


def test_needs_no_login(make_ui: MakeUI) -> None:
    settings = UISettings(basic_users=(BasicUser("admin", "secret"),))
    ui = make_ui(settings)
    assert ui.get("/api/v1/info").status_code == 401
    assert ui.get("/healthz").json() == {"status": "ok"}
    assert ui.http.head("/healthz").status_code == 200
