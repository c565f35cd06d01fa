"""Rate windows, throttle templates and fair groups in the UI (HTTP level): the pages
and the API show them, and the actions set a rate (A-T4), clear it (A-T5) and weigh a
group (A-G1), refusing bad input with a 400 that names the field and changes nothing.

Jobs get their group and throttles get their rates through raw core calls, so these
tests hold the UI alone, whatever the client's own methods offer.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from tests.helpers import snapshot

from .conftest import UI


def _put(client: Client, jid: str, *options: Any, queue: str = "q") -> None:
    client("queue.put", "w", queue, jid, "app.Job", "{}", 0, *options)


def _text(html: str) -> str:
    """The page's text, tags dropped and spaces squeezed, to match what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _throttle(client: Client, tid: str) -> dict[str, Any]:
    reply = client("throttle.get", tid)
    return json.loads(reply) if reply else {}


# --- throttles: rate, window use, template -----------------------------------------


def test_a_throttle_shows_its_rate_and_how_much_of_the_window_is_used(
    ui: UI, ui_client: Client
) -> None:
    ui_client("throttle.set", "api", 0, 0, "rate", 100, "per", 60)
    _put(ui_client, "j1", "throttles", '["api"]')
    assert ui_client.queues["q"].pop() is not None
    got = ui.get("/api/v1/throttles/api").json()["throttle"]
    assert (got["rate"], got["per"], got["used"], got["reopens_at"]) == (100, 60, 1, None)
    assert got["template"] is None
    page = _text(ui.get("/throttles/api").text)
    assert "100 per 60 s" in page
    assert "1 of 100 used" in page
    assert "full" not in page
    listed = _text(ui.get("/throttles").text)
    assert "100 per 60 s" in listed and "1 of 100 used" in listed


def test_a_full_window_says_when_it_reopens(ui: UI, ui_client: Client) -> None:
    ui_client("throttle.set", "api", 0, 0, "rate", 1, "per", 60)
    _put(ui_client, "j1", "throttles", '["api"]')
    _put(ui_client, "j2", "throttles", '["api"]')
    before = time.time()
    assert ui_client.queues["q"].pop() is not None
    second = ui_client.queues["q"].pop()
    assert second is None, (
        ui_client("throttle.get", "api"),
        ui_client.database.zrange("ql:th:api-starts", 0, -1, withscores=True),
        ui_client("job.get", "j2"),
        ui_client("job.get", "j1"),
    )
    got = ui.get("/api/v1/throttles/api").json()["throttle"]
    assert got["used"] == 1 and got["pending"] == 1
    assert before + 59 <= got["reopens_at"] <= time.time() + 61
    html = ui.get("/throttles/api").text
    assert "1 of 1 used" in _text(html)
    # The UI's time format: a <time> counting down to the reopening.
    stamp = re.search(r'full</span> reopens <time [^>]*data-epoch="([0-9.]+)"', html)
    assert stamp is not None, html
    assert float(stamp.group(1)) == pytest.approx(got["reopens_at"])
    queue_page = _text(ui.get("/queues/q/throttled").text)
    assert "rate window full" in queue_page


def test_a_templated_per_key_throttle_has_a_page_and_a_row(ui: UI, ui_client: Client) -> None:
    ui_client("throttle.template.set", "customer:*", 2, "rate", 5, "per", 30)
    _put(ui_client, "j1", "throttles", '["customer:42"]')
    assert ui_client.queues["q"].pop() is not None
    reply = ui.get("/throttles/customer:42")
    assert reply.status_code == 200
    page = _text(reply.text)
    assert "customer:*" in page and "no definition of its own" in page
    assert "5 per 30 s" in page and "1 of 5 used" in page
    assert "expired, still holding" not in page
    assert 'data-action="throttle-delete"' not in reply.text  # nothing stored to delete
    got = ui.get("/api/v1/throttles/customer:42").json()["throttle"]
    assert (got["template"], got["maximum"], got["exists"]) == ("customer:*", 2, True)
    # Found by its keys in use; its starts log is not a throttle of its own.
    ids = [t["id"] for t in ui.get("/api/v1/throttles", params={"fresh": "1"}).json()["items"]]
    assert "customer:42" in ids
    assert not [tid for tid in ids if tid.endswith("-starts")]


def test_a_templated_throttle_nobody_used_still_renders(ui: UI, ui_client: Client) -> None:
    ui_client("throttle.template.set", "customer:*", 0, "rate", 5, "per", 30)
    reply = ui.get("/throttles/customer:7")
    assert reply.status_code == 200
    assert "0 of 5 used" in _text(reply.text)


# --- A-T4 / A-T5: set and clear a rate ---------------------------------------------


