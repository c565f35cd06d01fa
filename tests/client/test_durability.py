"""Durable acknowledgement through `reqless.Client`: WAIT / WAITAOF after the writes
that matter, against a real primary and replica (docs/scale-out.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from reqless._calls import job as job_calls
from reqless.client import Client
from reqless.durability import Durability
from reqless.exceptions import ArgumentError, DurabilityError, LostLockError, ReqlessError
from reqless.job import Job
from reqless.server import ServerKind, find_server_binary, start_server
from tests.helpers import snapshot
from tests.replication import Pair, calls, fresh, paused, start_pair

SHORT = 0.2  # seconds: the timeout of the waits meant to fall short


@pytest.fixture(scope="module", params=["valkey", "redis"])
def pair(request: pytest.FixtureRequest) -> Iterator[Pair]:
    """A primary and its replica, for the whole module."""
    started = start_pair(request.param)
    yield started
    started.stop()


@pytest.fixture
def fresh_pair(pair: Pair) -> Pair:
    """The pair, emptied, with the primary's command counters at zero."""
    fresh(pair)
    return pair


_made: list[Client] = []


@pytest.fixture(autouse=True)
def _closed() -> Iterator[None]:
    """Close every client a test made."""
    yield
    while _made:
        _made.pop().database.close()


def _client(pair: Pair, durability: Durability | None) -> Client:
    made = Client(pair.primary.url, hostname="acked-worker", durability=durability)
    _made.append(made)
    return made


def _popped(client: Client, queue: str = "q") -> Job:
    job = client.queues[queue].pop()
    assert isinstance(job, Job)
    return job


def _same_on_replica(pair: Pair) -> None:
    with pair.primary.client() as primary, pair.replica.client() as replica:
        assert snapshot(replica) == snapshot(primary)


def test_acknowledged_writes_return_once_on_the_replica(fresh_pair: Pair) -> None:
    client = _client(fresh_pair, Durability(replicas=1))
    queue = client.queues["q"]
    queue.put("K", {"n": 0})
    _same_on_replica(fresh_pair)
    assert len(queue.put_many([{"klass": "K", "data": {"n": n}} for n in (1, 2)])) == 2
    _same_on_replica(fresh_pair)
    assert _popped(client).complete() == "complete"
    _same_on_replica(fresh_pair)
    assert _popped(client).fail("group", "message") is True
    _same_on_replica(fresh_pair)
    assert _popped(client).retry() >= 0
    _same_on_replica(fresh_pair)
    with fresh_pair.primary.client() as primary:
        assert calls(primary, "WAIT") == 5  # one per acknowledged write, none for the pops


def test_a_short_acknowledgement_raises_and_the_write_stays(fresh_pair: Pair) -> None:
    client = _client(fresh_pair, Durability(replicas=2, timeout=SHORT))
    plain = _client(fresh_pair, None)
    queue = client.queues["q"]

    def short(action: Any) -> DurabilityError:
        started = time.monotonic()
        with pytest.raises(DurabilityError) as caught:
            action()
        assert SHORT * 0.9 <= time.monotonic() - started < SHORT + 2
        assert (
            "was applied on the primary but only 1 of 2 replicas acknowledged it within 0.2 s"
        ) in str(caught.value)
        assert caught.value.acknowledged == {"replicas": 1}
        return caught.value

    put = short(lambda: queue.put("K", {}, jid="one"))
    assert put.reply == "one" and put.command == "queue.put"
    assert plain.jobs["one"] is not None
    many = short(lambda: queue.put_many([{"klass": "K", "data": {}, "jid": j} for j in "ab"]))
    assert many.reply == ["a", "b"]
    assert {job.jid for job in plain.jobs.get("a", "b")} == {"a", "b"}
    job = plain.queues["q"].pop()
    assert isinstance(job, Job)
    job.client = client
    done = short(job.complete)
    assert done.reply == "complete" and done.jid == job.jid
    assert plain.jobs[job.jid].state == "complete"  # type: ignore[union-attr]
    job = plain.queues["q"].pop()
    assert isinstance(job, Job)
    job.client = client
    assert short(lambda: job.fail("group", "message")).reply is True
    assert plain.jobs[job.jid].state == "failed"  # type: ignore[union-attr]
    job = plain.queues["q"].pop()
    assert isinstance(job, Job)
    job.client = client
    left = short(job.retry).reply
    assert isinstance(left, int) and left >= 0
    assert plain.jobs[job.jid].state == "waiting"  # type: ignore[union-attr]


def test_a_stopped_replica_acknowledges_nothing(fresh_pair: Pair) -> None:
    client = _client(fresh_pair, Durability(replicas=1, timeout=SHORT))
    with paused(fresh_pair.replica), pytest.raises(DurabilityError) as caught:
        client.queues["q"].put("K", {}, jid="lonely")
    assert "only 0 of 1 replicas acknowledged it" in str(caught.value)
    assert client.jobs["lonely"] is not None


def test_other_calls_send_no_wait(fresh_pair: Pair) -> None:
    client = _client(fresh_pair, Durability(replicas=1))
    plain = _client(fresh_pair, None)
    plain.queues["q"].put("K", {}, jid="j")
    job = _popped(client)
    job.heartbeat()
    job.tag("t")
    assert client.jobs["j"] is not None
    with fresh_pair.primary.client() as primary:
        assert calls(primary, "WAIT") == 0
        job.complete()
        assert calls(primary, "WAIT") == 1


