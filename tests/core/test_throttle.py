"""Throttle commands (docs/concepts.md, Throttles): set, get, delete, locks, pending, release,
the queue-throttle shortcuts, and the observable examples of throttling."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, snapshot


def put(core: Core, now: float, jid: str, *tids: str, queue: str = "queue") -> None:
    """Put `jid` with the throttles `tids` (default `["tid"]`)."""
    core.put(now, jid, queue, "throttles", json.dumps(list(tids or ("tid",))))


def jids(jobs: list[Any]) -> list[str]:
    return [job["jid"] for job in jobs]


def state(core: Core, jid: str) -> str:
    result: str = core.job(jid)["state"]
    return result


def locks(core: Core, tid: str = "tid") -> Any:
    return core.json("throttle.locks", 0, tid)


def pending(core: Core, tid: str = "tid") -> Any:
    return core.json("throttle.pending", 0, tid)


def by_state(core: Core, now: float, kind: str, queue: str = "queue") -> Any:
    return core.json("queue.jobsByState", now, kind, queue)


def peek(core: Core, now: float, limit: int = 10) -> list[str]:
    return jids(core.json("queue.peek", now, "queue", 0, limit))


def complete(core: Core, now: float, jid: str, worker: str = "worker") -> None:
    core("job.complete", now, jid, worker, "queue", "{}")


# --- throttle.set / throttle.get ------------------------------------------------


def test_get_after_set_with_expiration(core: Core) -> None:
    assert core("throttle.set", 0, "tid", 5, 1000) is None
    assert core.json("throttle.get", 0, "tid") == {"id": "tid", "maximum": 5, "ttl": 1000}


def test_get_after_set_without_expiration(core: Core) -> None:
    core("throttle.set", 0, "tid", 5)
    assert core.json("throttle.get", 0, "tid") == {"id": "tid", "maximum": 5, "ttl": -1}


def test_get_unknown(core: Core) -> None:
    assert core.json("throttle.get", 0, "tid") == {"id": "tid", "maximum": 0, "ttl": -2}
    assert core.redis.keys("*") == []


def test_set_stores_the_exact_text(core: Core, redis: Redis) -> None:
    core("throttle.set", 0, "tid", " 0x10 ")
    assert redis.hgetall("ql:th:tid") == {"id": "tid", "maximum": " 0x10 "}
    assert core.json("throttle.get", 0, "tid")["maximum"] == 16


@pytest.mark.parametrize("expiration", [None, "0", "-5", "-1e300"])
def test_set_without_expiration_keeps_an_existing_ttl(
    core: Core, redis: Redis, expiration: str | None
) -> None:
    core("throttle.set", 0, "tid", 5, 1000)
    args: list[Arg] = ["tid", 7] if expiration is None else ["tid", 7, expiration]
    core("throttle.set", 0, *args)
    got = core.json("throttle.get", 0, "tid")
    assert got["maximum"] == 7
    assert 990 <= got["ttl"] <= 1000
    assert redis.hget("ql:th:tid", "maximum") == "7"


def test_set_with_expiration_replaces_the_ttl(core: Core) -> None:
    core("throttle.set", 0, "tid", 5, 1000)
    core("throttle.set", 0, "tid", 5, 50)
    assert core.json("throttle.get", 0, "tid")["ttl"] == 50


def test_ttl_is_rounded_to_the_nearest_second(core: Core, redis: Redis) -> None:
    # Redis TTL rounds; truncating PTTL would give 999 and 1.
    core("throttle.set", 0, "tid", 5, 1000)
    assert core.json("throttle.get", 0, "tid")["ttl"] == 1000
    core("throttle.set", 0, "fraction", 5, 1.7)
    assert 1500 < redis.pttl("ql:th:fraction") <= 1700
    assert core.json("throttle.get", 0, "fraction")["ttl"] == 2


def test_get_honours_fields_written_by_another_client(core: Core, redis: Redis) -> None:
    core("throttle.set", 0, "tid", 5, 1000)
    redis.hset("ql:th:tid", mapping={"id": "other", "maximum": "9"})
    got = core.json("throttle.get", 0, "tid")
    assert got["id"] == "tid" and got["maximum"] == 9
    assert 990 <= got["ttl"] <= 1000


@pytest.mark.parametrize("stored", ["abc", "nan", "inf"])
def test_get_omits_a_stored_maximum_that_is_not_a_finite_number(
    core: Core, redis: Redis, stored: str
) -> None:
    redis.hset("ql:th:tid", mapping={"id": "tid", "maximum": stored})
    assert core.json("throttle.get", 0, "tid") == {"id": "tid", "ttl": -1}


def test_get_without_maximum_field(core: Core, redis: Redis) -> None:
    redis.hset("ql:th:tid", "id", "tid")
    assert core.json("throttle.get", 0, "tid") == {"id": "tid", "maximum": 0, "ttl": -1}


@pytest.mark.parametrize(
    ("maximum", "value"), [("0", 0), ("0x10", 16), (" 5 ", 5), ("1e3", 1000), ("3.0", 3)]
)
def test_set_accepts_lua_integer_forms(core: Core, maximum: str, value: int) -> None:
    core("throttle.set", 0, "tid", maximum)
    assert core.json("throttle.get", 0, "tid")["maximum"] == value


@pytest.mark.parametrize("expiration", ["0x10", " 16 ", "1.6e1"])
def test_set_accepts_numeric_expiration_forms(core: Core, expiration: str) -> None:
    core("throttle.set", 0, "tid", 1, expiration)
    assert core.json("throttle.get", 0, "tid")["ttl"] == 16


MAXIMUM = 'Throttle(): Arg "maximum" missing or not a non-negative integer: '
EXPIRATION = 'Throttle(): Arg "expiration" not a number: '


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((), "Throttle(): no tid provided"),
        (("tid",), MAXIMUM + "nil"),
        (("tid", ""), MAXIMUM),
        (("tid", "abc"), MAXIMUM + "abc"),
        (("tid", "nan"), MAXIMUM + "nan"),
        (("tid", "inf"), MAXIMUM + "inf"),
        (("tid", "-inf"), MAXIMUM + "-inf"),
        (("tid", "-1"), MAXIMUM + "-1"),
        (("tid", "1.5"), MAXIMUM + "1.5"),
        (("tid", "1", ""), EXPIRATION),
        (("tid", "1", "abc"), EXPIRATION + "abc"),
        (("tid", "1", "nan"), EXPIRATION + "nan"),
        (("tid", "1", "inf"), EXPIRATION + "inf"),
        (("tid", "1", "-inf"), EXPIRATION + "-inf"),
        (("tid", "1", "1e13"), EXPIRATION + "1e13"),
    ],
)
def test_set_rejects_malformed_input(core: Core, args: tuple[Arg, ...], match: str) -> None:
    core("throttle.set", 0, "tid", 3, 1000)
    core.fails("throttle.set", 0, *args, match=match)
    assert core.json("throttle.get", 0, "tid")["maximum"] == 3


@pytest.mark.parametrize(
    "command",
    ["throttle.get", "throttle.delete", "throttle.locks", "throttle.pending", "throttle.release"],
)
def test_commands_need_a_tid(core: Core, command: str) -> None:
    core.fails(command, 0, match="Throttle(): no tid provided")


# --- expiry, delete, locks, pending ------------------------------------------------


def held_and_pending(core: Core) -> None:
    """Maximum 1 on `tid`: jid1 holds the slot (popped at 1), jid2 is pending."""
    core("throttle.set", 0, "tid", 1)
    put(core, 0, "jid1")
    assert jids(core.pop(1)) == ["jid1"]
    put(core, 2, "jid2")
    assert state(core, "jid2") == "throttled"
    assert (locks(core), pending(core)) == (["jid1"], ["jid2"])


def test_expired_hash_leaves_locks_and_pending_in_place(core: Core, redis: Redis) -> None:
    held_and_pending(core)
    core("throttle.set", 3, "tid", 1, 0.05)
    time.sleep(0.2)
    assert core.json("throttle.get", 4, "tid") == {"id": "tid", "maximum": 0, "ttl": -2}
    assert (locks(core), pending(core)) == (["jid1"], ["jid2"])
    assert by_state(core, 4, "throttled") == ["jid2"]
    assert peek(core, 4) == []
    assert core.pop(5) == []
    complete(core, 6, "jid1")
    assert (locks(core), pending(core)) == ([], [])
    assert by_state(core, 6, "throttled") == []
    assert jids(core.pop(7)) == ["jid2"]


def test_delete_keeps_locks_and_pending(core: Core, redis: Redis) -> None:
    held_and_pending(core)
    assert core("throttle.delete", 3, "tid") is None
    assert core.json("throttle.get", 3, "tid") == {"id": "tid", "maximum": 0, "ttl": -2}
    assert (locks(core), pending(core)) == (["jid1"], ["jid2"])
    assert not redis.exists("ql:th:tid")


def test_delete_unknown_is_not_an_error(core: Core) -> None:
    assert core("throttle.delete", 0, "nothing") is None
    assert core.redis.keys("*") == []


def test_locks_and_pending_are_empty_lists(core: Core) -> None:
    assert core("throttle.locks", 0, "tid") == "[]"
    assert core("throttle.pending", 0, "tid") == "[]"


def test_locks_with_three_holders(core: Core) -> None:
    core("throttle.set", 0, "tid", 3)
    for i in (3, 1, 2):
        put(core, i, f"jid{i}")
    assert sorted(jids(core.pop(5, limit=3))) == ["jid1", "jid2", "jid3"]
    assert core("throttle.locks", 6, "tid") == '["jid1","jid2","jid3"]'


def test_pending_is_ordered_by_waiting_time_then_jid(core: Core) -> None:
    core("throttle.set", 0, "tid", 1)
    put(core, 0, "holder")
    core.pop(1)
    put(core, 3, "b")
    put(core, 2, "c")
    put(core, 3, "a")
    assert pending(core) == ["c", "a", "b"]


# --- examples ------------------------------------------------------------------


def test_put_appends_the_queue_throttle_and_pop_acquires_both(core: Core) -> None:
    put(core, 0, "jid")
    assert core.job("jid")["throttles"] == ["tid", "ql:q:queue"]
    core.pop(1)
    assert locks(core) == ["jid"]
    assert locks(core, "ql:q:queue") == ["jid"]


def test_maximum_one_with_four_candidates(core: Core) -> None:
    core("throttle.set", 0, "tid", 1)
    for i in range(4):
        put(core, i, f"jid{i + 1}")
    assert jids(core.pop(4, limit=4)) == ["jid1"]
    assert locks(core) == ["jid1"]
    assert pending(core) == ["jid2", "jid3", "jid4"]
    assert by_state(core, 5, "throttled") == ["jid2", "jid3", "jid4"]
    assert [state(core, f"jid{i}") for i in (2, 3, 4)] == ["throttled"] * 3


def test_blocked_job_acquires_nothing_and_waits_on_first_unavailable(core: Core) -> None:
    core("throttle.set", 0, "wid", 1)
    put(core, 0, "jid1", "wid")
    put(core, 1, "jid2", "tid", "wid")
    assert jids(core.pop(2)) == ["jid1"]
    assert core.pop(3) == []
    assert state(core, "jid2") == "throttled"
    assert (locks(core, "wid"), pending(core, "wid")) == (["jid1"], ["jid2"])
    assert (locks(core), pending(core)) == ([], [])
    assert locks(core, "ql:q:queue") == ["jid1"]


RELEASING_ACTIONS: list[tuple[str, tuple[Arg, ...]]] = [
    ("job.complete", ("jid1", "worker", "queue", "{}")),
    ("job.fail", ("jid1", "worker", "group", "message")),
    ("job.retry", ("jid1", "queue", "worker")),
    ("job.timeout", ("jid1",)),
    ("job.cancel", ("jid1",)),
]


@pytest.mark.parametrize(("command", "args"), RELEASING_ACTIONS)
def test_releasing_the_holder_moves_the_oldest_pending_back(
    core: Core, command: str, args: tuple[Arg, ...]
) -> None:
    held_and_pending(core)
    put(core, 3, "jid3")
    core(command, 10, *args)
    assert locks(core) == []
    assert pending(core) == ["jid3"]
    assert by_state(core, 10, "throttled") == ["jid3"]
    assert "jid2" in peek(core, 10)
    assert state(core, "jid2") == "throttled"


def test_raised_maximum(core: Core) -> None:
    core("throttle.set", 0, "tid", 1)
    for i in (1, 2, 3):
        put(core, i, f"jid{i}")
    assert jids(core.pop(4, limit=3)) == ["jid1"]
    assert by_state(core, 4, "throttled") == ["jid2", "jid3"]
    core("throttle.set", 5, "tid", 3)
    complete(core, 8, "jid1")
    assert (locks(core), pending(core)) == ([], [])
    assert by_state(core, 8, "throttled") == []
    assert jids(core.pop(12, limit=2)) == ["jid3", "jid2"]
    assert [core.job(j)["expires"] for j in ("jid2", "jid3")] == [72, 72]
    assert by_state(core, 13, "running") == ["jid2", "jid3"]
    assert locks(core) == ["jid2", "jid3"]


def test_lowered_maximum(core: Core) -> None:
    core("throttle.set", 0, "tid", 3)
    for i in range(1, 6):
        put(core, i, f"jid{i}")
    core.pop(6, limit=3)
    assert locks(core) == ["jid1", "jid2", "jid3"]
    assert by_state(core, 7, "running") == ["jid1", "jid2", "jid3"]
    core("throttle.set", 8, "tid", 1)
    assert core.pop(10, limit=2) == []
    assert pending(core) == ["jid4", "jid5"]
    assert by_state(core, 10, "throttled") == ["jid4", "jid5"]
    assert locks(core) == ["jid1", "jid2", "jid3"]
    complete(core, 15, "jid1")
    assert (locks(core), pending(core)) == (["jid2", "jid3"], ["jid4", "jid5"])
    complete(core, 20, "jid2")
    assert (locks(core), pending(core)) == (["jid3"], ["jid4", "jid5"])
    complete(core, 24, "jid3")
    assert (locks(core), pending(core)) == ([], ["jid5"])
    assert by_state(core, 24, "throttled") == ["jid5"]
    assert by_state(core, 24, "running") == []
    assert jids(core.pop(25)) == ["jid4"]
    complete(core, 26, "jid4")
    assert pending(core) == []
    assert jids(core.pop(27)) == ["jid5"]


def test_retry_while_another_job_is_pending(core: Core) -> None:
    held_and_pending(core)
    core("job.retry", 10, "jid1", "queue", "worker")
    assert jids(core.pop(11, limit=2)) == ["jid2"]
    assert (locks(core), pending(core)) == (["jid2"], ["jid1"])
    assert state(core, "jid1") == "throttled"


def test_dependent_jobs_sharing_a_throttle_run_one_after_another(core: Core) -> None:
    core("throttle.set", 0, "tid", 1)
    put(core, 0, "a")
    core.put(1, "b", "queue", "throttles", '["tid"]', "depends", '["a"]')
    assert jids(core.pop(2, limit=2)) == ["a"]
    complete(core, 3, "a")
    assert jids(core.pop(4, limit=2)) == ["b"]


def test_repeated_put_keeps_the_slot_until_released(core: Core) -> None:
    core("throttle.set", 0, "tid", 1)
    put(core, 0, "jid")
    core.pop(1)
    put(core, 2, "jid")
    assert state(core, "jid") == "throttled"
    assert (locks(core), pending(core)) == (["jid"], ["jid"])
    assert core.pop(3) == []
    core("throttle.release", 4, "tid", "jid")
    assert (locks(core), pending(core)) == ([], [])
    assert jids(core.pop(5)) == ["jid"]


def test_a_throttle_named_twice_takes_one_slot(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "q", "throttles", '["ql:q:q","ql:q:q"]')
    core.pop(1, "q")
    assert redis.zrange("ql:th:ql:q:q-locks", 0, -1, withscores=True) == [("jid", 1.0)]


# --- pop passes ------------------------------------------------------------------


def two_throttles(core: Core, redis: Redis, config: dict[str, str]) -> list[str]:
    """tid1 and tid2 at maximum 1; jid1, jid2 on tid1, jid3, jid4 on tid2; pop 2."""
    for option, value in config.items():
        redis.hset("ql:config", option, value)  # as config.set stores them
    core("throttle.set", 0, "tid1", 1)
    core("throttle.set", 0, "tid2", 1)
    for i, tid in ((1, "tid1"), (2, "tid1"), (3, "tid2"), (4, "tid2")):
        put(core, i, f"jid{i}", tid)
    return jids(core.pop(5, limit=2))


def test_one_pass(core: Core, redis: Redis) -> None:
    assert two_throttles(core, redis, {}) == ["jid1"]
    assert pending(core, "tid1") == ["jid2"]
    assert peek(core, 6) == ["jid3", "jid4"]


@pytest.mark.parametrize(
    "config",
    [{"max-pop-retry": "99"}, {"max-pop-retry": "1", "queue-max-pop-retry": "2"}],
)
def test_more_passes(core: Core, redis: Redis, config: dict[str, str]) -> None:
    assert two_throttles(core, redis, config) == ["jid1", "jid3"]
    assert peek(core, 6) == ["jid4"]


def test_second_pass_takes_only_the_remaining_budget(core: Core, redis: Redis) -> None:
    redis.hset("ql:config", "max-pop-retry", "2")
    core("throttle.set", 0, "tid1", 1)
    core("throttle.set", 0, "tid2", 1)
    for i, tid in ((1, "tid1"), (2, "tid1"), (3, "tid1"), (4, "tid2")):
        put(core, i, f"jid{i}", tid)
    assert jids(core.pop(5, limit=2)) == ["jid1"]
    assert pending(core, "tid1") == ["jid2", "jid3"]
    assert peek(core, 6) == ["jid4"]


@pytest.mark.parametrize("passes", ["0", "-1"])
def test_no_passes_disables_the_work_scan(core: Core, redis: Redis, passes: str) -> None:
    redis.hset("ql:config", "max-pop-retry", passes)
    core.put(0, "jid")
    core.put(0, "later", delay=5)
    assert core.pop(10) == []
    assert sorted(peek(core, 11)) == ["jid", "later"]


# --- throttle.release -------------------------------------------------------------


def test_release_holder_then_pending(core: Core) -> None:
    held_and_pending(core)
    assert core("throttle.release", 5, "tid", "jid1", "jid2") is None
    assert (locks(core), pending(core)) == ([], [])
    assert by_state(core, 5, "throttled") == []
    assert peek(core, 5)[0] == "jid2"
    assert state(core, "jid1") == "running"


def test_release_pending_then_holder_does_not_strand_the_pending_job(core: Core) -> None:
    # The original left jid2 in the throttled set forever (unpoppable); it is
    # now moved back to work, still `throttled`, and competes at the next pop.
    held_and_pending(core)
    core("throttle.release", 5, "tid", "jid2", "jid1")
    assert (locks(core), pending(core)) == ([], [])
    assert by_state(core, 5, "throttled") == []
    assert peek(core, 5) == ["jid2"]
    assert state(core, "jid2") == "throttled"
    assert jids(core.pop(6, worker="other")) == ["jid2"]
    assert locks(core) == ["jid2"]


def test_released_pending_job_is_held_again_while_the_slot_is_full(core: Core) -> None:
    held_and_pending(core)
    core("throttle.release", 5, "tid", "jid2")
    assert (locks(core), pending(core)) == (["jid1"], [])
    assert peek(core, 5) == ["jid2"]
    assert core.pop(6, worker="other") == []
    assert (locks(core), pending(core)) == (["jid1"], ["jid2"])
    assert by_state(core, 6, "throttled") == ["jid2"]


def test_release_keeps_a_running_job_running(core: Core) -> None:
    held_and_pending(core)
    core("throttle.release", 5, "tid", "jid1")
    job = core.job("jid1")
    assert (job["state"], job["worker"]) == ("running", "worker")
    assert by_state(core, 5, "running") == ["jid1"]


def test_release_drops_pending_jids_without_a_job(core: Core, redis: Redis) -> None:
    # The ghost is oldest; dropping it does not use up the one free slot.
    held_and_pending(core)
    redis.zadd("ql:th:tid-pending", {"ghost": 0})
    core("throttle.release", 5, "tid", "jid1")
    assert (locks(core), pending(core)) == ([], [])
    assert not redis.exists("ql:j:ghost")
    assert peek(core, 5) == ["jid2"]


def test_release_does_not_put_a_running_job_with_a_stale_pending_entry_into_work(
    core: Core,
) -> None:
    # jid2 waits on tid, is re-put without throttles (put releases nothing, so
    # its pending entry stays) and runs. Releasing tid must not add it to work.
    held_and_pending(core)
    core.put(3, "jid2")
    assert jids(core.pop(4, worker="other")) == ["jid2"]
    assert pending(core) == ["jid2"]
    complete(core, 5, "jid1")
    assert pending(core) == []
    assert peek(core, 6) == []
    assert state(core, "jid2") == "running"
    assert core.pop(7, worker="third") == []


def test_release_of_a_stale_pending_entry_leaves_the_job_alone(core: Core) -> None:
    held_and_pending(core)
    core.put(3, "jid2")  # re-put without throttles: the pending entry stays
    assert jids(core.pop(4, worker="other")) == ["jid2"]
    core("throttle.release", 5, "tid", "jid2")
    assert (locks(core), pending(core)) == (["jid1"], [])
    assert peek(core, 6) == []
    assert state(core, "jid2") == "running"


def test_unlimited_throttle_moves_ten_pending_jobs_per_release(core: Core) -> None:
    core("throttle.set", 0, "tid", 1)
    put(core, 0, "holder")
    core.pop(1)
    for i in range(12):
        put(core, 2 + i, f"jid{i:02}")
    core("throttle.delete", 20, "tid")
    core("throttle.release", 21, "tid", "holder")
    assert pending(core) == ["jid10", "jid11"]
    assert len(peek(core, 22, limit=20)) == 10


def test_release_without_jids_changes_nothing(core: Core) -> None:
    held_and_pending(core)
    before = snapshot(core.redis)
    assert core("throttle.release", 5, "tid") is None
    assert snapshot(core.redis) == before


def test_release_of_unknown_jids(core: Core) -> None:
    held_and_pending(core)
    core("throttle.release", 5, "tid", "nobody")
    assert (locks(core), pending(core)) == (["jid1"], ["jid2"])


def test_release_checks_a_stored_maximum_before_writing(core: Core, redis: Redis) -> None:
    held_and_pending(core)
    redis.hset("ql:th:tid", "maximum", "abc")
    core.fails("throttle.release", 5, "tid", "jid1", match="Throttle(): maximum of tid")


# --- queue.throttle.get / queue.throttle.set --------------------------------------


def test_queue_throttle_set_and_get(core: Core, redis: Redis) -> None:
    assert core("queue.throttle.set", 0, "queue", "5") is None
    assert redis.hgetall("ql:th:ql:q:queue") == {"id": "ql:q:queue", "maximum": "5"}
    assert core.json("queue.throttle.get", 0, "queue") == {
        "id": "ql:q:queue",
        "maximum": 5,
        "ttl": -1,
    }
    assert core.json("throttle.get", 0, "ql:q:queue") == core.json("queue.throttle.get", 0, "queue")


def test_queue_throttle_get_reports_the_queue_id(core: Core, redis: Redis) -> None:
    redis.hset("ql:th:ql:q:queue", mapping={"id": "other", "maximum": "2"})
    assert core.json("queue.throttle.get", 0, "queue")["id"] == "ql:q:queue"
    assert core.json("queue.throttle.get", 0, "fresh") == {
        "id": "ql:q:fresh",
        "maximum": 0,
        "ttl": -2,
    }


def test_queue_throttle_set_keeps_an_existing_ttl(core: Core) -> None:
    core("throttle.set", 0, "ql:q:queue", 5, 1000)
    core("queue.throttle.set", 0, "queue", 3, 5)  # no expiration argument: ignored
    got = core.json("queue.throttle.get", 0, "queue")
    assert got["maximum"] == 3 and 990 <= got["ttl"] <= 1000


@pytest.mark.parametrize(
    ("command", "args", "match"),
    [
        ("queue.throttle.get", (), 'Throttle(): Arg "queue" missing'),
        ("queue.throttle.set", (), 'Throttle(): Arg "queue" missing'),
        ("queue.throttle.set", ("queue",), MAXIMUM + "nil"),
        ("queue.throttle.set", ("queue", "many"), MAXIMUM + "many"),
        ("queue.throttle.set", ("queue", "-2"), MAXIMUM + "-2"),
        ("queue.throttle.set", ("queue", "0.5"), MAXIMUM + "0.5"),
    ],
)
def test_queue_throttle_rejects_malformed_input(
    core: Core, command: str, args: tuple[Arg, ...], match: str
) -> None:
    core("queue.throttle.set", 0, "queue", 4)
    core.fails(command, 0, *args, match=match)


def test_queue_maximum_five_with_ten_waiting(core: Core) -> None:
    core("queue.throttle.set", 0, "queue", 5)
    for i in range(10):
        core.put(i, f"jid{i}")
    first = jids(core.pop(10, limit=10))
    assert len(first) == 5
    for n, jid in enumerate(first):
        complete(core, 20 + n, jid)
        assert len(core.pop(20 + n, limit=10)) == 1


def test_lowering_the_queue_maximum_blocks_pops(core: Core) -> None:
    for i in range(12):
        core.put(i, f"jid{i:02}")
    running = jids(core.pop(20, limit=10))
    core("queue.throttle.set", 21, "queue", 5)
    for n, jid in enumerate(running[:5]):
        complete(core, 22 + n, jid)
        assert core.pop(22 + n) == []
    complete(core, 30, running[5])
    assert len(core.pop(31)) == 1


def test_stalled_job_is_reassigned_despite_the_queue_maximum(core: Core, redis: Redis) -> None:
    redis.hset("ql:config", "grace-period", "0")
    core("queue.throttle.set", 0, "queue", 1)
    core.put(0, "jid")
    core.pop(1)
    job = core.pop(100, worker="other")[0]
    assert (job["jid"], job["worker"], job["remaining"]) == ("jid", "other", 4)


def test_queue_counts_with_maximum_one(core: Core) -> None:
    core("queue.throttle.set", 0, "queue", 1)
    core.put(0, "jid1")
    core.put(1, "jid2")
    core.pop(2, limit=2)
    counts = core.json("queue.counts", 3, "queue")
    assert (counts["running"], counts["throttled"], counts["waiting"]) == (1, 1, 0)


def test_put_while_the_queue_slot_is_held_throttles_at_put(core: Core) -> None:
    core("queue.throttle.set", 0, "queue", 1)
    core.put(0, "jid1")
    core.pop(1)
    core.put(2, "jid2")
    assert state(core, "jid2") == "throttled"
    assert pending(core, "ql:q:queue") == ["jid2"]
