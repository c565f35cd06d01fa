"""The recurring pages show cron schedules, their policies and next fire times, and
pause and resume templates (A-R5, A-R6; docs/ui.md, Recurring templates and Actions)."""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import datetime
from typing import Any, get_type_hints

import pytest
from redis import Redis

from reqless.client import Client
from reqless.core import CoreRunner
from reqless.ui import Role
from reqless.ui.reads.recurring import CronSchedule, FireTime
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_actions_support import as_role, dump

BERLIN = "Europe/Berlin"
WEEKDAYS = {"Mon", "Tue", "Wed", "Thu", "Fri"}


def _cron_template(client: Client, jid: str = "report", **options: Any) -> str:
    settings: dict[str, Any] = {"cron": "30 9 * * mon-fri", "timezone": BERLIN, **options}
    return client.queues["reports"].recur("app.Report", {}, jid=jid, **settings)


def _fire_rows(html: str) -> list[str]:
    return re.findall(r"<tr data-fire-time=\"[^\"]+\">(.*?)</tr>", html, re.S)


def _list_rows(html: str) -> dict[str, str]:
    """The Recurring page's rows by jid."""
    return dict(re.findall(r'<tr data-id="([^"]+)"[^>]*>(.*?)</tr>', html, re.S))


def test_a_cron_template_shows_its_schedule_policies_and_next_times(
    ui: UI, ui_client: Client
) -> None:
    jid = _cron_template(ui_client, overlap="skip", catchup="all", jitter=30, backlog=7)
    view = ui.get(f"/api/v1/jobs/{jid}").json()
    assert view["schedule"] == "cron 30 9 * * mon-fri (Europe/Berlin)"
    assert view["paused"] is False
    cron = view["cron"]
    assert set(cron) == set(get_type_hints(CronSchedule))
    assert (cron["expression"], cron["timezone"]) == ("30 9 * * mon-fri", BERLIN)
    assert (cron["overlap"], cron["catchup"], cron["jitter_s"]) == ("skip", "all", 30)
    assert (cron["skipped"], cron["pending_at"], cron["last_child"]) == (0, None, None)
    times = view["next_fire_times"]
    assert all(set(t) == set(get_type_hints(FireTime)) for t in times)
    expected = ui_client.jobs.get_recurring(jid).next_fire_times(5)
    assert [t["at"] for t in times] == [moment.timestamp() for moment in expected]
    for t in times:
        local = datetime.fromisoformat(t["local"])
        assert local.timestamp() == t["at"]
        assert (local.hour, local.minute, t["weekday"] in WEEKDAYS) == (9, 30, True)
    # The slot is the nominal time; the next run adds this template's jitter to it.
    assert cron["slot_at"] == times[0]["at"] <= view["next_run_at"] <= times[0]["at"] + 30

    page = ui.get(f"/jobs/{jid}").text
    assert "cron 30 9 * * mon-fri (Europe/Berlin)" in page
    assert "skip: no run while the previous one is unfinished" in page
    assert "all: one run for each time missed without pops, 7 at most" in page
    assert "each start up to 30 s late" in page
    rows = _fire_rows(page)
    assert len(rows) == 5
    first = datetime.fromisoformat(times[0]["local"])
    assert first.strftime("%Y-%m-%d 09:30:00") in rows[0] and first.strftime("%z")[:3] in rows[0]
    assert ">UTC</th>" in page  # a second column in UTC for a zone that is not UTC
    assert f'data-endpoint="/api/v1/recurring/{jid}/pause"' in page
    assert 'name="interval_s"' not in page  # a cron schedule has no interval to edit


def test_the_list_shows_schedules_and_policies(ui: UI, ui_client: Client) -> None:
    _cron_template(ui_client, jid="cron-one", overlap="queue_one", jitter=90)
    ui_client.queues["reports"].recur("app.Report", {}, interval=60, jid="every-minute")
    listed = {row["jid"]: row for row in ui.get("/api/v1/recurring").json()["items"]}
    assert listed["cron-one"]["schedule"] == "cron 30 9 * * mon-fri (Europe/Berlin)"
    assert listed["cron-one"]["cron"]["overlap"] == "queue_one"
    assert (listed["every-minute"]["schedule"], listed["every-minute"]["cron"]) == (
        "every 60 s",
        None,
    )
    page = ui.get("/recurring").text
    rows = _list_rows(page)
    assert "cron 30 9 * * mon-fri (Europe/Berlin)" in rows["cron-one"]
    assert "overlap queue one · catch-up latest · jitter ≤ 1 min 30 s" in rows["cron-one"]
    assert "every 60 s" in rows["every-minute"] and "overlap" not in rows["every-minute"]
    assert 'api/v1/recurring/cron-one/pause"' in rows["cron-one"]


def test_an_interval_template_lists_its_next_spawns_in_utc(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].recur("K", {}, interval=60, offset=30, backlog=4)
    view = ui.get(f"/api/v1/jobs/{jid}").json()
    assert (view["schedule"], view["cron"], view["paused"]) == ("every 60 s", None, False)
    times = view["next_fire_times"]
    gaps = [t["at"] - view["next_run_at"] for t in times]
    assert gaps == pytest.approx([0, 60, 120, 180, 240], abs=1e-3)
    assert all(t["local"].endswith("+00:00") for t in times)
    page = ui.get(f"/jobs/{jid}").text
    assert "every 60 s" in page and "4 missed interval(s) at most" in page
    assert len(_fire_rows(page)) == 5 and ">UTC</th>" in page and "catch-up" not in page
    assert 'name="interval_s"' in page


