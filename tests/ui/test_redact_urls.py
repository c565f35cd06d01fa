"""Credentials inside URLs are masked wherever the UI shows data (docs/ui.md, Reading the pages)."""

from __future__ import annotations

import json
from urllib.parse import quote

from reqless.client import Client
from reqless.ui.reads.redact import MASK, redact, redact_text, redact_urls
from tests.ui.conftest import UI

DSN = "postgres://app:s3cr3t@db.internal:5432/orders"
SHOWN = f"postgres://app:{MASK}@db.internal:5432/orders"


def test_redact_urls_masks_only_the_password() -> None:
    assert redact_urls(DSN) == (SHOWN, 1)
    assert redact_urls("redis://:pw@h:6379/0") == (f"redis://:{MASK}@h:6379/0", 1)
    # An unencoded @ in the password stays inside the mask.
    assert redact_urls("amqp://u:p@ss@rabbit/vh") == (f"amqp://u:{MASK}@rabbit/vh", 1)
    text = f"a {DSN} and https://x:y@h/p?z=1"
    assert redact_urls(text) == (f"a {SHOWN} and https://x:{MASK}@h/p?z=1", 2)


def test_redact_urls_leaves_urls_without_a_password() -> None:
    for text in (
        "https://example.com:8443/a@b",
        "postgres://app@db/orders",
        "http://h:80?x=a@b",
        "mailto:ann@example.com",
        "no url here: a:b@c",
    ):
        assert redact_urls(text) == (text, 0)


def test_redact_walks_strings_and_reports_their_paths() -> None:
    masked, paths = redact({"db": DSN, "list": ["x", DSN], "n": 1}, ("password",))
    assert masked == {"db": SHOWN, "list": ["x", SHOWN], "n": 1}
    assert paths == ["db", "list[1]"]
    # With no redact keys at all, URL passwords are still masked.
    assert redact({"db": DSN}, ()) == ({"db": SHOWN}, ["db"])
    assert redact_text(f"connect {DSN} failed", ()) == (f"connect {SHOWN} failed", True)


def _failed_job(client: Client) -> str:
    queue = client.queues["q"]
    jid = queue.put("app.Sync", {"db": DSN, "note": "plain"})
    job = queue.pop()
    assert job is not None
    client("job.log", jid, f"connecting to {DSN}", json.dumps({"target": DSN}))
    job.fail("q-OperationalError", f"OperationalError: cannot reach {DSN}")
    return jid


def test_job_api_and_page_never_show_the_password(ui: UI, ui_client: Client) -> None:
    jid = _failed_job(ui_client)
    body = ui.get(f"/api/v1/jobs/{jid}").json()
    assert body["data"] == {"db": SHOWN, "note": "plain"}
    assert body["redacted_paths"] == ["db"]
    assert body["failure"]["message_line"] == f"OperationalError: cannot reach {SHOWN}"
    (log,) = [e for e in body["history"] if e["what"].startswith("connecting")]
    assert log["what"] == f"connecting to {SHOWN}" and log["target"] == SHOWN
    for path in (f"/jobs/{jid}", f"/api/v1/jobs/{jid}/data", "/failed/q-OperationalError"):
        response = ui.get(path)
        assert response.status_code == 200
        assert "s3cr3t" not in response.text, path
    assert "s3cr3t" in ui.get(f"/api/v1/jobs/{jid}/data?reveal=1").text


def test_search_never_matches_a_url_password(ui: UI, ui_client: Client) -> None:
    _failed_job(ui_client)
    for q in ("error:s3cr3t", "group:q-OperationalError data:s3cr3t"):
        body = ui.get(f"/api/v1/search?q={quote(q)}").json()
        assert body["items"] == [], q
    hit = ui.get(f"/api/v1/search?q={quote('error:db.internal')}").json()
    assert len(hit["items"]) == 1 and "s3cr3t" not in json.dumps(hit)
