"""The same-origin proof of changes (docs/ui.md, CSRF protection), the Host check and body limits.

Every refused change must leave Redis as it was: the checks run before routing,
so they are also observed on `POST /api/v1/queues/x/pause`, whatever it does.
"""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.ui import UISettings
from reqless.ui.errors import STATUS_OF
from reqless.ui.roles import Role
from reqless.ui.settings import BearerToken

from .conftest import CSRF_COOKIE, CSRF_HEADER, ORIGIN, UI, MakeUI
from .security_probe import (
    CHANGE,
    EDITED,
    PAGE,
    add_probe,
    bearer,
    security_log,
)

PAUSE = "/api/v1/queues/x/pause"
TOKENS = UISettings(tokens=(BearerToken("tok-ops-789", Role.OPERATOR, "ci"),))


def _dump(redis: Redis) -> dict[Any, Any]:
    return {key: redis.dump(key) for key in sorted(redis.keys("*"))}


@pytest.fixture
def probe(make_ui: MakeUI, ui_client: Client) -> UI:
    ui_client.queues["x"].put("Klass", {"a": 1})
    return add_probe(make_ui())


def _refused(answer: Any, code: str) -> None:
    assert answer.status_code == STATUS_OF[code]
    assert answer.json()["error"]["code"] == code


def test_a_proper_change_passes(probe: UI) -> None:
    answer = probe.post(CHANGE, {"n": 1})
    assert answer.status_code == 200
    assert answer.json()["body"] == {"n": 1}


@pytest.mark.parametrize("path", [CHANGE, PAUSE])
def test_cross_origin_and_cross_site_are_refused(probe: UI, ui_redis: Redis, path: str) -> None:
    before = _dump(ui_redis)
    _refused(probe.post(path, {}, headers={"Origin": "https://evil.example"}), "csrf")
    _refused(probe.post(path, {}, headers={"Origin": "null"}), "csrf")
    _refused(probe.post(path, {}, headers={"Origin": "http://127.0.0.1:8080"}), "csrf")
    _refused(probe.post(path, {}, headers={"Sec-Fetch-Site": "cross-site"}), "csrf")
    _refused(probe.post(path, {}, headers={"Sec-Fetch-Site": "same-site"}), "csrf")
    assert _dump(ui_redis) == before


def test_same_origin_headers_are_accepted(probe: UI) -> None:
    same = {"Origin": "HTTP://127.0.0.1:80", "Sec-Fetch-Site": "same-origin"}
    assert probe.post(CHANGE, {}, headers=same).status_code == 200


@pytest.mark.parametrize("path", [CHANGE, PAUSE])
def test_form_encoded_and_bodiless_changes_get_415(probe: UI, ui_redis: Redis, path: str) -> None:
    before = _dump(ui_redis)
    token = probe.csrf_token()
    headers = {"Origin": ORIGIN, CSRF_HEADER: token}
    form = probe.http.post(path, data={"a": "1"}, headers=headers)
    _refused(form, "unsupported_media_type")
    text = probe.http.post(path, content=b"{}", headers={**headers, "Content-Type": "text/plain"})
    _refused(text, "unsupported_media_type")
    _refused(probe.http.delete(path, headers=headers), "unsupported_media_type")
    assert _dump(ui_redis) == before


@pytest.mark.parametrize("path", [CHANGE, PAUSE])
def test_missing_or_wrong_token_is_refused(probe: UI, ui_redis: Redis, path: str) -> None:
    before = _dump(ui_redis)
    token = probe.csrf_token()
    json_headers = {"Origin": ORIGIN, "Content-Type": "application/json"}
    missing = probe.http.post(path, content=b"{}", headers=json_headers)
    _refused(missing, "csrf")
    assert CSRF_HEADER in missing.json()["error"]["message"]
    wrong = probe.http.post(path, content=b"{}", headers={**json_headers, CSRF_HEADER: token[::-1]})
    _refused(wrong, "csrf")
    probe.http.cookies.clear()
    no_cookie = probe.http.post(path, content=b"{}", headers={**json_headers, CSRF_HEADER: token})
    _refused(no_cookie, "csrf")
    assert _dump(ui_redis) == before


def test_refusals_are_logged(probe: UI, caplog: pytest.LogCaptureFixture) -> None:
    with security_log(caplog):
        probe.post(CHANGE, {}, headers={"Origin": "https://evil.example"})
    assert any("evil.example" in record.getMessage() for record in caplog.records)


def test_bearer_without_cookies_needs_no_token(make_ui: MakeUI) -> None:
    ui = add_probe(make_ui(TOKENS))
    plain = {"Content-Type": "application/json"}
    answer = ui.http.post(CHANGE, content=b"{}", headers={**bearer("tok-ops-789"), **plain})
    assert answer.status_code == 200
    # Origin and media type still apply to bearer callers.
    cross = {**bearer("tok-ops-789"), **plain, "Origin": "https://evil.example"}
    _refused(ui.http.post(CHANGE, content=b"{}", headers=cross), "csrf")
    form = ui.http.post(CHANGE, data={"a": "1"}, headers=bearer("tok-ops-789"))
    _refused(form, "unsupported_media_type")
    # With cookies (a browser), the token is required again.
    ui.http.get("/api/v1/info", headers=bearer("tok-ops-789"))
    assert ui.http.cookies.get(CSRF_COOKIE)
    with_cookie = ui.http.post(CHANGE, content=b"{}", headers={**bearer("tok-ops-789"), **plain})
    _refused(with_cookie, "csrf")


