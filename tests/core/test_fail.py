"""job.fail (docs/core-commands.md, job.fail; docs/concepts.md, Retries and Statistics)."""

from __future__ import annotations

import json

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
    set_throttle,
    track,
    work_score,
)
from tests.helpers import Core, events


def fail(core: Core, now: float, jid: str = "jid", *data: str) -> str:
    """Fail `jid` (held by `worker`) in group `group` with message `message`."""
    reply: str = core("job.fail", now, jid, "worker", "group", "message", *data)
    return reply


def test_fail_returns_the_jid_and_sets_the_failure(core: Core) -> None:
    running(core)
    assert fail(core, 2) == "jid"
    job = core.job("jid")
    assert job["state"] == "failed"
    assert job["worker"] == ""
    assert job["expires"] == 0
    assert job["queue"] == "queue"
    assert job["retries"] == 5
    assert job["remaining"] == 5
    assert job["failure"] == {
        "group": "group",
        "message": "message",
        "when": 2,
        "worker": "worker",
    }
    assert job["history"][-1] == {"what": "failed", "when": 2, "worker": "worker", "group": "group"}


def test_fail_floors_when(core: Core, redis: Redis) -> None:
    running(core)
    fail(core, 2.75)
    assert core.job("jid")["failure"]["when"] == 2
    (entry,) = redis.lrange("ql:j:jid-history", -1, -1)
    assert json.loads(entry) == [2, "failed", {"worker": "worker", "group": "group"}]


def test_fail_writes_the_raw_fields(core: Core, redis: Redis) -> None:
    running(core)
    fail(core, 2)
    raw = redis.hgetall("ql:j:jid")
    assert raw["state"] == "failed"
    assert raw["worker"] == ""
    assert raw["expires"] == ""
    assert raw["queue"] == "queue"
    assert raw["data"] == "{}"


def test_fail_leaves_the_queue_and_the_worker(core: Core, redis: Redis) -> None:
    running(core)
    fail(core, 2)
    for kind in ("work", "locks", "scheduled", "depends", "throttled"):
        assert redis.zscore(f"ql:q:queue-{kind}", "jid") is None
    assert redis.zscore("ql:w:worker:jobs", "jid") is None
    assert redis.zscore("ql:workers", "worker") == 1
    assert redis.zscore("ql:completed", "jid") is None


def test_fail_lists_the_job_newest_first(core: Core, redis: Redis) -> None:
    core.put(0, "a")
    core.put(0, "b")
    core.pop(1, limit=2)
    fail(core, 2, "a")
    fail(core, 3, "b")
    assert redis.smembers("ql:failures") == {"group"}
    assert redis.lrange("ql:f:group", 0, -1) == ["b", "a"]
    assert core.json("jobs.failedByGroup", 4, "group") == {"total": 2, "jobs": ["b", "a"]}


def test_fail_counts_in_the_stats_of_the_jobs_queue(core: Core, redis: Redis) -> None:
    running(core)
    fail(core, 86400 + 2.5)
    assert counters(redis, "queue", 86400) == {"failures": "1", "failed": "1"}
    assert counters(redis, "queue", 0) == {}


def test_fail_then_put_again_is_peekable(core: Core, redis: Redis) -> None:
    running(core)
    fail(core, 2)
    core.put(3, "jid")
    assert [job["jid"] for job in core.json("queue.peek", 4, "queue", 0, 10)] == ["jid"]
    assert counters(redis, "queue", 0) == {"failures": "1", "failed": "0"}
    assert core.job("jid")["failure"]["group"] == "group"


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        ('{"a": []}', '{"a":{}}'),
        ('{"url": "http://x/y"}', '{"url":"http:\\/\\/x\\/y"}'),
        ("[]", "{}"),
        ('  {"n": 1.5}  ', '{"n":1.5}'),
    ],
)
def test_fail_reencodes_data(core: Core, data: str, stored: str) -> None:
    running(core)
    fail(core, 2, "jid", data)
    assert core.job("jid")["data"] == stored


def test_fail_without_data_keeps_the_data(core: Core) -> None:
    core.put(0, "jid", data='{"a": [1, 2]}')
    core.pop(1)
    fail(core, 2)
    assert core.job("jid")["data"] == '{"a": [1, 2]}'


def test_fail_publishes_the_log_message(core: Core, redis: Redis) -> None:
    running(core)
    with events(redis) as capture:
        core("job.fail", 2, "jid", "worker", "grp", "mess")
        assert capture.drain() == [
            (
                "ql:log",
                '{"message":"mess","jid":"jid","group":"grp","event":"failed","worker":"worker"}',
            ),
        ]


