"""queue.stalledCounts and queue.stalledJobs: reqless's one meaning of stalled,
beside queue.counts and queue.jobsByState, which keep the spec's narrower one."""

from __future__ import annotations

from tests.helpers import Core


def _stall(core: Core) -> None:
    """`expired`: lock expired at 70; `handed`: handed back with job.timeout; `waits`."""
    core.put(0, "expired")
    core.put(0, "handed")
    core.pop(10, limit=2)
    core("job.timeout", 11, "handed")
    core.put(12, "waits")


def test_counts_move_handed_back_jobs_from_waiting_to_stalled(core: Core) -> None:
    _stall(core)
    spec = core.json("queue.counts", 100, "queue")
    ours = core.json("queue.stalledCounts", 100, "queue")
    assert (spec["waiting"], spec["stalled"]) == (2, 1)
    assert ours == {**spec, "waiting": 1, "stalled": 2}
    assert core.json("queue.stalledCounts", 100) == [ours]


def test_counts_of_no_queue_are_an_empty_list(core: Core) -> None:
    assert core("queue.stalledCounts", 0) == "[]"


def test_jobs_list_expired_locks_then_handed_back_jobs_paged_as_one_list(core: Core) -> None:
    _stall(core)
    assert core.json("queue.jobsByState", 100, "stalled", "queue") == ["expired"]
    assert core.json("queue.stalledJobs", 100, "queue") == ["expired", "handed"]
    assert core.json("queue.stalledJobs", 100, "queue", 1, 1) == ["handed"]
    assert core.json("queue.stalledJobs", 100, "queue", 0, 1) == ["expired"]
    assert core.json("queue.stalledJobs", 100, "queue", 0, -1) == ["expired", "handed"]
    assert core("queue.stalledJobs", 100, "queue", 0, 0) == "[]"
    assert core("queue.stalledJobs", 100, "queue", -1, 5) == "[]"
    # Before the deadline only the handed-back job is stalled.
    assert core.json("queue.stalledJobs", 20, "queue") == ["handed"]


def test_jobs_refuse_bad_arguments_and_change_nothing(core: Core) -> None:
    _stall(core)
    core.fails("queue.stalledJobs", 100, match='Jobs(): Arg "queue" missing')
    core.fails("queue.stalledJobs", 100, "queue", "x", match='Arg "offset" not a number: x')
    core.fails("queue.stalledJobs", 100, "queue", 0, "y", match='Arg "limit" not a number: y')
