"""reqless.queue: Queue (put, requeue, recur, pop, peek, stats, ...) and the per-queue listings."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.exceptions import ReqlessError
from reqless.job import Job, RecurringJob
from reqless.queue import Jobs, Queue, ReplacedJobWarning, class_string, encode_data
from reqless.server import LocalServer
from tests.client.recording import RecordingClient
from tests.helpers import snapshot

KLASS = "tests.client.test_queue.Gnome"


class Gnome:
    """A job class for these tests."""


class Outer:
    """Holds a nested class, whose stored path is only its plain name."""

    class Inner:
        """A nested job class."""


@pytest.fixture
def rec(server: LocalServer, redis: Redis) -> Iterator[RecordingClient]:
    """A recording client on a flushed database."""
    made = RecordingClient(server.url, hostname="rec-worker")
    yield made
    made.database.close()


def _job(client: Client, jid: str) -> Job:
    job = client.jobs[jid]
    assert isinstance(job, Job)
    return job


def _recurring(client: Client, jid: str) -> RecurringJob:
    job = client.jobs[jid]
    assert isinstance(job, RecurringJob)
    return job


# --- identity --------------------------------------------------------------------------


def test_name_repr_and_str(client: Client) -> None:
    queue = client.queues["underpants"]
    assert queue.name == "underpants"
    assert str(queue) == "underpants"
    assert "underpants" in repr(queue)
    assert queue.client is client
    assert queue.worker_name == "test-worker"
    with pytest.raises(AttributeError):
        queue.name = "other"  # type: ignore[misc]


def test_queue_compares_equal_to_its_name(client: Client) -> None:
    queue = client.queues["underpants"]
    assert queue == "underpants"
    assert "underpants" == queue  # noqa: SIM300
    assert queue != "profit"
    assert queue == client.queues["underpants"]
    assert queue != client.queues["profit"]
    assert queue != 3
    assert {queue, client.queues["underpants"]} == {queue}
    assert hash(queue) == hash("underpants")


def test_queues_getitem_makes_a_new_queue_without_a_server_call(rec: RecordingClient) -> None:
    first = rec.queues["q"]
    assert rec.queues["q"] is not first
    assert rec.calls == []


def test_class_string() -> None:
    assert class_string(Gnome) == KLASS
    assert class_string("any.Thing") == "any.Thing"
    assert Queue.class_string(Gnome) == KLASS
    assert class_string(Outer.Inner) == "tests.client.test_queue.Inner"


# --- put -----------------------------------------------------------------------------


def test_put_sends_the_documented_arguments(rec: RecordingClient) -> None:
    jid = rec.queues["q"].put(Gnome, {})
    assert rec.last("queue.put") == (
        "rec-worker", "q", jid, KLASS, "{}", 0,
        "priority", 0, "tags", "[]", "retries", 5, "depends", "[]", "throttles", "[]",
    )  # fmt: skip
    assert len(jid) == 32
    assert int(jid, 16) >= 0


def test_put_with_every_option_sends_them(rec: RecordingClient) -> None:
    dep = rec.queues["q"].put(Gnome, {})
    rec.queues["q"].put(
        "x.Y", '{"a": 1}', priority=3, tags=["t"], delay=5, retries=2, jid="j",
        depends=[dep], throttles=["th"],
    )  # fmt: skip
    assert rec.last("queue.put") == (
        "rec-worker", "q", "j", "x.Y", '{"a": 1}', 5,
        "priority", 3, "tags", '["t"]', "retries", 2, "depends", json.dumps([dep]),
        "throttles", '["th"]',
    )  # fmt: skip


def test_put_with_a_class_stores_its_dotted_path(client: Client) -> None:
    jid = client.queues["q"].put(Gnome, {})
    job = _job(client, jid)
    assert job.klass_name == KLASS
    assert job.klass is Gnome
    assert job.queue_name == "q"
    assert job.state == "waiting"


def test_put_with_a_dotted_name(client: Client) -> None:
    jid = client.queues["q"].put("gnomes.GnomesJob", {})
    assert _job(client, jid).klass_name == "gnomes.GnomesJob"


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        ({}, "{}"),
        ({"a": [1, 2], "b": None}, '{"a": [1, 2], "b": null}'),
        ([1, "two"], '[1, "two"]'),
        ("{}", "{}"),
        ('{"kept":   "verbatim"}', '{"kept":   "verbatim"}'),
        ("[]", "[]"),
        ('"text"', '"text"'),
        (b'{"raw": 1}', '{"raw": 1}'),
        (3, "3"),
    ],
)
def test_put_data_as_json_text_or_value(client: Client, data: Any, stored: str) -> None:
    jid = client.queues["q"].put(Gnome, data)
    assert _job(client, jid).data == stored


@pytest.mark.parametrize(
    "data",
    [
        "{",
        "",
        "not json",
        {"when": object()},
        {1, 2},
        {"x": float("nan")},
        '{"x": NaN}',
        "Infinity",
        b"\xff\xfe",
        Gnome,
    ],
)
def test_put_with_bad_data_raises_and_writes_nothing(
    client: Client, redis: Redis, data: Any
) -> None:
    client.queues["q"].put(Gnome, {})
    before = snapshot(redis)
    with pytest.raises(ReqlessError):
        client.queues["q"].put(Gnome, data)
    with pytest.raises(ReqlessError):
        client.queues["q"].requeue(Gnome, data, jid="x")
    with pytest.raises(ReqlessError):
        client.queues["q"].recur(Gnome, data, 60)
    assert snapshot(redis) == before


@pytest.mark.parametrize(
    ("queue", "klass", "options"),
    [
        ("q", KLASS, {"priority": "high"}),
        ("q", KLASS, {"delay": "soon"}),
        ("q", KLASS, {"retries": "many"}),
        ("q", KLASS, {"tags": "foo"}),
        ("q", KLASS, {"tags": [{"a": 1}]}),
        ("q", KLASS, {"depends": "jid"}),
        ("q", KLASS, {"throttles": "t"}),
        ("q", KLASS, {"jid": "self", "depends": ["self"]}),
    ],
)
def test_put_with_bad_arguments_raises_and_writes_nothing(
    client: Client, redis: Redis, queue: str, klass: str, options: dict[str, Any]
) -> None:
    client.queues["q"].put(Gnome, {}, jid="self")
    before = snapshot(redis)
    with pytest.raises(ReqlessError):
        client.queues[queue].put(klass, {}, **options)
    assert snapshot(redis) == before


@pytest.mark.parametrize(("queue", "klass"), [("q", ""), ("", KLASS)])
def test_put_rejects_an_empty_class_or_queue_name(
    client: Client, redis: Redis, queue: str, klass: str
) -> None:
    # The core accepts empty text, but a job without a class can never be processed
    # and the core reads an empty queue field as "in no queue".
    with pytest.raises(ReqlessError):
        client.queues[queue].put(klass, {})
    assert snapshot(redis) == {}


@pytest.mark.parametrize(
    "options",
    [{"interval": "often"}, {"interval": -5}, {"offset": "later"}, {"priority": "high"},
     {"retries": "many"}, {"backlog": "lots"}, {"tags": "foo"}, {"throttles": "t"}],
)  # fmt: skip
def test_recur_with_bad_arguments_raises_and_writes_nothing(
    client: Client, redis: Redis, options: dict[str, Any]
) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError):
        client.queues["q"].recur(Gnome, {}, **{"interval": 60, **options})
    assert snapshot(redis) == before


def test_put_error_message_says_what_is_wrong(client: Client) -> None:
    with pytest.raises(ReqlessError, match="JSON"):
        client.queues["q"].put(Gnome, {"when": object()})
    with pytest.raises(ReqlessError, match="JSON"):
        client.queues["q"].put(Gnome, "{")


def test_encode_data() -> None:
    assert encode_data({"a": 1}) == '{"a": 1}'
    assert encode_data('{"a":1}') == '{"a":1}'
    with pytest.raises(ReqlessError):
        encode_data("nope")


def test_put_defaults(client: Client) -> None:
    job = _job(client, client.queues["q"].put(Gnome, {}))
    assert job.priority == 0
    assert job.tags == []
    assert job.original_retries == 5
    assert job.retries_left == 5
    assert job.dependencies == []
    assert job.throttles == ["ql:q:q"]


def test_put_retries_zero_means_zero(client: Client) -> None:
    # Documented decision: unlike the original (where `retries or 5` made 0 into 5),
    # retries=0 means the job survives no lost lock and no retry.
    job = _job(client, client.queues["q"].put(Gnome, {}, retries=0))
    assert job.original_retries == 0
    assert job.retries_left == 0


def test_put_retries_priority_tags_and_throttles(client: Client) -> None:
    jid = client.queues["q"].put(
        Gnome, {}, priority=10, tags=["a", "b"], retries=10, throttles=["t"]
    )
    job = _job(client, jid)
    assert job.priority == 10
    assert job.tags == ["a", "b"]
    assert job.original_retries == 10
    assert job.throttles == ["t", "ql:q:q"]
    assert client.jobs.tagged("a")["jobs"] == [jid]


def test_put_with_a_jid_returns_it_and_replaces_an_existing_job(client: Client) -> None:
    assert client.queues["q"].put(Gnome, {}, jid="mine") == "mine"
    with pytest.warns(ReplacedJobWarning, match="mine \\(waiting in 'q'"):
        assert client.queues["other"].put(Gnome, '{"v": 2}', jid="mine") == "mine"
    job = _job(client, "mine")
    assert job.queue_name == "other"
    assert job.data == '{"v": 2}'
    assert len(client.queues["q"]) == 0


def test_put_with_delay_is_scheduled(client: Client) -> None:
    queue = client.queues["q"]
    jid = queue.put(Gnome, {}, delay=3600)
    assert _job(client, jid).state == "scheduled"
    assert queue.jobs.scheduled() == [jid]
    assert queue.pop() is None
    assert _job(client, queue.put(Gnome, {}, delay=0)).state == "waiting"


def test_put_with_depends(client: Client) -> None:
    queue = client.queues["q"]
    first = queue.put(Gnome, {})
    second = queue.put(Gnome, {}, depends=[first])
    dependent = _job(client, second)
    assert dependent.state == "depends"
    assert dependent.dependencies == [first]
    assert queue.jobs.depends() == [second]
    assert _job(client, first).dependents == [second]
    popped = queue.pop()
    assert popped is not None and popped.jid == first
    popped.complete()
    assert _job(client, second).state == "waiting"


def test_put_with_priority_pops_first(client: Client) -> None:
    queue = client.queues["q"]
    low = queue.put(Gnome, {})
    high = queue.put(Gnome, {}, priority=10)
    assert [job.jid for job in queue.pop(2)] == [high, low]


def test_equal_priority_jobs_pop_in_insertion_order(client: Client) -> None:
    queue = client.queues["q"]
    jids = [queue.put(Gnome, {}) for _ in range(200)]
    popped = [job.jid for job in queue.pop(200)]
    assert popped == jids


def test_put_a_thousand_jobs_with_dict_data(client: Client) -> None:
    queue = client.queues["underpants"]
    for _ in range(1000):
        queue.put(Gnome, {})
    assert len(queue) == 1000
    assert queue.counts["waiting"] == 1000


# --- requeue -------------------------------------------------------------------------


def test_requeue_moves_an_existing_job(rec: RecordingClient) -> None:
    jid = rec.queues["q"].put(Gnome, {}, priority=2)
    assert rec.queues["other"].requeue(Gnome, '{"again": true}', jid=jid, priority=4) == jid
    assert rec.last("job.requeue")[:6] == ("rec-worker", "other", jid, KLASS, '{"again": true}', 0)
    job = _job(rec, jid)
    assert job.queue_name == "other"
    assert job.priority == 4
    assert job.data == '{"again": true}'


def test_requeue_of_a_missing_job_raises_and_writes_nothing(client: Client, redis: Redis) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match="does not exist"):
        client.queues["q"].requeue(Gnome, {}, jid="missing")
    with pytest.raises(ReqlessError, match="does not exist"):
        client.queues["q"].requeue(Gnome, {})
    assert snapshot(redis) == before


# --- recur ---------------------------------------------------------------------------


def test_recur_sends_the_documented_arguments(rec: RecordingClient) -> None:
    jid = rec.queues["q"].recur(Gnome, {"a": 1}, 60)
    assert rec.last("queue.recurAtInterval") == (
        "q", jid, KLASS, '{"a": 1}', 60, 0,
        "priority", 0, "tags", "[]", "retries", 5, "throttles", "[]", "backlog", 0,
    )  # fmt: skip
    rec.queues["q"].recur(
        Gnome, "{}", interval=10, offset=5, priority=1, tags=["t"], retries=0, jid="r",
        throttles=["th"], backlog=2,
    )  # fmt: skip
    assert rec.last("queue.recurAtInterval") == (
        "q", "r", KLASS, "{}", 10, 5,
        "priority", 1, "tags", '["t"]', "retries", 0, "throttles", '["th"]', "backlog", 2,
    )  # fmt: skip


def test_recur_creates_a_template_that_spawns_on_pop(client: Client) -> None:
    queue = client.queues["q"]
    jid = queue.recur(Gnome, '{"tasks": ["sweep"]}', interval=86400, tags=["t"], priority=3)
    template = _recurring(client, jid)
    assert template.interval == 86400
    assert template.klass_name == KLASS
    assert template.data == '{"tasks": ["sweep"]}'
    assert template.priority == 3
    assert template.tags == ["t"]
    assert template.retries == 5
    assert queue.jobs.recurring() == [jid]
    assert queue.counts["recurring"] == 1
    child = queue.pop()
    assert child is not None
    assert child.jid == f"{jid}-1"
    assert child.spawned_from_jid == jid
    assert child.data == '{"tasks": ["sweep"]}'
    assert child.priority == 3
    assert child.tags == ["t"]
    assert child.original_retries == 5
    assert queue.pop() is None


def test_recur_with_offset_waits(client: Client) -> None:
    queue = client.queues["q"]
    jid = queue.recur(Gnome, {}, interval=86400, offset=3600)
    assert queue.pop() is None
    template = _recurring(client, jid)
    assert template.next is not None
    assert abs(template.next - (time.time() + 3600)) < 5


def test_recur_retries_zero_means_zero(client: Client) -> None:
    jid = client.queues["q"].recur(Gnome, {}, 60, retries=0)
    assert _recurring(client, jid).retries == 0


def test_recur_with_backlog_0_spawns_one_job_per_missed_interval(client: Client) -> None:
    queue = client.queues["q"]
    # A schedule that started 10.5 intervals ago: spawns at -630, -570, ..., -30.
    queue.recur(Gnome, {}, 60, offset=-630, backlog=0)
    assert len(queue.pop(100)) == 11


def test_recur_backlog_caps_the_missed_intervals(client: Client) -> None:
    queue = client.queues["q"]
    jid = queue.recur(Gnome, {}, 60, offset=-630, backlog=2)
    assert _recurring(client, jid).backlog == 2
    assert len(queue.pop(100)) == 2


def test_recur_rejects_a_non_positive_interval(client: Client, redis: Redis) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match="interval"):
        client.queues["q"].recur(Gnome, {}, 0)
    assert snapshot(redis) == before


# --- pop and peek ----------------------------------------------------------------------


def test_pop_single_and_list_rules(rec: RecordingClient) -> None:
    queue = rec.queues["q"]
    assert queue.pop() is None
    assert queue.pop(1) == []
    assert queue.pop(0) == []
    jids = [queue.put(Gnome, {}) for _ in range(4)]
    job = queue.pop()
    assert isinstance(job, Job)
    assert job.jid == jids[0]
    # Our worker's pop, without waiting (lean job objects).
    assert rec.last("queues.pop") == ("rec-worker", 1, 0, "q")
    zero = queue.pop(0)
    assert isinstance(zero, list) and [j.jid for j in zero] == [jids[1]]
    assert rec.last("queues.pop") == ("rec-worker", 1, 0, "q")
    rest = queue.pop(20)
    assert [j.jid for j in rest] == jids[2:]
    assert rec.last("queues.pop") == ("rec-worker", 20, 0, "q")


def test_pop_hands_the_job_to_the_queues_worker(client: Client) -> None:
    queue = client.queues["q"]
    queue.put(Gnome, {})
    job = queue.pop()
    assert job is not None
    assert job.state == "running"
    assert job.worker_name == "test-worker"
    assert 55 < job.ttl <= 60
    assert client.workers["test-worker"]["jobs"] == [job.jid]


def test_peek_single_and_list_rules(rec: RecordingClient) -> None:
    queue = rec.queues["q"]
    assert queue.peek() is None
    assert queue.peek(count=3) == []
    jids = [queue.put(Gnome, {}) for _ in range(4)]
    first = queue.peek()
    assert isinstance(first, Job) and first.jid == jids[0]
    assert rec.last("queue.peek") == ("q", 0, 1)
    at_two = queue.peek(2)
    assert isinstance(at_two, Job) and at_two.jid == jids[2]
    assert rec.last("queue.peek") == ("q", 2, 1)
    assert [job.jid for job in queue.peek(count=3)] == jids[:3]
    assert [job.jid for job in queue.peek(1, 2)] == jids[1:3]
    assert rec.last("queue.peek") == ("q", 1, 2)
    assert len(queue.peek(count=10)) == 4
    assert queue.peek(10) is None
    # Peeking pops nothing.
    assert queue.counts["waiting"] == 4
    assert all(job.state == "waiting" for job in queue.peek(count=10))


# --- stats, counts, len ----------------------------------------------------------------


def test_stats_of_today_and_of_another_day(rec: RecordingClient) -> None:
    queue = rec.queues["q"]
    queue.put(Gnome, {})
    queue.put(Gnome, {})
    for job in queue.pop(2):
        job.complete()
    stats = queue.stats()
    sent = rec.last("queue.stats")
    assert sent[0] == "q"
    assert abs(float(sent[1]) - time.time()) < 5
    assert stats["wait"]["count"] == 2
    assert stats["run"]["count"] == 2
    assert len(stats["wait"]["histogram"]) == 148
    assert stats["failed"] == 0
    assert stats["retries"] == 0
    long_ago = queue.stats(86400 * 3)
    assert long_ago["wait"]["count"] == 0
    assert queue.stats(str(time.time()))["run"]["count"] == 2


def test_stats_count_failures(client: Client) -> None:
    queue = client.queues["q"]
    queue.put(Gnome, {})
    job = queue.pop()
    assert job is not None
    job.fail("group", "message")
    stats = queue.stats()
    assert (stats["failed"], stats["failures"]) == (1, 1)


def test_counts_and_len(client: Client) -> None:
    queue = client.queues["q"]
    empty = queue.counts
    assert empty["name"] == "q"
    assert empty["paused"] is False
    for key in ("waiting", "scheduled", "running", "stalled", "depends", "recurring", "throttled"):
        assert empty[key] == 0, key
    first = queue.put(Gnome, {})
    queue.put(Gnome, {})
    queue.put(Gnome, {}, delay=600)
    queue.put(Gnome, {}, depends=[first])
    queue.recur(Gnome, {}, 60, offset=600)
    queue.pop()
    counts = queue.counts
    assert (counts["waiting"], counts["running"], counts["scheduled"]) == (1, 1, 1)
    assert (counts["depends"], counts["recurring"], counts["stalled"]) == (1, 1, 0)
    # len counts waiting, running and scheduled jobs.
    assert len(queue) == 3


def test_pause_and_unpause(client: Client) -> None:
    queue = client.queues["q"]
    jid = queue.put(Gnome, {})
    queue.pause()
    assert queue.counts["paused"] is True
    assert queue.pop() is None
    peeked = queue.peek()
    assert peeked is not None and peeked.jid == jid
    queue.put(Gnome, {})
    queue.unpause()
    assert queue.counts["paused"] is False
    popped = queue.pop()
    assert popped is not None and popped.jid == jid


# --- heartbeat and throttle -------------------------------------------------------------


def test_heartbeat_getter_and_setter(client: Client) -> None:
    queue = client.queues["q"]
    assert queue.heartbeat == 60
    client.config["heartbeat"] = 30
    assert queue.heartbeat == 30
    queue.heartbeat = 10
    assert queue.heartbeat == 10
    assert client.config["q-heartbeat"] == 10
    assert client.queues["other"].heartbeat == 30
    queue.put(Gnome, {})
    job = queue.pop()
    assert job is not None
    assert 5 < job.ttl <= 10


def test_throttle_property_is_the_queue_throttle(client: Client) -> None:
    queue = client.queues["q"]
    assert queue.throttle.name == "ql:q:q"
    queue.throttle.set_maximum(1)
    queue.put(Gnome, {})
    second = queue.put(Gnome, {})
    assert len(queue.pop(2)) == 1
    assert queue.jobs.throttled() == [second]
    assert queue.counts["throttled"] == 1


# --- per-queue listings -------------------------------------------------------------------


def test_jobs_listing_is_cached_and_named(client: Client) -> None:
    queue = client.queues["q"]
    assert isinstance(queue.jobs, Jobs)
    assert queue.jobs is queue.jobs
    assert queue.jobs.name == "q"
    assert queue.jobs.client is client


def test_jobs_listings_by_state(rec: RecordingClient) -> None:
    queue = rec.queues["q"]
    running = [queue.put(Gnome, {}) for _ in range(3)]
    queue.pop(3)
    scheduled = queue.put(Gnome, {}, delay=600)
    depends = queue.put(Gnome, {}, depends=[running[0]])
    recurring = queue.recur(Gnome, {}, 60, offset=600)
    # Jobs popped together share a deadline: ties are listed by jid.
    assert queue.jobs.running() == sorted(running)
    assert rec.last("queue.jobsByState") == ("running", "q", 0, 25)
    assert queue.jobs.running(1, 1) == sorted(running)[1:2]
    assert rec.last("queue.jobsByState") == ("running", "q", 1, 1)
    assert queue.jobs.stalled() == []
    assert queue.jobs.scheduled() == [scheduled]
    assert queue.jobs.depends() == [depends]
    assert queue.jobs.recurring() == [recurring]
    assert queue.jobs.throttled() == []


def test_jobs_stalled_lists_expired_locks(client: Client) -> None:
    client("config.set", "heartbeat", -10)  # locks expire at once (Config refuses it)
    queue = client.queues["q"]
    jid = queue.put(Gnome, {})
    queue.pop()
    assert queue.jobs.stalled() == [jid]
    assert queue.jobs.running() == []
    assert queue.counts["stalled"] == 1


def test_a_popped_job_reads_its_history_and_dependencies_on_first_use(client: Client) -> None:
    queue = client.queues["q"]
    first = queue.put(Gnome, {})
    second = queue.put(Gnome, {}, depends=[first])
    job = queue.pop()
    assert job is not None and job.jid == first
    assert [entry["what"] for entry in job.history] == ["put", "popped"]
    assert job.dependents == [second]
    assert job.dependencies == []
    job.complete()
    child = queue.pop()
    assert child is not None and child.jid == second
    assert child.dependencies == []  # released when its dependency completed
    assert [entry["what"] for entry in child.history] == ["put", "popped"]


def test_popping_a_queue_with_an_empty_name_is_refused(client: Client, redis: Redis) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match="queue name must be a non-empty string"):
        client.queues[""].pop()
    assert snapshot(redis) == before
