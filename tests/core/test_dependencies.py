"""Dependencies: job.addDependency, job.removeDependency (docs/core-commands.md, job.addDependency
and job.removeDependency) and
the release of dependents when a job completes (docs/concepts.md, Dependencies)."""

from __future__ import annotations

import pytest
from redis import Redis

from tests.core.test_complete import make_job, set_throttle, work_score
from tests.helpers import Core, events


def complete(core: Core, now: float, jid: str, queue: str = "queue") -> None:
    """Pop `jid` (the only waiting job of `queue`) and complete it at `now`."""
    assert [job["jid"] for job in core.pop(now, queue)] == [jid]
    assert core("job.complete", now, jid, "worker", queue, "{}") == "complete"


def dependencies(core: Core, jid: str) -> set[str]:
    """The jids `jid` waits for."""
    return set(core.job(jid)["dependencies"] or [])


def dependents(core: Core, jid: str) -> set[str]:
    """The jids waiting for `jid`."""
    return set(core.job(jid)["dependents"] or [])


# --- release on completion ------------------------------------------------------------


def test_dependent_becomes_waiting_when_its_dependency_completes(core: Core, redis: Redis) -> None:
    core.put(0, "a", "deps")
    core.put(0, "b", "queue", "depends", '["a"]', "priority", 1)
    assert core.job("b")["state"] == "depends"
    assert redis.zscore("ql:q:queue-depends", "b") == 0
    assert core.pop(1) == []
    complete(core, 2, "a", "deps")
    assert core.job("b")["state"] == "waiting"
    assert redis.zscore("ql:q:queue-depends", "b") is None
    assert redis.zscore("ql:q:queue-work", "b") == work_score(1, 2)
    assert [job["jid"] for job in core.pop(3)] == ["b"]


def test_dependent_with_a_pending_delay_becomes_scheduled(core: Core, redis: Redis) -> None:
    core.put(0, "a", "deps")
    core.put(0, "b", "queue", "depends", '["a"]', delay=10)
    assert core.job("b")["state"] == "depends"
    assert float(redis.hget("ql:j:b", "scheduled") or "nan") == 10
    complete(core, 5, "a", "deps")
    assert core.job("b")["state"] == "scheduled"
    assert redis.zscore("ql:q:queue-scheduled", "b") == 10
    assert redis.hexists("ql:j:b", "scheduled") is False
    assert core.pop(9) == []
    assert [job["jid"] for job in core.pop(10)] == ["b"]


def test_dependent_whose_delay_has_passed_is_scheduled_in_the_past(
    core: Core, redis: Redis
) -> None:
    core.put(0, "a", "deps")
    core.put(0, "b", "queue", "depends", '["a"]', delay=10)
    complete(core, 50, "a", "deps")
    assert core.job("b")["state"] == "scheduled"
    assert redis.zscore("ql:q:queue-scheduled", "b") == 10
    assert [job["jid"] for job in core.pop(51)] == ["b"]


def test_chains_resolve_one_link_per_completion(core: Core) -> None:
    core.put(0, "a")
    core.put(0, "b", "queue", "depends", '["a"]')
    core.put(0, "c", "queue", "depends", '["b"]')
    complete(core, 1, "a")
    assert core.job("b")["state"] == "waiting"
    assert core.job("c")["state"] == "depends"
    complete(core, 2, "b")
    assert core.job("c")["state"] == "waiting"


def test_dependent_of_many_waits_for_the_last(core: Core) -> None:
    jids = [f"dep-{i}" for i in range(10)]
    for jid in jids:
        core.put(0, jid, "deps")
    core.put(0, "jid", "queue", "depends", '["' + '","'.join(jids) + '"]')
    assert dependencies(core, "jid") == set(jids)
    for i in range(10):
        assert core.job("jid")["state"] == "depends"
        popped = core.pop(i + 1, "deps")
        core("job.complete", i + 1, popped[0]["jid"], "worker", "deps", "{}")
    assert core.job("jid")["state"] == "waiting"
    assert core.job("jid")["dependencies"] == {}


