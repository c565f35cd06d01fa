"""reqless.job: Job and RecurringJob attributes, methods, lost locks and process() dispatch."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from reqless import defaults
from reqless.client import Client
from reqless.exceptions import LostLockError, ReqlessError
from reqless.job import BaseJob, Job, RecurringJob
from reqless.queue import Queue
from reqless.server import LocalServer
from tests.client.recording import RecordingClient
from tests.helpers import events, snapshot

HERE = "tests.client.test_job"


class Steps:
    """Handlers named after queues, plus a `process` fallback; records what ran."""

    seen: list[tuple[str, str]] = []  # noqa: RUF012

    @staticmethod
    def first(job: Job) -> None:
        """Advance into "second"."""
        Steps.seen.append(("first", job.jid))
        job.complete("second")

    @classmethod
    def second(cls, job: Job) -> None:
        """Class methods work too: complete the job."""
        cls.seen.append(("second", job.jid))
        job.complete()

    @staticmethod
    def process(job: Job) -> None:
        """Every other queue: complete."""
        Steps.seen.append(("process", job.jid))
        job.complete()


class OnlyProcess:
    """A single `process` handler that compares `job.queue` with names."""

    @staticmethod
    def process(job: Job) -> None:
        """Complete into "done" from "start", complete elsewhere."""
        if job.queue == "start":
            job.complete("done")
        else:
            job.complete()


class NoHandlers:
    """Has neither a queue-named method nor `process`."""


class Raising:
    """Handlers that raise or misbehave."""

    @staticmethod
    def boom(job: Job) -> None:
        """Raise an ordinary exception."""
        raise ValueError("boom")

    @staticmethod
    def interrupt(job: Job) -> None:
        """Raise something that is not an Exception."""
        raise KeyboardInterrupt

    @staticmethod
    def idle(job: Job) -> None:
        """Return without finishing the job."""

    def instance(self, job: Job) -> None:
        """A plain instance method cannot be called with the job alone."""

    @staticmethod
    def moved(job: Job) -> None:
        """The job is moved away meanwhile; then the handler completes it."""
        job.client.queues["elsewhere"].put(job.klass_name, job.data, jid=job.jid, replace=True)
        job.complete()

    @staticmethod
    def moved_then_boom(job: Job) -> None:
        """The job is moved away meanwhile; then the handler raises."""
        job.client.queues["elsewhere"].put(job.klass_name, job.data, jid=job.jid, replace=True)
        raise RuntimeError("after the move")

    @staticmethod
    def cancelled(job: Job) -> None:
        """The job is cancelled meanwhile; then the handler fails it."""
        job.client("job.cancel", job.jid)
        job.fail("group", "message")


@pytest.fixture(autouse=True)
def _reset_steps() -> Iterator[None]:
    Steps.seen.clear()
    yield
    Steps.seen.clear()


@pytest.fixture
def rec(server: LocalServer, redis: Redis) -> Iterator[RecordingClient]:
    """A recording client on a flushed database."""
    made = RecordingClient(server.url, hostname="test-worker")
    yield made
    made.database.close()


def _get(client: Client, jid: str) -> Job:
    job = client.jobs[jid]
    assert isinstance(job, Job), job
    return job


def _popped(client: Client, queue: str = "q", klass: str = f"{HERE}.Steps", **put: Any) -> Job:
    jid = client.queues[queue].put(klass, put.pop("data", {}), **put)
    job = client.queues[queue].pop()
    assert job is not None and job.jid == jid
    return job


def _other_worker_pops(client: Client, queue: str = "q") -> Job:
    other = client.queues[queue]
    other.worker_name = "other-worker"
    job = other.pop()
    assert job is not None
    return job


# --- attributes ------------------------------------------------------------------------


def test_attributes_of_a_popped_job(client: Client) -> None:
    job = _popped(client, data={"a": 1}, priority=3, tags=["t"], retries=4, throttles=["th"])
    assert isinstance(job, BaseJob)
    assert job.client is client
    assert len(job.jid) == 32
    assert job.data == '{"a": 1}'
    assert job.klass_name == f"{HERE}.Steps"
    assert job.klass is Steps
    assert job.priority == 3
    assert job.queue_name == "q"
    assert job.tags == ["t"]
    assert job.throttles == ["th", "ql:q:q"]
    assert job.sandbox is None
    assert job.state == "running"
    assert job.worker_name == "test-worker"
    assert isinstance(job.expires_at, float)
    assert abs(job.expires_at - (time.time() + 60)) < 5
    assert 55 < job.ttl <= 60
    assert job.original_retries == 4
    assert job.retries_left == 4
    assert [entry["what"] for entry in job.history] == ["put", "popped"]
    assert job.history[0]["queue"] == "q"
    assert job.history[1]["worker"] == "test-worker"
    assert job.dependencies == []
    assert job.dependents == []
    assert job.failure == {}
    assert job.tracked is False
    assert job.spawned_from_jid is None


def test_queue_is_a_queue_equal_to_its_name(client: Client) -> None:
    job = _popped(client)
    assert isinstance(job.queue, Queue)
    assert job.queue == "q"
    assert job.queue != "other"
    assert job.queue.name == "q"
    assert job.queue is job.queue
    job.queue_name = "elsewhere"
    assert job.queue == "elsewhere"


def test_ttl_of_a_job_that_is_not_running_is_negative(client: Client) -> None:
    job = _get(client, client.queues["q"].put("a.B", {}))
    assert job.expires_at == 0
    assert job.ttl < 0


def test_failure_tracked_and_dependencies_from_the_server(client: Client) -> None:
    queue = client.queues["q"]
    first = queue.put("a.B", {})
    second = queue.put("a.B", {}, depends=[first])
    client.track(second)
    dependent = _get(client, second)
    assert dependent.tracked is True
    assert dependent.dependencies == [first]
    assert _get(client, first).dependents == [second]
    job = queue.pop()
    assert job is not None
    job.fail("group", "message")
    failure = _get(client, first).failure
    assert failure["group"] == "group"
    assert failure["message"] == "message"
    assert failure["worker"] == "test-worker"
    assert abs(failure["when"] - time.time()) < 5


def test_construction_from_a_payload_makes_no_server_call(rec: RecordingClient) -> None:
    job = Job(
        rec, jid="j", data="{}", klass="a.B", priority=0, queue="q", tags={}, throttles={},
        state="waiting", failure={}, dependents={}, dependencies={}, tracked=False,
        worker="", remaining=5, expires=0, retries=5, history={}, spawned_from_jid=False,
        unknown_key="ignored",
    )  # fmt: skip
    assert rec.calls == []
    assert (job.tags, job.throttles, job.history, job.dependents) == ([], [], [], [])
    assert job.spawned_from_jid is None


def test_local_setters(client: Client) -> None:
    job = _popped(client)
    job.jid = "other"
    job.klass_name = "x.Y"
    job.tags = ["local"]
    job.dependencies = ["d"]
    job.failure = {"group": "g"}
    job.expires_at = 1.5
    job.sandbox = "/tmp/sandbox"
    assert (job.jid, job.klass_name, job.tags, job.dependencies) == (
        "other",
        "x.Y",
        ["local"],
        ["d"],
    )
    assert (job.failure, job.expires_at, job.sandbox) == ({"group": "g"}, 1.5, "/tmp/sandbox")


def test_klass_setter(client: Client) -> None:
    job = _popped(client)
    job.klass = OnlyProcess
    assert job.klass is OnlyProcess
    assert job.klass_name == f"{HERE}.OnlyProcess"


def test_klass_of_an_unimportable_class_raises_on_access(client: Client) -> None:
    job = _get(client, client.queues["q"].put("no_such_module_for_reqless.Job", {}))
    with pytest.raises(ModuleNotFoundError):
        job.klass  # noqa: B018


def test_data_setter_encodes_values_and_is_saved_by_complete(client: Client) -> None:
    job = _popped(client)
    job.data = {"collected": 3}
    assert job.data == '{"collected": 3}'
    job.data = '{"collected": 4}'
    assert job.data == '{"collected": 4}'
    with pytest.raises(ReqlessError):
        job.data = "{"
    with pytest.raises(ReqlessError):
        job.data = {"x": object()}
    assert job.data == '{"collected": 4}'
    job.complete()
    assert _get(client, job.jid).data == '{"collected": 4}'


def test_priority_setter_updates_the_server(rec: RecordingClient) -> None:
    queue = rec.queues["q"]
    first = queue.put("a.B", {})
    second = queue.put("a.B", {})
    job = _get(rec, second)
    job.priority = 25
    assert job.priority == 25
    assert rec.last("job.setPriority") == (second, 25)
    assert _get(rec, second).priority == 25
    assert [j.jid for j in queue.peek(count=2)] == [second, first]


def test_priority_setter_of_a_missing_job_raises(client: Client) -> None:
    job = _get(client, client.queues["q"].put("a.B", {}))
    job.cancel()
    with pytest.raises(ReqlessError):
        job.priority = 3
    assert job.priority == 0


def test_repr_shows_class_jid_queue_and_state(client: Client) -> None:
    job = _popped(client)
    text = repr(job)
    for part in (job.jid, f"{HERE}.Steps", "q", "running"):
        assert part in text


# --- methods ---------------------------------------------------------------------------


def test_complete(rec: RecordingClient) -> None:
    job = _popped(rec)
    assert job.complete() == "complete"
    assert rec.last("job.complete") == (job.jid, "test-worker", "q", "{}")
    fetched = _get(rec, job.jid)
    assert fetched.state == "complete"
    assert fetched.queue_name == ""
    assert rec.jobs.complete() == [job.jid]


def test_complete_into_the_next_queue(rec: RecordingClient) -> None:
    job = _popped(rec)
    job.data = {"step": 2}
    assert job.complete("nextq") is True
    # The core takes the next queue as the fifth argument, then option pairs.
    sent = rec.last("job.completeAndRequeue")
    assert sent[:5] == (job.jid, "test-worker", "q", '{"step": 2}', "nextq")
    options = dict(zip(sent[5::2], sent[6::2], strict=True))
    assert options.get("next", "nextq") == "nextq"
    assert (options["delay"], options["depends"]) == (0, "[]")
    fetched = _get(rec, job.jid)
    assert (fetched.state, fetched.queue_name, fetched.data) == ("waiting", "nextq", '{"step": 2}')
    again = rec.queues["nextq"].pop()
    assert again is not None and again.jid == job.jid


def test_complete_into_the_next_queue_with_delay_or_depends(client: Client) -> None:
    delayed = _popped(client)
    assert delayed.complete("next", delay=60) is True
    assert client.queues["next"].jobs.scheduled() == [delayed.jid]
    blocker = client.queues["other"].put("a.B", {})
    waiting = _popped(client)
    assert waiting.complete("next", depends=[blocker]) is True
    fetched = _get(client, waiting.jid)
    assert fetched.state == "depends"
    assert fetched.dependencies == [blocker]


def test_fail(rec: RecordingClient) -> None:
    job = _popped(rec)
    job.data = {"why": "broken"}
    assert job.fail("group", "message") is True
    assert rec.last("job.fail") == (job.jid, "test-worker", "group", "message", '{"why": "broken"}')
    fetched = _get(rec, job.jid)
    assert fetched.state == "failed"
    assert fetched.failure["group"] == "group"
    # The core stores data sent with fail re-encoded (compact).
    assert json.loads(fetched.data) == {"why": "broken"}
    assert rec.jobs.failed() == {"group": 1}


def test_heartbeat_extends_the_lock_and_saves_data(client: Client) -> None:
    client.config["heartbeat"] = 10
    job = _popped(client)
    before = job.expires_at
    client.config["heartbeat"] = 100
    job.data = {"progress": 1}
    expires = job.heartbeat()
    assert isinstance(expires, float)
    assert expires == job.expires_at
    assert expires > before + 50
    fetched = _get(client, job.jid)
    assert json.loads(fetched.data) == {"progress": 1}
    assert abs(fetched.expires_at - expires) < 1


def test_retry(rec: RecordingClient) -> None:
    job = _popped(rec)
    assert job.retry() == 4
    assert rec.last("job.retry") == (job.jid, "q", "test-worker", "0")
    fetched = _get(rec, job.jid)
    assert fetched.state == "waiting"
    assert fetched.retries_left == 4


def test_retry_with_delay_and_failure_note(rec: RecordingClient) -> None:
    job = _popped(rec)
    assert job.retry(60, "group", "message") == 4
    assert rec.last("job.retry") == (job.jid, "q", "test-worker", "60", "group", "message")
    fetched = _get(rec, job.jid)
    assert fetched.state == "scheduled"
    assert fetched.failure["group"] == "group"
    # A group alone is not sent.
    again = _popped(rec, queue="r")
    again.retry(0, "group")
    assert rec.last("job.retry") == (again.jid, "r", "test-worker", "0")


def test_retry_without_retries_left_fails_the_job(client: Client) -> None:
    job = _popped(client, retries=0)
    assert job.retry() == -1
    fetched = _get(client, job.jid)
    assert fetched.state == "failed"
    assert fetched.failure["group"] == "failed-retries-q"


def test_cancel(client: Client) -> None:
    job = _popped(client)
    assert job.cancel() == [job.jid]
    assert client.jobs[job.jid] is None


def test_cancel_of_a_job_others_depend_on_raises(client: Client, redis: Redis) -> None:
    queue = client.queues["q"]
    first = queue.put("a.B", {})
    queue.put("a.B", {}, depends=[first])
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match="is a dependency"):
        _get(client, first).cancel()
    assert snapshot(redis) == before


def test_track_and_untrack(client: Client) -> None:
    job = _get(client, client.queues["q"].put("a.B", {}))
    assert job.track() is True
    assert job.track() is False
    assert _get(client, job.jid).tracked is True
    assert job.untrack() is True
    assert job.untrack() is False
    assert _get(client, job.jid).tracked is False


def test_tag_and_untag(client: Client) -> None:
    job = _get(client, client.queues["q"].put("a.B", {}, tags=["a"]))
    assert job.tag("b", "c") == ["a", "b", "c"]
    assert job.untag("a", "c") == ["b"]
    assert job.untag("b") == []
    assert client.jobs.tagged("a")["total"] == 0


def test_depend_and_undepend(client: Client) -> None:
    queue = client.queues["q"]
    a, b, c = (queue.put("a.B", {}) for _ in range(3))
    job = _get(client, queue.put("a.B", {}, depends=[a]))
    assert job.depend(b, c) == 1
    assert sorted(_get(client, job.jid).dependencies) == sorted([a, b, c])
    assert job.undepend(a) == 1
    assert sorted(_get(client, job.jid).dependencies) == sorted([b, c])
    assert job.undepend(all=True) == 1
    fetched = _get(client, job.jid)
    assert (fetched.state, fetched.dependencies) == ("waiting", [])


def test_undepend_one_by_one_releases_the_job(client: Client) -> None:
    queue = client.queues["q"]
    a, b = queue.put("a.B", {}), queue.put("a.B", {})
    job = _get(client, queue.put("a.B", {}, depends=[a, b]))
    job.undepend(a, b)
    assert _get(client, job.jid).state == "waiting"


def test_depend_on_a_job_that_is_not_in_depends_raises(client: Client) -> None:
    job = _get(client, client.queues["q"].put("a.B", {}))
    with pytest.raises(ReqlessError, match="depends state") as info:
        job.depend("x")
    assert not isinstance(info.value, LostLockError)
    with pytest.raises(ReqlessError, match="depends state"):
        job.undepend("x")


def test_move_keeps_priority_tags_and_retries(rec: RecordingClient) -> None:
    jid = rec.queues["q"].put("a.B", '{"a": 1}', priority=7, tags=["t"], retries=3)
    job = _get(rec, jid)
    assert job.move("other") == jid
    # The caller's worker name, not the job's own (empty here: nobody holds it).
    assert rec.last("queue.put") == (
        "test-worker", "other", jid, "a.B", '{"a": 1}', 0,
        "depends", "[]", "throttles", '["ql:q:q"]',
    )  # fmt: skip
    moved = _get(rec, jid)
    assert (moved.queue_name, moved.priority, moved.tags) == ("other", 7, ["t"])
    assert moved.original_retries == 3
    assert moved.throttles == ["ql:q:other"]
    assert len(rec.queues["q"]) == 0


def test_move_with_delay_and_depends(client: Client) -> None:
    queue = client.queues["q"]
    blocker = queue.put("a.B", {})
    delayed = _get(client, queue.put("a.B", {}))
    delayed.move("other", delay=60)
    assert _get(client, delayed.jid).state == "scheduled"
    blocked = _get(client, queue.put("a.B", {}))
    blocked.move("other", depends=[blocker])
    assert _get(client, blocked.jid).dependencies == [blocker]


@pytest.fixture
def other(server: LocalServer, redis: Redis) -> Iterator[Client]:
    """A second client: the worker "other-worker"."""
    made = Client(server.url, hostname="other-worker")
    yield made
    made.database.close()


def test_moving_a_job_another_worker_runs_tells_that_worker(
    client: Client, other: Client, redis: Redis
) -> None:
    client.queues["q"].put("a.B", {})
    running = other.queues["q"].pop()
    assert running is not None
    with events(redis) as capture:
        _get(client, running.jid).move("elsewhere")
        published = capture.drain()
    lost = [(channel, json.loads(payload)) for channel, payload in published
            if channel == "ql:w:other-worker"]  # fmt: skip
    assert [(c, p["event"], p["jid"]) for c, p in lost] == [
        ("ql:w:other-worker", "lock_lost", running.jid)
    ]
    with pytest.raises(LostLockError):
        running.complete()


def test_moving_its_own_job_does_not_notify_the_worker(client: Client, redis: Redis) -> None:
    job = _popped(client)
    with events(redis) as capture:
        job.move("elsewhere")
        published = capture.drain()
    assert not [channel for channel, _ in published if channel.startswith("ql:w:")]


def test_a_retry_from_a_client_that_does_not_hold_the_job_is_refused(
    client: Client, other: Client, redis: Redis
) -> None:
    client.queues["q"].put("a.B", {})
    running = other.queues["q"].pop()
    assert running is not None
    before = snapshot(redis)
    with pytest.raises(LostLockError, match="another worker"):
        _get(client, running.jid).retry()
    assert snapshot(redis) == before
    assert running.retry() == 4  # the holder may


def test_timeout(client: Client) -> None:
    job = _popped(client)
    job.timeout()
    fetched = _get(client, job.jid)
    assert (fetched.state, fetched.worker_name) == ("stalled", "")


def test_log(client: Client) -> None:
    job = _get(client, client.queues["q"].put("a.B", {}))
    job.log("hello")
    job.log("detail", {"k": "v"})
    history = _get(client, job.jid).history
    assert history[-2]["what"] == "hello"
    assert (history[-1]["what"], history[-1]["k"]) == ("detail", "v")


# --- lost locks --------------------------------------------------------------------------


def _moved(client: Client, job: Job) -> None:
    _get(client, job.jid).move("elsewhere")


def _cancelled(client: Client, job: Job) -> None:
    _get(client, job.jid).cancel()


def _reassigned(client: Client, job: Job) -> None:
    job_copy = _get(client, job.jid)
    job_copy.timeout()
    assert _other_worker_pops(client).jid == job.jid


def _completed_elsewhere(client: Client, job: Job) -> None:
    _get(client, job.jid).complete()


ACTIONS = {
    "complete": lambda job: job.complete(),
    "complete-next": lambda job: job.complete("next"),
    "fail": lambda job: job.fail("group", "message"),
    "heartbeat": lambda job: job.heartbeat(),
    "retry": lambda job: job.retry(),
}
LOSSES = {
    "moved": _moved,
    "cancelled": _cancelled,
    "reassigned": _reassigned,
    "completed": _completed_elsewhere,
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_lost_lock_raises_lost_lock_error_and_changes_nothing(
    client: Client, redis: Redis, action: str, loss: str
) -> None:
    job = _popped(client)
    LOSSES[loss](client, job)
    before = snapshot(redis)
    with pytest.raises(LostLockError) as info:
        ACTIONS[action](job)
    assert isinstance(info.value, ReqlessError)
    assert info.value.jid == job.jid
    assert job.jid in str(info.value)
    assert snapshot(redis) == before


def test_a_job_held_by_another_worker_cannot_be_completed_by_this_one(
    client: Client, server: LocalServer
) -> None:
    job = _popped(client)
    intruder = Client(server.url, hostname="intruder")
    try:
        stolen = _get(intruder, job.jid)
        with pytest.raises(LostLockError, match="another worker"):
            stolen.complete()
        with pytest.raises(LostLockError):
            stolen.heartbeat()
    finally:
        intruder.database.close()


def test_other_errors_are_not_lost_locks(client: Client) -> None:
    job = _get(client, client.queues["q"].put("a.B", {}))
    with pytest.raises(ReqlessError) as info:
        job.priority = float("nan")
    assert not isinstance(info.value, LostLockError)


# --- process() -------------------------------------------------------------------------


def test_process_runs_the_method_named_after_the_queue(client: Client) -> None:
    job = _popped(client, queue="first")
    job.process()
    assert Steps.seen == [("first", job.jid)]
    again = client.queues["second"].pop()
    assert again is not None
    again.process()
    assert Steps.seen[-1] == ("second", job.jid)
    assert _get(client, job.jid).state == "complete"


def test_process_falls_back_to_process(client: Client) -> None:
    job = _popped(client, queue="anything")
    job.process()
    assert Steps.seen == [("process", job.jid)]
    assert _get(client, job.jid).state == "complete"


def test_process_with_a_single_process_method_comparing_queue_names(client: Client) -> None:
    job = _popped(client, queue="start", klass=f"{HERE}.OnlyProcess")
    job.process()
    assert _get(client, job.jid).queue_name == "done"
    again = client.queues["done"].pop()
    assert again is not None
    again.process()
    assert _get(client, job.jid).state == "complete"


def _failure(client: Client, jid: str) -> dict[str, Any]:
    fetched = _get(client, jid)
    assert fetched.state == "failed", fetched.state
    return fetched.failure


def test_process_fails_a_job_without_a_handler(client: Client) -> None:
    job = _popped(client, klass=f"{HERE}.NoHandlers")
    job.process()
    failure = _failure(client, job.jid)
    assert failure["group"] == "q-method-missing"
    assert failure["message"] == f'{HERE}.NoHandlers is missing a method "q" or "process"'


@pytest.mark.parametrize(
    ("klass", "group"),
    [
        ("no_such_module_for_reqless.Job", "q-ModuleNotFoundError"),
        (f"{HERE}.NoSuchClass", "q-AttributeError"),
        ("nodots", "q-ValueError"),
    ],
)
def test_process_fails_a_job_whose_class_cannot_be_imported(
    client: Client, klass: str, group: str
) -> None:
    job = _popped(client, klass=klass)
    job.process()
    failure = _failure(client, job.jid)
    assert failure["group"] == group
    assert failure["message"] == f"Failed to import {klass}"


def test_process_fails_a_job_whose_handler_raises(client: Client) -> None:
    job = _popped(client, queue="boom", klass=f"{HERE}.Raising")
    job.process()
    failure = _failure(client, job.jid)
    assert failure["group"] == "boom-ValueError"
    assert failure["message"].startswith("Traceback (most recent call last):\n")
    assert failure["message"].endswith("ValueError: boom\n")
    assert 'raise ValueError("boom")' in failure["message"]


def test_process_fails_a_job_whose_handler_is_an_instance_method(client: Client) -> None:
    job = _popped(client, queue="instance", klass=f"{HERE}.Raising")
    job.process()
    assert _failure(client, job.jid)["group"] == "instance-TypeError"


def test_process_lets_base_exceptions_through(client: Client) -> None:
    job = _popped(client, queue="interrupt", klass=f"{HERE}.Raising")
    with pytest.raises(KeyboardInterrupt):
        job.process()
    assert _get(client, job.jid).state == "running"


def test_process_does_not_complete_by_itself(client: Client) -> None:
    job = _popped(client, queue="idle", klass=f"{HERE}.Raising")
    job.process()
    assert _get(client, job.jid).state == "running"


@pytest.mark.parametrize("queue", ["moved", "moved_then_boom"])
def test_process_of_a_job_moved_meanwhile_raises_nothing(client: Client, queue: str) -> None:
    job = _popped(client, queue=queue, klass=f"{HERE}.Raising")
    job.process()
    fetched = _get(client, job.jid)
    assert (fetched.state, fetched.queue_name) == ("waiting", "elsewhere")


def test_process_of_a_job_cancelled_meanwhile_raises_nothing(client: Client) -> None:
    job = _popped(client, queue="cancelled", klass=f"{HERE}.Raising")
    job.process()
    assert client.jobs[job.jid] is None


def test_process_of_an_unimportable_job_moved_before_raises_nothing(client: Client) -> None:
    job = _popped(client, klass="no_such_module_for_reqless.Job")
    _moved(client, job)
    job.process()
    assert _get(client, job.jid).state == "waiting"


def test_process_of_a_handlerless_job_moved_before_raises_nothing(client: Client) -> None:
    job = _popped(client, klass=f"{HERE}.NoHandlers")
    _moved(client, job)
    job.process()
    assert _get(client, job.jid).state == "waiting"


# --- RecurringJob ------------------------------------------------------------------------


def _template(client: Client, **recur: Any) -> RecurringJob:
    queue = client.queues[recur.pop("queue", "q")]
    jid = queue.recur(f"{HERE}.Steps", recur.pop("data", {"a": 1}), **recur)
    job = client.jobs[jid]
    assert isinstance(job, RecurringJob), job
    return job


def test_recurring_attributes(client: Client) -> None:
    template = _template(
        client, interval=60, offset=30, priority=2, tags=["t"], retries=3, throttles=["th"]
    )
    assert isinstance(template, BaseJob)
    assert template.data == '{"a": 1}'
    assert template.klass_name == f"{HERE}.Steps"
    assert template.klass is Steps
    assert template.priority == 2
    assert template.queue_name == "q"
    assert template.queue == "q"
    assert template.tags == ["t"]
    assert template.throttles == ["th", "ql:q:q"]
    assert template.retries == 3
    assert template.interval == 60
    assert template.count == 0
    assert template.backlog == defaults.RECUR_BACKLOG == 0
    assert template.sandbox is None
    assert template.next is not None
    assert abs(template.next - (time.time() + 30)) < 5
    text = repr(template)
    assert template.jid in text and "q" in text


def test_recurring_setters_update_server_and_local_values(rec: RecordingClient) -> None:
    template = _template(rec, interval=60, offset=600)
    next_before = template.next
    assert next_before is not None
    template.priority = 20
    assert rec.last("recurringJob.update") == (template.jid, "priority", 20)
    template.retries = 7
    template.interval = 7200
    template.data = {"b": 2}
    template.klass = OnlyProcess
    assert (template.priority, template.retries, template.interval) == (20, 7, 7200)
    assert template.data == '{"b": 2}'
    assert (template.klass, template.klass_name) == (OnlyProcess, f"{HERE}.OnlyProcess")
    fetched = rec.jobs[template.jid]
    assert isinstance(fetched, RecurringJob)
    assert (fetched.priority, fetched.retries, fetched.interval) == (20, 7, 7200)
    assert fetched.data == '{"b": 2}'
    assert fetched.klass_name == f"{HERE}.OnlyProcess"
    # Changing the interval moves the next spawn by the difference.
    assert fetched.next == pytest.approx(next_before + 7200 - 60)
    template.klass = "x.Y"
    assert template.klass_name == "x.Y"


def test_recurring_data_setter_rejects_bad_data(client: Client, redis: Redis) -> None:
    template = _template(client, interval=60)
    before = snapshot(redis)
    with pytest.raises(ReqlessError):
        template.data = "{"
    assert snapshot(redis) == before
    assert template.data == '{"a": 1}'


def test_recurring_setters_spawn_changed_children(client: Client) -> None:
    template = _template(client, interval=60)
    template.priority = 5
    template.data = {"changed": True}
    child = client.queues["q"].pop()
    assert child is not None
    assert (child.priority, child.data) == (5, '{"changed": true}')
    assert child.spawned_from_jid == template.jid
    fetched = client.jobs[template.jid]
    assert isinstance(fetched, RecurringJob)
    assert fetched.count == 1


def test_recurring_move(client: Client) -> None:
    template = _template(client, interval=60)
    assert template.move("other") == 1
    assert template.queue_name == "other"
    assert client.queues["q"].pop() is None
    child = client.queues["other"].pop()
    assert child is not None and child.spawned_from_jid == template.jid
    fetched = client.jobs[template.jid]
    assert isinstance(fetched, RecurringJob)
    assert fetched.throttles == ["ql:q:other"]


def test_recurring_cancel(client: Client) -> None:
    template = _template(client, interval=60)
    assert template.cancel() == [template.jid]
    assert client.jobs[template.jid] is None
    assert template.next is None
    assert template.cancel() == [template.jid]


def test_recurring_tag_and_untag(client: Client) -> None:
    template = _template(client, interval=60, tags=["hello"])
    assert template.tag("foo", "bar") == ["hello", "foo", "bar"]
    assert template.untag("hello") == ["foo", "bar"]
    assert template.tags == ["foo", "bar"]
    assert template.untag("foo", "bar") == []
    fetched = client.jobs[template.jid]
    assert isinstance(fetched, RecurringJob)
    assert fetched.tags == []


def test_recurring_tag_of_a_cancelled_template_raises(client: Client) -> None:
    template = _template(client, interval=60)
    template.cancel()
    with pytest.raises(ReqlessError, match="does not exist"):
        template.tag("x")


def test_recurring_payload_keys(client: Client) -> None:
    template = _template(client, interval=60)
    raw = json.loads(client("recurringJob.get", template.jid))
    rebuilt = RecurringJob(client, **raw)
    assert (rebuilt.jid, rebuilt.interval, rebuilt.count) == (template.jid, 60, 0)
