"""A-J13, free the unique key a job holds (docs/ui.md, Actions), and the job view's
unique key (docs/concepts.md, Unique jobs)."""

from __future__ import annotations

import json

from redis import Redis

from reqless.client import Client
from reqless.ui import Role
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_actions_support import as_role, dump


def test_the_job_view_shows_the_key_and_who_holds_it(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    jid = q.put("K", {}, unique="invoice:42", unique_for=60)
    view = ui.get(f"/api/v1/jobs/{jid}").json()
    assert view["unique"]["key"] == "invoice:42"
    assert (view["unique"]["until"], view["unique"]["held"]) == ("finish", True)
    assert view["unique"]["expires_at"] > 0
    assert ui.get(f"/api/v1/jobs/{q.put('K', {})}").json()["unique"] is None
    page = ui.get(f"/jobs/{jid}").text
    assert "invoice:42" in page and "Free this key" in page
    assert f'data-endpoint="/api/v1/jobs/{jid}/free-unique"' in page


def test_free_frees_the_key_and_leaves_the_job(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    jid = q.put("K", {"v": 1}, unique="k")
    reply = ui.post(f"/api/v1/jobs/{jid}/free-unique", {})
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"jid": jid, "unique": "k", "freed": True}
    assert ui_client.jobs.unique_holder("k") is None
    job = json.loads(ui_client("job.get", jid))
    assert (job["state"], job["unique"]) == ("waiting", "k")
    other = q.put("K", {}, unique="k")
    assert other != jid
    page = ui.get(f"/jobs/{jid}").text
    assert "now held by" in page and "Free this key" not in page


def test_freeing_a_key_the_job_does_not_hold_is_a_conflict(
    ui: UI, ui_client: Client, ui_redis: Redis
) -> None:
    q = ui_client.queues["q"]
    plain = q.put("K", {})
    first = q.put("K", {}, unique="k")
    ui_client.jobs.free_unique("k")
    second = q.put("K", {}, unique="k")
    before = dump(ui_redis)
    for jid, problem in ((plain, "without a unique key"), (first, f"held by job {second}")):
        reply = ui.post(f"/api/v1/jobs/{jid}/free-unique", {})
        assert reply.status_code == 409, reply.text
        assert problem in reply.json()["error"]["message"]
    assert ui.post("/api/v1/jobs/nope/free-unique", {}).status_code == 404
    assert ui.post(f"/api/v1/jobs/{second}/free-unique", {"x": 1}).status_code == 400
    assert dump(ui_redis) == before


def test_freeing_needs_an_operator_and_a_csrf_token(
    make_ui: MakeUI, ui_client: Client, ui_redis: Redis
) -> None:
    jid = ui_client.queues["q"].put("K", {}, unique="k")
    before = dump(ui_redis)
    viewer = make_ui(authorize=as_role(Role.VIEWER))
    assert viewer.post(f"/api/v1/jobs/{jid}/free-unique", {}).status_code == 403
    assert "Free this key" not in viewer.get(f"/jobs/{jid}").text
    operator = make_ui(authorize=as_role(Role.OPERATOR))
    no_token = operator.http.post(f"/api/v1/jobs/{jid}/free-unique", json={})
    assert no_token.status_code == 403
    assert dump(ui_redis) == before
