"""Stateful property test of the client API: random sequences of valid and
invalid calls through `reqless.Client`, checked against a small model of each
job's state and against the key-space invariants.

A call the client or the core refuses raises a ReqlessError (a LostLockError
when the caller does not hold the job) and leaves every key unchanged. Run far
more examples with REQLESS_HYPOTHESIS_PROFILE=long (tests/property_settings.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from redis import Redis

from reqless.client import Client
from reqless.exceptions import LostLockError, ReqlessError
from reqless.job import Job
from reqless.server import LocalServer
from tests.client.sync_adapter import Kind, open_client
from tests.core.keyspace import check_invariants, read_keyspace
from tests.property_settings import TIMEOUT, machine_settings

JIDS = st.sampled_from(["a", "b", "c", "d"])
QUEUES = st.sampled_from(["q1", "q2"])
WORKERS = st.sampled_from(["w1", "w2"])
THROTTLES = st.lists(st.sampled_from(["t1", "t2"]), unique=True, max_size=2)

#: Where a job may be for each state the model tracks.
QUEUED = {"waiting", "scheduled", "depends", "throttled", "stalled"}

#: put() arguments the client must refuse, each with what it gets wrong.
BAD_PUTS: list[dict[str, Any]] = [
    {"data": object()},
    {"data": {"x": float("nan")}},
    {"priority": "high"},
    {"priority": float("inf")},
    {"delay": "soon"},
    {"delay": -1},
    {"retries": -1},
    {"retries": 1.5},
    {"tags": "red"},
    {"tags": [1]},
    {"depends": "a"},
    {"throttles": [""]},
    {"jid": ""},
    {"klass": ""},
]

#: Other calls the client must refuse, by what they get wrong.
BAD_CALLS: list[tuple[str, Callable[[Client], object]]] = [
    ("throttle maximum below 0", lambda c: c.throttles["t1"].set_maximum(-1)),
    ("throttle maximum not a number", lambda c: c.throttles["t1"].set_maximum("x")),  # type: ignore[arg-type]
    ("heartbeat config below 0", lambda c: c.config.__setitem__("heartbeat", -5)),
    ("recur interval 0", lambda c: c.queues["q1"].recur("K", {}, interval=0)),
    ("recur interval not a number", lambda c: c.queues["q1"].recur("K", {}, interval="x")),  # type: ignore[arg-type]
    ("empty queue name", lambda c: c.queues[""].put("K", {})),
]


class ClientMachine(RuleBasedStateMachine):
    """Two workers' clients on one flushed database, and a model of job states."""

    def __init__(self, kind: Kind, server: LocalServer, redis: Redis) -> None:
        super().__init__()
        redis.flushall()
        self.redis = redis
        self._opened = contextlib.ExitStack()
        self.clients = {
            name: self._opened.enter_context(open_client(kind, server.url, hostname=name))
            for name in ("w1", "w2")
        }
        self.client = self.clients["w1"]
        self.client.config["grace-period"] = 0
        self.client.throttles["t1"].set_maximum(1)
        self.client.throttles["t2"].set_maximum(2)
        #: jid -> "queued", "running:<worker>", "complete", "failed"; absent: no job.
        self.model: dict[str, str] = {}

    def teardown(self) -> None:
        self._opened.close()

    def attempt(self, what: str, action: Callable[[], Any]) -> Any:
        """Run `action`; a ReqlessError must leave every key unchanged (returned, not raised)."""
        before = read_keyspace(self.redis)
        try:
            return action()
        except ReqlessError as exc:
            assert read_keyspace(self.redis) == before, f"{what} wrote before failing: {exc}"
            assert str(exc), f"{what} failed without a message"
            return exc

    def job(self, jid: str, worker: str) -> Job | None:
        """The job as `worker`'s client sees it (its methods act as that worker)."""
        found = self.clients[worker].jobs.get(jid)
        return found[0] if found else None

    def holder(self, jid: str) -> str | None:
        state = self.model.get(jid, "")
        return state.split(":", 1)[1] if state.startswith("running:") else None

    # -- valid calls ---------------------------------------------------------

    @rule(
        jid=JIDS, queue=QUEUES, delay=st.sampled_from([0, 0, 30]),
        depends=st.lists(JIDS, unique=True, max_size=2), throttles=THROTTLES,
        priority=st.sampled_from([0, 2]),
    )  # fmt: skip
    def put(
        self, jid: str, queue: str, delay: int, depends: list[str], throttles: list[str],
        priority: int,
    ) -> None:  # fmt: skip
        """Queue.put of a new or existing job."""
        result = self.attempt("put", lambda: self.client.queues[queue].put(
            "K", {"n": 1}, priority=priority, delay=delay, jid=jid, replace=True,
            depends=[dep for dep in depends if dep != jid], throttles=throttles,
        ))  # fmt: skip
        assert result == jid, result
        self.model[jid] = "queued"

    @rule(queue=QUEUES, worker=WORKERS, count=st.integers(1, 3))
    def pop(self, queue: str, worker: str, count: int) -> None:
        """Queue.pop: what it hands out now runs for `worker`."""
        jobs = self.attempt("pop", lambda: self.clients[worker].queues[queue].pop(count))
        assert isinstance(jobs, list)
        for job in jobs:
            assert job.state == "running" and job.worker_name == worker
            if job.jid in self.model:
                assert self.model[job.jid] == "queued", (job.jid, self.model[job.jid])
                self.model[job.jid] = f"running:{worker}"

    @rule(jid=JIDS, worker=WORKERS, how=st.sampled_from(["complete", "fail", "retry", "beat"]))
    def settle(self, jid: str, worker: str, how: str) -> None:
        """complete / fail / retry / heartbeat: only the holder may, anyone else is refused."""
        job = self.job(jid, worker)
        if job is None:
            return
        actions: dict[str, Callable[[], Any]] = {
            "complete": job.complete,
            "fail": lambda: job.fail("g1", "it broke"),
            "retry": job.retry,
            "beat": job.heartbeat,
        }
        result = self.attempt(how, actions[how])
        if self.holder(jid) != worker:
            assert isinstance(result, LostLockError), (how, jid, worker, result)
            return
        assert not isinstance(result, ReqlessError), result
        if how == "complete":
            self.model[jid] = "complete"
        elif how == "fail" or (how == "retry" and result < 0):
            self.model[jid] = "failed"
        elif how == "retry":
            self.model[jid] = "queued"

    @rule(jid=JIDS)
    def timeout(self, jid: str) -> None:
        """Job.timeout: refused unless the job runs."""
        job = self.job(jid, "w1")
        if job is None:
            return
        result = self.attempt("timeout", job.timeout)
        if self.holder(jid) is None:
            assert isinstance(result, ReqlessError), result
        else:
            assert result is None
            self.model[jid] = "queued"

    @rule(jid=JIDS)
    def cancel(self, jid: str) -> None:
        """Job.cancel: refused while another job depends on it."""
        job = self.job(jid, "w1")
        if job is None:
            return
        if not isinstance(self.attempt("cancel", job.cancel), ReqlessError):
            self.model.pop(jid, None)

    @rule(jid=JIDS, other=JIDS, add=st.booleans())
    def dependency(self, jid: str, other: str, add: bool) -> None:
        """Job.depend / Job.undepend (refused unless the job is in `depends`)."""
        job = self.job(jid, "w1")
        if job is not None:
            self.attempt("depend", lambda: job.depend(other) if add else job.undepend(other))

    @rule(jid=JIDS, priority=st.sampled_from([-1, 0, 5]))
    def priority(self, jid: str, priority: int) -> None:
        """Setting Job.priority."""
        job = self.job(jid, "w1")
        if job is not None:
            self.attempt("priority", lambda: setattr(job, "priority", priority))

    @rule(jid=JIDS, tag=st.sampled_from(["red", "blue"]), add=st.booleans(), track=st.booleans())
    def tag_and_track(self, jid: str, tag: str, add: bool, track: bool) -> None:
        """Job.tag / untag, then track / untrack."""
        job = self.job(jid, "w1")
        if job is not None:
            self.attempt("tag", lambda: job.tag(tag) if add else job.untag(tag))
            self.attempt("track", job.track if track else job.untrack)

    @rule(queue=QUEUES, interval=st.sampled_from([0.5, 60]))
    def recur(self, queue: str, interval: float) -> None:
        """Queue.recur: children spawn at later pops (outside the model)."""
        self.attempt("recur", lambda: self.client.queues[queue].recur(
            "K", {}, interval=interval, jid="r"))  # fmt: skip

    @rule(queue=QUEUES)
    def unfail(self, queue: str) -> None:
        """Client.unfail of group g1 back into `queue`."""
        moved = self.attempt("unfail", lambda: self.client.unfail("g1", queue))
        if isinstance(moved, int) and moved:
            for jid, state in list(self.model.items()):
                found = self.job(jid, "w1")
                if state == "failed" and found is not None and found.state != "failed":
                    self.model[jid] = "queued"

    # -- invalid calls -------------------------------------------------------

    @rule(bad=st.sampled_from(BAD_PUTS), queue=QUEUES)
    def bad_put(self, bad: dict[str, Any], queue: str) -> None:
        """A put with one bad argument is refused and changes nothing."""
        arguments: dict[str, Any] = {"klass": "K", "data": {}, **bad}
        result = self.attempt(f"put {bad}", lambda: self.client.queues[queue].put(**arguments))
        assert isinstance(result, ReqlessError), f"put {bad} was accepted: {result!r}"

    @rule(case=st.sampled_from(BAD_CALLS))
    def bad_call(self, case: tuple[str, Callable[[Client], object]]) -> None:
        """Another bad call is refused and changes nothing."""
        what, call = case
        result = self.attempt(what, lambda: call(self.client))
        assert isinstance(result, ReqlessError), f"{what} was accepted: {result!r}"

    @rule(jid=JIDS, delay=st.sampled_from([-1, float("nan")]))
    def bad_retry(self, jid: str, delay: float) -> None:
        """Job.retry with a bad delay is refused, even by the holder."""
        worker = self.holder(jid) or "w1"
        job = self.job(jid, worker)
        if job is not None:
            result = self.attempt("retry", lambda: job.retry(delay))
            assert isinstance(result, ReqlessError), result

    # -- invariants ----------------------------------------------------------

    @invariant()
    def model_agrees(self) -> None:
        """Each modelled job is in the state the model expects."""
        jids = sorted(self.model)
        found = {job.jid: job for job in self.client.jobs.get(*jids)} if jids else {}
        for jid, expected in self.model.items():
            job = found.get(jid)
            assert job is not None, f"{jid} vanished (expected {expected})"
            if expected == "queued":
                assert job.state in QUEUED, (jid, job.state)
            elif expected.startswith("running:"):
                assert (job.state, job.worker_name) == ("running", expected[8:]), (jid, job.state)
            else:
                assert job.state == expected, (jid, job.state, expected)

    @invariant()
    def layout_holds(self) -> None:
        """The key-space invariants of the core hold after every client call."""
        problems = check_invariants(read_keyspace(self.redis))
        assert not problems, problems


#: The test runs through the sync and the asyncio client.
BOTH_CLIENTS = True


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT)
def test_random_client_call_sequences(client_kind: Kind, server: LocalServer, redis: Redis) -> None:
    # A factory stands in for the class (hypothesis calls it with no arguments).
    factory: Any = lambda: ClientMachine(client_kind, server, redis)  # noqa: E731
    # Fewer runs through the asyncio client, which builds its calls with the same
    # code: they check its plumbing and keep the added time small.
    examples = 200 if client_kind == "sync" else 50
    run_state_machine_as_test(factory, settings=machine_settings(examples))
