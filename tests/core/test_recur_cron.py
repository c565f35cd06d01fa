"""Cron templates in the core: queue.recurOnCron, its policies, pause and resume (docs/cron.md).

Times are explicit: each test passes `now` to every call, so the slots a pop spawns are
known exactly.
"""

from __future__ import annotations

import calendar
import json
from typing import Any

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core

#: Monday 2026-01-05 00:00 UTC.
MONDAY = calendar.timegm((2026, 1, 5, 0, 0, 0))
HOUR = 3600


def cron(core: Core, now: float, expression: str, *options: Arg, jid: str = "t") -> str:
    reply: str = core("queue.recurOnCron", now, "queue", jid, "klass", "{}", expression, *options)
    return reply


def template(core: Core, jid: str = "t") -> Any:
    return core.json("recurringJob.get", 0, jid)


def spawned(core: Core, now: float, limit: int = 50) -> list[str]:
    """Pop everything the queue has at `now`; the jids, in pop order."""
    return [job["jid"] for job in core.pop(now, limit=limit)]


def nominal(core: Core, jid: str) -> int:
    """A child's nominal fire time (its first history entry)."""
    when: int = core.job(jid)["history"][0]["when"]
    return when


def score(redis: Redis, jid: str = "t") -> float | None:
    return redis.zscore("ql:q:queue-recur", jid)


def test_a_cron_template_waits_for_its_first_slot(redis: Redis, core: Core) -> None:
    assert cron(core, MONDAY + 10, "0 * * * *") == "t"
    assert score(redis) == MONDAY + HOUR
    found = template(core)
    assert found["type"] == "cron"
    assert found["cron"] == "0 * * * *"
    assert found["timezone"] == "UTC"
    assert found["slot"] == MONDAY + HOUR
    assert found["interval"] == HOUR  # for clients that know only intervals
    assert (found["overlap"], found["catchup"], found["count"]) == ("allow", "latest", 0)
    assert spawned(core, MONDAY + HOUR - 1) == []


def test_each_slot_spawns_one_child_once(redis: Redis, core: Core) -> None:
    cron(core, MONDAY, "*/15 * * * *")
    first = MONDAY + 15 * 60
    # Many pops at the same instant (several workers): one child for the slot.
    assert spawned(core, first) == ["t-1"]
    assert spawned(core, first) == []
    assert spawned(core, first + 1) == []
    assert nominal(core, "t-1") == first
    assert score(redis) == first + 15 * 60
    assert spawned(core, first + 15 * 60) == ["t-2"]


def test_catch_up_latest_spawns_one_run_for_the_missed_slots(core: Core) -> None:
    cron(core, MONDAY, "0 * * * *")
    # Nobody popped for five hours: one run, for the latest slot.
    assert spawned(core, MONDAY + 5 * HOUR + 60) == ["t-1"]
    assert nominal(core, "t-1") == MONDAY + 5 * HOUR
    assert template(core)["slot"] == MONDAY + 6 * HOUR


def test_catch_up_none_runs_nothing_after_an_outage(core: Core) -> None:
    cron(core, MONDAY, "0 * * * *", "catchup", "none")
    assert spawned(core, MONDAY + 3 * HOUR + 5) == []
    assert template(core)["slot"] == MONDAY + 4 * HOUR
    # A slot popped within its own hour still runs.
    assert spawned(core, MONDAY + 4 * HOUR + 1800) == ["t-1"]


def test_catch_up_all_runs_the_missed_slots_up_to_the_backlog(core: Core) -> None:
    cron(core, MONDAY, "0 * * * *", "catchup", "all", "backlog", 3)
    jids = spawned(core, MONDAY + 5 * HOUR + 60)
    assert len(jids) == 3
    assert sorted(nominal(core, jid) for jid in jids) == [
        MONDAY + 3 * HOUR, MONDAY + 4 * HOUR, MONDAY + 5 * HOUR,
    ]  # fmt: skip


def test_catch_up_all_out_of_room_goes_on_at_the_next_pop(core: Core) -> None:
    cron(core, MONDAY, "0 * * * *", "catchup", "all", "backlog", 3)
    later = MONDAY + 5 * HOUR + 60
    first = spawned(core, later, limit=1)
    second = spawned(core, later, limit=1)
    third = spawned(core, later, limit=1)
    assert len(first + second + third) == 3
    assert spawned(core, later, limit=5) == []
    assert sorted(nominal(core, jid) for jid in first + second + third) == [
        MONDAY + 3 * HOUR, MONDAY + 4 * HOUR, MONDAY + 5 * HOUR,
    ]  # fmt: skip


