"""The error pages and the 404 offer for an unknown jid."""

from __future__ import annotations

from redis import Redis
from starlette.requests import Request

from reqless.client import Client
from reqless.server import LocalServer
from reqless.ui import UISettings
from reqless.ui.errors import ApiError
from reqless.ui.roles import Role
from reqless.ui.settings import BasicUser
from tests.ui.conftest import UI, MakeUI


def test_unknown_jid_is_404_with_the_prefix_search(ui: UI) -> None:
    response = ui.get("/jobs/abc%2F%3Cscript%3E")
    assert response.status_code == 404
    html = response.text
    assert "does not exist" in html
    assert "/search?q=jid%3Aabc%2F%3Cscript%3E" in html
    assert "<script>" not in html.split("</head>", 1)[1]


def test_unknown_page_is_a_styled_404(ui: UI) -> None:
    response = ui.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>" in response.text and "404" in response.text


def test_403_names_the_role(make_ui: MakeUI) -> None:
    ui = make_ui(authorize=lambda request: Role.OPERATOR, settings=UISettings(audit_redis=True))
    response = ui.get("/audit")
    assert response.status_code == 403
    assert "admin" in response.text and "operator" in response.text


def test_audit_page_for_admins_with_audit_redis(make_ui: MakeUI, ui_client: Client) -> None:
    ui = make_ui(settings=UISettings(audit_redis=True))
    jid = ui_client.queues["q"].put("app.Job", {})
    assert ui.post(f"/api/v1/jobs/{jid}/track").status_code == 200
    html = ui.get("/audit").text
    assert "track" in html
    assert make_ui().get("/audit").status_code == 404


def test_401_challenges_in_basic_mode(make_ui: MakeUI) -> None:
    settings = UISettings(basic_users=(BasicUser("ann", "secret"),))
    response = make_ui(settings=settings).get("/queues")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].lower().startswith("basic")
    assert response.headers["content-type"].startswith("text/html")


def test_error_page_for_conflict_and_core_errors(ui: UI) -> None:
    from reqless.ui.pages import error_page

    app = ui.http.app
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/jobs/x",
        "raw_path": b"/jobs/x",
        "query_string": b"",
        "headers": [],
        "app": app,
        "path_params": {},
    }
    request = Request(scope)
    conflict = error_page(
        request, ApiError("conflict", "the job is no longer failed", {"state": "waiting"})
    )
    assert conflict.status_code == 409
    assert b"waiting" in conflict.body
    core = error_page(request, ApiError("core_error", "<b>bad</b>", {"core_message": "<b>bad</b>"}))
    assert core.status_code == 422
    assert b"<b>bad</b>" not in core.body and b"&lt;b&gt;bad&lt;/b&gt;" in core.body


def test_503_when_redis_is_down(make_ui: MakeUI, ui_server: LocalServer, ui_redis: Redis) -> None:
    dead = Client("redis://127.0.0.1:1/0", hostname="w", retry_window=0)
    try:
        response = make_ui(clients=dead).get("/queues")
    finally:
        dead.database.close()
    assert response.status_code == 503
    html = response.text
    assert "redis://127.0.0.1:1/0" in html
    assert 'http-equiv="refresh"' in html
    assert response.headers["retry-after"]
