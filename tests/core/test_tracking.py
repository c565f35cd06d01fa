"""Tracking: job.track, job.untrack, jobs.tracked (docs/concepts.md, Tags and tracking)."""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, events

EMPTY = ('{"jobs":{},"expired":{}}', '{"expired":{},"jobs":{}}')


def test_track_reports_new_members(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    assert core("job.track", 5, "jid") == "1"
    assert redis.zscore("ql:tracked", "jid") == 5
    assert core("job.track", 9, "jid") == "0"
    assert redis.zscore("ql:tracked", "jid") == 9
    assert core.job("jid")["tracked"] is True


def test_untrack_reports_removal(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    assert core("job.untrack", 0, "jid") == "0"
    core("job.track", 0, "jid")
    assert core("job.untrack", 0, "jid") == "1"
    assert redis.exists("ql:tracked") == 0
    assert core.job("jid")["tracked"] is False


def test_track_and_untrack_publish_on_every_call(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    with events(redis) as capture:
        core("job.track", 0, "jid")
        core("job.track", 0, "jid")
        core("job.untrack", 0, "jid")
        core("job.untrack", 0, "jid")
        messages = capture.drain()
    assert messages == [
        ("ql:track", "jid"),
        ("ql:track", "jid"),
        ("ql:untrack", "jid"),
        ("ql:untrack", "jid"),
    ]


def test_tracked_when_nothing_is_tracked(core: Core) -> None:
    assert core("jobs.tracked", 0) in EMPTY


def test_tracked_lists_full_job_objects(core: Core) -> None:
    core.put(0, "jid")
    core("job.track", 0, "jid")
    assert core.json("jobs.tracked", 0) == {
        "jobs": [
            {
                "jid": "jid",
                "klass": "klass",
                "state": "waiting",
                "queue": "queue",
                "worker": "",
                "tracked": True,
                "priority": 0,
                "expires": 0,
                "retries": 5,
                "remaining": 5,
                "data": "{}",
                "tags": {},
                "history": [{"what": "put", "when": 0, "queue": "queue"}],
                "failure": {},
                "throttles": ["ql:q:queue"],
                "spawned_from_jid": False,
                "dependents": {},
                "dependencies": {},
            }
        ],
        "expired": {},
    }


def test_tracked_after_untrack_is_empty(core: Core) -> None:
    core.put(0, "jid")
    core("job.track", 0, "jid")
    core("job.untrack", 0, "jid")
    assert core("jobs.tracked", 0) in EMPTY


def test_tracked_order_and_expired_jobs(redis: Redis, core: Core) -> None:
    for jid in ("a", "b", "c", "d"):
        core.put(0, jid)
    core("job.track", 3, "c")
    core("job.track", 1, "b")
    core("job.track", 1, "a")
    core("job.track", 2, "d")
    core("job.cancel", 5, "d")
    reply = core.json("jobs.tracked", 6)
    assert [job["jid"] for job in reply["jobs"]] == ["a", "b", "c"]
    assert reply["expired"] == ["d"]
    assert redis.zcard("ql:tracked") == 4  # nothing is cleaned up


def test_a_cancelled_tracked_job_can_still_be_untracked(redis: Redis, core: Core) -> None:
    """Deliberate fix: the original refused this, leaving the jid listed as expired
    for ever (docs/core-decisions.md)."""
    core.put(0, "jid")
    core("job.track", 0, "jid")
    core("job.cancel", 0, "jid")
    assert core.json("jobs.tracked", 0) == {"jobs": {}, "expired": ["jid"]}
    assert core("job.untrack", 0, "jid") == "1"
    assert core("jobs.tracked", 0) in EMPTY
    core.fails("job.untrack", 0, "jid", match="Track(): Job does not exist")


def test_tracked_jobs_get_bare_jid_notifications(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core("job.track", 0, "jid")
    with events(redis) as capture:
        core.pop(1)
        messages = capture.drain()
    assert ("ql:popped", "jid") in messages


MALFORMED: list[tuple[str, tuple[Arg, ...], str]] = [
    ("job.track", (), 'Track(): Arg "jid" missing'),
    ("job.track", ("nope",), "Track(): Job does not exist"),
    ("job.track", ("r",), "Track(): Job does not exist"),
    ("job.untrack", (), 'Track(): Arg "jid" missing'),
    ("job.untrack", ("nope",), "Track(): Job does not exist"),
]


@pytest.mark.parametrize(("command", "args", "match"), MALFORMED)
def test_malformed_arguments(core: Core, command: str, args: tuple[Arg, ...], match: str) -> None:
    core.put(0, "jid")
    core("job.track", 0, "jid")
    core("queue.recurAtInterval", 0, "queue", "r", "klass", "{}", 60, 0)
    core.fails(command, 5, *args, match=match)


def test_failed_track_publishes_nothing(redis: Redis, core: Core) -> None:
    with events(redis) as capture:
        core.fails("job.track", 0, "nope", match="Track(): Job does not exist")
        core.fails("job.untrack", 0, "nope", match="Track(): Job does not exist")
        assert capture.drain() == []