def test_release_ignores_throttles(core: Core, redis: Redis) -> None:
    set_throttle(redis, "ql:q:queue", 1)
    core.put(0, "holder")
    core.pop(1)
    core.put(0, "a", "deps")
    core.put(0, "b", "queue", "depends", '["a"]')
    complete(core, 2, "a", "deps")
    assert core.job("b")["state"] == "waiting"
    assert redis.zscore("ql:q:queue-work", "b") is not None


def test_failed_dependency_keeps_dependents_waiting(core: Core) -> None:
    core.put(0, "a", "deps")
    core.put(0, "b", "queue", "depends", '["a"]')
    core.pop(1, "deps")
    core("job.fail", 2, "a", "worker", "group", "message")
    assert core.job("b")["state"] == "depends"
    core.put(3, "a", "deps")
    complete(core, 4, "a", "deps")
    assert core.job("b")["state"] == "waiting"


def test_dependents_share_a_throttle_one_after_another(core: Core, redis: Redis) -> None:
    set_throttle(redis, "tid", 1)
    core.put(0, "a", "queue", "throttles", '["tid"]')
    core.put(0, "b", "queue", "throttles", '["tid"]', "depends", '["a"]')
    core.put(0, "c", "queue", "throttles", '["tid"]', "depends", '["b"]')
    complete(core, 1, "a")
    complete(core, 2, "b")
    complete(core, 3, "c")
    assert redis.zrange("ql:completed", 0, -1) == ["a", "b", "c"]


def test_linking_ignores_missing_and_complete_jobs(core: Core, redis: Redis) -> None:
    make_job(core, "complete", "done")
    core.put(3, "open", "deps")
    core.put(3, "jid", "queue", "depends", '["done","missing","open"]')
    assert dependencies(core, "jid") == {"open"}
    assert redis.exists("ql:j:done-dependents", "ql:j:missing-dependents") == 0
    core.put(4, "other", "queue", "depends", '["done","missing"]')
    assert core.job("other")["state"] == "waiting"


# --- job.addDependency ------------------------------------------------------------------


def test_add_dependency(core: Core, redis: Redis) -> None:
    make_job(core, "depends")
    core.put(3, "b")
    with events(redis) as capture:
        assert core("job.addDependency", 4, "jid", "b") == 1
        assert capture.drain() == []
    assert dependencies(core, "jid") == {"dep", "b"}
    assert dependents(core, "b") == {"jid"}
    assert core.job("jid")["state"] == "depends"


def test_add_dependency_ignores_missing_and_complete_jobs(core: Core, redis: Redis) -> None:
    make_job(core, "complete", "done")
    make_job(core, "depends")
    assert core("job.addDependency", 4, "jid", "done", "missing", "dep") == 1
    assert dependencies(core, "jid") == {"dep"}
    assert redis.exists("ql:j:done-dependents", "ql:j:missing-dependents") == 0


def test_add_no_dependency(core: Core) -> None:
    make_job(core, "depends")
    assert core("job.addDependency", 4, "jid") == 1
    assert dependencies(core, "jid") == {"dep"}


def test_add_dependency_on_itself_is_ignored(core: Core) -> None:
    make_job(core, "depends")
    assert core("job.addDependency", 4, "jid", "jid") == 1
    assert dependencies(core, "jid") == {"dep"}
    assert dependents(core, "jid") == set()


def test_added_dependency_must_complete_too(core: Core) -> None:
    make_job(core, "depends")
    core.put(3, "b", "deps")
    core("job.addDependency", 4, "jid", "b")
    complete(core, 5, "dep")
    assert core.job("jid")["state"] == "depends"
    complete(core, 6, "b", "deps")
    assert core.job("jid")["state"] == "waiting"


# --- job.removeDependency ---------------------------------------------------------------


def test_remove_dependencies_one_by_one(core: Core, redis: Redis) -> None:
    jids = [f"dep-{i}" for i in range(10)]
    for jid in jids:
        core.put(0, jid, "deps")
    core.put(0, "jid", "queue", "depends", '["' + '","'.join(jids) + '"]', "priority", 2)
    for i, dep in enumerate(jids):
        assert core.job("jid")["state"] == "depends"
        with events(redis) as capture:
            assert core("job.removeDependency", i + 1, "jid", dep) == 1
            assert capture.drain() == []
        assert dependents(core, dep) == set()
    job = core.job("jid")
    assert job["state"] == "waiting"
    assert job["dependencies"] == {}
    assert redis.zscore("ql:q:queue-depends", "jid") is None
    assert redis.zscore("ql:q:queue-work", "jid") == work_score(2, 10)


