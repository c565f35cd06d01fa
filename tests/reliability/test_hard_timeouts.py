"""Hard time limits (issue 20, item 1): a job that swallows every interruption is
killed with its process after `--kill-grace`, failed as a time-out by the parent,
and never runs twice at once; in every mode, on each server kind."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from redis import Redis

from reqless.client import Client
from reqless.job import Job
from reqless.server import LocalServer
from reqless.workers.serial_worker import SerialWorker
from tests.patience import PATIENCE
from tests.reliability.harness import Fleet, wait_until
from tests.reliability.ledger import Ledger, executions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

JOBS = "tests.reliability.ledger_jobs"
#: --timeout 1 --kill-grace 1: the job is killed 2 s after it started; 1 s of slack.
FAILED_WITHIN = 3.0

MODES = {
    "serial": ([], f"{JOBS}.Stubborn"),
    "gevent": (["--greenlets", "2"], f"{JOBS}.Stubborn"),
    "asyncio": (["--asyncio", "--concurrency", "2"], f"{JOBS}.AsyncStubborn"),
}


def job(client: Client, jid: str) -> Job:
    found = client.jobs[jid]
    assert isinstance(found, Job)
    return found


def started_at(ledger: Ledger, jid: str) -> float:
    wait_until(lambda: any(e["event"] == "start" and e["jid"] == jid for e in ledger.entries()),
               PATIENCE, f"job {jid} to start")  # fmt: skip
    return float(min(e["t"] for e in ledger.entries() if e["event"] == "start" and e["jid"] == jid))


def failed_at(client: Client, jid: str, timeout: float) -> float:
    wait_until(lambda: job(client, jid).state == "failed", timeout, f"job {jid} to fail")
    return time.time()


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_job_that_swallows_its_interruption_is_killed_and_failed_as_a_timeout(
    mode: str, server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    flags, klass = MODES[mode]
    client = Client(server.url, hostname="test")
    ledger = Ledger(tmp_path / "ledger.jsonl")
    extra = ["--timeout", "1", "--kill-grace", "1", *flags]
    fleet = Fleet(server.url, tmp_path, ["q"], workers=1, name="hard", extra=extra)
    fleet.start()
    try:
        [child] = fleet.wait_for_children(1)
        jid = client.queues["q"].put(klass, {"ledger": str(ledger.path), "sleep": 30})
        start = started_at(ledger, jid)
        done = failed_at(client, jid, PATIENCE)
        assert done - start < FAILED_WITHIN, fleet.log_tail()
        failure = job(client, jid).failure
        assert failure["group"] == "q-TimeoutError", failure
        assert "time limit of 1 seconds" in failure["message"]
        # Swallowed, so it was killed (no `end` line), with its process, and replaced.
        entries = ledger.entries()
        assert any(e["event"] == "swallowed" for e in entries), fleet.log_tail()
        assert not any(e["event"] == "end" for e in entries), fleet.log_tail()
        wait_until(lambda: child not in fleet.children() and len(fleet.children()) == 1, PATIENCE,
                   "a replacement child")  # fmt: skip
        # Never two runs at once: one run only, the job is failed for good.
        time.sleep(0.5)
        assert len(executions(ledger.entries())[jid]) == 1
        assert job(client, jid).state == "failed"
    finally:
        fleet.stop()
        client.database.close()


def test_a_job_class_timeout_attribute_sets_its_own_limit(
    server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    client = Client(server.url, hostname="test")
    ledger = Ledger(tmp_path / "ledger.jsonl")
    fleet = Fleet(server.url, tmp_path, ["q"], workers=1, name="own", extra=["--kill-grace", "1"])
    fleet.start()
    try:
        fleet.wait_for_children(1)
        klass = f"{JOBS}.StubbornForOneSecond"
        jid = client.queues["q"].put(klass, {"ledger": str(ledger.path), "sleep": 30})
        start = started_at(ledger, jid)
        assert failed_at(client, jid, PATIENCE) - start < FAILED_WITHIN, fleet.log_tail()
        assert job(client, jid).failure["group"] == "q-TimeoutError"
    finally:
        fleet.stop()
        client.database.close()


@pytest.mark.timeout(120, method="thread")
def test_an_in_process_serial_worker_fails_a_job_that_swallows_its_interruption(
    server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    # No parent to kill it: the worker fails the job itself at the kill grace, and
    # the code (which ends on its own after 4 s) is refused when it completes.
    client = Client(server.url, hostname="in-process")
    ledger = Ledger(tmp_path / "ledger.jsonl")
    worker = SerialWorker(["q"], client, interval=0.05, sandbox=str(tmp_path / "sandbox"),
                          job_timeout=1, kill_grace=1)  # fmt: skip
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        klass = f"{JOBS}.Stubborn"
        jid = client.queues["q"].put(klass, {"ledger": str(ledger.path), "sleep": 4})
        start = started_at(ledger, jid)
        assert failed_at(client, jid, PATIENCE) - start < FAILED_WITHIN
        assert job(client, jid).failure["group"] == "q-TimeoutError"
        wait_until(lambda: any(e["event"] == "end" for e in ledger.entries()), PATIENCE, "the end")
        time.sleep(0.3)
        assert len(executions(ledger.entries())[jid]) == 1
        assert job(client, jid).state == "failed"
    finally:
        worker.stop()
        thread.join(10)
        client.database.close()