def test_cookie_attributes_and_page_token(make_ui: MakeUI) -> None:
    ui = add_probe(make_ui())
    first = ui.get(PAGE)
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/"):
        assert attribute in cookie
    assert "Secure" not in cookie
    token = ui.http.cookies[CSRF_COOKIE]
    assert len(token) == 43
    assert first.text == f"<p>{token}</p>"
    # Once the browser holds it, it is not set again, and pages carry the same token.
    second = ui.get(PAGE)
    assert "set-cookie" not in second.headers
    assert second.text == f"<p>{token}</p>"


def test_cookie_is_secure_over_https_and_scoped_to_the_mount(make_ui: MakeUI) -> None:
    secure = add_probe(make_ui(base_url="https://localhost"))
    assert "Secure" in secure.get(PAGE).headers["set-cookie"]
    mounted = make_ui(root_path="/ops")
    assert "Path=/ops;" in mounted.get("/ops/nothing-here").headers["set-cookie"]


def test_external_url_defines_the_origin(make_ui: MakeUI) -> None:
    settings = UISettings(external_url="https://ops.example.com/reqless")
    ui = add_probe(make_ui(settings, base_url="https://ops.example.com"))
    ok = ui.post(CHANGE, {}, headers={"Origin": "https://ops.example.com"})
    assert ok.status_code == 200
    _refused(ui.post(CHANGE, {}, headers={"Origin": "http://ops.example.com"}), "csrf")
    # The cookie of an https origin is Secure, even when the hop to the UI is not.
    behind_proxy = add_probe(make_ui(settings))
    assert "Secure" in behind_proxy.get(PAGE).headers["set-cookie"]


def test_forwarded_headers_only_from_trusted_proxies(make_ui: MakeUI) -> None:
    settings = UISettings(
        insecure_no_auth=True, trusted_proxies=("10.0.0.0/8",), allowed_hosts=("ops.example",)
    )
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ops.example"}
    trusted = add_probe(make_ui(settings, client=("10.0.0.2", 1)))
    sent = {**forwarded, "Origin": "https://ops.example"}
    assert trusted.post(CHANGE, {}, headers=sent).status_code == 200
    untrusted = add_probe(make_ui(settings, client=("192.0.2.2", 1)))
    _refused(untrusted.post(CHANGE, {}, headers=sent), "csrf")


def test_host_check_in_no_auth_mode(make_ui: MakeUI) -> None:
    ui = add_probe(make_ui())
    for host in ("localhost:9393", "127.0.0.1", "[::1]:9393", "LOCALHOST"):
        assert ui.get(PAGE, headers={"Host": host}).status_code == 200
    rebound = ui.get(PAGE, headers={"Host": "evil.example"})
    assert rebound.status_code == 421
    api = ui.get("/api/v1/info", headers={"Host": "evil.example:9393"})
    assert api.status_code == 421
    assert api.json()["error"]["code"] == "misdirected"
    named = add_probe(make_ui(UISettings(allowed_hosts=("box.lan",))))
    assert named.get(PAGE, headers={"Host": "box.lan:9393"}).status_code == 200
    # With authentication configured the Host header is not the guard.
    authed = add_probe(make_ui(TOKENS))
    assert authed.get(PAGE, headers={"Host": "evil.example"}).status_code == 401


def test_json_body_size_limits(probe: UI, ui_redis: Redis) -> None:
    before = _dump(ui_redis)
    big = {"data": "x" * (1 << 20)}
    too_big = probe.post(PAUSE, big)
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "too_large"
    assert probe.post(CHANGE, big).status_code == 413
    assert _dump(ui_redis) == before
    # Just under the limit passes; the edited requeue allows 16 MiB.
    assert probe.post(CHANGE, {"data": "x" * ((1 << 20) - 20)}).status_code == 200
    assert probe.post(EDITED, {"data": "x" * (8 << 20)}).status_code == 200
    assert probe.post(EDITED, {"data": "x" * (16 << 20)}).status_code == 413


def test_body_size_checked_without_content_length(probe: UI) -> None:
    token = probe.csrf_token()
    headers = {"Origin": ORIGIN, CSRF_HEADER: token, "Content-Type": "application/json"}

    def chunks() -> Any:
        for _ in range(3):
            yield b" " * (600 * 1024)
        yield b"{}"

    answer = probe.http.post(CHANGE, content=chunks(), headers=headers)
    assert answer.status_code == 413


def test_get_to_a_mutation_path_changes_nothing(probe: UI, ui_redis: Redis) -> None:
    before = _dump(ui_redis)
    probe.get(PAUSE)
    assert _dump(ui_redis) == before
