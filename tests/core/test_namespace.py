"""The core in a namespace: every key and channel under `ql:{<name>}:`, events
sharded, and the default layout untouched (docs/scale-out.md)."""

from __future__ import annotations

import json
import time

import pytest
from redis import Redis

from reqless.core import CoreRunner
from reqless.exceptions import CoreError
from reqless.keys import KeySpace
from tests.helpers import Core

ORDERS = KeySpace("orders")


@pytest.fixture(params=["function", "script"])
def spaced(redis: Redis, request: pytest.FixtureRequest) -> Core:
    """The raw core called in namespace `orders`."""
    return Core(CoreRunner(redis, mode=request.param, keys=ORDERS.call_keys), redis)


def _run_a_job(core: Core, queue: str = "q") -> str:
    core("queue.put", 1, "w", queue, "j1", "K", "{}", 0)
    [job] = core.json("queue.pop", 2, queue, "w", 1)
    core("job.complete", 3, job["jid"], "w", queue, "{}")
    return str(job["jid"])


def test_every_key_of_a_namespace_carries_its_hash_tag(spaced: Core, redis: Redis) -> None:
    _run_a_job(spaced)
    spaced("queue.put", 4, "w", "q", "j2", "K", "{}", 0, "tags", '["t"]', "depends", '["j1"]')
    spaced("queue.recurAtInterval", 5, "q", "r1", "K", "{}", 60, 0)
    spaced("config.set", 6, "heartbeat", 30)
    found = sorted(str(key) for key in redis.keys("*"))
    assert found, "the calls wrote nothing"
    assert all(key.startswith("ql:{orders}:") for key in found), found
    assert spaced.json("job.get", 7, "j1")["state"] == "complete"


def test_groups_rates_and_templates_stay_inside_the_namespace(spaced: Core, redis: Redis) -> None:
    spaced("throttle.template.set", 0, "api:*", 0, "rate", 1, "per", 10)
    spaced("throttle.set", 0, "shared", 0, 0, "rate", 1, "per", 10)
    spaced("queue.put", 1, "w", "q", "a", "K", "{}", 0, "group", "g", "throttles", '["api:1"]')
    spaced("queue.put", 1.5, "w", "q", "b", "K", "{}", 0, "group", "g", "throttles", '["api:1"]')
    spaced("queue.put", 1, "w", "q", "c", "K", "{}", 0, "throttles", '["shared"]')
    assert sorted(j["jid"] for j in spaced.json("queue.pop", 2, "q", "w", 10)) == ["a", "c"]
    assert spaced.json("queue.groups", 3, "q")[0]["parked"] == "b"
    found = sorted(str(key) for key in redis.keys("*"))
    assert any("-groups" in key for key in found) and any("-starts" in key for key in found)
    assert all(key.startswith("ql:{orders}:") for key in found), found


def test_a_namespace_and_the_default_layout_do_not_see_each_other(spaced: Core, core: Core) -> None:
    spaced("queue.put", 1, "w", "q", "only-in-orders", "K", "{}", 0)
    core("queue.put", 1, "w", "q", "only-plain", "K", "{}", 0)
    assert core("job.get", 2, "only-in-orders") is None
    assert spaced("job.get", 2, "only-plain") is None
    assert [j["jid"] for j in spaced.json("queue.pop", 3, "q", "w", 10)] == ["only-in-orders"]
    assert [j["jid"] for j in core.json("queue.pop", 3, "q", "w", 10)] == ["only-plain"]


def test_two_namespaces_on_one_server_are_apart(redis: Redis) -> None:
    a = Core(CoreRunner(redis, keys=KeySpace("a").call_keys), redis)
    b = Core(CoreRunner(redis, keys=KeySpace("b").call_keys), redis)
    a("queue.put", 1, "w", "q", "same-jid", "K", '{"in": "a"}', 0)
    b("queue.put", 1, "w", "q", "same-jid", "K", '{"in": "b"}', 0)
    assert json.loads(a.json("job.get", 2, "same-jid")["data"]) == {"in": "a"}
    assert json.loads(b.json("job.get", 2, "same-jid")["data"]) == {"in": "b"}
    # One function library serves both, call after call.
    assert [j["jid"] for j in a.json("queue.pop", 3, "q", "w", 5)] == ["same-jid"]
    assert b.json("queue.peek", 3, "q", 0, 5)[0]["data"] == '{"in": "b"}'


