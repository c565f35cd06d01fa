"""Unique jobs in the core: queue.put's unique options, conflicts, every release
path, stale holders, unique.holder and unique.free (docs/concepts.md, Unique jobs)."""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, snapshot


def put_unique(core: Core, now: float, jid: str, key: str = "k", *more: Arg, **kw: object) -> str:
    """queue.put of `jid` with unique key `key` and the further options `more`."""
    return core.put(now, jid, "queue", "unique", key, *more, **kw)  # type: ignore[arg-type]


def holder(redis: Redis, key: str = "k") -> str | None:
    value = redis.get(f"ql:u:{key}")
    return None if value is None else str(value)


def test_put_with_a_key_claims_it_and_shows_it(redis: Redis, core: Core) -> None:
    assert put_unique(core, 0, "a", "k", "unique_for", 30) == "a"
    assert holder(redis) == "a"
    job = core.job("a")
    assert (job["unique"], job["unique_until"], job["unique_expires"]) == ("k", "finish", 30)
    assert redis.hmget("ql:j:a", "unique", "unique_until", "unique_expires") == [
        "k",
        "finish",
        "30",
    ]
    [popped] = core.pop(1)
    assert popped["unique"] == "k"
    assert core("unique.holder", 2, "k") == "a"


def test_a_job_without_a_key_has_no_unique_fields(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    assert not {"unique", "unique_until", "unique_expires"} & set(core.job("a"))
    assert not {"unique", "unique_until", "unique_expires"} & set(redis.hgetall("ql:j:a"))
    assert redis.keys("ql:u:*") == []


def test_keep_replies_with_the_holder_and_writes_nothing(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a")
    before = snapshot(redis)
    assert put_unique(core, 1, "b", data='{"x": 1}') == "a"
    assert put_unique(core, 1, "b", "k", "on_conflict", "keep") == "a"
    assert snapshot(redis) == before


def test_the_holder_put_again_is_not_a_conflict(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a")
    assert put_unique(core, 1, "a", "k", "on_conflict", "error", data='{"n": 2}') == "a"
    assert core.job("a")["data"] == '{"n": 2}'
    assert holder(redis) == "a"


def test_error_refuses_naming_the_holder_and_writes_nothing(core: Core) -> None:
    put_unique(core, 0, "a")
    core.fails(
        "queue.put", 1, "w", "queue", "b", "klass", "{}", 0, "unique", "k", "on_conflict", "error",
        match='Put(): unique key "k" is held by job a',
    )  # fmt: skip


def test_replace_updates_a_waiting_holder_in_place(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a")
    reply = put_unique(core, 5, "b", "k", "on_conflict", "replace", "priority", 7, data='{"v": 2}')
    assert reply == "a"
    assert not redis.exists("ql:j:b")
    job = core.job("a")
    assert (job["data"], job["priority"], job["state"]) == ('{"v": 2}', 7, "waiting")
    assert job["history"][-1]["what"] == "replaced"
    # It keeps its place in time among jobs of its priority.
    assert redis.zscore("ql:q:queue-work", "a") == pytest.approx(7)


def test_replace_with_a_delay_reschedules_the_holder(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a", delay=10)
    put_unique(core, 5, "b", "k", "on_conflict", "replace", delay=30)
    assert core.job("a")["state"] == "scheduled"
    assert redis.zscore("ql:q:queue-scheduled", "a") == 35
    put_unique(core, 6, "b", "k", "on_conflict", "replace")
    assert core.job("a")["state"] == "waiting"
    assert redis.zscore("ql:q:queue-scheduled", "a") is None
    assert redis.zscore("ql:q:queue-work", "a") is not None


def test_replace_leaves_a_running_holder_alone(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a")
    core.pop(1)
    before = snapshot(redis)
    assert put_unique(core, 2, "b", "k", "on_conflict", "replace", data='{"v": 2}') == "a"
    assert snapshot(redis) == before


def test_complete_releases_but_complete_and_requeue_keeps(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a")
    core.pop(1)
    core("job.completeAndRequeue", 2, "a", "worker", "queue", "{}", "next")
    assert holder(redis) == "a"
    core.pop(3, "next")
    assert core("job.complete", 4, "a", "worker", "next", "{}") == "complete"
    assert holder(redis) is None
    assert put_unique(core, 5, "b") == "b"


def test_fail_releases(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a")
    core.pop(1)
    core("job.fail", 2, "a", "worker", "group", "message")
    assert holder(redis) is None


def test_cancel_releases(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a")
    core("job.cancel", 1, "a")
    assert holder(redis) is None


def test_retry_releases_only_when_retries_are_exhausted(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a", "k", "retries", 1)
    core.pop(1)
    assert core("job.retry", 2, "a", "queue", "worker") == 0
    assert holder(redis) == "a"
    core.pop(3)
    assert core("job.retry", 4, "a", "queue", "worker") == -1
    assert core.job("a")["state"] == "failed"
    assert holder(redis) is None


def test_lock_expiry_with_retries_exhausted_releases(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", mapping={"grace-period": 0})
    put_unique(core, 0, "a", "k", "retries", 0)
    core.pop(1)
    assert core.pop(30, worker="other") == []  # the lock still lives
    assert holder(redis) == "a"
    assert core.pop(100, worker="other") == []
    assert core.job("a")["state"] == "failed"
    assert holder(redis) is None


def test_completed_job_expiry_releases_a_key_left_behind(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a")
    core.pop(1)
    core("job.complete", 2, "a", "worker", "queue", "{}")
    redis.hset("ql:config", mapping={"jobs-history-count": 0})
    # A key some other path left naming the completed job: its expiry frees it.
    redis.set("ql:u:k", "a")
    core.put(3, "b")
    core.pop(4)
    core("job.complete", 5, "b", "worker", "queue", "{}")
    assert not redis.exists("ql:j:a")
    assert holder(redis) is None


def test_a_re_put_with_another_key_or_none_releases(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a", "k")
    put_unique(core, 1, "a", "other")
    assert (holder(redis), holder(redis, "other")) == (None, "a")
    core.put(2, "a")
    assert holder(redis, "other") is None
    assert "unique" not in core.job("a")
    assert redis.hget("ql:j:a", "unique") is None


def test_until_start_frees_the_key_when_the_job_starts(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a", "k", "unique_until", "start")
    assert core.job("a")["unique_until"] == "start"
    assert put_unique(core, 1, "b", "k", "unique_until", "start") == "a"
    core.pop(2)
    assert holder(redis) is None
    assert put_unique(core, 3, "b", "k", "unique_until", "start") == "b"
    # The first job ending now releases nothing the second holds.
    core("job.complete", 4, "a", "worker", "queue", "{}")
    assert holder(redis) == "b"


def test_unique_for_bounds_the_hold(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "a", "k", "unique_for", 10)
    assert put_unique(core, 9, "b", "k", "unique_for", 10) == "a"
    assert core("unique.holder", 10, "k") is None
    assert put_unique(core, 10, "b", "k", "unique_for", 10) == "b"
    assert holder(redis) == "b"
    assert core.job("b")["unique_expires"] == 20


@pytest.mark.parametrize(
    "stale",
    ["missing", "complete", "other-key"],
)
def test_a_stale_holder_is_taken_over(redis: Redis, core: Core, stale: str) -> None:
    if stale == "missing":
        redis.set("ql:u:k", "gone")
    elif stale == "complete":
        core.put(0, "old")
        core.pop(1)
        core("job.complete", 2, "old", "worker", "queue", "{}")
        redis.set("ql:u:k", "old")
    else:
        put_unique(core, 0, "old", "elsewhere")
        redis.set("ql:u:k", "old")
    assert core("unique.holder", 3, "k") is None
    assert put_unique(core, 3, "b", "k", "on_conflict", "error") == "b"
    assert holder(redis) == "b"


def test_recurring_evict_releases_the_old_childs_key(redis: Redis, core: Core) -> None:
    put_unique(core, 0, "tpl-1", "k")
    core("queue.recurAtInterval", 1, "queue", "tpl", "klass", "{}", 60, 0)
    core.pop(2, limit=5)
    assert holder(redis) is None
    assert "unique" not in core.job("tpl-1")


def test_put_many_keeps_the_first_job_of_a_key(redis: Redis, core: Core) -> None:
    reply = core.json(
        "queue.putMany", 0, "w", "queue",
        "a", "klass", "{}", 0, 2, "unique", "k",
        "b", "klass", "{}", 0, 2, "unique", "k",
        "c", "klass", "{}", 0, 0,
    )  # fmt: skip
    assert reply == ["a", "a", "c"]
    assert not redis.exists("ql:j:b")
    assert holder(redis) == "a"


def test_put_many_error_conflict_writes_nothing(core: Core) -> None:
    put_unique(core, 0, "held")
    core.fails(
        "queue.putMany", 1, "w", "queue",
        "a", "klass", "{}", 0, 0,
        "b", "klass", "{}", 0, 4, "unique", "k", "on_conflict", "error",
        match='PutMany(): job 2: Put(): unique key "k" is held by job held',
    )  # fmt: skip


BAD = [
    (("unique", ""), 'Put(): Arg "unique" must be a non-empty string'),
    (("unique", "k", "on_conflict", "merge"),
     'Put(): Arg "on_conflict" not one of keep, replace, error: merge'),
    (("unique", "k", "unique_until", "never"),
     'Put(): Arg "unique_until" not one of finish, start: never'),
    (("unique", "k", "unique_for", "0"), 'Put(): Arg "unique_for" not a positive number: 0'),
    (("unique", "k", "unique_for", "x"), 'Put(): Arg "unique_for" not a positive number: x'),
    (("unique", "k", "unique_for", "inf"), 'Put(): Arg "unique_for" not a positive number: inf'),
    (("on_conflict", "keep"), 'Put(): Arg "on_conflict" given without Arg "unique"'),
    (("unique_for", "5"), 'Put(): Arg "unique_for" given without Arg "unique"'),
]  # fmt: skip


@pytest.mark.parametrize(("options", "message"), BAD)
def test_bad_unique_options_are_refused_and_write_nothing(
    core: Core, options: tuple[str, ...], message: str
) -> None:
    put_unique(core, 0, "held")
    core.fails("queue.put", 1, "w", "queue", "b", "klass", "{}", 0, *options, match=message)
    core.fails("job.requeue", 1, "w", "queue", "held", "klass", "{}", 0, *options, match=message)
    core.fails(
        "queue.putMany", 1, "w", "queue", "c", "klass", "{}", 0, 0,
        "b", "klass", "{}", 0, len(options), *options,
        match="PutMany(): job 2: " + message,
    )  # fmt: skip


def test_holder_and_free(redis: Redis, core: Core) -> None:
    assert core("unique.holder", 0, "k") is None
    assert core("unique.free", 0, "k") == 0
    put_unique(core, 0, "a")
    assert core("unique.holder", 1, "k") == "a"
    assert core("unique.free", 1, "k") == 1
    assert holder(redis) is None
    assert core.job("a")["unique"] == "k"  # the job is left as it was
    assert put_unique(core, 2, "b") == "b"
    core("job.cancel", 3, "a")  # ending the first job leaves the new holder alone
    assert holder(redis) == "b"


@pytest.mark.parametrize("command", ["unique.holder", "unique.free"])
def test_operator_commands_need_a_key(core: Core, command: str) -> None:
    core.fails(command, 0, match='Unique(): Arg "key" missing')
    core.fails(command, 0, "", match='Unique(): Arg "key" missing')
