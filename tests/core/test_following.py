"""Following jobs in the core: progress, results, waiting for a job, batches
(docs/following-jobs.md; reqless/core/lua/src/commands/follow.lua, lib/batch.lua)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis import Redis

from tests.core.keyspace import check_invariants, read_keyspace
from tests.helpers import Core, Events

CALLBACK = json.dumps({"klass": "app.Done", "queue": "callbacks", "data": {"note": "hi"}})


def running(core: Core, jid: str = "j", now: float = 0, **kw: Any) -> None:
    core.put(now, jid)
    assert [job["jid"] for job in core.pop(now + 1)] == [jid]


def consistent(redis: Redis) -> None:
    problems = check_invariants(read_keyspace(redis))
    assert not problems, problems


# -- progress ------------------------------------------------------------------


def test_progress_is_stored_published_and_heartbeats(core: Core, redis: Redis) -> None:
    running(core)
    events = Events(redis)
    expires = core("job.progress", 10, "j", "worker", 0.3, "resized 3 of 10")
    assert expires == 70  # now + heartbeat, as job.heartbeat
    job = core.job("j", 10)
    assert job["progress"] == {"fraction": 0.3, "message": "resized 3 of 10", "at": 10}
    assert job["expires"] == 70
    assert redis.zscore("ql:q:queue-locks", "j") == 70
    published = events.drain()
    events.close()
    assert ("ql:log", json.dumps({
        "jid": "j", "event": "progress", "queue": "queue", "worker": "worker",
        "fraction": 0.3, "message": "resized 3 of 10",
    }, separators=(",", ":"))) in published  # fmt: skip


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("j", "worker", -0.1), 'Arg "fraction" must be a number from 0 to 1'),
        (("j", "worker", 1.5), 'Arg "fraction"'),
        (("j", "worker", "half"), 'Arg "fraction"'),
        (("j", "worker", "nan"), 'Arg "fraction"'),
        (("j", "worker", 0.5, "x" * 1025), 'Arg "message" is longer than 1024 bytes'),
        (("j", "other", 0.5), "Job given out to another worker: worker"),
        (("nope", "worker", 0.5), "Job does not exist"),
        (("j",), 'Arg "worker" missing'),
    ],
)
def test_bad_progress_is_refused(core: Core, args: tuple[Any, ...], match: str) -> None:
    running(core)
    core.fails("job.progress", 5, *args, match=match)


def test_only_a_running_job_has_progress_written(core: Core) -> None:
    core.put(0, "waiting")
    core.fails("job.progress", 1, "waiting", "worker", 0.5, match="not currently running")


def test_a_new_put_clears_the_last_runs_progress_and_result(core: Core) -> None:
    running(core)
    core("job.progress", 2, "j", "worker", 0.5)
    core("job.complete", 3, "j", "worker", "queue", "{}", "result", '{"n": 1}')
    core.put(4, "j")
    job = core.job("j")
    assert "progress" not in job and "result" not in job


# -- results -------------------------------------------------------------------


def test_a_result_is_kept_with_the_completed_job(core: Core) -> None:
    running(core)
    core("job.complete", 2, "j", "worker", "queue", "{}", "result", '{"total": 42, "ok": [1]}')
    job = core.job("j")
    assert job["state"] == "complete" and job["result"] == {"total": 42, "ok": [1]}


def test_complete_and_pop_carries_a_result(core: Core) -> None:
    running(core)
    core.put(2, "next")
    reply = core.json("job.completeAndPop", 3, "j", "worker", "queue", "{}", "result", "[1,2]",
                      1, "queue")  # fmt: skip
    assert [job["jid"] for job in reply["jobs"]] == ["next"]
    assert core.job("j")["result"] == [1, 2]


def test_results_over_the_limit_or_not_json_are_refused(core: Core, redis: Redis) -> None:
    running(core)
    core.fails("job.complete", 2, "j", "worker", "queue", "{}", "result", "{bad",
               match='Arg "result" not JSON')  # fmt: skip
    core.fails("job.complete", 2, "j", "worker", "queue", "{}", "result",
               match='Arg "result" missing')  # fmt: skip
    big = json.dumps("x" * 524288)
    core.fails("job.complete", 2, "j", "worker", "queue", "{}", "result", big,
               match="over the limit of 524288 (config max-result-size)")  # fmt: skip
    core("config.set", 2, "max-result-size", 10)
    core.fails("job.complete", 2, "j", "worker", "queue", "{}", "result", '"0123456789"',
               match="is 12 bytes, over the limit of 10")  # fmt: skip
    core("job.complete", 2, "j", "worker", "queue", "{}", "result", '"01234567"')


def test_the_result_limit_option_is_checked(core: Core) -> None:
    core.fails("config.set", 0, "max-result-size", -1, match="must be at least 0")
    core.fails("config.set", 0, "max-result-size", 1.5, match="must be a whole number")


# -- waiting -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("finish", "state"),
    [
        (("job.complete", "j", "worker", "queue", "{}"), "complete"),
        (("job.fail", "j", "worker", "group", "boom"), "failed"),
        (("job.cancel", "j"), "canceled"),
    ],
)
def test_each_waiter_gets_one_token_with_the_final_state(
    core: Core, redis: Redis, finish: tuple[Any, ...], state: str
) -> None:
    running(core)
    first = core.json("job.wait", 2, "j")
    second = core.json("job.wait", 2, "j")
    assert first == second == {"state": "running", "wake": "ql:j:j-done"}
    core(finish[0], 3, *finish[1:])
    assert redis.lrange("ql:j:j-done", 0, -1) == [state, state]
    assert 0 < redis.pttl("ql:j:j-done") <= 60000


def test_waiting_on_a_finished_job_answers_at_once(core: Core) -> None:
    running(core)
    core("job.complete", 2, "j", "worker", "queue", "{}")
    assert core.json("job.wait", 3, "j") == {"state": "complete"}
    core.fails("job.wait", 3, "unknown", match="Wait(): Job unknown does not exist")


def test_a_retried_job_is_not_finished(core: Core, redis: Redis) -> None:
    running(core)
    core.json("job.wait", 2, "j")
    core("job.retry", 3, "j", "queue", "worker", 0)
    assert not redis.exists("ql:j:j-done")


def test_a_lock_that_expires_too_often_wakes_waiters_with_failed(core: Core, redis: Redis) -> None:
    core("config.set", 0, "grace-period", 0)
    core.put(0, "j", "queue", "retries", 0)
    core.pop(1)
    core.json("job.wait", 2, "j")
    core.pop(1000, worker="other")
    assert core.job("j")["state"] == "failed"
    assert redis.lrange("ql:j:j-done", 0, -1) == ["failed"]


# -- batches -------------------------------------------------------------------


def open_batch(core: Core, bid: str = "b1", *callbacks: Any) -> None:
    args = callbacks or ("on_success", CALLBACK, "on_complete", CALLBACK.replace("Done", "All"))
    assert core("batch.open", 0, bid, *args) == bid


def put_in(core: Core, now: float, jid: str, bid: str = "b1", queue: str = "queue") -> None:
    core.put(now, jid, queue, "batch", bid)


def finish_all(core: Core, now: float, fail: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    while jobs := core.pop(now, limit=10):
        for job in jobs:
            if job["jid"] in fail:
                core("job.fail", now, job["jid"], "worker", "g", "boom")
            else:
                core("job.complete", now, job["jid"], "worker", "queue", "{}")
        now += 1


def test_the_last_job_of_a_closed_batch_puts_both_callbacks_once(core: Core, redis: Redis) -> None:
    open_batch(core)
    for i in range(3):
        put_in(core, 1, f"j{i}")
    put_in(core, 1, "j0")  # a re-put is not counted twice
    batch = core.json("batch.close", 2, "b1")
    assert (batch["state"], batch["total"], batch["pending"]) == ("closed", 3, 3)
    finish_all(core, 3)
    batch = core.json("batch.get", 10, "b1")
    assert (batch["state"], batch["complete"], batch["pending"]) == ("finished", 3, 0)
    success, complete = core.job("b1-success"), core.job("b1-complete")
    assert (success["klass"], success["queue"]) == ("app.Done", "callbacks")
    assert json.loads(success["data"]) == {
        "note": "hi", "batch": {"id": "b1", "total": 3, "complete": 3, "failed": 0, "canceled": 0},
    }  # fmt: skip
    assert complete["klass"] == "app.All"
    assert core.json("batch.jobs", 10, "b1") == ["j0", "j1", "j2"]
    assert 0 < redis.pttl("ql:b:b1") <= 604800 * 1000
    assert 0 < redis.pttl("ql:b:b1-jobs") <= 604800 * 1000
    consistent(redis)


def test_a_failure_skips_on_success_but_not_on_complete(core: Core) -> None:
    open_batch(core)
    put_in(core, 1, "ok")
    put_in(core, 1, "bad")
    core("batch.close", 2, "b1")
    finish_all(core, 3, fail={"bad"})
    assert core.job("b1-success") is None
    data = json.loads(core.job("b1-complete")["data"])
    assert data["batch"] == {"id": "b1", "total": 2, "complete": 1, "failed": 1, "canceled": 0}


def test_closing_a_batch_with_nothing_pending_fires_at_once(core: Core) -> None:
    open_batch(core)
    put_in(core, 1, "j")
    finish_all(core, 2)
    assert core.job("b1-complete") is None  # still open: more jobs may join
    assert core.json("batch.close", 3, "b1")["state"] == "finished"
    assert core.job("b1-complete") is not None
    assert core.json("batch.close", 4, "b1")["state"] == "finished"  # again: nothing more
    assert core.json("queue.counts", 5, "callbacks")["waiting"] == 2


def test_cancelling_a_batch_cancels_its_unfinished_jobs(core: Core, redis: Redis) -> None:
    open_batch(core)
    put_in(core, 1, "done")
    finish_all(core, 2)
    put_in(core, 3, "left1")
    put_in(core, 3, "left2")
    core("batch.close", 4, "b1")
    assert core.json("batch.cancel", 5, "b1") == ["left1", "left2"]
    batch = core.json("batch.get", 6, "b1")
    assert (batch["state"], batch["complete"], batch["canceled"]) == ("finished", 1, 2)
    assert core.job("b1-success") is None and core.job("b1-complete") is not None
    consistent(redis)


def test_a_batch_remembers_which_of_its_jobs_were_canceled(core: Core, redis: Redis) -> None:
    open_batch(core)
    for jid in ("a", "b", "c"):
        put_in(core, 1, jid)
    core("job.cancel", 2, "a", "c")
    assert core.json("batch.canceled", 3, "b1", "c", "b", "a", "zz") == ["c", "a"]
    assert core.json("batch.canceled", 3, "unknown", "a") == []
    # Put into the batch again, a canceled member is pending again, not counted twice.
    put_in(core, 4, "a")
    batch = core.json("batch.get", 5, "b1")
    assert (batch["total"], batch["pending"], batch["canceled"]) == (3, 2, 1)
    assert core.json("batch.canceled", 5, "b1", "a", "c") == ["c"]
    core("batch.close", 6, "b1")
    finish_all(core, 7)
    batch = core.json("batch.get", 10, "b1")
    assert (batch["state"], batch["complete"], batch["canceled"]) == ("finished", 2, 1)
    # The canceled set goes with the batch's other keys.
    assert 0 < redis.pttl("ql:b:b1-canceled") <= 604800 * 1000
    consistent(redis)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((), "no id provided"),
        (("b1",), "no jids provided"),
        (("b1", *[f"j{i}" for i in range(1001)]), "at most 1000 jids at once: 1001"),
    ],
)
def test_bad_canceled_questions_are_refused(core: Core, args: tuple[Any, ...], match: str) -> None:
    core.fails("batch.canceled", 1, *args, match=match)


def test_a_requeued_failed_member_is_pending_again(core: Core) -> None:
    open_batch(core)
    put_in(core, 1, "j")
    put_in(core, 1.5, "k")
    core("batch.close", 2, "b1")
    assert [job["jid"] for job in core.pop(3)] == ["j"]
    core("job.fail", 4, "j", "worker", "g", "boom")
    assert core.json("batch.get", 4, "b1")["failed"] == 1
    core("queue.unfail", 5, "queue", "g", 10)  # j runs again before the batch ends
    batch = core.json("batch.get", 6, "b1")
    assert (batch["pending"], batch["failed"]) == (2, 0)
    finish_all(core, 7)
    assert core.job("b1-success") is not None


def test_a_lock_expiring_for_good_counts_as_failed(core: Core) -> None:
    core("config.set", 0, "grace-period", 0)
    open_batch(core)
    core.put(1, "j", "queue", "batch", "b1", "retries", 0)
    core("batch.close", 1, "b1")
    core.pop(2)
    core.pop(1000, worker="other")
    assert core.json("batch.get", 1001, "b1")["failed"] == 1
    assert core.job("b1-complete") is not None


def test_batches_are_listed_newest_first(core: Core) -> None:
    core("batch.open", 1, "old")
    core("batch.open", 2, "new")
    assert [b["id"] for b in core.json("batch.list", 3)] == ["new", "old"]
    assert core.json("batch.get", 3, "none") is None


@pytest.mark.parametrize(
    ("command", "args", "match"),
    [
        ("batch.open", ("",), 'Arg "batch" must be 1 to 256 bytes'),
        ("batch.open", ("b", "on_success", "{bad"), 'Arg "on_success" not a JSON object'),
        ("batch.open", ("b", "on_success", '{"queue": "q"}'), "needs a class name"),
        ("batch.open", ("b", "on_complete", '{"klass": "K"}'), "needs a queue"),
        ("batch.open", ("b", "on_success", '{"klass": "K", "queue": "q", "data": [1]}'),
         "data must be a JSON object"),
        ("batch.open", ("b", "on_fire", CALLBACK), "unknown option on_fire"),
        ("batch.open", ("b", "on_success"), "Odd number of additional args"),
        ("batch.open", ("exists",), "batch exists exists"),
        ("queue.put", ("w", "queue", "j", "K", "{}", 0, "batch", "missing"),
         "batch missing is not open"),
        ("queue.put", ("w", "queue", "j", "K", "{}", 0, "batch", "closed"),
         "batch closed is not open"),
        ("batch.close", ("missing",), "batch missing does not exist"),
        ("batch.cancel", ("missing",), "batch missing does not exist"),
    ],
)  # fmt: skip
def test_bad_batch_calls_are_refused(
    core: Core, command: str, args: tuple[Any, ...], match: str
) -> None:
    core("batch.open", 0, "exists")
    core("batch.open", 0, "closed")
    core("batch.close", 0, "closed")
    core.fails(command, 1, *args, match=match)


def test_a_member_cannot_move_to_another_batch(core: Core) -> None:
    open_batch(core, "b1")
    open_batch(core, "b2")
    put_in(core, 1, "j", "b1")
    core.fails("queue.put", 2, "w", "queue", "j", "K", "{}", 0, "batch", "b2",
               match="job j belongs to batch b1")  # fmt: skip


def test_trace_context_is_kept_on_the_job(core: Core) -> None:
    core.put(0, "j", "queue", "trace", "00-abc-def-01")
    assert core.job("j")["trace"] == "00-abc-def-01"
    core.fails("queue.put", 0, "w", "queue", "k", "K", "{}", 0, "trace", "x" * 4097,
               match='Arg "trace" is longer than 4096 bytes')  # fmt: skip
