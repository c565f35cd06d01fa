"""job.log (docs/core-commands.md, job.log) and the history rules it follows (docs/concepts.md,
States)."""

from __future__ import annotations

import json
from typing import cast

import pytest
from redis import Redis

from reqless.core import Arg
from tests.core.test_complete import ANY_ERROR, make_job, set_config
from tests.helpers import Core, events


def raw_history(redis: Redis, jid: str = "jid") -> list[str]:
    """The stored history elements."""
    return cast(list[str], redis.lrange(f"ql:j:{jid}-history", 0, -1))


def test_log_appends_an_entry_with_details(core: Core) -> None:
    core.put(0, "jid")
    assert core("job.log", 0, "jid", "foo", '{"foo":"bar"}') is None
    assert core.job("jid")["history"] == [
        {"queue": "queue", "what": "put", "when": 0},
        {"foo": "bar", "what": "foo", "when": 0},
    ]


def test_log_without_data_stores_two_elements(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    core("job.log", 3.9, "jid", "foo")
    assert raw_history(redis)[-1] == '[3,"foo"]'
    assert core.job("jid")["history"][-1] == {"what": "foo", "when": 3}


@pytest.mark.parametrize("data", ["{}", "[]"])
def test_log_with_empty_data_stores_an_empty_object(core: Core, redis: Redis, data: str) -> None:
    core.put(0, "jid")
    core("job.log", 1, "jid", "foo", data)
    assert raw_history(redis)[-1] == '[1,"foo",{}]'
    assert core.job("jid")["history"][-1] == {"what": "foo", "when": 1}


def test_log_details_cannot_override_what_and_when(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    core("job.log", 2, "jid", "foo", '{"what":"x","when":99,"k":[1,"a/b"]}')
    assert json.loads(raw_history(redis)[-1]) == [
        2,
        "foo",
        {"what": "x", "when": 99, "k": [1, "a/b"]},
    ]
    assert core.job("jid")["history"][-1] == {"what": "foo", "when": 2, "k": [1, "a/b"]}


def test_log_publishes_nothing(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    redis.zadd("ql:tracked", {"jid": 0})
    with events(redis) as capture:
        core("job.log", 1, "jid", "foo", '{"a":1}')
        assert capture.drain() == []


@pytest.mark.parametrize("state", ["running", "failed", "complete", "depends", "scheduled"])
def test_log_works_in_any_state(core: Core, state: str) -> None:
    make_job(core, state)
    core("job.log", 5, "jid", "note")
    job = core.job("jid")
    assert job["state"] == state
    assert job["history"][-1] == {"what": "note", "when": 5}


def test_log_changes_nothing_but_the_history(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    before = redis.hgetall("ql:j:jid")
    core("job.log", 1, "jid", "note", '{"a":1}')
    assert redis.hgetall("ql:j:jid") == before


@pytest.mark.parametrize(
    ("limit", "whens"),
    [
        (5, [0, 6, 7, 8, 9]),
        (3, [0, 8, 9]),
        (1, [0, 9]),
        (2, list(range(10))),
        (0, list(range(10))),
        (-1, list(range(10))),
    ],
)
def test_log_trims_the_history(core: Core, redis: Redis, limit: int, whens: list[int]) -> None:
    set_config(redis, "max-job-history", limit)
    core.put(0, "jid")
    for t in range(1, 10):
        core("job.log", t, "jid", f"note-{t}")
    history = core.job("jid")["history"]
    assert [entry["when"] for entry in history] == whens
    assert history[0]["what"] == "put"


def test_log_migrates_a_legacy_history_first(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    redis.delete("ql:j:jid-history")
    legacy = [
        {"put": 0.5, "queue": "old", "popped": 1.5, "worker": "w", "failed": 2.5},
        {"put": 3, "queue": "queue", "popped": 4, "worker": "w", "done": 5.9},
    ]
    redis.hset("ql:j:jid", "history", json.dumps(legacy))
    core("job.log", 7, "jid", "note")
    assert redis.hexists("ql:j:jid", "history") is False
    assert core.job("jid")["history"] == [
        {"what": "put", "when": 0, "queue": "old"},
        {"what": "popped", "when": 1, "worker": "w"},
        {"what": "failed", "when": 2},
        {"what": "put", "when": 3, "queue": "queue"},
        {"what": "popped", "when": 4, "worker": "w"},
        {"what": "done", "when": 5},
        {"what": "note", "when": 7},
    ]


LOG_MALFORMED: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Log(): Argument 'jid' missing"),
    (("jid",), "Log(): Argument 'message' missing"),
    (("jid", "foo", "{"), ANY_ERROR),
    (("jid", "foo", "{'a': 1}"), ANY_ERROR),
    (("jid", "foo", "false"), "Log(): Argument 'data' not cjson: false"),
    (("missing", "foo", "false"), "Log(): Argument 'data' not cjson: false"),
    (("missing", "foo", "{"), ANY_ERROR),
    (("missing", "foo"), "Log(): Job missing does not exist"),
    (("missing", "foo", "{}"), "Log(): Job missing does not exist"),
    (("", "foo"), "Log(): Job  does not exist"),
    # Details must be an object: anything else could not be read back (a decision
    # beyond the spec, which only says `data` should be a JSON object).
    (("jid", "foo", "5"), "Log(): Argument 'data' not cjson: 5"),
    (("jid", "foo", '"text"'), "Log(): Argument 'data' not cjson"),
]


@pytest.mark.parametrize(("args", "message"), LOG_MALFORMED)
def test_log_malformed(core: Core, args: tuple[Arg, ...], message: str) -> None:
    core.put(0, "jid")
    core.fails("job.log", 1, *args, match=message)


@pytest.mark.parametrize(
    ("command", "args", "what"),
    [
        ("job.complete", ("jid", "worker", "queue", "{}"), "done"),
        ("job.completeAndRequeue", ("jid", "worker", "queue", "{}", "next"), "put"),
        ("job.fail", ("jid", "worker", "group", "message"), "failed"),
        ("job.retry", ("jid", "queue", "worker"), "failed-retries"),
        ("job.timeout", ("jid",), "timed-out"),
    ],
)
def test_history_writers_migrate_a_legacy_history_first(
    core: Core, redis: Redis, command: str, args: tuple[Arg, ...], what: str
) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(1)
    redis.delete("ql:j:jid-history")
    legacy = [{"put": 0, "queue": "queue", "popped": 1, "worker": "worker"}]
    redis.hset("ql:j:jid", "history", json.dumps(legacy))
    core(command, 2, *args)
    assert redis.hexists("ql:j:jid", "history") is False
    history = core.job("jid")["history"]
    assert history[:2] == [
        {"what": "put", "when": 0, "queue": "queue"},
        {"what": "popped", "when": 1, "worker": "worker"},
    ]
    assert [entry["what"] for entry in history[2:]] == [*(["done"] if what == "put" else []), what]


@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("job.complete", ("jid", "worker", "queue", "{}")),
        ("job.completeAndRequeue", ("jid", "worker", "queue", "{}", "next")),
        ("job.fail", ("jid", "worker", "group", "message")),
        ("job.retry", ("jid", "queue", "worker")),
        ("job.timeout", ("jid",)),
        ("job.log", ("jid", "note")),
    ],
)
def test_a_non_numeric_history_cap_uses_the_default(
    core: Core, redis: Redis, command: str, args: tuple[Arg, ...], legacy: bool
) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(1)
    if legacy:
        redis.delete("ql:j:jid-history")
        redis.hset("ql:j:jid", "history", json.dumps([{"put": 0, "queue": "queue"}]))
    set_config(redis, "max-job-history", "lots")
    core(command, 2, *args)
    assert core.job("jid")["history"][-1]["when"] == 2
