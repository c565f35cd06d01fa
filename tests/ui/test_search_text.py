"""Search what a person types (docs/ui.md, Reading the pages): plain text finds jids, classes,
queues, tags,
workers and failure groups; `class:` without a scope searches every state."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reqless.client import Client
from reqless.ui import UISettings
from tests.ui.conftest import UI, MakeUI


def find(ui: UI, q: str) -> Any:
    response = ui.get(f"/api/v1/search?q={quote(q)}")
    assert response.status_code == 200, response.text
    return response.json()


def _world(client: Client) -> None:
    emails = client.queues["emails"]
    emails.put("app.SendEmail", {}, jid="e-done")
    emails.put("app.SendEmail", {}, jid="e-failed")
    popped = {job.jid: job for job in emails.pop(2)}
    popped["e-done"].complete()
    popped["e-failed"].fail("emails-SMTPError", "SMTPError: refused")
    emails.put("app.SendEmail", {}, jid="e-waiting", tags=["newsletter"])
    emails.put("app.Other", {}, jid="sendemail-jid")
    emails.put("app.SendEmail", {}, jid="e-later", delay=3600)
    client.queues["sendemail-retry"].put("app.Retry", {}, jid="r1")


def test_plain_text_finds_classes_in_every_state(ui: UI, ui_client: Client) -> None:
    _world(ui_client)
    body = find(ui, "sendemail")
    assert body["kind"] == "text" and body["text"] == "sendemail"
    classes = body["class_jobs"]
    assert {row["jid"] for row in classes["items"]} == {
        "e-waiting",
        "e-done",
        "e-failed",
        "e-later",
    }
    assert classes["capped"] is False
    assert [row["jid"] for row in body["jid_jobs"]["items"]] == ["sendemail-jid"]
    assert [q["name"] for q in body["queues"]] == ["sendemail-retry"]
    assert body["queues"][0]["path"] == "/queues/sendemail-retry"


def test_plain_text_finds_tags_groups_and_workers(ui: UI, ui_client: Client) -> None:
    _world(ui_client)
    assert find(ui, "NEWS")["tags"] == [{"tag": "newsletter", "path": "/tags/newsletter"}]
    assert [g["group"] for g in find(ui, "smtp")["groups"]] == ["emails-SMTPError"]
    assert [w["name"] for w in find(ui, "ui-test")["workers"]] == ["ui-test-worker"]
    nothing = find(ui, "zzz")
    assert nothing["matches"] == 0
    assert not (nothing["queues"] or nothing["tags"] or nothing["class_jobs"]["items"])


def test_plain_text_page_shows_every_kind(ui: UI, ui_client: Client) -> None:
    _world(ui_client)
    html = ui.get("/search?q=sendemail").text
    assert "e-waiting" in html and "e-done" in html and "sendemail-jid" in html
    assert 'href="/queues/sendemail-retry"' in html
    assert "/search?q=class%3Asendemail" in html


def test_exact_jid_still_opens_the_job(ui: UI, ui_client: Client) -> None:
    _world(ui_client)
    assert find(ui, "e-done")["kind"] == "redirect"


def test_class_searches_all_states_without_a_scope(ui: UI, ui_client: Client) -> None:
    _world(ui_client)
    body = find(ui, "class:sendemail")
    assert body["defaulted_to_failed"] is False
    assert body["scope"]["kind"] == "all"
    assert {row["jid"] for row in body["items"]} == {"e-waiting", "e-done", "e-failed", "e-later"}
    assert body["scope_total"] == 6 and body["capped"] is False
    failed_only = find(ui, "class:sendemail state:failed")
    assert [row["jid"] for row in failed_only["items"]] == ["e-failed"]
    waiting_only = find(ui, "class:sendemail state:waiting")
    assert [row["jid"] for row in waiting_only["items"]] == ["e-waiting"]
    # error: and data: still default to the failure groups (docs/ui.md, Reading the pages).
    assert find(ui, "error:refused")["defaulted_to_failed"] is True


def test_class_scan_of_all_states_is_capped_and_continues(
    make_ui: MakeUI, ui_client: Client
) -> None:
    _world(ui_client)
    ui = make_ui(UISettings(scan_limit=2))
    seen: set[str] = set()
    body = find(ui, "class:sendemail")
    while True:
        seen.update(row["jid"] for row in body["items"])
        if not body["next_cursor"]:
            break
        assert body["capped"] is True
        body = ui.get(
            f"/api/v1/search?q={quote('class:sendemail')}&cursor={body['next_cursor']}"
        ).json()
    assert seen == {"e-waiting", "e-done", "e-failed", "e-later"}
