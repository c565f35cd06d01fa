"""A job stopped for its time limit is retried, not failed, when a retry policy
handles a TimeoutError: the worker's `--retry-policy` for its queue, or the
`@reqless.retry(TimeoutError, delay=...)` on its handler. Whoever settles it (the
child that stopped it, or the parent that killed a child whose job did not stop)
retries it with the policy's delay and the reason in its history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.job import Job
from reqless.job_retry import RETRY_EVENT
from reqless.server import LocalServer
from tests.patience import PATIENCE
from tests.reliability.harness import Fleet, wait_until
from tests.reliability.ledger import Ledger

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

JOBS = "tests.reliability.ledger_jobs"
LIMITS = ["--timeout", "1", "--kill-grace", "1"]
POLICY = ["--retry-policy", "q", "delay=30"]

#: mode -> (options, job class). `Recorded` stops when told to (the child settles
#: it); `Stubborn` swallows the interruption and a plain handler under --asyncio
#: runs in a thread that cannot be stopped (the parent kills the child and settles).
MODES = {
    "serial": ([], f"{JOBS}.Recorded"),
    "serial-killed": ([], f"{JOBS}.Stubborn"),
    "gevent": (["--greenlets", "2"], f"{JOBS}.Recorded"),
    "asyncio-thread-killed": (["--asyncio", "--concurrency", "2"], f"{JOBS}.Recorded"),
}


def job(client: Client, jid: str) -> Job:
    found = client.jobs[jid]
    assert isinstance(found, Job)
    return found


def run_past_the_limit(
    server: LocalServer, tmp_path: Path, klass: str, extra: list[str], retries: int
) -> tuple[Job, Fleet]:
    """Put one job of `klass` that runs 30 s; returns it once it is no longer running."""
    client = Client(server.url, hostname="test")
    ledger = Ledger(tmp_path / "ledger.jsonl")
    fleet = Fleet(server.url, tmp_path, ["q"], workers=1, name="limits", extra=[*LIMITS, *extra])
    fleet.start()
    try:
        fleet.wait_for_children(1)
        data = {"ledger": str(ledger.path), "sleep": 30}
        jid = client.queues["q"].put(klass, data, retries=retries)
        wait_until(lambda: job(client, jid).state not in ("waiting", "running"), PATIENCE,
                   "the job to be settled")  # fmt: skip
        return job(client, jid), fleet
    except BaseException:
        fleet.stop()
        raise
    finally:
        client.database.close()


def retrying_entries(found: Job) -> list[dict[str, Any]]:
    return [entry for entry in found.history if entry["what"] == RETRY_EVENT]


def assert_retried_on_timeout(found: Job, log: str) -> None:
    assert found.state == "scheduled", log
    assert found.retries_left == 2  # one of 3 used
    assert found.failure["group"] == "q-TimeoutError", found.failure
    assert "time limit of 1 seconds" in found.failure["message"]
    [entry] = retrying_entries(found)
    assert entry["group"] == "q-TimeoutError" and entry["retry"] == 1, entry
    assert entry["delay"] == 30 and entry["retries"] == 3, entry
    assert "TimeoutError: Job exceeded its time limit" in entry["message"]


@pytest.mark.parametrize("mode", sorted(MODES))
def test_the_queues_retry_policy_retries_a_timed_out_job(
    mode: str, server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    flags, klass = MODES[mode]
    found, fleet = run_past_the_limit(server, tmp_path, klass, [*POLICY, *flags], retries=3)
    try:
        assert_retried_on_timeout(found, fleet.log_tail())
    finally:
        fleet.stop()


@pytest.mark.parametrize("flags", [[], ["--asyncio"]], ids=["serial", "asyncio-thread-killed"])
def test_a_handlers_retry_decorator_retries_its_timed_out_job(
    flags: list[str], server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    klass = f"{JOBS}.RetriedOnTimeout"
    found, fleet = run_past_the_limit(server, tmp_path, klass, flags, retries=3)
    try:
        assert_retried_on_timeout(found, fleet.log_tail())
    finally:
        fleet.stop()


@pytest.mark.parametrize("klass", ["Recorded", "Stubborn"])
def test_a_timed_out_job_out_of_retries_fails_as_a_timeout(
    klass: str, server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    found, fleet = run_past_the_limit(server, tmp_path, f"{JOBS}.{klass}", POLICY, retries=0)
    try:
        assert found.state == "failed", fleet.log_tail()
        assert found.failure["group"] == "q-TimeoutError", found.failure
        assert not retrying_entries(found)
        assert [entry["what"] for entry in found.history][-1] == "failed-retries"
    finally:
        fleet.stop()


def test_without_a_policy_a_timed_out_job_is_failed(
    server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    found, fleet = run_past_the_limit(server, tmp_path, f"{JOBS}.Recorded", [], retries=3)
    try:
        assert found.state == "failed", fleet.log_tail()
        assert found.failure["group"] == "q-TimeoutError"
        assert found.retries_left == 3 and not retrying_entries(found)
    finally:
        fleet.stop()