def test_overlap_skip_spawns_nothing_while_the_last_run_is_unfinished(core: Core) -> None:
    core("config.set", 0, "heartbeat", 86400)  # the run's lock outlives the hours below
    cron(core, MONDAY, "0 * * * *", "overlap", "skip")
    assert spawned(core, MONDAY + HOUR) == ["t-1"]  # now running
    assert spawned(core, MONDAY + 2 * HOUR) == []
    assert template(core)["skipped"] == 1
    core("job.complete", MONDAY + 2 * HOUR + 10, "t-1", "worker", "queue", "{}")
    assert spawned(core, MONDAY + 3 * HOUR) == ["t-2"]


def test_overlap_queue_one_holds_back_one_run(redis: Redis, core: Core) -> None:
    core("config.set", 0, "heartbeat", 86400)
    cron(core, MONDAY, "0 * * * *", "overlap", "queue_one")
    assert spawned(core, MONDAY + HOUR) == ["t-1"]
    assert spawned(core, MONDAY + 2 * HOUR) == []
    assert spawned(core, MONDAY + 3 * HOUR) == []
    assert template(core)["pending"] == MONDAY + 3 * HOUR  # at most one held back
    core("job.complete", MONDAY + 3 * HOUR + 10, "t-1", "worker", "queue", "{}")
    # The end of the run makes the held-back one due at once (and wakes a worker).
    assert score(redis) == MONDAY + 3 * HOUR + 10
    assert spawned(core, MONDAY + 3 * HOUR + 20) == ["t-2"]
    assert score(redis) == MONDAY + 4 * HOUR
    assert nominal(core, "t-2") == MONDAY + 3 * HOUR
    assert "pending" not in template(core)


def test_a_held_back_run_starts_when_its_predecessor_fails_for_good(
    redis: Redis, core: Core
) -> None:
    core("config.set", 0, "heartbeat", 86400)
    cron(core, MONDAY, "0 * * * *", "overlap", "queue_one")
    assert spawned(core, MONDAY + HOUR) == ["t-1"]
    assert spawned(core, MONDAY + 2 * HOUR) == []
    core("job.fail", MONDAY + 2 * HOUR + 5, "t-1", "worker", "boom", "it broke", "{}")
    assert spawned(core, MONDAY + 2 * HOUR + 6) == ["t-2"]


def test_a_held_back_run_starts_when_its_predecessor_is_cancelled(core: Core) -> None:
    core("config.set", 0, "heartbeat", 86400)
    cron(core, MONDAY, "0 * * * *", "overlap", "queue_one")
    assert spawned(core, MONDAY + HOUR) == ["t-1"]
    assert spawned(core, MONDAY + 2 * HOUR) == []
    core("job.cancel", MONDAY + 2 * HOUR + 5, "t-1")
    assert spawned(core, MONDAY + 2 * HOUR + 6) == ["t-2"]


def test_overlap_allow_runs_alongside(core: Core) -> None:
    cron(core, MONDAY, "0 * * * *")
    assert spawned(core, MONDAY + HOUR) == ["t-1"]
    assert spawned(core, MONDAY + 2 * HOUR) == ["t-2"]


def test_jitter_delays_each_slot_by_the_same_amount_for_every_caller(
    redis: Redis, core: Core
) -> None:
    cron(core, MONDAY, "0 * * * *", "jitter", 600)
    due = score(redis)
    assert due is not None and MONDAY + HOUR <= due < MONDAY + HOUR + 600
    assert spawned(core, due - 0.001) == []
    assert spawned(core, due) == ["t-1"]
    assert nominal(core, "t-1") == MONDAY + HOUR
    following = score(redis)
    assert following is not None and MONDAY + 2 * HOUR <= following < MONDAY + 2 * HOUR + 600


def test_pause_keeps_the_template_listed_and_resume_never_bursts(redis: Redis, core: Core) -> None:
    cron(core, MONDAY, "0 * * * *")
    assert core("recurringJob.pause", MONDAY + 10, "t") == 1
    assert template(core)["paused"] is True
    assert core.json("queue.jobsByState", MONDAY, "recurring", "queue", 0, 10) == ["t"]
    assert spawned(core, MONDAY + 10 * HOUR) == []
    assert core("recurringJob.resume", MONDAY + 10 * HOUR + 60, "t") == 1
    assert "paused" not in template(core)
    assert score(redis) == MONDAY + 11 * HOUR
    assert spawned(core, MONDAY + 11 * HOUR) == ["t-1"]


