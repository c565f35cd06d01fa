"""Tags: job.addTag, job.removeTag, jobs.tagged, tags.top (docs/concepts.md, Tags and tracking).

The counters in `ql:tags` always equal the number of distinct jids in `ql:t:<tag>`
(the lead's decision, see lib/tags.lua). The spec's examples where a counter grows
by 3 for `addTag jid foo foo foo`, or is decremented by removing a tag a job never
had, describe the original's drift; the tests here assert the drift-free counts.
"""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, events


def counter(redis: Redis, tag: str) -> float | None:
    return redis.zscore("ql:tags", tag)


# --- job.addTag ----------------------------------------------------------------------------


def test_add_tag_returns_and_stores_the_list(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    assert core("job.addTag", 5, "jid", "foo", "bar") == '["foo","bar"]'
    assert redis.hget("ql:j:jid", "tags") == '["foo","bar"]'
    assert core.job("jid")["tags"] == ["foo", "bar"]
    assert redis.zrange("ql:t:foo", 0, -1, withscores=True) == [("jid", 5.0)]
    assert counter(redis, "foo") == 1


def test_tags_keep_insertion_order(core: Core) -> None:
    core.put(0, "jid")
    for tag in "abcdefgh":
        core("job.addTag", 0, "jid", tag)
    assert core.job("jid")["tags"] == list("abcdefgh")


def test_add_no_tags_returns_the_current_list(core: Core) -> None:
    core.put(0, "jid")
    assert core("job.addTag", 0, "jid") == "[]"
    core.put(0, "tagged", "queue", "tags", '["x"]')
    assert core("job.addTag", 0, "tagged") == '["x"]'


def test_adding_a_tag_again_rescores_without_counting(redis: Redis, core: Core) -> None:
    """Drift-free: the counter stays at the number of tagged jids (the spec's original grows)."""
    core.put(0, "jid", "queue", "tags", '["foo"]')
    assert core("job.addTag", 7, "jid", "foo") == '["foo"]'
    assert redis.zscore("ql:t:foo", "jid") == 7
    assert counter(redis, "foo") == 1


def test_repeated_tag_in_one_call_counts_once(redis: Redis, core: Core) -> None:
    """Drift-free: `addTag jid foo foo foo` leaves the counter at 1 (the spec's original: 3)."""
    core.put(0, "jid")
    assert core("job.addTag", 0, "jid", "foo", "foo", "foo") == '["foo"]'
    assert counter(redis, "foo") == 1
    core.put(0, "other")
    core("job.addTag", 0, "other", "foo")
    assert counter(redis, "foo") == 2


def test_tagged_job_is_visible_at_once(core: Core) -> None:
    core.put(0, "jid")
    core("job.addTag", 0, "jid", "foo")
    assert core.json("jobs.tagged", 0, "foo") == {"total": 1, "jobs": ["jid"]}


def test_numeric_tags_compare_by_their_index_name(redis: Redis, core: Core) -> None:
    """A tag put as the JSON number 3 and the argument "3" are one tag (ql:t:3)."""
    core.put(0, "jid", "queue", "tags", "[3]")
    assert core("job.addTag", 0, "jid", "3") == "[3]"
    assert counter(redis, "3") == 1
    assert core("job.removeTag", 0, "jid", "3") == "[]"
    assert redis.exists("ql:t:3", "ql:tags") == 0


# --- job.removeTag -------------------------------------------------------------------------


def test_remove_tag_keeps_the_order_of_the_rest(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "tags", '["a","b","c","d","e"]')
    assert core("job.removeTag", 0, "jid", "d", "b") == '["a","c","e"]'
    assert core("job.removeTag", 0, "jid", "e", "a", "c") == "[]"
    assert redis.hget("ql:j:jid", "tags") == "{}"
    assert core.job("jid")["tags"] == {}
    assert redis.keys("ql:t*") == []


def test_removing_a_tag_the_job_does_not_have(redis: Redis, core: Core) -> None:
    """Drift-free: other jobs' counter is not decremented (the spec's original does)."""
    core.put(0, "jid", "queue", "tags", '["foo"]')
    core.put(0, "a", "queue", "tags", '["bar"]')
    core.put(0, "b", "queue", "tags", '["bar"]')
    assert core("job.removeTag", 0, "jid", "bar") == '["foo"]'
    assert counter(redis, "bar") == 2
    assert core.json("jobs.tagged", 0, "bar")["jobs"] == ["a", "b"]


def test_removing_the_last_job_drops_the_tag(redis: Redis, core: Core) -> None:
    core.put(0, "a", "queue", "tags", '["foo"]')
    core.put(0, "b", "queue", "tags", '["foo"]')
    core("job.removeTag", 0, "a", "foo")
    assert counter(redis, "foo") == 1
    core("job.removeTag", 0, "b", "foo")
    assert counter(redis, "foo") is None
    assert redis.exists("ql:t:foo") == 0


def test_add_then_remove_keeps_counters_exact(redis: Redis, core: Core) -> None:
    for jid in ("a", "b", "c"):
        core.put(0, jid)
        core("job.addTag", 0, jid, "t", "t")
    core("job.removeTag", 0, "a", "t", "t")
    core("job.addTag", 0, "b", "t")
    assert counter(redis, "t") == redis.zcard("ql:t:t") == 2


# --- jobs.tagged ---------------------------------------------------------------------------


def test_tagged_lists_jobs_in_tagging_order(core: Core) -> None:
    core.put(0, "foo", "queue", "tags", '["foo","both"]')
    core.put(0, "bar", "queue", "tags", '["bar","both"]')
    assert core.json("jobs.tagged", 0, "foo") == {"total": 1, "jobs": ["foo"]}
    assert core.json("jobs.tagged", 0, "bar") == {"total": 1, "jobs": ["bar"]}
    assert core.json("jobs.tagged", 0, "both") == {"total": 2, "jobs": ["bar", "foo"]}


def test_tagged_with_nobody_uses_an_empty_object(core: Core) -> None:
    reply = core("jobs.tagged", 0, "nobody")
    assert reply in ('{"total":0,"jobs":{}}', '{"jobs":{},"total":0}')


def test_tagged_limit_zero(core: Core) -> None:
    core.put(0, "a", "queue", "tags", '["t"]')
    core.put(1, "b", "queue", "tags", '["t"]')
    assert core.json("jobs.tagged", 0, "t", 0, 0) == {"total": 2, "jobs": ["a", "b"]}
    assert core.json("jobs.tagged", 0, "t", 0, -1) == {"total": 2, "jobs": ["a"]}
    assert core.json("jobs.tagged", 0, "t", 1, 0) == {"total": 2, "jobs": {}}
    core("job.removeTag", 0, "b", "t")
    assert core("jobs.tagged", 0, "t", 1, 0) in ('{"total":1,"jobs":{}}', '{"jobs":{},"total":1}')


def test_tagged_paging(core: Core) -> None:
    for n in range(100):
        core.put(n, str(n), "queue", "tags", '["foo"]')
    first = core.json("jobs.tagged", 0, "foo", 0, 50)
    second = core.json("jobs.tagged", 0, "foo", 50, 50)
    assert first == {"total": 100, "jobs": [str(n) for n in range(50)]}
    assert second == {"total": 100, "jobs": [str(n) for n in range(50, 100)]}
    assert core.json("jobs.tagged", 0, "foo")["jobs"] == [str(n) for n in range(25)]
    assert core.json("jobs.tagged", 0, "foo", 10.7, 2.9)["jobs"] == ["10", "11"]
    assert core.json("jobs.tagged", 0, "foo", -2, 1)["jobs"] == ["98"]
    assert core.json("jobs.tagged", 0, "foo", -2, 5)["jobs"] == {}


def test_cancelled_job_leaves_its_tags(redis: Redis, core: Core) -> None:
    core.put(0, "a", "queue", "tags", '["foo","solo"]')
    core.put(0, "b", "queue", "tags", '["foo"]')
    core("job.cancel", 0, "a")
    assert core.json("jobs.tagged", 0, "foo") == {"total": 1, "jobs": ["b"]}
    assert counter(redis, "foo") == 1
    assert counter(redis, "solo") is None


@pytest.mark.parametrize(("option", "value"), [("jobs-history", -1), ("jobs-history-count", 0)])
def test_expired_completed_job_leaves_its_tags(
    redis: Redis, core: Core, option: str, value: int
) -> None:
    core("config.set", 0, option, value)
    core.put(0, "jid", "queue", "tags", '["foo"]')
    core.pop(0)
    core("job.complete", 1, "jid", "worker", "queue", "{}")
    assert core.json("jobs.tagged", 0, "foo") == {"total": 0, "jobs": {}}
    assert redis.exists("ql:tags") == 0


def test_recurring_children_are_tagged(core: Core) -> None:
    core("queue.recurAtInterval", 0, "queue", "r", "klass", "{}", 60, 0, "tags", '["foo"]')
    assert core.json("jobs.tagged", 0, "foo")["total"] == 0
    core.pop(60, limit=5)
    assert core.json("jobs.tagged", 0, "foo") == {"total": 2, "jobs": ["r-1", "r-2"]}


# --- tags.top ------------------------------------------------------------------------------


def test_top_skips_tags_used_once(core: Core) -> None:
    core.put(0, "a", "queue", "tags", '["solo","pair"]')
    core.put(0, "b", "queue", "tags", '["pair"]')
    assert core("tags.top", 0) == '["pair"]'


def test_top_empty_is_brackets(core: Core) -> None:
    assert core("tags.top", 0) == "[]"
    core.put(0, "a", "queue", "tags", '["solo"]')
    assert core("tags.top", 0) == "[]"


@pytest.mark.parametrize("numeric", [False, True])
def test_top_orders_by_use(core: Core, numeric: bool) -> None:
    for k in range(10):
        tags = list(range(k, 10)) if numeric else [str(t) for t in range(k, 10)]
        core.put(0, f"job{k}", "queue", "tags", str(tags).replace("'", '"'))
    assert core.json("tags.top", 0, 0, 20) == ["9", "8", "7", "6", "5", "4", "3", "2", "1"]


def test_numeric_tags_are_indexed_by_their_text(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "tags", "[3]")
    assert core.job("jid")["tags"] == [3]
    assert redis.zrange("ql:t:3", 0, -1) == ["jid"]
    assert redis.zrange("ql:tags", 0, -1) == ["3"]


def test_top_paging(core: Core) -> None:
    for tag in range(10):
        for n in range(tag + 5):
            core.put(0, f"{tag}-{n}", "queue", "tags", f'["{tag}"]')
    assert core.json("tags.top", 0, 0, 5) == ["9", "8", "7", "6", "5"]
    assert core.json("tags.top", 0, 5, 5) == ["4", "3", "2", "1", "0"]
    assert core.json("tags.top", 0, 8) == ["1", "0"]
    assert core("tags.top", 0, 0, 0) == "[]"
    assert core.json("tags.top", 0, 7, -1) == ["2", "1", "0"]
    assert core.json("tags.top", 0, 1.9, 2.5) == ["8", "7"]


def test_top_ties_by_name_descending(core: Core) -> None:
    for jid in ("x", "y"):
        core.put(0, jid, "queue", "tags", '["a","c","b"]')
    assert core.json("tags.top", 0) == ["c", "b", "a"]


# --- malformed input -----------------------------------------------------------------------

MALFORMED: list[tuple[str, tuple[Arg, ...], str]] = [
    ("job.addTag", (), 'Tag(): Arg "jid" missing'),
    ("job.addTag", ("nope", "foo"), "Tag(): Job nope does not exist"),
    ("job.addTag", ("nope",), "Tag(): Job nope does not exist"),
    ("job.removeTag", (), 'Tag(): Arg "jid" missing'),
    ("job.removeTag", ("nope", "foo"), "Tag(): Job nope does not exist"),
    ("jobs.tagged", (), 'Tag(): Arg "tag" missing'),
    ("jobs.tagged", ("foo", "x"), 'Tag(): Arg "offset" not a number: x'),
    ("jobs.tagged", ("foo", "nan"), 'Tag(): Arg "offset" not a number: nan'),
    ("jobs.tagged", ("foo", "", 5), 'Tag(): Arg "offset" not a number: '),
    ("jobs.tagged", ("foo", 0, "y"), 'Tag(): Arg "limit" not a number: y'),
    ("jobs.tagged", ("foo", "x", "y"), 'Tag(): Arg "offset" not a number: x'),
    ("tags.top", ("x",), 'Tag(): Arg "offset" not a number: x'),
    ("tags.top", (0, "y"), 'Tag(): Arg "limit" not a number: y'),
    ("tags.top", (0, "nan"), 'Tag(): Arg "limit" not a number: nan'),
    # Infinite paging cannot become a Redis integer; Args.paging should refuse it.
    ("jobs.tagged", ("foo", "inf"), 'Tag(): Arg "offset" not a number: inf'),
    ("jobs.tagged", ("foo", 0, "-inf"), 'Tag(): Arg "limit" not a number: -inf'),
    ("tags.top", ("inf",), 'Tag(): Arg "offset" not a number: inf'),
    ("tags.top", (0, "1e400"), 'Tag(): Arg "limit" not a number: 1e400'),
]


@pytest.mark.parametrize(("command", "args", "match"), MALFORMED)
def test_malformed_arguments(core: Core, command: str, args: tuple[Arg, ...], match: str) -> None:
    core.put(0, "a", "queue", "tags", '["foo"]')
    core.put(0, "b", "queue", "tags", '["foo"]')
    core.fails(command, 5, *args, match=match)


def test_a_recurring_template_is_not_a_job(core: Core) -> None:
    core("queue.recurAtInterval", 0, "queue", "r", "klass", "{}", 60, 0)
    core.fails("job.addTag", 0, "r", "foo", match="Tag(): Job r does not exist")


def test_tag_and_listing_commands_publish_nothing(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "tags", '["foo"]')
    core("job.track", 0, "jid")
    with events(redis) as capture:
        core("job.addTag", 0, "jid", "bar")
        core("job.removeTag", 0, "jid", "foo")
        core("jobs.tagged", 0, "bar")
        core("tags.top", 0)
        core("jobs.tracked", 0)
        core("queue.stats", 0, "queue", 0)
        assert capture.drain() == []
