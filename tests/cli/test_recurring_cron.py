"""`reqless recurring` with cron schedules: add, next, show, list, pause, resume, and bad
input refused with nothing written (docs/cron.md)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from reqless.client import Client
from tests.cli.process import Reqless

ADD = ("recurring", "add", "reports", "app.Report")


def test_add_a_cron_schedule_prints_its_next_five_times(reqless: Reqless, client: Client) -> None:
    result = reqless(
        *ADD, "--cron", "30 9 * * mon-fri", "--timezone", "Europe/Berlin", "--overlap", "skip",
        "--jid", "daily",
    )  # fmt: skip
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "daily"
    times = [datetime.fromisoformat(line.strip()) for line in lines[2:]]
    assert len(times) == 5
    for moment in times:
        local = moment.astimezone(ZoneInfo("Europe/Berlin"))
        assert (local.hour, local.minute, local.weekday() < 5) == (9, 30, True)
    template = client.jobs.get_recurring("daily")
    assert (template.cron, template.timezone, template.overlap) == (
        "30 9 * * mon-fri", "Europe/Berlin", "skip",
    )  # fmt: skip


def test_next_lists_an_expression_without_creating_anything(
    reqless: Reqless, client: Client
) -> None:
    result = reqless("recurring", "next", "@monthly", "--count", "3", "--json")
    assert result.code == 0, result.err
    times = [datetime.fromisoformat(t) for t in result.json()]
    assert [(t.day, t.hour, t.minute) for t in times] == [(1, 0, 0)] * 3
    assert client.database.keys("ql:r:*") == []


def test_show_and_list_name_the_schedule_and_pause_resume(reqless: Reqless, client: Client) -> None:
    assert reqless(*ADD, "--cron", "@hourly", "--jid", "h").code == 0
    shown = reqless("recurring", "show", "h", "--json").json()
    assert shown["cron"] == "@hourly" and len(shown["next_times"]) == 5
    assert "cron @hourly" in reqless("recurring", "list").out
    assert reqless("recurring", "pause", "h").code == 0
    assert client.jobs.get_recurring("h").paused
    assert "paused" in reqless("recurring", "list", "reports").out
    assert "none (paused" in reqless("recurring", "show", "h").out
    assert reqless("recurring", "resume", "h").code == 0
    assert not client.jobs.get_recurring("h").paused


def test_add_with_a_unique_key(reqless: Reqless, client: Client) -> None:
    assert reqless(*ADD, "--interval", "60", "--unique", "refresh", "--jid", "r").code == 0
    assert client.jobs.get_recurring("r").unique == "refresh"
    assert reqless("recurring", "show", "r", "--json").json()["unique"] == "refresh"


def test_bad_schedules_are_refused_and_nothing_is_written(reqless: Reqless, client: Client) -> None:
    cases = [
        ((*ADD,), "give one of --interval"),
        ((*ADD, "--interval", "60", "--cron", "@daily"), "give one of --interval"),
        ((*ADD, "--interval", "60", "--timezone", "Asia/Tokyo"), "go with --cron"),
        ((*ADD, "--cron", "@daily", "--offset", "5"), "--offset goes with --interval"),
        ((*ADD, "--cron", "0 25 * * *"), 'field "hour"'),
        ((*ADD, "--cron", "@daily", "--timezone", "Mars/Base"), "Mars/Base"),
        ((*ADD, "--cron", "@daily", "--overlap", "often"), "--overlap"),
        (("recurring", "next", "bogus"), "expected 5 fields"),
        (("recurring", "pause", "nope"), "nope"),
    ]
    for args, message in cases:
        result = reqless(*args)
        assert result.code != 0, args
        assert message in result.err, (args, result.err)
    assert client.database.keys("*") == []
