"""Waiting for jobs at scale (issue 25): `jobs.wait` from 100 concurrent asyncio waiters
on 100 jobs a worker program finishes, and the edges of a wait.

The waiters' client sends its core calls as EVALSHA (the script form) while the
worker program and the test's own client use FCALL, so `INFO commandstats` counts
the waiters' core calls apart from everybody else's: that is how the tests check
that nobody polls.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from reqless.aio import AsyncClient
from reqless.client import Client
from reqless.exceptions import CoreError, WaitTimeoutError
from reqless.server import LocalServer
from tests.helpers import snapshot
from tests.patience import PATIENCE
from tests.reliability.harness import Fleet

ANSWER = "tests.aio.wait_jobs.Answer"
#: The queue the worker program serves, and one it does not.
QUEUE, HELD = "answers", "held"
WAITERS = 100
#: Jobs that raise (the worker fails them), and jobs canceled while waited for.
FAILING, CANCELED = frozenset({17, 61}), frozenset({5, 88})


def core_calls(redis: Redis) -> dict[str, int]:
    """Calls so far of the commands waiters and workers send."""
    stats = redis.info("commandstats")
    return {name: int(stats.get(f"cmdstat_{name}", {}).get("calls", 0))
            for name in ("evalsha", "fcall", "blpop")}  # fmt: skip


async def until(check: Callable[[], bool], what: str) -> None:
    """Await `check` without blocking the waiters' event loop."""
    deadline = time.monotonic() + PATIENCE
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {PATIENCE}s waiting for {what}")
        await asyncio.sleep(0.05)


async def waiting_client(server: LocalServer) -> AsyncClient:
    """An async client whose core calls are EVALSHA, the script already loaded."""
    client = AsyncClient(server.url, hostname="waiters")
    # The script form runs the same core; only the command's name differs, which
    # is what sets the waiters' calls apart in INFO commandstats.
    client._runner.mode = "script"
    await client.jobs.get("no-such-job")
    return client


def put_answers(control: Client) -> dict[int, str]:
    """Put the 100 jobs: n -> jid. Canceled ones wait in a queue nobody serves."""
    return {
        n: control.queues[HELD if n in CANCELED else QUEUE].put(
            ANSWER, {"n": n, "fail": n in FAILING}, retries=0
        )
        for n in range(WAITERS)
    }