def test_pause_and_resume_of_an_interval_template(redis: Redis, core: Core) -> None:
    core("queue.recurAtInterval", MONDAY, "queue", "i", "klass", "{}", 60, 0)
    core("recurringJob.pause", MONDAY + 1, "i")
    assert spawned(core, MONDAY + 3600) == []
    core("recurringJob.resume", MONDAY + 3600, "i")
    # One run for the paused time, then every interval again.
    assert spawned(core, MONDAY + 3600) == ["i-1"]
    assert score(redis, "i") == MONDAY + 3660


def test_pause_and_resume_of_an_unknown_template_fail(core: Core) -> None:
    core.fails("recurringJob.pause", MONDAY, "nope", match="No recurring job nope")
    core.fails("recurringJob.resume", MONDAY, "nope", match="No recurring job nope")


def test_recur_again_updates_in_place_without_a_burst(redis: Redis, core: Core) -> None:
    cron(core, MONDAY, "0 * * * *")
    assert spawned(core, MONDAY + HOUR) == ["t-1"]
    # Same schedule, new data: the next slot and the count stay.
    core("queue.recurOnCron", MONDAY + HOUR + 5, "queue", "t", "klass", '{"v": 2}', "0 * * * *")
    assert score(redis) == MONDAY + 2 * HOUR
    assert template(core)["count"] == 1
    # A new schedule starts after now, never in the past.
    cron(core, MONDAY + HOUR + 10, "30 */6 * * *")
    assert score(redis) == MONDAY + 6 * HOUR + 1800
    assert spawned(core, MONDAY + 6 * HOUR + 1800) == ["t-2"]
    assert json.loads(core.job("t-2")["data"]) == {}


def test_a_paused_template_stays_paused_when_recurred_again(redis: Redis, core: Core) -> None:
    cron(core, MONDAY, "0 * * * *")
    core("recurringJob.pause", MONDAY, "t")
    cron(core, MONDAY + 5, "*/5 * * * *")
    assert template(core)["paused"] is True
    assert spawned(core, MONDAY + HOUR) == []


def test_a_timezone_other_than_utc_needs_its_offsets(core: Core) -> None:
    core.fails(
        "queue.recurOnCron", MONDAY, "queue", "t", "klass", "{}", "0 9 * * *",
        "timezone", "Europe/Berlin", match='Arg "zone" missing',
    )  # fmt: skip