def test_a_complete_that_also_pops_keeps_its_jobs_when_short(fresh_pair: Pair) -> None:
    client = _client(fresh_pair, Durability(replicas=2, timeout=SHORT))
    plain = _client(fresh_pair, None)
    plain.queues["q"].put_many([{"klass": "K", "data": {}, "jid": j} for j in ("a", "b")])
    job = _popped(client)
    job.pop_next_from = lambda: ["q"]
    with pytest.raises(DurabilityError):
        job.complete()
    assert [popped.jid for popped in job.popped_next] == ["b"]


def test_a_refusal_by_the_core_reads_as_usual(fresh_pair: Pair) -> None:
    client = _client(fresh_pair, Durability(replicas=1))
    with pytest.raises(LostLockError, match="nope"):
        client._run(job_calls.complete("nope", "w", "q", "{}"))


def test_the_core_is_loaded_when_the_server_lacks_it(fresh_pair: Pair) -> None:
    with fresh_pair.primary.client() as primary:
        primary.function_flush()
        primary.script_flush()
    client = _client(fresh_pair, Durability(replicas=1))
    assert client.queues["q"].put("K", {}, jid="x") == "x"
    _same_on_replica(fresh_pair)


@pytest.fixture(scope="module")
def valkey_aof_pair() -> Iterator[Pair]:
    """A valkey primary and replica that both write an append-only file."""
    started = start_pair("valkey", ("--appendonly", "yes"))
    yield started
    started.stop()


def test_waitaof_on_valkey(valkey_aof_pair: Pair) -> None:
    fresh(valkey_aof_pair)
    # A replica fsyncs its file once a second (appendfsync everysec): a roomy timeout.
    durability = Durability(replicas=1, local_disk=True, replica_disk=1, timeout=4)
    client = _client(valkey_aof_pair, durability)
    queue = client.queues["q"]
    queue.put("K", {})
    assert _popped(client).complete() == "complete"
    _same_on_replica(valkey_aof_pair)
    with valkey_aof_pair.primary.client() as primary:
        assert calls(primary, "WAITAOF") == 2
        assert calls(primary, "WAIT") == 0  # a replica with it on disk has received it
    short = _client(valkey_aof_pair, Durability(replica_disk=2, timeout=SHORT))
    with pytest.raises(DurabilityError, match=r"only [01] of 2 replicas had it on disk"):
        short.queues["q"].put("K", {})


def test_local_disk_without_an_append_only_file_is_refused_before_writing(
    fresh_pair: Pair,
) -> None:
    client = _client(fresh_pair, Durability(local_disk=True))
    # Redis 7.0 has no WAITAOF at all (the next test); Valkey needs the file.
    why = "WAITAOF needs Redis 7.2" if fresh_pair.primary.kind == "redis" else "appendonly yes"
    with pytest.raises(ReqlessError, match=why):
        client.queues["q"].put("K", {})
    with fresh_pair.primary.client() as primary:
        assert snapshot(primary) == {}


def test_waitaof_on_redis_7_0_is_a_clear_error() -> None:
    if find_server_binary("redis") is None:
        pytest.skip("redis-server is not installed")
    kind: ServerKind = "redis"
    server = start_server(kind, appendonly=True)
    try:
        with server.client() as raw:
            if not raw.info("server")["redis_version"].startswith("7.0."):
                pytest.skip("this check is for Redis 7.0")
            client = _client_of(server.url, Durability(replica_disk=1))
            with pytest.raises(ReqlessError, match=r"WAITAOF needs Redis 7\.2\+ or Valkey; this "
                               r"server is Redis 7\.0\.\d+: use replicas= only"):  # fmt: skip
                client.queues["q"].put("K", {})
            assert snapshot(raw) == {}
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"replicas": -1}, "replicas must be a non-negative integer"),
        ({"replicas": 1.5}, "replicas must be a non-negative integer"),
        ({"replicas": True}, "replicas must be a non-negative integer"),
        ({"replica_disk": -2}, "replica_disk must be a non-negative integer"),
        ({"local_disk": 1}, "local_disk must be True or False"),
        ({"replicas": 1, "timeout": 0}, "timeout must be a number of seconds > 0"),
        ({"replicas": 1, "timeout": -1}, "timeout must be a number of seconds > 0"),
        ({"replicas": 1, "timeout": float("nan")}, "timeout must be a number of seconds > 0"),
        ({}, "nothing to wait for: set replicas, local_disk or replica_disk"),
    ],
)
def test_bad_durability_is_refused_naming_the_field(options: dict[str, Any], named: str) -> None:
    with pytest.raises(ArgumentError, match=named):
        Durability(**options)


def test_waits_longer_than_the_socket_timeout_are_refused() -> None:
    # The reply would be cut off by the socket timeout (redis-py's default from
    # 7.0 on: 5 s), and the applied write would look like a lost connection.
    with pytest.raises(ArgumentError, match=r"waits up to 6\.0 s, which the connection's "
                       r"socket_timeout of 5 s cuts short"):  # fmt: skip
        Client(durability=Durability(replicas=1, local_disk=True, timeout=3), socket_timeout=5)
    _made.append(Client(durability=Durability(replicas=1, timeout=3), socket_timeout=None))


def test_a_client_refuses_what_is_not_a_durability() -> None:
    with pytest.raises(
        ArgumentError, match=r"durability must be a reqless\.durability\.Durability"
    ):
        Client(durability={"replicas": 1})  # type: ignore[arg-type]


def _client_of(url: str, durability: Durability) -> Client:
    made = Client(url, durability=durability)
    _made.append(made)
    return made
