"""Authentication modes, the failed-login limit, roles and read-only mode (docs/ui.md,
Authentication modes; Roles and read-only mode)."""

from __future__ import annotations

import hmac
from typing import Any

import pytest
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.testclient import TestClient

from reqless.ui import UISettings
from reqless.ui.http.auth import Authenticator, FailedLogins
from reqless.ui.roles import Role
from reqless.ui.settings import BasicUser, BearerToken

from .conftest import ORIGIN, UI, MakeUI
from .security_probe import (
    CHANGE,
    WHOAMI,
    add_probe,
    basic,
    bearer,
    security_log,
)

BASIC = UISettings(
    basic_users=(
        BasicUser("ada", "s3cret"),
        BasicUser("vic", "look", Role.VIEWER),
        BasicUser("olga", "ops", Role.OPERATOR),
    )
)
TOKENS = UISettings(
    tokens=(
        BearerToken("tok-admin-123", Role.ADMIN, "deploy bot"),
        BearerToken("tok-view-456", Role.VIEWER, "grafana"),
    )
)
PROXY = UISettings(trusted_user_header="X-Remote-User", trusted_proxies=("10.0.0.0/8",))


def _probe(make_ui: MakeUI, settings: UISettings | None = None, **options: Any) -> UI:
    return add_probe(make_ui(settings, **options))


def test_no_auth_makes_everyone_an_anonymous_admin(make_ui: MakeUI) -> None:
    ui = _probe(make_ui)
    assert ui.get(WHOAMI).json() == {"name": "anonymous", "role": "admin", "via": "none"}
    answer = ui.post(CHANGE, {"x": 1})
    assert answer.status_code == 200
    assert answer.json() == {"user": "anonymous", "body": {"x": 1}}


def test_no_auth_refuses_remote_peers(make_ui: MakeUI) -> None:
    ui = _probe(make_ui, client=("192.0.2.7", 4000))
    answer = ui.get(WHOAMI)
    assert answer.status_code == 403
    assert "loopback" in answer.json()["error"]["message"]
    local = _probe(make_ui, client=("::1", 4000))
    assert local.get(WHOAMI).status_code == 200


def test_insecure_no_auth_serves_remote_peers(make_ui: MakeUI) -> None:
    settings = UISettings(host="0.0.0.0", insecure_no_auth=True)
    ui = _probe(make_ui, settings, client=("192.0.2.7", 4000))
    assert ui.get(WHOAMI, headers={"Host": "ops.example.com"}).json()["role"] == "admin"


def test_basic_auth_right_and_wrong(make_ui: MakeUI) -> None:
    ui = _probe(make_ui, BASIC)
    missing = ui.get(WHOAMI)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthenticated"
    assert missing.headers["WWW-Authenticate"].startswith('Basic realm="reqless"')
    assert ui.get(WHOAMI, headers=basic("ada", "s3cret")).json() == {
        "name": "ada",
        "role": "admin",
        "via": "basic",
    }
    assert ui.get(WHOAMI, headers=basic("vic", "look")).json()["role"] == "viewer"
    for wrong in (basic("ada", "nope"), basic("nobody", "s3cret"), {"Authorization": "Basic %%"}):
        refused = ui.get(WHOAMI, headers=wrong)
        assert refused.status_code == 401
        assert "WWW-Authenticate" in refused.headers


def test_basic_auth_html_gets_a_challenge_page(make_ui: MakeUI) -> None:
    ui = _probe(make_ui, BASIC)
    answer = ui.get("/queues")
    assert answer.status_code == 401
    assert not answer.headers["content-type"].startswith("application/json")
    assert answer.headers["WWW-Authenticate"].startswith("Basic")