@pytest.mark.slow
def test_a_hundred_waiters_each_get_their_own_outcome_once(
    server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    control = Client(server.url, hostname="control")
    fleet = Fleet(server.url, tmp_path, [QUEUE], workers=2, name="answers")
    jids = put_answers(control)

    async def main() -> tuple[list[Any], dict[str, int], dict[str, int], dict[str, int]]:
        waiters = await waiting_client(server)
        try:
            before = core_calls(redis)
            tasks = [asyncio.create_task(waiters.jobs.wait(jids[n], timeout=PATIENCE))
                     for n in range(WAITERS)]  # fmt: skip
            await until(lambda: int(redis.info("clients")["blocked_clients"]) >= WAITERS,
                        "every waiter to block")  # fmt: skip
            blocked = core_calls(redis)
            await asyncio.sleep(1.0)
            idle = core_calls(redis)
            for n in CANCELED:
                control.jobs.get_job(jids[n]).cancel()
            fleet.start()
            outcomes = await asyncio.gather(*tasks)
            return outcomes, before, blocked, {**idle, "after": core_calls(redis)["evalsha"]}
        finally:
            await waiters.aclose()

    try:
        outcomes, before, blocked, idle = asyncio.run(main())
    finally:
        fleet.stop()
        control.database.close()
    # One job.wait per waiter, then nothing at all while they block: nobody polls.
    assert blocked["evalsha"] - before["evalsha"] == WAITERS
    assert {name: idle[name] for name in blocked} == blocked
    # Once woken, each waiter made one more core call (job.get): two in all.
    assert idle["after"] - before["evalsha"] == 2 * WAITERS
    for n, outcome in enumerate(outcomes):
        assert outcome.jid == jids[n]
        if n in CANCELED:
            assert (outcome.state, outcome.job, outcome.result) == ("canceled", None, None)
        elif n in FAILING:
            assert outcome.state == "failed" and outcome.result is None
            assert "NoAnswer" in outcome.failure["group"], outcome.failure
            assert f"no answer for {n}" in outcome.failure["message"]
        else:
            assert outcome.state == "complete" and outcome.failure is None
            assert outcome.result == {"jid": jids[n], "n": n, "square": n * n}
    # Each job pushed one token for its one waiter, and that waiter took it.
    assert redis.keys("*-done") == []


def test_a_job_finishing_between_wait_and_blpop_is_still_seen(
    server: LocalServer, redis: Redis
) -> None:
    control = Client(server.url, hostname="control")
    try:
        jid = control.queues[QUEUE].put(ANSWER, {"n": 3})
        # The first half of a wait, by hand: the job is not finished yet.
        begun = json.loads(control("job.wait", jid))
        assert begun["state"] == "waiting" and begun["wake"]
        job = control.queues[QUEUE].pop()
        assert job is not None and job.jid == jid
        job.complete(result={"early": True})
        began = time.monotonic()
        token = redis.blpop([begun["wake"]], timeout=5)
        assert token == (begun["wake"], "complete")
        assert time.monotonic() - began < 1.0  # the token was there already
    finally:
        control.database.close()

    async def main() -> Any:
        waiters = await waiting_client(server)
        try:
            return await waiters.jobs.wait(jid, timeout=5)
        finally:
            await waiters.aclose()

    # A wait begun after the job finished returns at once, with its result.
    outcome = asyncio.run(main())
    assert (outcome.state, outcome.result) == ("complete", {"early": True})


def test_waiting_on_an_unknown_jid_is_a_clear_error_that_writes_nothing(
    server: LocalServer, redis: Redis
) -> None:
    before = snapshot(redis)

    async def main() -> None:
        waiters = await waiting_client(server)
        try:
            with pytest.raises(CoreError, match=r"^Wait\(\): Job no-such-jid does not exist$"):
                await waiters.jobs.wait("no-such-jid", timeout=1)
        finally:
            await waiters.aclose()

    asyncio.run(main())
    assert snapshot(redis) == before


def test_a_waiter_times_out_cleanly_when_nothing_finishes(
    server: LocalServer, redis: Redis
) -> None:
    control = Client(server.url, hostname="control")
    jid = control.queues[HELD].put(ANSWER, {"n": 1})

    async def main() -> tuple[WaitTimeoutError, float, dict[str, int], Any]:
        waiters = await waiting_client(server)
        try:
            before = core_calls(redis)
            began = time.monotonic()
            with pytest.raises(WaitTimeoutError) as caught:
                await waiters.jobs.wait(jid, timeout=0.5)
            took = time.monotonic() - began
            calls = {name: core_calls(redis)[name] - before[name] for name in before}
            # The client goes on working after a time-out.
            return caught.value, took, calls, await waiters.jobs.get(jid)
        finally:
            await waiters.aclose()

    try:
        error, took, calls, after = asyncio.run(main())
        assert 0.5 <= took < 2.0, took
        assert (error.jid, error.timeout, error.state) == (jid, 0.5, "waiting")
        assert str(error) == f"job {jid} did not finish within 0.5 s (it is waiting)"
        assert [job.state for job in after] == ["waiting"]
        # One job.wait and one BLPOP: the wait neither polled nor fetched the job.
        assert (calls["evalsha"], calls["blpop"]) == (1, 1)
        # When the job finishes later, the token nobody took expires on its own.
        job = control.queues[HELD].pop()
        assert job is not None
        job.complete()
        [done] = redis.keys("*-done")
        assert redis.ttl(done) > 0
    finally:
        control.database.close()
