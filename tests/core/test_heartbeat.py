"""job.heartbeat (docs/core-commands.md, job.heartbeat; docs/configuration.md; docs/concepts.md,
Locks and heartbeats)."""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.core import Arg
from tests.core.test_complete import (
    ANY_ERROR,
    NOT_RUNNING,
    counters,
    make_job,
    running,
    set_config,
)
from tests.helpers import Core, events


def heartbeat(core: Core, now: float, *data: str, worker: str = "worker") -> int:
    """Heartbeat `jid` as `worker`."""
    reply: int = core("job.heartbeat", now, "jid", worker, *data)
    return reply


def test_heartbeat_extends_the_lock(core: Core, redis: Redis) -> None:
    running(core)
    assert heartbeat(core, 10) == 70
    assert core.job("jid")["expires"] == 70
    assert core.job("jid")["worker"] == "worker"
    assert redis.zscore("ql:q:queue-locks", "jid") == 70
    assert redis.zscore("ql:w:worker:jobs", "jid") == 70


def test_heartbeat_returns_a_truncated_deadline(core: Core, redis: Redis) -> None:
    running(core)
    assert heartbeat(core, 2.7) == 62
    assert float(redis.hget("ql:j:jid", "expires") or "nan") == pytest.approx(62.7)
    assert redis.zscore("ql:q:queue-locks", "jid") == pytest.approx(62.7)
    assert core.job("jid")["expires"] == pytest.approx(62.7)


def test_heartbeat_later_than_the_pop_returns_more(core: Core) -> None:
    running(core)
    popped = core.job("jid")["expires"]
    assert heartbeat(core, 2) > popped


def test_heartbeat_touches_nothing_else(core: Core, redis: Redis) -> None:
    running(core)
    before = core.job("jid")
    heartbeat(core, 30)
    after = core.job("jid")
    assert after["history"] == before["history"]
    assert after["remaining"] == before["remaining"]
    assert after["state"] == "running"
    assert after["data"] == "{}"
    assert redis.zscore("ql:workers", "worker") == 1
    assert redis.hget("ql:j:jid", "time") == "1.00000000000000000000"


def test_heartbeat_publishes_nothing(core: Core, redis: Redis) -> None:
    running(core)
    redis.zadd("ql:tracked", {"jid": 0})
    with events(redis) as capture:
        heartbeat(core, 2, '{"a": 1}')
        assert capture.drain() == []


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        ('{"progress": []}', '{"progress":{}}'),
        ('{"path": "a/b"}', '{"path":"a\\/b"}'),
        ("[]", "{}"),
        (' { "n" : 2 } ', '{"n":2}'),
    ],
)
def test_heartbeat_reencodes_data(core: Core, data: str, stored: str) -> None:
    running(core)
    heartbeat(core, 2, data)
    assert core.job("jid")["data"] == stored


@pytest.mark.parametrize(
    ("config", "now", "expected"),
    [
        ({}, 10, 70),
        ({"heartbeat": "30"}, 10, 40),
        ({"queue-heartbeat": "5"}, 10, 15),
        ({"queue-heartbeat": "5", "heartbeat": "30"}, 10, 15),
        ({"other-heartbeat": "5"}, 10, 70),
        ({"queue-heartbeat": "0", "heartbeat": "30"}, 10, 10),
        ({"heartbeat": "0"}, 10, 10),
        ({"heartbeat": "-10"}, 5, -5),
        ({"heartbeat": "-10"}, 2.5, -7),
        ({"heartbeat": "0x10"}, 0, 16),
        ({"heartbeat": "1.5"}, 0, 1),
    ],
)
def test_heartbeat_length_comes_from_the_config(
    core: Core, redis: Redis, config: dict[str, str], now: float, expected: int
) -> None:
    running(core)
    for option, value in config.items():
        set_config(redis, option, value)
    assert heartbeat(core, now) == expected