def test_local_fire_times_follow_the_zone(redis: Redis, core: Core) -> None:
    # Berlin in January is UTC+1: 09:00 local is 08:00 UTC.
    zone = json.dumps([[MONDAY - 86400, 3600]])
    cron(core, MONDAY, "0 9 * * *", "timezone", "Europe/Berlin", "zone", zone)
    assert score(redis) == MONDAY + 8 * HOUR
    assert template(core)["timezone"] == "Europe/Berlin"


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (("overlap", "sometimes"), 'Arg "overlap" must be allow, skip or queue_one'),
        (("catchup", "most"), 'Arg "catchup" must be latest, none or all'),
        (("backlog", "-1"), 'Arg "backlog" must be a whole number >= 0'),
        (("backlog", "1.5"), 'Arg "backlog" must be a whole number >= 0'),
        (("jitter", "-5"), 'Arg "jitter" must be >= 0'),
        (("jitter", "soon"), 'Arg "jitter" not a number'),
        (("timezone", ""), 'Arg "timezone" is empty'),
        (("zone", "[]"), "zone"),
        (("priority",), "Odd number of additional args"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_written(
    core: Core, options: tuple[str, ...], match: str
) -> None:
    core.fails(
        "queue.recurOnCron", MONDAY, "queue", "t", "klass", "{}", "0 * * * *", *options,
        match=match,
    )  # fmt: skip


@pytest.mark.parametrize("expression", ["", "61 * * * *", "0 0 30 2 *", "* * *", "@often"])
def test_bad_expressions_are_refused_and_nothing_is_written(core: Core, expression: str) -> None:
    core.fails("queue.recurOnCron", MONDAY, "queue", "t", "klass", "{}", expression, match="Cron")


def test_an_update_of_interval_is_refused_on_a_cron_template(core: Core) -> None:
    cron(core, MONDAY, "0 * * * *")
    core.fails("recurringJob.update", MONDAY, "t", "interval", 60, match="does not apply to a cron")


def test_interval_templates_read_as_before(core: Core) -> None:
    core("queue.recurAtInterval", MONDAY, "queue", "i", "klass", "{}", 60, 0)
    assert set(template(core, "i")) == {
        "jid", "klass", "state", "queue", "priority", "interval", "retries", "count", "data",
        "tags", "backlog", "throttles",
    }  # fmt: skip


def test_an_interval_recur_over_a_cron_template_drops_the_schedule(
    redis: Redis, core: Core
) -> None:
    cron(core, MONDAY, "0 * * * *")
    core("queue.recurAtInterval", MONDAY + 5, "queue", "t", "klass", "{}", 60, 0)
    assert "cron" not in template(core)
    assert not redis.hexists("ql:r:t", "slot")
    assert spawned(core, MONDAY + 5) == ["t-1"]


def test_a_far_behind_schedule_is_caught_up_in_few_steps(core: Core) -> None:
    cron(core, MONDAY, "* * * * *")
    # A year without pops of an every-minute schedule: one run, the latest minute.
    later = MONDAY + 365 * 86400 + 30
    assert spawned(core, later) == ["t-1"]
    assert nominal(core, "t-1") == later - 30


# --- templates whose children are unique (an option of both kinds of template) -----------


def test_a_cron_child_holds_the_templates_unique_key_and_a_held_key_skips_a_time(
    redis: Redis, core: Core
) -> None:
    core("config.set", 0, "heartbeat", 86400)
    cron(core, MONDAY, "0 * * * *", "unique", "nightly")
    assert template(core)["unique"] == "nightly"
    assert spawned(core, MONDAY + HOUR) == ["t-1"]
    assert redis.get("ql:u:nightly") == "t-1"
    assert core.job("t-1")["unique"] == "nightly"
    # The key is still held by the running t-1: this time is skipped, not queued.
    assert spawned(core, MONDAY + 2 * HOUR) == []
    assert template(core)["skipped"] == 1
    core("job.complete", MONDAY + 2 * HOUR + 5, "t-1", "worker", "queue", "{}")
    assert redis.get("ql:u:nightly") is None
    assert spawned(core, MONDAY + 3 * HOUR) == ["t-2"]


def test_an_interval_child_holds_the_templates_unique_key(redis: Redis, core: Core) -> None:
    core("config.set", 0, "heartbeat", 86400)
    core("queue.recurAtInterval", MONDAY, "queue", "i", "klass", "{}", 60, 0, "unique", "k")
    assert spawned(core, MONDAY) == ["i-1"]
    # A put with the key while the child runs returns the child (the key is held).
    assert core.put(MONDAY + 1, "other", "queue", "unique", "k") == "i-1"
    assert spawned(core, MONDAY + 120) == []
    assert template(core, "i")["skipped"] == 2
    core("job.complete", MONDAY + 130, "i-1", "worker", "queue", "{}")
    assert spawned(core, MONDAY + 180) == ["i-2"]
    assert redis.get("ql:u:k") == "i-2"


def test_an_empty_unique_key_on_a_template_is_refused(core: Core) -> None:
    core.fails(
        "queue.recurAtInterval", MONDAY, "queue", "i", "klass", "{}", 60, 0, "unique", "",
        match='Arg "unique" must be a non-empty string',
    )  # fmt: skip
    core.fails(
        "queue.recurOnCron", MONDAY, "queue", "t", "klass", "{}", "@daily", "unique", "",
        match='Arg "unique" must be a non-empty string',
    )  # fmt: skip


def test_a_cron_template_reads_as_a_recurring_job_to_other_clients(core: Core) -> None:
    """Other clients build their recurring job from recurringJob.get's JSON, requiring
    `retries`, `interval` and `count` and ignoring keys they do not know: a cron
    template's object has every key of an interval template's, with the same types."""
    core("queue.recurAtInterval", MONDAY, "queue", "i", "klass", "{}", 60, 0)
    cron(core, MONDAY, "*/5 * * * *", "overlap", "skip")
    plain, scheduled = template(core, "i"), template(core)
    for key, value in plain.items():
        assert key in scheduled, key
        assert type(scheduled[key]) is type(value) or key == "interval", (key, scheduled[key])
    assert scheduled["interval"] == 300
    assert set(scheduled) - set(plain) == {
        "type", "cron", "timezone", "overlap", "catchup", "jitter", "skipped", "slot",
    }  # fmt: skip
