"""Statistics: recording hooks and queue.stats (docs/concepts.md, Statistics)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, snapshot

DAY = 86400


def stats(core: Core, date: float, queue: str = "queue") -> Any:
    return core.json("queue.stats", 0, queue, date)


def zeros() -> dict[str, Any]:
    return {"count": 0, "mean": 0, "std": 0, "histogram": [0] * 148}


def test_empty_queue_is_all_zeros(core: Core) -> None:
    assert stats(core, 0, "nowhere") == {
        "retries": 0,
        "failed": 0,
        "failures": 0,
        "wait": zeros(),
        "run": zeros(),
    }


def test_wait_samples(redis: Redis, core: Core) -> None:
    for n in range(20):
        core.put(0, f"j{n}")
    for now in range(20):
        assert len(core.pop(now)) == 1
    wait = stats(core, 0)["wait"]
    assert wait["count"] == 20
    assert wait["mean"] == 9.5
    assert wait["std"] == pytest.approx(5.916079783099, abs=1e-12)
    assert wait["std"] == pytest.approx(math.sqrt(35), rel=1e-13)
    assert wait["histogram"][:20] == [1] * 20
    assert sum(wait["histogram"]) == 20
    assert redis.hget("ql:s:wait:0:queue", "total") == "20"
    assert stats(core, 0)["run"] == zeros()


def test_run_samples(core: Core) -> None:
    for n in range(20):
        core.put(0, f"j{n}")
    popped = core.pop(0, limit=20)
    for now, job in enumerate(popped):
        core("job.complete", now, job["jid"], "worker", "queue", "{}")
    run = stats(core, 0)["run"]
    assert (run["count"], run["mean"]) == (20, 9.5)
    assert run["std"] == pytest.approx(math.sqrt(35), rel=1e-13)
    assert run["histogram"][:20] == [1] * 20
    assert sum(run["histogram"]) == 20


def test_stored_sample_fields(redis: Redis, core: Core) -> None:
    for n in range(3):
        core.put(0, f"j{n}")
    for now in (1, 2, 4.5):
        core.pop(now)
    stored = redis.hgetall("ql:s:wait:0:queue")
    assert sorted(stored) == ["mean", "s1", "s2", "s4", "total", "vk"]
    assert (stored["total"], stored["s1"], stored["s2"], stored["s4"]) == ("3", "1", "1", "1")
    assert float(stored["mean"]) == pytest.approx(2.5)
    assert float(stored["vk"]) == pytest.approx(6.5)
    assert stats(core, 0)["wait"]["std"] == pytest.approx(math.sqrt(6.5 / 2))


# (sample in seconds, histogram position or None)
BUCKETS: list[tuple[float, int | None]] = [
    (0, 0),
    (0.5, 0),
    (59, 59),
    (59.9, 59),
    (60, 60),
    (119, 60),
    (120, 61),
    (3599, 118),
    (3600, 119),
    (7199, 119),
    (86399, 141),
    (86400, 142),
    (6 * DAY, 147),
    (7 * DAY - 1, 147),
    (7 * DAY, None),
    (-5, None),
    (-0.5, None),
]


@pytest.mark.parametrize(("sample", "position"), BUCKETS)
def test_histogram_buckets(core: Core, sample: float, position: int | None) -> None:
    core.put(10, "jid")
    core.pop(10 + sample)
    wait = stats(core, 10 + sample)["wait"]
    assert wait["count"] == 1
    assert wait["mean"] == pytest.approx(sample)
    expected = [0] * 148
    if position is not None:
        expected[position] = 1
    assert wait["histogram"] == expected


def test_fail_counts(core: Core) -> None:
    core.put(0, "jid")
    core.pop(0)
    core("job.fail", 0, "jid", "worker", "group", "message")
    day = stats(core, 0)
    assert (day["failed"], day["failures"], day["retries"]) == (1, 1, 0)
    core.put(10, "jid")
    day = stats(core, 0)
    assert (day["failed"], day["failures"]) == (0, 1)


def test_fail_then_cancel(core: Core) -> None:
    core.put(0, "jid")
    core.pop(0)
    core("job.fail", 0, "jid", "worker", "group", "message")
    core("job.cancel", 5, "jid")
    day = stats(core, 0)
    assert (day["failed"], day["failures"]) == (0, 1)


def test_put_again_another_day_decrements_the_failure_day(core: Core) -> None:
    core.put(0, "jid")
    core.pop(0)
    core("job.fail", 0, "jid", "worker", "group", "message")
    core.put(1.5 * DAY, "jid")
    assert (stats(core, 0)["failed"], stats(core, 0)["failures"]) == (0, 1)
    assert (stats(core, 1.5 * DAY)["failed"], stats(core, DAY)["failures"]) == (0, 0)


def test_negative_heartbeat_counts_a_retry(core: Core) -> None:
    core("config.set", 0, "heartbeat", -10)
    core.put(0, "jid")
    core.pop(0)
    core.pop(0)
    assert stats(core, 0)["retries"] == 1


def test_retry_exhausting_retries_counts_a_failure(core: Core) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    core("job.retry", 0, "jid", "queue", "worker")
    day = stats(core, 0)
    assert (day["failed"], day["failures"]) == (1, 1)


def test_lock_expiry_without_grace_counts_a_failure(core: Core) -> None:
    core("config.set", 0, "grace-period", 0)
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    core.pop(61)
    assert core.job("jid")["state"] == "failed"
    day = stats(core, 61)
    assert (day["failed"], day["failures"], day["retries"]) == (1, 1, 1)


@pytest.mark.parametrize(("date", "bin_"), [(129600, DAY), (DAY, DAY), (2 * DAY - 0.5, DAY)])
def test_date_selects_the_day_bin(redis: Redis, core: Core, date: float, bin_: int) -> None:
    core.put(bin_, "jid")
    core.pop(bin_ + 3)
    assert redis.exists(f"ql:s:wait:{bin_}:queue") == 1
    assert stats(core, date)["wait"]["count"] == 1
    assert stats(core, bin_ - 1)["wait"]["count"] == 0


@pytest.mark.parametrize("date", [-1, -DAY, -0.5])
def test_negative_dates_read_negative_bins(redis: Redis, core: Core, date: float) -> None:
    core.put(-10, "jid")
    core.pop(-1)
    assert redis.exists("ql:s:wait:-86400:queue") == 1
    wait = stats(core, date)["wait"]
    assert (wait["count"], wait["mean"]) == (1, 9)
    assert wait["histogram"][9] == 1
    assert stats(core, 0)["wait"]["count"] == 0


def test_negative_zero_is_day_zero(redis: Redis, core: Core) -> None:
    """A `now` of -0 records into bin 0 and bucket s0 (not keys spelled `-0`)."""
    core.put(0, "jid")
    core.pop(-0.0)
    assert redis.keys("ql:s:*") == ["ql:s:wait:0:queue"]
    assert redis.hgetall("ql:s:wait:0:queue")["s0"] == "1"
    assert stats(core, -0.0)["wait"]["histogram"][0] == 1


def test_stats_are_per_queue(core: Core) -> None:
    core.put(0, "a", "one")
    core.put(0, "b", "two")
    core.pop(3, queue="one")
    assert stats(core, 0, "one")["wait"]["count"] == 1
    assert stats(core, 0, "two")["wait"]["count"] == 0


def test_stats_write_nothing(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    before = snapshot(redis)
    stats(core, 0)
    stats(core, 1e9)
    assert snapshot(redis) == before


def test_corrupt_stored_numbers_read_as_zero(redis: Redis, core: Core) -> None:
    redis.hset("ql:s:wait:0:queue", mapping={"total": "x", "mean": "inf", "vk": "nan", "s3": "y"})
    redis.hset("ql:s:stats:0:queue", mapping={"failed": "-inf"})
    day = stats(core, 0)
    assert day["wait"] == zeros()
    assert day["failed"] == 0


MALFORMED: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Queue(): no queue name provided"),
    (("queue",), 'Stats(): Arg "date" missing or not a number: nil'),
    (("queue", "x"), 'Stats(): Arg "date" missing or not a number: x'),
    (("queue", ""), 'Stats(): Arg "date" missing or not a number: '),
    (("queue", "nan"), 'Stats(): Arg "date" missing or not a number: nan'),
]


@pytest.mark.parametrize(("args", "match"), MALFORMED)
def test_malformed_arguments(core: Core, args: tuple[Arg, ...], match: str) -> None:
    core.put(0, "jid")
    core.pop(1)
    core.fails("queue.stats", 5, *args, match=match)