def test_setting_a_rate_keeps_the_maximum_and_clearing_it_keeps_it_too(
    ui: UI, ui_client: Client
) -> None:
    ui_client("throttle.set", "api", 4, 0)
    reply = ui.put("/api/v1/throttles/api", {"rate": 10, "per": 1.5})
    assert reply.status_code == 200, reply.text
    assert (reply.json()["rate"], reply.json()["per"]) == (10, 1.5)
    assert _throttle(ui_client, "api") | {"ttl": 0} == {
        "id": "api", "maximum": 4, "ttl": 0, "rate": 10, "per": 1.5, "used": 0,
    }  # fmt: skip
    assert ui.delete("/api/v1/throttles/api/rate").status_code == 200
    assert _throttle(ui_client, "api")["maximum"] == 4
    assert "rate" not in _throttle(ui_client, "api")


def test_the_queue_throttle_takes_and_drops_a_rate(ui: UI, ui_client: Client) -> None:
    _put(ui_client, "j1")
    assert ui.put("/api/v1/queues/q/throttle", {"rate": 3, "per": 10}).status_code == 200
    assert _throttle(ui_client, "ql:q:q")["rate"] == 3
    settings = _text(ui.get("/queues/q/settings").text)
    assert "rate: 3 per 10 s" in settings
    assert ui.delete("/api/v1/queues/q/throttle/rate").status_code == 200
    assert "rate" not in _throttle(ui_client, "ql:q:q")
    assert "rate: none" in _text(ui.get("/queues/q/settings").text)


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"rate": 10}, "per", "go together"),
        ({"per": 60}, "rate", "go together"),
        ({"rate": 0, "per": 60}, "rate", "whole number from 1"),
        ({"rate": 2.5, "per": 60}, "rate", "whole number from 1"),
        ({"rate": "10", "per": 60}, "rate", "must be a number"),
        ({"rate": True, "per": 60}, "rate", "must be a number"),
        ({"rate": 1_000_001, "per": 60}, "rate", "whole number from 1 to 1000000"),
        ({"rate": 10, "per": 0}, "per", "above 0"),
        ({"rate": 10, "per": -1}, "per", "above 0"),
        ({"rate": 10, "per": 31_622_401}, "per", "at most 31622400"),
        ({"rate": 10, "per": "60"}, "per", "must be a number"),
    ],
)
def test_a_bad_rate_is_refused_naming_the_field(
    ui: UI, ui_client: Client, ui_redis: Redis, body: dict[str, Any], field: str, says: str
) -> None:
    ui_client("throttle.set", "api", 4, 0, "rate", 2, "per", 5)
    before = snapshot(ui_redis)
    reply = ui.put("/api/v1/throttles/api", body)
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["code"] == "invalid_argument"
    assert error["details"]["parameter"] == field and field in error["message"]
    assert says in error["message"], error["message"]
    assert snapshot(ui_redis) == before


def test_a_throttle_page_offers_the_rate_form_to_admins_only(
    ui: UI, make_ui: Any, ui_client: Client
) -> None:
    from reqless.ui.roles import Role

    ui_client("throttle.set", "api", 0, 0, "rate", 2, "per", 5)
    html = ui.get("/throttles/api").text
    assert 'name="rate"' in html and 'name="per"' in html
    assert 'data-endpoint="/api/v1/throttles/api/rate"' in html
    viewer = make_ui(authorize=lambda request: Role.VIEWER)
    assert 'name="rate"' not in viewer.get("/throttles/api").text


# --- fair groups on the queue page ---------------------------------------------------


def _grouped(client: Client) -> None:
    for jid, group in [("a1", "alpha"), ("b1", "beta"), ("a2", "alpha"), ("a3", "alpha")]:
        _put(client, jid, "group", group)


def test_the_groups_tab_appears_only_when_the_queue_has_groups(ui: UI, ui_client: Client) -> None:
    _put(ui_client, "plain")
    assert "/queues/q/groups" not in ui.get("/queues/q").text
    _grouped(ui_client)
    assert "/queues/q/groups" in ui.get("/queues/q").text


def test_the_groups_tab_lists_groups_in_turn_order_and_pages(ui: UI, ui_client: Client) -> None:
    _grouped(ui_client)
    ui_client("queue.group.weight", "q", "alpha", 3)
    html = ui.get("/queues/q/groups").text
    rows = re.findall(r'<tr data-id="([^"]+)">(.*?)</tr>', html, re.S)
    assert [group for group, _ in rows] == ["alpha", "beta"]
    alpha = _text(rows[0][1])
    assert alpha.split()[:4] == ["1", "alpha", "3", "3"]  # turn, name, waiting, weight
    assert "no" in alpha  # not parked
    second = ui.get("/queues/q/groups", params={"offset": 1, "limit": 1}).text
    assert re.findall(r'<tr data-id="([^"]+)">', second) == ["beta"]
    assert "2-2 of 2" in second
    api = ui.get("/api/v1/queues/q/groups").json()
    assert api["total"] == 2
    assert [(g["group"], g["waiting"], g["weight"]) for g in api["items"]] == [
        ("alpha", 3, 3), ("beta", 1, 1),
    ]  # fmt: skip