def test_skipped_and_held_back_runs_are_shown(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    now = time.time()
    ui_client.queues["s"].recur("K", {}, jid="skipper", cron="* * * * *", overlap="skip")
    ui_client.queues["h"].recur("K", {}, jid="holder", cron="* * * * *", overlap="queue_one")
    core = CoreRunner(ui_redis)
    for queue in ("s", "h"):
        # The first run is spawned and left running; the next minute's run finds it
        # unfinished and is skipped, or held back.
        assert json.loads(core.call("queue.pop", queue, "w", 1, now=now + 65))
        core.call("queue.pop", queue, "w", 1, now=now + 200)
    skipper = ui.get("/api/v1/jobs/skipper").json()["cron"]
    assert (skipper["skipped"], skipper["pending_at"]) == (1, None)
    holder = ui.get("/api/v1/jobs/holder").json()["cron"]
    assert holder["pending_at"] is not None and holder["last_child"] == "holder-1"
    assert "1 time<" in ui.get("/jobs/skipper").text
    page = ui.get("/jobs/holder").text
    assert "spawned once" in page and '<a class="mono" href="/jobs/holder-1">' in page
    row = _list_rows(ui.get("/recurring").text)
    assert "1 skipped" in row["skipper"] and "1 held back" in row["holder"]


def _records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "reqless.ui.audit"]


def test_pause_and_resume(ui: UI, ui_client: Client, caplog: pytest.LogCaptureFixture) -> None:
    jid = _cron_template(ui_client)
    with caplog.at_level(logging.INFO, logger="reqless.ui.audit"):
        reply = ui.post(f"/api/v1/recurring/{jid}/pause", {})
        assert reply.status_code == 200, reply.text
        assert reply.json() == {"jid": jid, "paused": True}
        assert ui_client.jobs.get_recurring(jid).paused is True
        view = ui.get(f"/api/v1/jobs/{jid}").json()
        assert (view["paused"], view["next_run_at"], view["next_fire_times"]) == (True, None, [])
        page = ui.get(f"/jobs/{jid}").text
        assert "paused: spawns nothing until resumed" in page and not _fire_rows(page)
        assert f'data-endpoint="/api/v1/recurring/{jid}/resume"' in page
        row = ui.get("/api/v1/recurring").json()["items"][0]
        assert (row["paused"], row["next_run_at"]) == (True, None)
        assert 'data-template-field="paused">paused<' in ui.get("/recurring").text

        reply = ui.post(f"/api/v1/recurring/{jid}/resume", {})
        assert reply.status_code == 200, reply.text
        assert reply.json() == {"jid": jid, "paused": False}
    template = ui_client.jobs.get_recurring(jid)
    assert template.paused is False and template.next is not None and template.next > time.time()
    assert len(ui.get(f"/api/v1/jobs/{jid}").json()["next_fire_times"]) == 5
    audited = [(r["action"], r["targets"]["items"], r["outcome"]) for r in _records(caplog)]
    assert audited == [("A-R5", [jid], "ok"), ("A-R6", [jid], "ok")]


def test_pausing_an_interval_template_stops_its_spawns(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    jid = q.recur("K", {}, interval=60)
    assert ui.post(f"/api/v1/recurring/{jid}/pause", {}).status_code == 200
    assert q.pop() is None  # its first run was due now
    assert ui.post(f"/api/v1/recurring/{jid}/resume", {}).status_code == 200
    job = q.pop()
    assert job is not None and job.jid == f"{jid}-1"


def test_bad_pause_and_resume_requests_change_nothing(
    ui: UI, ui_client: Client, ui_redis: Redis
) -> None:
    jid = _cron_template(ui_client)
    before = dump(ui_redis)
    for action in ("pause", "resume"):
        reply = ui.post(f"/api/v1/recurring/nope/{action}", {})
        assert reply.status_code == 404
        assert reply.json()["error"]["message"] == "recurring template 'nope' does not exist"
        reply = ui.post(f"/api/v1/recurring/{jid}/{action}", {"queue": "x"})
        assert reply.status_code == 400 and "queue" in reply.text
    assert dump(ui_redis) == before


def test_pause_and_resume_need_an_operator_and_a_csrf_token(
    make_ui: MakeUI, ui_client: Client, ui_redis: Redis
) -> None:
    jid = _cron_template(ui_client)
    before = dump(ui_redis)
    viewer = make_ui(authorize=as_role(Role.VIEWER))
    operator = make_ui(authorize=as_role(Role.OPERATOR))
    for action in ("pause", "resume"):
        assert viewer.post(f"/api/v1/recurring/{jid}/{action}", {}).status_code == 403
        no_token = operator.http.post(f"/api/v1/recurring/{jid}/{action}", json={})
        assert no_token.status_code == 403
    assert "/pause" not in viewer.get(f"/jobs/{jid}").text
    assert "/pause" not in viewer.get("/recurring").text
    assert dump(ui_redis) == before
    assert operator.post(f"/api/v1/recurring/{jid}/pause", {}).status_code == 200
    assert ui_client.jobs.get_recurring(jid).paused is True


def test_a_template_with_a_unique_key_shows_it(ui: UI, ui_client: Client) -> None:
    ui_client.queues["reports"].recur("app.Report", {}, 60, jid="keyed", unique="refresh")
    assert ui.get("/api/v1/jobs/keyed").json()["unique"] == "refresh"
    page = ui.get("/jobs/keyed").text
    assert "unique key" in page and "refresh" in page
    ui_client.queues["reports"].recur("app.Report", {}, 60, jid="plain")
    assert ui.get("/api/v1/jobs/plain").json()["unique"] is None
    assert "unique key" not in ui.get("/jobs/plain").text
