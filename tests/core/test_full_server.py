"""A server over `maxmemory` (policy `noeviction`) still reads, hands out and
finishes work; only the calls that add jobs are refused (issue 19,
docs/operations.md "When the server is full"). Real servers, both kinds."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from redis import Redis

from reqless._calls import NOT_OFFERED
from reqless.client import Client
from reqless.core import CoreRunner, ServerFullError
from reqless.core.script import ADDING_COMMANDS, READ_COMMANDS, load_script
from reqless.server import LocalServer
from reqless.types import Arg
from tests.call_samples import J, all_calls
from tests.helpers import Core, snapshot

BIG = json.dumps({"blob": "x" * 100_000})


@pytest.fixture
def full(redis: Redis) -> Iterator[Redis]:
    """Arms `fill`: maxmemory a little above what the server uses now, reset after."""
    redis.config_set("maxmemory-policy", "noeviction")
    yield redis
    redis.config_set("maxmemory", 0)
    redis.flushall()


def used(redis: Redis) -> int:
    """The server's used memory in bytes."""
    return int(redis.info("memory")["used_memory"])


def fill(core: Core, redis: Redis) -> int:
    """Put big jobs into `bulk` until the server refuses one; how many went in.

    Then maxmemory goes well below the memory in use, so that the server stays
    full whatever small buffers come and go during the test.
    """
    redis.config_set("maxmemory", used(redis) + 3_000_000)
    for n in range(1000):
        try:
            core.put(0, f"bulk-{n}", "bulk", data=BIG)
        except ServerFullError as exc:
            assert "maxmemory" in str(exc)
            redis.config_set("maxmemory", used(redis) // 2)
            return n
    raise AssertionError("the server never filled up")


def test_a_full_server_refuses_new_jobs_and_changes_nothing(core: Core, full: Redis) -> None:
    assert fill(core, full) > 0
    before = snapshot(full)
    for command, args in (
        ("queue.put", ("w", "q", "new", "K", "{}", 0)),
        ("queue.putMany", ("w", "q", "n1", "K", "{}", 0, 0)),
        ("job.requeue", ("w", "q", "bulk-0", "K", "{}", 0)),
        ("queue.recurAtInterval", ("q", "r", "K", "{}", 60, 0)),
    ):
        if core.runner.mode == "script" and command != "queue.put":
            continue  # the EVALSHA form other clients use is not changed (see below)
        with pytest.raises(ServerFullError, match=r"server is full .*maxmemory"):
            core(command, 1, *args)
    assert snapshot(full) == before


def test_a_full_server_still_reads_pops_and_finishes_work(full: Redis) -> None:
    # Through the function library, as our client calls it; the EVALSHA form of
    # other clients keeps the server's own rule for unflagged scripts.
    core = Core(CoreRunner(full, mode="function"), full)
    for jid in ("a", "b", "c", "d", "e"):
        core.put(0, jid, "work")
    fill(core, full)
    popped = [job["jid"] for job in core.pop(1, "work", limit=5)]
    assert sorted(popped) == ["a", "b", "c", "d", "e"]
    assert core("job.heartbeat", 2, "a", "worker") > 2
    assert core("job.complete", 3, "a", "worker", "work", "{}") == "complete"
    assert core("job.completeAndRequeue", 3, "b", "worker", "work", "{}", "next") == "waiting"
    assert core("job.fail", 4, "c", "worker", "group", "boom") == "c"
    assert core("job.retry", 5, "d", "work", "worker") == 4
    assert core("job.cancel", 6, "e", "d") == ["e", "d"]
    counts = core.json("queue.counts", 7, "bulk")
    assert counts["waiting"] > 0
    assert core.json("job.get", 7, "a")["state"] == "complete"
    assert core("queue.length", 7, "next") == 1
    assert core.json("jobs.failedByGroup", 7, "group")["jobs"] == ["c"]
    assert core.json("queue.peek", 7, "next", 0, 1)[0]["jid"] == "b"
    # Draining makes room: cancelling the bulk jobs lets new jobs in again.
    bulk = [f"bulk-{n}" for n in range(1000) if full.exists(f"ql:j:bulk-{n}")]
    core("job.cancel", 8, *bulk)
    full.config_set("maxmemory", used(full) + 3_000_000)
    assert core.put(9, "again", "work") == "again"


@pytest.fixture
def client(server: LocalServer, full: Redis) -> Iterator[Client]:
    """A public client of the flushed database."""
    made = Client(server.url, hostname="full")
    yield made
    made.database.close()


def test_the_client_raises_a_clear_error_naming_maxmemory(client: Client, full: Redis) -> None:
    queue = client.queues["q"]
    queue.put("app.Job", {}, jid="running")
    job = queue.pop()
    assert job is not None
    full.config_set("maxmemory", 1)  # every byte is over
    with pytest.raises(ServerFullError, match="maxmemory") as info:
        queue.put("app.Job", {})
    assert "maxmemory" in info.value.raw
    assert queue.counts["running"] == 1
    assert job.complete() == "complete"
    assert client.jobs["running"].state == "complete"  # type: ignore[union-attr]


#: Read commands Python never sends (reqless._calls.NOT_OFFERED), so no sample
#: call holds their arguments.
UNSENT_READ_ARGS: dict[str, tuple[Arg, ...]] = {"queue.throttle.get": ("q",)}


def test_read_commands_never_write(core: Core, redis: Redis) -> None:
    """Every no-writes command runs through the read function on a busy database
    (the server refuses any write there), with the arguments of its `_calls` sample."""
    core("throttle.set", 0, "t", 1, 0)
    core.put(0, "a", "q", "tags", '["t"]', "throttles", '["t"]')
    core.put(0, "c", "q", "throttles", '["t"]')
    core.put(0, "b", "q", delay=5)
    core("queue.recurAtInterval", 0, "q", J, "K", "{}", 60, 0)
    core.pop(1, "q", limit=3)
    core("job.track", 1, "a")
    core.put(1, "f", "other")
    core.pop(1, "other")
    core("job.fail", 1, "f", "worker", "g", "boom", "{}")
    assert set(UNSENT_READ_ARGS) == READ_COMMANDS & set(NOT_OFFERED)
    runs = list(UNSENT_READ_ARGS.items())
    runs += [(call.command, call.args) for call in all_calls() if call.command in READ_COMMANDS]
    assert {command for command, _ in runs} == READ_COMMANDS
    name = load_script().library_name + "_read"
    runner = CoreRunner(redis)
    runner.load()
    replies = {command: str(redis.fcall(name, 0, command, 100, *args)) for command, args in runs}
    # The samples' arguments reach the data set up above, not only empty keys.
    assert J in replies["recurringJob.get"]
    held = replies["throttle.locks"] + replies["throttle.pending"]
    assert '"a"' in held and '"c"' in held
    assert '"a"' in replies["jobs.tagged"] and '"a"' in replies["jobs.tracked"]
    assert '"f"' in replies["jobs.failedByGroup"]


def test_each_function_refuses_the_commands_of_another_kind(core: Core, redis: Redis) -> None:
    runner = CoreRunner(redis)
    runner.load()
    name = load_script().library_name
    with pytest.raises(Exception, match=r"runs only reading commands, not queue\.pop"):
        redis.fcall(name + "_read", 0, "queue.pop", 0, "q", "w", 1)
    for command in sorted(ADDING_COMMANDS):
        with pytest.raises(Exception, match=re.escape(f"does not run {command}, which adds jobs")):
            redis.fcall(name + "_drain", 0, command, 0, "w", "q", "j", "K", "{}", 0)
    assert redis.fcall(name, 0, "queue.put", 0, "w", "q", "j", "K", "{}", 0) == "j"