def test_a_parked_group_names_its_held_job(ui: UI, ui_client: Client) -> None:
    ui_client("throttle.set", "one", 1, 0)
    _put(ui_client, "x1", "throttles", '["one"]')
    _put(ui_client, "x2", "group", "held", "throttles", '["one"]')
    _put(ui_client, "x3", "group", "held")
    assert ui_client.queues["q"].pop() is not None  # x1 takes the only slot
    assert ui_client.queues["q"].pop() is None  # x2 is held: its group parks
    row = re.search(r'<tr data-id="held">(.*?)</tr>', ui.get("/queues/q/groups").text, re.S)
    assert row is not None
    assert "parked" in row.group(1) and "/jobs/x2" in row.group(1)


def test_a_groups_jobs_are_listed_in_hand_out_order(ui: UI, ui_client: Client) -> None:
    _grouped(ui_client)
    html = ui.get("/queues/q/groups", params={"group": "alpha"}).text
    assert re.findall(r'<tr data-id="([^"]+)"', html) == ["a1", "a2", "a3"]
    paged = ui.get("/queues/q/groups", params={"group": "alpha", "offset": 1, "limit": 1}).text
    assert re.findall(r'<tr data-id="([^"]+)"', paged) == ["a2"]
    api = ui.get("/api/v1/queues/q/groups/alpha/jobs", params={"limit": 2}).json()
    assert [row["jid"] for row in api["items"]] == ["a1", "a2"]
    assert [row["position"] for row in api["items"]] == [1, 2]
    assert api["has_more"] is True and all(row["group"] == "alpha" for row in api["items"])


def test_the_waiting_tab_counts_only_what_it_can_list(ui: UI, ui_client: Client) -> None:
    _grouped(ui_client)
    _put(ui_client, "plain")
    page = ui.get("/api/v1/queues/q/jobs", params={"state": "waiting"}).json()
    # Each group's head and the job without a group; the rest wait in their groups.
    assert sorted(row["jid"] for row in page["items"]) == ["a1", "b1", "plain"]
    assert page["total"] == 3
    assert "the groups" in _text(ui.get("/queues/q/waiting").text)


def test_the_job_page_shows_the_group_and_links_to_it(ui: UI, ui_client: Client) -> None:
    _grouped(ui_client)
    _put(ui_client, "plain")
    html = ui.get("/jobs/a2").text
    field = re.search(r'data-job-field="group">(.*?)</dd>', html, re.S)
    assert field is not None
    assert 'href="/queues/q/groups?group=alpha"' in field.group(1)
    assert ui.get("/api/v1/jobs/a2").json()["group"] == "alpha"
    assert 'data-job-field="group"' not in ui.get("/jobs/plain").text
    assert ui.get("/api/v1/jobs/plain").json()["group"] is None


# --- A-G1: a group's weight ------------------------------------------------------------


def test_an_operator_sets_a_groups_weight(make_ui: Any, ui_client: Client, ui_redis: Redis) -> None:
    from reqless.ui.roles import Role

    operator = make_ui(authorize=lambda request: Role.OPERATOR)
    _grouped(ui_client)
    reply = operator.put("/api/v1/queues/q/groups/beta/weight", {"weight": 7})
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"queue": "q", "group": "beta", "weight": 7}
    weights = {g["group"]: g["weight"] for g in json.loads(ui_client("queue.groups", "q"))}
    assert weights == {"alpha": 1, "beta": 7}
    html = operator.get("/queues/q/groups").text
    assert 'data-endpoint="/api/v1/queues/q/groups/beta/weight"' in html


BAD_WEIGHTS = [
    {"weight": 0}, {"weight": 1001}, {"weight": 1.5}, {"weight": "2"}, {"weight": None}, {},
    {"weight": 2, "x": 1},
]  # fmt: skip


@pytest.mark.parametrize("body", BAD_WEIGHTS)
def test_a_bad_weight_is_refused_and_changes_nothing(
    ui: UI, ui_client: Client, ui_redis: Redis, body: dict[str, Any]
) -> None:
    _grouped(ui_client)
    before = snapshot(ui_redis)
    reply = ui.put("/api/v1/queues/q/groups/alpha/weight", body)
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["details"]["parameter"] in ("weight", "x", "body"), error
    assert snapshot(ui_redis) == before