def test_heartbeat_uses_the_config_of_the_jobs_queue(core: Core, redis: Redis) -> None:
    set_config(redis, "a-heartbeat", 5)
    set_config(redis, "b-heartbeat", 7)
    running(core, queue="a")
    assert heartbeat(core, 10) == 15


def test_heartbeat_with_a_non_numeric_config_uses_the_global_one(core: Core, redis: Redis) -> None:
    running(core)
    set_config(redis, "queue-heartbeat", "soon")
    assert heartbeat(core, 2) == 62


def test_heartbeat_during_the_grace_period(core: Core, redis: Redis) -> None:
    running(core)
    assert core.pop(61, "queue", "another") == []  # warns, lock extended to 71
    assert heartbeat(core, 65) == 125
    assert redis.zscore("ql:q:queue-locks", "jid") == 125
    assert redis.zscore("ql:w:worker:jobs", "jid") == 125
    assert core.pop(100, "queue", "another") == []
    # The grace flag survives the heartbeat: the next expiry reassigns at once.
    assert redis.hget("ql:j:jid", "grace") == "1"
    retries_before = counters(redis, "queue", 0).get("retries")
    assert [job["worker"] for job in core.pop(130, "queue", "another")] == ["another"]
    assert counters(redis, "queue", 0).get("retries") == retries_before
    whats = [entry["what"] for entry in core.job("jid")["history"]]
    assert whats == ["put", "popped", "timed-out", "popped"]


@pytest.mark.parametrize("state", NOT_RUNNING)
def test_heartbeat_rejects_jobs_that_are_not_running(core: Core, state: str) -> None:
    make_job(core, state)
    core.fails(
        "job.heartbeat",
        5,
        "jid",
        "worker",
        match=f"Heartbeat(): Job not currently running: {state}",
    )


def test_heartbeat_of_a_cancelled_job(core: Core) -> None:
    running(core)
    core("job.cancel", 2, "jid")
    core.fails("job.heartbeat", 3, "jid", "worker", match="Heartbeat(): Job does not exist")


def test_heartbeat_after_a_reput(core: Core) -> None:
    running(core)
    core.put(2, "jid", "other", worker="another")
    core.fails("job.heartbeat", 3, "jid", "worker", match="not currently running: waiting")


def test_heartbeat_after_reassignment(core: Core, redis: Redis) -> None:
    set_config(redis, "grace-period", 0)
    running(core)
    core.pop(71, "queue", "another")
    core.fails(
        "job.heartbeat",
        72,
        "jid",
        "worker",
        match="Heartbeat(): Job given out to another worker: another",
    )


def test_heartbeat_by_an_empty_worker_name_is_refused(core: Core) -> None:
    core.put(0, "jid")
    assert [job["worker"] for job in core.pop(1, "queue", "")] == [""]
    core.fails(
        "job.heartbeat", 2, "jid", "", match="Heartbeat(): Job given out to another worker: "
    )


HEARTBEAT_MALFORMED: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Job(): no jid provided"),
    (("jid",), 'Heatbeat(): Arg "worker" missing'),
    (("jid", "worker", "{"), ANY_ERROR),
    (("jid", "worker", "{'a': 1}"), ANY_ERROR),
    (("missing", "worker", "{"), ANY_ERROR),
    (("missing", "worker"), "Heartbeat(): Job does not exist"),
    (("missing", "worker", "{}"), "Heartbeat(): Job does not exist"),
    (("", "worker"), "Heartbeat(): Job does not exist"),
    (("jid", "another"), "Heartbeat(): Job given out to another worker: worker"),
    (("jid", ""), "Heartbeat(): Job given out to another worker: worker"),
]


@pytest.mark.parametrize(("args", "message"), HEARTBEAT_MALFORMED)
def test_heartbeat_malformed(core: Core, args: tuple[Arg, ...], message: str) -> None:
    running(core)
    core.fails("job.heartbeat", 2, *args, match=message)