def test_the_default_layout_is_unchanged(core: Core, redis: Redis) -> None:
    _run_a_job(core)
    assert all(str(k).startswith("ql:") and "{" not in str(k) for k in redis.keys("*"))
    assert redis.hget("ql:j:j1", "state") == "complete"


def _messages(pubsub: object, want: int, sharded: bool) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + 5
    while len(got) < want and time.monotonic() < deadline:
        get = pubsub.get_sharded_message if sharded else pubsub.get_message  # type: ignore[attr-defined]
        message = get(timeout=0.1)
        if message and message["type"] in ("message", "smessage"):
            got.append(message["data"])
    return got


def test_a_namespace_publishes_its_events_sharded(spaced: Core, redis: Redis) -> None:
    sharded = redis.pubsub()
    sharded.ssubscribe(ORDERS.channel("log"))
    plain = redis.pubsub()
    plain.subscribe(ORDERS.channel("log"), "ql:log")
    _messages(plain, 2, sharded=False)  # the subscribe confirmations
    spaced("queue.put", 1, "w", "q", "j1", "K", "{}", 0)
    events = [json.loads(m) for m in _messages(sharded, 1, sharded=True)]
    assert events == [{"jid": "j1", "event": "put", "queue": "q"}]
    assert _messages(plain, 1, sharded=False) == []  # nothing on plain channels
    sharded.close()
    plain.close()


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("ql:{}:", "Namespace key"),
        ("ql:{a{b}:", "Namespace key"),
        ("ql:{a b}:", "Namespace key"),
        ("ql:{" + "x" * 65 + "}:", "Namespace key"),
        ("ql:{a}", "Namespace key"),
        ("other", "No Keys should be provided"),
    ],
)
def test_a_malformed_namespace_key_is_refused_and_writes_nothing(
    redis: Redis, key: str, problem: str
) -> None:
    bad = Core(CoreRunner(redis, keys=(key,)), redis)
    with pytest.raises(CoreError, match=problem):
        bad("queue.put", 1, "w", "q", "j1", "K", "{}", 0)
    assert redis.keys("*") == []


def test_two_keys_are_refused_as_before(redis: Redis) -> None:
    bad = Core(CoreRunner(redis, keys=("ql:{a}:", "ql:{b}:")), redis)
    with pytest.raises(CoreError, match="No Keys should be provided"):
        bad("queue.put", 1, "w", "q", "j1", "K", "{}", 0)
    assert redis.keys("*") == []


def test_in_a_namespace_an_unknown_dependency_is_refused_and_nothing_written(
    spaced: Core, redis: Redis
) -> None:
    with pytest.raises(CoreError, match="not a job of this namespace"):
        spaced("queue.put", 1, "w", "q", "j1", "K", "{}", 0, "depends", '["elsewhere"]')
    assert redis.keys("*") == []
    # A job the namespace knows is a fine dependency, and so is one put earlier
    # in the same putMany.
    spaced("queue.put", 2, "w", "q", "j0", "K", "{}", 0)
    spaced("queue.put", 3, "w", "q", "j1", "K", "{}", 0, "depends", '["j0"]')
    assert spaced.json("job.get", 4, "j1")["state"] == "depends"
    spaced("queue.putMany", 5, "w", "q", "a", "K", "{}", 0, 0,
           "b", "K", "{}", 0, 2, "depends", '["a"]')  # fmt: skip
    assert spaced.json("job.get", 6, "b")["dependencies"] == ["a"]
    with pytest.raises(CoreError, match="not a job of this namespace"):
        spaced("job.addDependency", 7, "j1", "elsewhere")
    assert spaced.json("job.get", 8, "j1")["dependencies"] == ["j0"]


def test_without_a_namespace_an_unknown_dependency_is_taken_as_finished(core: Core) -> None:
    core("queue.put", 1, "w", "q", "j1", "K", "{}", 0, "depends", '["long-gone"]')
    assert core.json("job.get", 2, "j1")["state"] == "waiting"
