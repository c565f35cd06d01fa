"""Stateful property test of the core: random sequences of valid and invalid
script calls, with the key-space invariants checked after every one.

Every call that the core refuses must leave every key exactly as it was. Run
far more examples with REQLESS_HYPOTHESIS_PROFILE=long (tests/property_settings.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from redis import Redis

from reqless.core import Arg, CoreError, CoreRunner
from tests.core.keyspace import check_invariants, read_keyspace
from tests.property_settings import TIMEOUT, machine_settings

JIDS = st.sampled_from(["a", "b", "c", "d", "e", "r-1", "cron-1", "cron-2"])
QUEUES = st.sampled_from(["q1", "q2"])
WORKERS = st.sampled_from(["w1", "w2"])
THROTTLES = st.lists(st.sampled_from(["t1", "t2"]), unique=True, max_size=2)
TAGS = st.lists(st.sampled_from(["red", "blue"]), unique=True, max_size=2)
GROUPS = st.sampled_from(["g1", "g2"])
UNIQUE_KEYS = st.sampled_from(["k1", "k2"])

#: Calls the core must refuse whatever the state: (command, arguments).
MALFORMED: list[tuple[str, tuple[Arg, ...]]] = [
    ("queue.recurOnCron", ("q1", "cron", "K", "{}", "61 * * * *")),
    ("queue.recurOnCron", ("q1", "cron", "K", "{}", "* * * * *", "overlap", "often")),
    ("queue.recurOnCron", ("q1", "cron", "K", "{}", "* * * * *", "timezone", "Europe/Berlin")),
    ("recurringJob.pause", ("no-such-template",)),
    ("queue.put", ("w1", "q1", "a", "K", "{not json", 0)),
    ("queue.put", ("w1", "q1", "a", "K", "{}", "soon")),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "priority", "high")),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "retries", "many")),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "depends", "[oops")),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "tags", "{}x")),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "throttles", "t1")),
    ("queue.put", ("w1", "q1", "")),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "unique", "")),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "unique", "k1", "on_conflict", "merge")),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "unique", "k1", "unique_until", "never")),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "unique", "k1", "unique_for", "-1")),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "on_conflict", "keep")),
    ("unique.free", ("",)),
    ("queue.pop", ("q1", "w1", "lots")),
    ("queue.pop", ("q1",)),
    ("job.complete", ("a",)),
    ("job.complete", ("a", "w1", "q1", "{bad")),
    ("job.fail", ("a", "w1", "g1")),
    ("job.fail", ("a", "w1", "g1", "boom", "{bad")),
    ("job.retry", ("a", "q1", "w1", "later")),
    ("job.heartbeat", ("a", "w1", "{bad")),
    ("job.heartbeat", ("a",)),
    ("job.setPriority", ("a", "top")),
    ("job.addDependency", ("a",)),
    ("job.addTag", ()),
    ("throttle.set", ("t1", "lots")),
    ("throttle.set", ("t1", 1, "never")),
    ("throttle.set", ("t1", 1, 0, "rate", 0, "per", 10)),
    ("throttle.set", ("t1", 1, 0, "rate", 2, "per", -1)),
    ("throttle.set", ("t1", 1, 0, "rate", 2)),
    ("throttle.template.set", ("t*x", 1)),
    ("throttle.template.set", ("t*", 0)),
    ("queue.put", ("w1", "q1", "a", "K", "{}", 0, "group", "")),
    ("queue.group.weight", ("q1", "ga", 0)),
    ("queue.group.weight", ("q1", "ga", 1.5)),
    ("queue.recurAtInterval", ("q1", "r", "K", "{}", "often", 0)),
    ("queue.recurAtInterval", ("q1", "r", "K", "{}", 0, 0)),
    ("queue.unfail", ("q1", "g1", "all")),
    ("config.set", ("heartbeat",)),
    ("no.such.command", ()),
]


#: The keys of a job besides its hash, by suffix.
OWN_KEYS = ("history", "dependencies", "dependents")


def _may_outlive_a_cancel(key: str) -> bool:
    """Keys that, as specified, may still name a cancelled job."""
    return (
        key == "ql:tracked"  # a tracked job stays tracked (docs/core-commands.md, job.untrack)
        # a timed-out job stays in its old worker's set (docs/concepts.md, Workers)
        or (key.startswith("ql:w:") and key.endswith(":jobs"))
    )


class CoreMachine(RuleBasedStateMachine):
    """Drives the core with explicit `now` values; `now` only moves forward."""

    def __init__(self, redis: Redis, runner: CoreRunner) -> None:
        super().__init__()
        redis.flushall()
        self.redis = redis
        self.runner = runner
        self.now = 1_000_000.0
        self.refused = 0
        #: The children of cron template `cron` seen so far, and their nominal times.
        self.fired: dict[str, int] = {}
        for option, value in (("grace-period", 0), ("heartbeat", 60), ("jobs-history-count", 3)):
            self.call("config.set", option, value)
        self.call("throttle.set", "t1", 1)
        self.call("throttle.set", "t2", 2)

    def call(self, command: str, *args: Arg) -> Any:
        """Run a command; a refusal (CoreError) must leave every key unchanged."""
        before = read_keyspace(self.redis)
        try:
            return self.runner.call(command, *args, now=self.now)
        except CoreError as exc:
            after = read_keyspace(self.redis)
            assert after == before, f"{command}{args} wrote before failing with {exc}"
            assert str(exc), f"{command}{args} failed without a message"
            self.refused += 1
            return exc

    def state_of(self, jid: str) -> str | None:
        """The job's state, None when it does not exist."""
        reply = self.runner.call("job.get", jid, now=self.now)
        return None if reply is None else str(json.loads(reply)["state"])

    # -- valid calls (which the core may still refuse for the state at hand) --

    @rule(
        jid=JIDS, queue=QUEUES, delay=st.sampled_from([0, 0, 0, 30]),
        priority=st.sampled_from([0, 0, 1, -1]), retries=st.sampled_from([0, 1, 2]),
        depends=st.lists(JIDS, unique=True, max_size=2), throttles=THROTTLES, tags=TAGS,
        fair=st.sampled_from([None, None, "ga", "gb"]),
    )  # fmt: skip
    def put(
        self, jid: str, queue: str, delay: int, priority: int, retries: int,
        depends: list[str], throttles: list[str], tags: list[str], fair: str | None,
    ) -> None:  # fmt: skip
        """queue.put, new or existing job, in a fair group or not."""
        grouping: tuple[Arg, ...] = ("group", fair) if fair else ()
        reply = self.call(
            "queue.put", "w1", queue, jid, "K", "{}", delay, "priority", priority,
            "retries", retries, "depends", json.dumps(depends),
            "throttles", json.dumps(throttles), "tags", json.dumps(tags), *grouping,
        )  # fmt: skip
        if not isinstance(reply, CoreError):
            assert reply == jid
            assert self.state_of(jid) in ("waiting", "scheduled", "depends", "throttled")

    @rule(
        jid=JIDS, queue=QUEUES, key=UNIQUE_KEYS, delay=st.sampled_from([0, 0, 30]),
        policy=st.sampled_from(["keep", "replace", "error"]),
        until=st.sampled_from(["finish", "finish", "start"]),
        seconds=st.sampled_from([None, None, 20]), retries=st.sampled_from([0, 1]),
    )  # fmt: skip
    def put_unique(
        self, jid: str, queue: str, key: str, delay: int, policy: str, until: str,
        seconds: int | None, retries: int,
    ) -> None:  # fmt: skip
        """queue.put with a unique key: put, or the live holder's jid (keep, replace),
        or refused (error)."""
        holder = self.runner.call("unique.holder", key, now=self.now)
        options: list[Arg] = ["unique", key, "on_conflict", policy, "unique_until", until]
        if seconds is not None:
            options += ["unique_for", seconds]
        reply = self.call(
            "queue.put", "w1", queue, jid, "K", "{}", delay, "retries", retries, *options
        )
        if holder is None or holder == jid:
            if not isinstance(reply, CoreError):  # refused only for another reason
                assert reply == jid
                assert self.redis.get(f"ql:u:{key}") == jid
        elif policy == "error":
            assert isinstance(reply, CoreError) and f"held by job {holder}" in str(reply)
        else:
            assert reply == holder

    @rule(key=UNIQUE_KEYS)
    def free_unique(self, key: str) -> None:
        """unique.free: the key is free, whatever held it."""
        self.call("unique.free", key)
        assert self.runner.call("unique.holder", key, now=self.now) is None

    @rule(queue=QUEUES, worker=WORKERS, limit=st.integers(0, 3))
    def pop(self, queue: str, worker: str, limit: int) -> None:
        """queue.pop: every job handed out is now running for `worker`."""
        reply = self.call("queue.pop", queue, worker, limit)
        assert not isinstance(reply, CoreError)
        jobs = json.loads(reply)
        assert len(jobs) <= limit
        for job in jobs:
            assert (job["state"], job["worker"], job["queue"]) == ("running", worker, queue)

    @rule(jid=JIDS, worker=WORKERS, queue=QUEUES, next_queue=st.sampled_from(["", "q1", "q2"]))
    def complete(self, jid: str, worker: str, queue: str, next_queue: str) -> None:
        """job.complete, or job.completeAndRequeue to `next_queue`."""
        if next_queue:
            reply = self.call("job.completeAndRequeue", jid, worker, queue, "{}", next_queue)
        else:
            reply = self.call("job.complete", jid, worker, queue, "{}")
        if not isinstance(reply, CoreError):
            state = self.state_of(jid)
            assert state in (
                ("waiting", "depends", "throttled") if next_queue else ("complete", None)
            )

    @rule(jid=JIDS, worker=WORKERS, group=GROUPS)
    def fail(self, jid: str, worker: str, group: str) -> None:
        """job.fail."""
        if not isinstance(self.call("job.fail", jid, worker, group, "boom"), CoreError):
            assert self.state_of(jid) == "failed"

    @rule(jid=JIDS, queue=QUEUES, worker=WORKERS, delay=st.sampled_from([0, 20]))
    def retry(self, jid: str, queue: str, worker: str, delay: int) -> None:
        """job.retry, naming any queue: the job goes back to its own
        (test_spec_defects.py)."""
        reply = self.call("job.retry", jid, queue, worker, delay)
        if not isinstance(reply, CoreError):
            assert self.state_of(jid) == ("failed" if int(reply) < 0 else
                                          "scheduled" if delay else "waiting")  # fmt: skip

    @rule(jid=JIDS, worker=WORKERS)
    def heartbeat(self, jid: str, worker: str) -> None:
        """job.heartbeat."""
        self.call("job.heartbeat", jid, worker)

    @rule(jids=st.lists(JIDS, min_size=1, max_size=2))
    def timeout(self, jids: list[str]) -> None:
        """job.timeout."""
        if not isinstance(self.call("job.timeout", *jids), CoreError):
            assert all(self.state_of(jid) == "stalled" for jid in jids)

    @rule(jids=st.lists(JIDS, min_size=1, max_size=2))
    def cancel(self, jids: list[str]) -> None:
        """job.cancel: nothing of a cancelled job is left anywhere (a complete
        job is not cancelled: docs/concepts.md, States)."""
        complete = {jid for jid in jids if self.state_of(jid) == "complete"}
        if isinstance(self.call("job.cancel", *jids), CoreError):
            return
        space = read_keyspace(self.redis)
        for jid in set(jids) - complete:
            assert self.state_of(jid) is None
            own = {f"ql:j:{jid}", *(f"ql:j:{jid}-{part}" for part in OWN_KEYS)}
            assert not own & set(space), own & set(space)
            for key, (_, content, _) in space.items():
                if not _may_outlive_a_cancel(key):
                    assert jid not in str(content).split("'"), f"cancelled {jid} still in {key}"

    @rule(jid=JIDS, others=st.lists(JIDS, min_size=1, max_size=2), add=st.booleans())
    def dependency(self, jid: str, others: list[str], add: bool) -> None:
        """job.addDependency / job.removeDependency."""
        self.call("job.addDependency" if add else "job.removeDependency", jid, *others)

    @rule(jid=JIDS, priority=st.sampled_from([-5, 0, 3]))
    def priority(self, jid: str, priority: int) -> None:
        """job.setPriority."""
        self.call("job.setPriority", jid, priority)

    @rule(
        jid=JIDS,
        tags=st.lists(st.sampled_from(["red", "blue"]), unique=True, min_size=1, max_size=2),
        add=st.booleans(),
    )
    def tag(self, jid: str, tags: list[str], add: bool) -> None:
        """job.addTag / job.removeTag."""
        self.call("job.addTag" if add else "job.removeTag", jid, *tags)

    @rule(jid=JIDS, track=st.booleans())
    def track(self, jid: str, track: bool) -> None:
        """job.track / job.untrack."""
        self.call("job.track" if track else "job.untrack", jid)

    @rule(tid=st.sampled_from(["t1", "t2"]), maximum=st.integers(1, 3))
    def throttle_raise(self, tid: str, maximum: int) -> None:
        """throttle.set, never below the current maximum (lowering it keeps the locks)."""
        current = json.loads(self.runner.call("throttle.get", tid, now=self.now))
        self.call("throttle.set", tid, max(maximum, int(current["maximum"])))

    @rule(tid=st.sampled_from(["t1", "t2"]), rate=st.integers(1, 3), per=st.sampled_from([10, 60]))
    def throttle_rate(self, tid: str, rate: int, per: int) -> None:
        """throttle.set with a rate window (the maximum kept)."""
        current = json.loads(self.runner.call("throttle.get", tid, now=self.now))
        self.call("throttle.set", tid, int(current["maximum"]), 0, "rate", rate, "per", per)

    @rule(tid=st.sampled_from(["t1", "t2"]))
    def throttle_clear_rate(self, tid: str) -> None:
        """throttle.clearRate."""
        self.call("throttle.clearRate", tid)

    @rule(queue=QUEUES, fair=st.sampled_from(["ga", "gb"]), weight=st.sampled_from([1, 2, 3]))
    def group_weight(self, queue: str, fair: str, weight: int) -> None:
        """queue.group.weight."""
        self.call("queue.group.weight", queue, fair, weight)

    @rule(queue=QUEUES, interval=st.sampled_from([15, 45]))
    def recur(self, queue: str, interval: int) -> None:
        """queue.recurAtInterval: template `r`, spawning jobs `r-1`, `r-2`, ..."""
        self.call("queue.recurAtInterval", queue, "r", "K", "{}", interval, 0)

    @rule(
        queue=QUEUES,
        expression=st.sampled_from(["* * * * *", "*/2 * * * *", "0 * * * *", "*/5 * * * *"]),
        overlap=st.sampled_from(["allow", "skip", "queue_one"]),
        catchup=st.sampled_from(["latest", "none", "all"]),
        jitter=st.sampled_from([0, 30]),
    )
    def recur_cron(
        self, queue: str, expression: str, overlap: str, catchup: str, jitter: int
    ) -> None:
        """queue.recurOnCron: template `cron` (made, or updated in place), spawning `cron-<n>`."""
        self.call(
            "queue.recurOnCron", queue, "cron", "K", "{}", expression, "overlap", overlap,
            "catchup", catchup, "backlog", 3, "jitter", jitter,
        )  # fmt: skip

    @rule(pause=st.booleans())
    def pause_cron(self, pause: bool) -> None:
        """recurringJob.pause / resume of template `cron` (refused while it does not exist)."""
        self.call("recurringJob.pause" if pause else "recurringJob.resume", "cron")

    @rule(queue=QUEUES, group=GROUPS)
    def unfail(self, queue: str, group: str) -> None:
        """queue.unfail."""
        self.call("queue.unfail", queue, group, 10)

    @rule(seconds=st.sampled_from([1, 16, 61, 200]))
    def wait(self, seconds: int) -> None:
        """Time passes: locks expire, scheduled jobs come due, recurring jobs spawn."""
        self.now += seconds

    # -- invalid calls -------------------------------------------------------

    @rule(case=st.sampled_from(MALFORMED))
    def malformed(self, case: tuple[str, tuple[Arg, ...]]) -> None:
        """A malformed call is refused, with a message, and changes nothing."""
        command, args = case
        assert isinstance(self.call(command, *args), CoreError), f"{command}{args} was accepted"

    # -- invariants ----------------------------------------------------------

    @invariant()
    def layout_holds(self) -> None:
        """Each job lives exactly where its state says; nothing dangles."""
        problems = check_invariants(read_keyspace(self.redis))
        assert not problems, problems

    @invariant()
    def unique_keys_name_live_holders(self) -> None:
        """Every ql:u:* key names a job that exists, has not completed or failed,
        and names that key: a key never outlives its job's hold."""
        for raw in self.redis.keys("ql:u:*"):
            name = str(raw)
            jid = str(self.redis.get(name))
            values: list[Any] = self.redis.hmget(f"ql:j:{jid}", "state", "unique")
            state, unique = values
            assert state is not None, f"{name} names {jid}, which does not exist"
            assert state not in ("complete", "failed"), f"{name} names {jid}, {state}"
            assert unique == name.removeprefix("ql:u:"), f"{name} names {jid}, put with {unique}"

    @invariant()
    def no_cron_slot_fires_twice(self) -> None:
        """Every child cron template `cron` spawned has a nominal time of its own: no pop,
        pause, resume or update in place fires a slot a second time. A child is judged by
        what it was when first seen (a later put of the same jid is not a spawn)."""
        for raw in self.redis.keys("ql:j:cron-*"):
            jid = str(raw).removeprefix("ql:j:")
            if not jid.removeprefix("cron-").isdigit() or jid in self.fired:
                continue
            when, parent = self.redis.hmget(f"ql:j:{jid}", "time", "spawned_from_jid")
            if when is None or parent != "cron":
                continue
            slot = round(float(when))
            assert slot not in self.fired.values(), f"slot {slot} fired twice ({jid})"
            self.fired[jid] = slot

    @invariant()
    def counts_agree_with_listings(self) -> None:
        """queue.counts matches the lengths of the queue.jobsByState listings."""
        for queue in ("q1", "q2"):
            counts = json.loads(self.runner.call("queue.counts", queue, now=self.now))
            for state in ("running", "stalled", "scheduled", "depends", "throttled"):
                listed = json.loads(self.runner.call(
                    "queue.jobsByState", state, queue, 0, 1000, now=self.now))  # fmt: skip
                assert counts[state] == len(listed), (queue, state, counts, listed)
            waiting = self.redis.zcard(f"ql:q:{queue}-work")
            heads = self.redis.hgetall(f"ql:q:{queue}-group-heads")
            for key in self.redis.keys(f"ql:q:{queue}-g:*"):
                waiting += self.redis.zcard(key)
            waiting -= len(heads)
            assert counts["waiting"] == waiting, (queue, counts)


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT)
@pytest.mark.parametrize("mode", ["function", "script"])
def test_random_call_sequences_keep_the_core_consistent(redis: Redis, mode: str) -> None:
    examples = 150 if mode == "function" else 40
    # A factory stands in for the class (hypothesis calls it with no arguments).
    # One runner for every example: a runner keeps a connection of its own.
    runner = CoreRunner(redis, mode=mode)  # type: ignore[arg-type]
    factory: Any = lambda: CoreMachine(redis, runner)  # noqa: E731
    run_state_machine_as_test(factory, settings=machine_settings(examples))
