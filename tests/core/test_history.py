"""Job history: storage, read form, trimming and legacy migration (docs/concepts.md, States)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis import Redis

from tests.helpers import Core

LEGACY = json.dumps(
    [
        {"queue": "q", "put": 1.5, "popped": 2.7, "worker": "w", "failed": 3.2, "done": 4.9},
        {"queue": "q2", "put": 10},
        {"queue": "q3", "put": 11.2, "popped": 12.9, "worker": "w2"},
    ]
)
MIGRATED = [
    '[1,"put",{"queue":"q"}]',
    '[2,"popped",{"worker":"w"}]',
    '[3,"failed"]',
    '[4,"done"]',
    '[10,"put",{"queue":"q2"}]',
    '[11,"put",{"queue":"q3"}]',
    '[12,"popped",{"worker":"w2"}]',
]
MIGRATED_OBJECTS = [
    {"what": "put", "when": 1, "queue": "q"},
    {"what": "popped", "when": 2, "worker": "w"},
    {"what": "failed", "when": 3},
    {"what": "done", "when": 4},
    {"what": "put", "when": 10, "queue": "q2"},
    {"what": "put", "when": 11, "queue": "q3"},
    {"what": "popped", "when": 12, "worker": "w2"},
]


def whens(core: Core, jid: str = "jid") -> list[Any]:
    """The `when` of every history entry of `jid`."""
    return [entry["when"] for entry in core.job(jid)["history"]]


def legacy_job(redis: Redis, jid: str = "jid", queue: str = "queue") -> None:
    """A waiting job written by an old version, with its history in the hash."""
    redis.hset(
        f"ql:j:{jid}",
        mapping={
            "jid": jid,
            "klass": "klass",
            "data": "{}",
            "priority": 0,
            "tags": "{}",
            "state": "waiting",
            "worker": "",
            "expires": 0,
            "queue": queue,
            "retries": 5,
            "remaining": 5,
            "history": LEGACY,
        },
    )
    redis.zadd(f"ql:q:{queue}-work", {jid: 0})


def test_storage_forms(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    core("job.complete", 2, "jid", "worker", "queue", "{}")
    assert redis.lrange("ql:j:jid-history", 0, -1) == [
        '[0,"put",{"queue":"queue"}]',
        '[1,"popped",{"worker":"worker"}]',
        '[2,"done"]',
    ]
    assert core.job("jid")["history"] == [
        {"what": "put", "when": 0, "queue": "queue"},
        {"what": "popped", "when": 1, "worker": "worker"},
        {"what": "done", "when": 2},
    ]


def test_timed_out_and_failed_entries(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    core("job.timeout", 2, "jid")
    core.pop(3)
    core("job.fail", 4, "jid", "worker", "grp", "msg")
    entries = redis.lrange("ql:j:jid-history", 0, -1)
    assert entries[2:4] == ['[2,"timed-out"]', '[3,"popped",{"worker":"worker"}]']
    assert json.loads(entries[4]) == [4, "failed", {"worker": "worker", "group": "grp"}]
    assert core.job("jid")["history"][2:] == [
        {"what": "timed-out", "when": 2},
        {"what": "popped", "when": 3, "worker": "worker"},
        {"what": "failed", "when": 4, "worker": "worker", "group": "grp"},
    ]


@pytest.mark.parametrize(
    ("now", "when"), [(1.9, 1), (-1.5, -2), (1_700_000_000.999, 1_700_000_000)]
)
def test_when_is_floored(core: Core, now: float, when: int) -> None:
    core.put(now, "jid")
    assert whens(core) == [when]


def test_read_form_overlays_when_and_what(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    redis.rpush(
        "ql:j:jid-history",
        '[7,"custom",{"what":"no","when":0,"k":[1,2],"s":"x"}]',
        '[8,"plain"]',
        '[9,"empty",{}]',
    )
    assert core.job("jid")["history"][1:] == [
        {"what": "custom", "when": 7, "k": [1, 2], "s": "x"},
        {"what": "plain", "when": 8},
        {"what": "empty", "when": 9},
    ]


def test_log_details_are_overlaid(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core("job.log", 5.5, "jid", "note", '{"when":99,"what":"x","extra":1}')
    assert core.job("jid")["history"][-1] == {"what": "note", "when": 5, "extra": 1}


# --- trimming ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (5, [0, 96, 97, 98, 99]),
        (4, [0, 97, 98, 99]),
        (3, [0, 98, 99]),
        (2, list(range(100))),
        (1, [0, 99]),
        (0, list(range(100))),
        (-1, list(range(100))),
        (100, list(range(100))),
        (99, [0, *range(2, 100)]),
    ],
)
def test_trimming(redis: Redis, core: Core, limit: int, expected: list[int]) -> None:
    redis.hset("ql:config", "max-job-history", limit)
    for t in range(100):
        core.put(t, "jid")
    assert whens(core) == expected


def test_default_limit_is_100(core: Core) -> None:
    for t in range(150):
        core.put(t, "jid")
    assert whens(core) == [0, *range(51, 150)]


def test_limit_is_read_on_every_append(redis: Redis, core: Core) -> None:
    for t in range(10):
        core.put(t, "jid")
    redis.hset("ql:config", "max-job-history", 3)
    core.put(10, "jid")
    assert whens(core) == [0, 9, 10]
    redis.hdel("ql:config", "max-job-history")
    core.put(11, "jid")
    assert whens(core) == [0, 9, 10, 11]


def test_trimming_applies_to_every_kind_of_entry(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "max-job-history", 3)
    core.put(0, "jid")
    core.pop(1)
    core.put(2, "jid")
    core.pop(3)
    assert core.job("jid")["history"] == [
        {"what": "put", "when": 0, "queue": "queue"},
        {"what": "put", "when": 2, "queue": "queue"},
        {"what": "popped", "when": 3, "worker": "worker"},
    ]
    core("job.log", 4, "jid", "note")
    core("job.complete", 5, "jid", "worker", "queue", "{}")
    assert whens(core) == [0, 4, 5]
    assert redis.llen("ql:j:jid-history") == 3


# --- legacy migration --------------------------------------------------------------------


def test_get_migrates_the_legacy_field(redis: Redis, core: Core) -> None:
    legacy_job(redis)
    assert core.job("jid")["history"] == MIGRATED_OBJECTS
    assert redis.hexists("ql:j:jid", "history") is False
    assert redis.lrange("ql:j:jid-history", 0, -1) == MIGRATED
    # A second read finds nothing more to migrate.
    assert core.job("jid")["history"] == MIGRATED_OBJECTS


def test_get_multi_and_peek_migrate(redis: Redis, core: Core) -> None:
    legacy_job(redis, "a")
    legacy_job(redis, "b")
    [job] = core.json("job.getMulti", 0, "a")
    assert job["history"] == MIGRATED_OBJECTS
    # Equal scores: b comes before a.
    [job] = core.json("queue.peek", 0, "queue", 0, 1)
    assert (job["jid"], job["history"]) == ("b", MIGRATED_OBJECTS)
    assert redis.hexists("ql:j:b", "history") is False
    assert redis.lrange("ql:j:b-history", 0, -1) == MIGRATED


def test_put_migrates_before_appending(redis: Redis, core: Core) -> None:
    legacy_job(redis)
    core.put(20, "jid")
    assert redis.hexists("ql:j:jid", "history") is False
    assert redis.lrange("ql:j:jid-history", 0, -1) == [*MIGRATED, '[20,"put",{"queue":"queue"}]']


def test_pop_migrates_before_appending(redis: Redis, core: Core) -> None:
    legacy_job(redis)
    [job] = core.pop(20)
    assert job["history"] == [
        *MIGRATED_OBJECTS,
        {"what": "popped", "when": 20, "worker": "worker"},
    ]
    assert redis.hexists("ql:j:jid", "history") is False


def test_log_migrates_before_appending(redis: Redis, core: Core) -> None:
    legacy_job(redis)
    core("job.log", 20, "jid", "note")
    assert redis.lrange("ql:j:jid-history", 0, -1) == [*MIGRATED, '[20,"note"]']


def test_migrated_entries_are_trimmed_with_the_first_kept(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "max-job-history", 3)
    legacy_job(redis)
    core.put(20, "jid")
    assert redis.lrange("ql:j:jid-history", 0, -1) == [
        MIGRATED[0],
        MIGRATED[-1],
        '[20,"put",{"queue":"queue"}]',
    ]
