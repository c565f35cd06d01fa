"""Cron schedules through both clients: recur(cron=...), the template's fields, pause,
resume, next fire times, updates in place, and bad input refused (docs/cron.md)."""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from reqless.exceptions import ArgumentError, CoreError
from tests.aio.conftest import Runner, Surface
from tests.helpers import snapshot

KLASS = "tests.aio.jobs.Noop"


async def template(s: Surface, jid: str) -> object:
    return await s(lambda c: c.jobs.get_recurring(jid))


def test_a_cron_schedule_reads_back_with_its_settings(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        jid = await s(lambda c: queue.recur(
            KLASS, {"report": "daily"}, cron="30 9 * * mon-fri", timezone="Europe/Berlin",
            overlap="skip", catchup="none", jitter=30, jid="daily",
        ))  # fmt: skip
        assert jid == "daily"
        found = await s(lambda c: c.jobs.get_recurring("daily"))
        assert (found.cron, found.timezone, found.overlap, found.catchup, found.jitter) == (
            "30 9 * * mon-fri", "Europe/Berlin", "skip", "none", 30,
        )  # fmt: skip
        assert found.paused is False and found.count == 0
        times = await s(lambda c: found.next_fire_times(5))
        assert len(times) == 5
        berlin = ZoneInfo("Europe/Berlin")
        for moment in times:
            local = moment.astimezone(berlin)
            assert (local.hour, local.minute) == (9, 30)
            assert local.weekday() < 5
        assert times == sorted(times) and times[0].timestamp() > time.time()
        assert found.slot == times[0].timestamp()
        assert "cron='30 9 * * mon-fri'" in repr(found)

    both(scenario)


def test_pause_and_resume(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        await s(lambda c: queue.recur(KLASS, {}, cron="@hourly", jid="h"))
        found = await template(s, "h")
        await s(lambda c: found.pause())  # type: ignore[attr-defined]
        assert (await template(s, "h")).paused is True  # type: ignore[attr-defined]
        assert await s(lambda c: found.next_fire_times()) == []  # type: ignore[attr-defined]
        assert await s(lambda c: queue.jobs.recurring()) == ["h"]
        await s(lambda c: found.resume())  # type: ignore[attr-defined]
        again = await template(s, "h")
        assert again.paused is False  # type: ignore[attr-defined]
        first = (await s(lambda c: again.next_fire_times(1)))[0]  # type: ignore[attr-defined]
        assert first.minute == 0 and first.second == 0

    both(scenario)


def test_recurring_again_updates_in_place(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        await s(lambda c: queue.recur(KLASS, {"v": 1}, cron="0 0 * * *", jid="d"))
        slot = (await template(s, "d")).slot  # type: ignore[attr-defined]
        await s(lambda c: queue.recur(KLASS, {"v": 2}, cron="0 0 * * *", jid="d", priority=5))
        found = await template(s, "d")
        assert found.slot == slot  # type: ignore[attr-defined]
        assert found.priority == 5  # type: ignore[attr-defined]
        assert found.data == '{"v": 2}'  # type: ignore[attr-defined]

    both(scenario)


def test_a_template_with_a_unique_key_puts_its_jobs_with_it(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        await s(lambda c: queue.recur(KLASS, {}, 60, jid="i", unique="refresh"))
        await s(lambda c: queue.recur(KLASS, {}, cron="@daily", jid="d", unique="daily"))
        assert (await template(s, "i")).unique == "refresh"  # type: ignore[attr-defined]
        assert (await template(s, "d")).unique == "daily"  # type: ignore[attr-defined]
        job = await s(lambda c: queue.pop())
        assert job.jid == "i-1" and job.unique == "refresh"
        assert await s(lambda c: c.jobs.unique_holder("refresh")) == "i-1"
        before = snapshot(s.raw)
        with pytest.raises(ArgumentError, match="unique"):
            await s(lambda c: queue.recur(KLASS, {}, 60, jid="x", unique=""))
        assert snapshot(s.raw) == before

    both(scenario)


def test_interval_templates_report_no_cron(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        await s(lambda c: queue.recur(KLASS, {}, 60, jid="i"))
        found = await template(s, "i")
        assert found.cron is None and found.paused is False  # type: ignore[attr-defined]
        times = await s(lambda c: found.next_fire_times(3))  # type: ignore[attr-defined]
        assert [b.timestamp() - a.timestamp() for a, b in itertools.pairwise(times)] == [60, 60]
        assert all(isinstance(t, datetime) and t.tzinfo is not None for t in times)

    both(scenario)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, ArgumentError, "exactly one of interval and cron"),
        ({"interval": 60, "cron": "@daily"}, ArgumentError, "exactly one of interval and cron"),
        ({"cron": "@daily", "offset": 5}, ArgumentError, "offset applies to interval"),
        ({"interval": 60, "timezone": "Europe/Berlin"}, ArgumentError, "apply to cron"),
        ({"cron": "@daily", "overlap": "sometimes"}, ArgumentError, "overlap must be one of"),
        ({"cron": "@daily", "catchup": "most"}, ArgumentError, "catchup must be one of"),
        ({"cron": "@daily", "jitter": -1}, ArgumentError, "jitter"),
        ({"cron": "@daily", "timezone": "Mars/Olympus"}, ArgumentError, "Mars/Olympus"),
        ({"cron": "@daily", "timezone": ""}, ArgumentError, "timezone"),
        ({"cron": ""}, ArgumentError, "cron"),
        ({"cron": "61 * * * *"}, CoreError, "minute"),
        ({"cron": "0 0 30 2 *"}, CoreError, "Cron()"),
    ],
)
def test_bad_schedules_are_refused_and_nothing_is_written(
    both: Runner, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        before = snapshot(s.raw)
        with pytest.raises(error, match=match.replace("(", r"\(").replace(")", r"\)")):
            await s(lambda c: queue.recur(KLASS, {}, **kwargs))
        assert snapshot(s.raw) == before

    both(scenario)
