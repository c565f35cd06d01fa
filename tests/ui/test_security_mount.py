"""The security gate when the UI is mounted in another app, and with several instances."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from reqless.client import Client
from reqless.ui import UISettings, create_app
from reqless.ui.settings import BasicUser

from .conftest import CSRF_COOKIE, CSRF_HEADER, ORIGIN, UI, MakeUI
from .security_probe import basic

ADA = basic("ada", "pw")


@pytest.fixture
def mounted(ui_client: Client) -> Iterator[TestClient]:
    inner = create_app(ui_client, UISettings(basic_users=(BasicUser("ada", "pw"),)))
    outer = Starlette(routes=[Mount("/ops", app=inner)])
    with TestClient(outer, base_url=ORIGIN) as http:
        yield http


def test_mounted_paths_keep_their_rules(mounted: TestClient) -> None:
    locked = mounted.get("/ops/api/v1/info")
    assert locked.status_code == 401
    assert locked.json()["error"]["code"] == "unauthenticated"
    assert "Path=/ops;" in locked.headers["set-cookie"]
    assert mounted.get("/ops/healthz").status_code == 200
    assert mounted.get("/ops/api/v1/info", headers=ADA).status_code == 200


def test_mounted_changes_need_the_token(mounted: TestClient) -> None:
    mounted.get("/ops/healthz")
    token = mounted.cookies[CSRF_COOKIE]
    json_headers = {**ADA, "Origin": ORIGIN, "Content-Type": "application/json"}
    refused = mounted.post("/ops/api/v1/queues/x/pause", content=b"{}", headers=json_headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf"
    sent = mounted.post(
        "/ops/api/v1/queues/x/pause", content=b"{}", headers={**json_headers, CSRF_HEADER: token}
    )
    # Past the gate: whatever the route answers, it is not the gate's refusal.
    assert sent.status_code not in (401, 403, 415)


def test_several_instances(make_ui: MakeUI, ui_client: Client) -> None:
    ui: UI = make_ui(clients={"a": ui_client, "b": ui_client})
    cross = ui.post("/i/b/api/v1/queues/x/pause", {}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    big = {"data": "x" * (2 << 20)}
    assert ui.post("/i/a/api/v1/queues/x/pause", big).status_code == 413
    edited = ui.post("/i/a/api/v1/jobs/j%2F1/requeue-with-data", big)
    assert edited.status_code != 413