def test_secrets_are_compared_in_constant_time(
    make_ui: MakeUI, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    ui = _probe(make_ui, UISettings(basic_users=BASIC.basic_users, tokens=TOKENS.tokens))
    ui.get(WHOAMI, headers=basic("ada", "wrong"))
    assert (b"wrong", b"s3cret") in compared
    # Every user is compared, so the time does not tell which names exist.
    assert {b for _, b in compared} >= {b"ada", b"vic", b"olga"}
    compared.clear()
    ui.get(WHOAMI, headers=bearer("guess"))
    assert (b"guess", b"tok-admin-123") in compared
    assert (b"guess", b"tok-view-456") in compared


def test_bearer_tokens(make_ui: MakeUI) -> None:
    ui = _probe(make_ui, TOKENS)
    assert ui.get(WHOAMI, headers=bearer("tok-view-456")).json() == {
        "name": "grafana",
        "role": "viewer",
        "via": "token",
    }
    wrong = ui.get(WHOAMI, headers=bearer("tok-view-457"))
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    # A Basic header means nothing when only tokens are configured.
    assert ui.get(WHOAMI, headers=basic("ada", "s3cret")).status_code == 401


def test_trusted_proxy_header(make_ui: MakeUI) -> None:
    via_proxy = _probe(make_ui, PROXY, client=("10.1.2.3", 5000))
    named = via_proxy.get(WHOAMI, headers={"X-Remote-User": "grace"})
    assert named.json() == {"name": "grace", "role": "viewer", "via": "proxy"}
    operator = via_proxy.get(
        WHOAMI, headers={"X-Remote-User": "grace", "X-Remote-User-Role": "Operator"}
    )
    assert operator.json()["role"] == "operator"
    bad_role = via_proxy.get(WHOAMI, headers={"X-Remote-User": "g", "X-Remote-User-Role": "boss"})
    assert bad_role.status_code == 403
    assert via_proxy.get(WHOAMI).status_code == 401


def test_proxy_header_ignored_from_untrusted_peers(make_ui: MakeUI) -> None:
    direct = _probe(make_ui, PROXY, client=("192.0.2.9", 5000))
    answer = direct.get(WHOAMI, headers={"X-Remote-User": "mallory", "X-Remote-User-Role": "admin"})
    assert answer.status_code == 401


def test_failed_logins_are_rate_limited_per_address(
    make_ui: MakeUI, caplog: pytest.LogCaptureFixture
) -> None:
    ui = _probe(make_ui, BASIC)
    with security_log(caplog):
        for _ in range(10):
            assert ui.get(WHOAMI, headers=basic("ada", "guess")).status_code == 401
    limited = ui.get(WHOAMI, headers=basic("ada", "s3cret"))
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    assert any("failed login" in record.getMessage() for record in caplog.records)
    # Another address is not affected.
    with TestClient(ui.http.app, base_url=ORIGIN, client=("127.0.0.2", 1)) as other:
        assert other.get(WHOAMI, headers=basic("ada", "s3cret")).status_code == 200


def test_failed_logins_counted_per_forwarded_client() -> None:
    auth = Authenticator(UISettings(trusted_proxies=("10.0.0.0/8",)))
    chain = Headers({"X-Forwarded-For": "1.1.1.1, 203.0.113.9, 10.0.0.7"})
    assert auth.client_address("10.0.0.2", chain) == "203.0.113.9"
    assert auth.client_address("192.0.2.1", chain) == "192.0.2.1"
    assert auth.client_address("10.0.0.2", Headers({})) == "10.0.0.2"


def test_failed_logins_window() -> None:
    limiter = FailedLogins(limit=3, window_s=60)
    for moment in (0.0, 1.0, 2.0):
        assert limiter.blocked("a", now=moment) == 0
        limiter.record("a", now=moment)
    assert limiter.blocked("a", now=3.0) == pytest.approx(57.0)
    assert limiter.blocked("b", now=3.0) == 0
    assert limiter.blocked("a", now=60.5) == 0


def test_viewer_gets_forbidden_on_a_change(make_ui: MakeUI) -> None:
    ui = _probe(make_ui, BASIC)
    refused = ui.post(CHANGE, {}, headers=basic("vic", "look"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert ui.post(CHANGE, {}, headers=basic("olga", "ops")).status_code == 200


def test_read_only_makes_everyone_a_viewer(make_ui: MakeUI) -> None:
    ui = _probe(make_ui, UISettings(read_only=True, basic_users=BASIC.basic_users))
    assert ui.get(WHOAMI, headers=basic("ada", "s3cret")).json()["role"] == "viewer"
    refused = ui.post(CHANGE, {}, headers=basic("ada", "s3cret"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "read_only"


def test_authorize_hook_replaces_built_in_auth(make_ui: MakeUI) -> None:
    def authorize(request: Request) -> Role | None:
        return {"op": Role.OPERATOR, "view": Role.VIEWER}.get(request.headers.get("x-who", ""))

    ui = add_probe(make_ui(BASIC, authorize))
    assert ui.get(WHOAMI, headers={"X-Who": "op"}).json() == {
        "name": "user",
        "role": "operator",
        "via": "hook",
    }
    assert ui.get(WHOAMI, headers=basic("ada", "s3cret")).status_code == 403
    assert ui.post(CHANGE, {}, headers={"X-Who": "view"}).status_code == 403
    assert ui.post(CHANGE, {}, headers={"X-Who": "op"}).status_code == 200


def test_async_authorize_hook(make_ui: MakeUI) -> None:
    async def authorize(request: Request) -> Role | None:
        return Role.ADMIN

    ui = add_probe(make_ui(None, authorize))
    assert ui.get(WHOAMI).json()["role"] == "admin"


def test_public_paths(make_ui: MakeUI) -> None:
    users = BASIC.basic_users
    ui = _probe(make_ui, UISettings(basic_users=users, metrics=True))
    assert ui.get("/healthz").status_code == 200
    assert ui.get("/static/no-such-asset.css").status_code == 404
    assert ui.get("/metrics").status_code == 200
    guarded = _probe(make_ui, UISettings(basic_users=users, metrics=True, metrics_auth=True))
    assert guarded.get("/metrics").status_code == 401
    assert guarded.get("/metrics", headers=basic("vic", "look")).status_code == 200
    # Without --metrics the path is nothing special.
    assert _probe(make_ui, BASIC).get("/metrics").status_code == 401