def test_remove_all_dependencies(core: Core, redis: Redis) -> None:
    core.put(0, "a", "deps")
    core.put(0, "b", "deps")
    core.put(0, "jid", "queue", "depends", '["a","b"]')
    assert core("job.removeDependency", 3, "jid", "all") == 1
    job = core.job("jid")
    assert job["state"] == "waiting"
    assert job["dependencies"] == {}
    assert dependents(core, "a") == set()
    assert dependents(core, "b") == set()
    assert redis.exists("ql:j:jid-dependencies") == 0
    assert redis.zscore("ql:q:queue-work", "jid") == work_score(0, 3)
    assert redis.zscore("ql:q:queue-depends", "jid") is None


@pytest.mark.parametrize("deps", [("all",), ("dep",)])
def test_remove_dependency_ignores_a_pending_delay(
    core: Core, redis: Redis, deps: tuple[str, ...]
) -> None:
    core.put(0, "dep")
    core.put(0, "jid", "queue", "depends", '["dep"]', delay=100)
    core("job.removeDependency", 1, "jid", *deps)
    assert core.job("jid")["state"] == "waiting"
    assert redis.zscore("ql:q:queue-scheduled", "jid") is None
    assert float(redis.hget("ql:j:jid", "scheduled") or "nan") == 100
    assert [job["jid"] for job in core.pop(2, limit=5)] == ["dep", "jid"]


def test_remove_a_dependency_that_was_not_there(core: Core) -> None:
    make_job(core, "depends")
    core.put(3, "other")
    assert core("job.removeDependency", 4, "jid", "other", "missing") == 1
    assert core.job("jid")["state"] == "depends"
    assert dependencies(core, "jid") == {"dep"}


def test_remove_dependency_with_trailing_arguments(core: Core, redis: Redis) -> None:
    make_job(core, "depends")
    core("job.removeDependency", 4, "jid", "dep", "other", "dep")
    assert core.job("jid")["state"] == "waiting"
    assert redis.zrange("ql:q:queue-work", 0, -1, withscores=True) == [
        ("jid", work_score(0, 4)),
        ("dep", work_score(0, 0)),
    ]


def test_remove_dependency_ignores_throttles(core: Core, redis: Redis) -> None:
    set_throttle(redis, "ql:q:queue", 1)
    core.put(0, "holder")
    core.pop(1)
    core.put(0, "dep", "deps")
    core.put(2, "jid", "queue", "depends", '["dep"]')
    core("job.removeDependency", 3, "jid", "all")
    assert core.job("jid")["state"] == "waiting"
    assert redis.zscore("ql:q:queue-work", "jid") == work_score(0, 3)


def test_remove_all_with_no_dependency_left_is_refused(core: Core) -> None:
    make_job(core, "depends")
    core("job.removeDependency", 4, "jid", "all")
    core.fails(
        "job.removeDependency",
        5,
        "jid",
        "all",
        match="Depends(): Job jid not in the depends state: waiting",
    )


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["job.addDependency", "job.removeDependency"])
@pytest.mark.parametrize(
    "state", ["waiting", "scheduled", "running", "throttled", "stalled", "failed", "complete"]
)
def test_dependency_commands_need_the_depends_state(core: Core, command: str, state: str) -> None:
    make_job(core, state)
    core.put(3, "other")
    core.fails(
        command,
        5,
        "jid",
        "other",
        match=f"Depends(): Job jid not in the depends state: {state}",
    )


@pytest.mark.parametrize("command", ["job.addDependency", "job.removeDependency"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Job(): no jid provided"),
        (("missing", "dep"), "Depends(): Job missing not in the depends state: false"),
        (("missing",), "Depends(): Job missing not in the depends state: false"),
        (("missing", "all"), "Depends(): Job missing not in the depends state: false"),
        (("dep", "jid"), "Depends(): Job dep not in the depends state: waiting"),
    ],
)
def test_dependency_commands_malformed(
    core: Core, command: str, args: tuple[str, ...], message: str
) -> None:
    make_job(core, "depends")
    core.fails(command, 5, *args, match=message)