def test_fail_of_a_tracked_job(core: Core, redis: Redis) -> None:
    running(core)
    track(redis, "jid")
    with events(redis) as capture:
        core("job.fail", 2, "jid", "worker", "grp", 'say "hi" / bye')
        assert capture.drain() == [
            (
                "ql:log",
                '{"message":"say \\"hi\\" \\/ bye","jid":"jid","group":"grp",'
                '"event":"failed","worker":"worker"}',
            ),
            ("ql:failed", "jid"),
        ]


def test_fail_releases_throttles(core: Core, redis: Redis) -> None:
    set_throttle(redis, "ql:q:queue", 1)
    core.put(0, "jid1")
    core.put(1, "jid2")
    assert [job["jid"] for job in core.pop(2, limit=2)] == ["jid1"]
    fail(core, 5, "jid1")
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == []
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == []
    assert redis.zrange("ql:q:queue-throttled", 0, -1) == []
    assert redis.zscore("ql:q:queue-work", "jid2") == work_score(0, 5)
    assert [job["jid"] for job in core.pop(6)] == ["jid2"]


def test_fail_does_not_check_the_lock_deadline(core: Core) -> None:
    running(core)
    assert fail(core, 1000) == "jid"


def test_fail_during_the_grace_period(core: Core) -> None:
    running(core)
    assert core.pop(61, "queue", "another") == []
    assert fail(core, 65) == "jid"
    assert core.pop(71, "queue", "another") == []
    assert core.job("jid")["state"] == "failed"


def test_fail_keeps_dependents_waiting(core: Core) -> None:
    running(core, "a")
    core.put(0, "b", "queue", "depends", '["a"]')
    fail(core, 2, "a")
    assert core.job("b")["state"] == "depends"
    assert core.job("a")["dependents"] == ["b"]


@pytest.mark.parametrize("command", ["job.heartbeat", "job.complete", "job.retry"])
def test_failed_job_rejects_running_commands(core: Core, command: str) -> None:
    running(core)
    fail(core, 2)
    args: dict[str, tuple[Arg, ...]] = {
        "job.heartbeat": ("jid", "worker"),
        "job.complete": ("jid", "worker", "queue", "{}"),
        "job.retry": ("jid", "queue", "worker"),
    }
    core.fails(command, 3, *args[command], match="failed")


@pytest.mark.parametrize("state", NOT_RUNNING)
def test_fail_rejects_jobs_that_are_not_running(core: Core, state: str) -> None:
    make_job(core, state)
    core.fails(
        "job.fail",
        5,
        "jid",
        "worker",
        "group",
        "message",
        match=f"Fail(): Job not currently running: {state}",
    )


def test_fail_after_a_reput_names_the_new_state(core: Core) -> None:
    running(core)
    core.put(2, "jid", "queue", worker="another")
    core.fails("job.fail", 3, "jid", "worker", "g", "m", match="not currently running: waiting")


def test_fail_after_a_reput_and_pop_is_another_worker(core: Core) -> None:
    running(core)
    core.put(2, "jid", "queue", worker="another")
    core.pop(3, "queue", "another")
    core.fails(
        "job.fail", 4, "jid", "worker", "g", "m", match="Fail(): Job running with another worker"
    )


FAIL_MALFORMED: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Job(): no jid provided"),
    (("jid",), 'Fail(): Arg "worker" missing'),
    (("jid", "worker"), 'Fail(): Arg "group" missing'),
    (("jid", "worker", "group"), 'Fail(): Arg "message" missing'),
    (("jid", "worker", "group", "message", "{"), ANY_ERROR),
    (("jid", "worker", "group", "message", "{'a': 1}"), ANY_ERROR),
    (("missing", "worker", "group", "message", "["), ANY_ERROR),
    (("missing", "worker", "group", "message"), "Fail(): Job does not exist"),
    (("missing", "worker", "group", "message", "{}"), "Fail(): Job does not exist"),
    (("jid", "another", "group", "message"), "Fail(): Job running with another worker: worker"),
    (("jid", "", "group", "message"), "Fail(): Job running with another worker: worker"),
]


@pytest.mark.parametrize(("args", "message"), FAIL_MALFORMED)
def test_fail_malformed(core: Core, args: tuple[Arg, ...], message: str) -> None:
    running(core)
    core.fails("job.fail", 2, *args, match=message)


def test_fail_accepts_empty_group_and_message(core: Core, redis: Redis) -> None:
    running(core)
    core("job.fail", 2, "jid", "worker", "", "")
    assert core.job("jid")["failure"] == {"group": "", "message": "", "when": 2, "worker": "worker"}
    assert redis.lrange("ql:f:", 0, -1) == ["jid"]


def test_fail_uses_the_configured_history_cap(core: Core, redis: Redis) -> None:
    set_config(redis, "max-job-history", 3)
    running(core)
    core("job.log", 2, "jid", "note")
    fail(core, 3)
    assert [entry["what"] for entry in core.job("jid")["history"]] == ["put", "note", "failed"]
