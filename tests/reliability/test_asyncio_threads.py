"""A plain handler under `--asyncio` runs in a thread that nothing can stop: when it
is told to stop (time limit, shutdown) and runs on, its child is killed after
`--kill-grace`, the parent settles the job, and the job never runs twice at once."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from redis import Redis

from reqless.client import Client
from reqless.job import Job
from reqless.server import LocalServer
from tests.patience import PATIENCE
from tests.reliability.harness import Fleet, wait_until
from tests.reliability.ledger import Ledger, executions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

#: A plain handler: `asyncio.to_thread` runs it.
RECORDED = "tests.reliability.ledger_jobs.Recorded"
ASYNCIO = ["--asyncio", "--concurrency", "2", "--kill-grace", "1"]


def job(client: Client, jid: str) -> Job:
    found = client.jobs[jid]
    assert isinstance(found, Job)
    return found


def starts(ledger: Ledger, jid: str) -> list[dict[str, object]]:
    return [e for e in ledger.entries() if e["event"] == "start" and e["jid"] == jid]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (not reaped yet) is dead
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_a_thread_past_its_time_limit_is_killed_with_its_child_and_failed(
    server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    client = Client(server.url, hostname="test")
    ledger = Ledger(tmp_path / "ledger.jsonl")
    fleet = Fleet(server.url, tmp_path, ["q"], workers=1, name="threads",
                  extra=["--timeout", "1", *ASYNCIO])  # fmt: skip
    fleet.start()
    try:
        [child] = fleet.wait_for_children(1)
        jid = client.queues["q"].put(RECORDED, {"ledger": str(ledger.path), "sleep": 30})
        wait_until(lambda: bool(starts(ledger, jid)), PATIENCE, "the job to start")
        # Killed at the limit plus the kill grace (1 + 1 s), not when the thread ends
        # (its job sleeps 30 s, and would then write its `end` line, checked below).
        wait_until(lambda: not alive(child), PATIENCE, "the child to be killed")
        assert time.time() < float(str(starts(ledger, jid)[0]["t"])) + 30
        wait_until(lambda: job(client, jid).state == "failed", PATIENCE, "the job to fail")
        failure = job(client, jid).failure
        assert failure["group"] == "q-TimeoutError", failure
        assert "time limit of 1 seconds" in failure["message"]
        # The parent failed it, as the dead child's worker, before anything else.
        whats = [entry["what"] for entry in job(client, jid).history]
        assert whats[-1] == "failed", whats
        wait_until(lambda: len(fleet.children()) == 1, PATIENCE, "a replacement child")
        time.sleep(0.5)
        assert len(executions(ledger.entries())[jid]) == 1
        assert not any(e["event"] == "end" for e in ledger.entries()), fleet.log_tail()
    finally:
        fleet.stop()
        client.database.close()


def test_a_thread_outliving_the_shutdown_is_killed_before_its_job_runs_again(
    server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    # TERM to the child running it: the child stops, its thread runs on, and the
    # other child pops the same queue. The job may run again only once the first
    # run is over (its process dead).
    client = Client(server.url, hostname="test")
    ledger = Ledger(tmp_path / "ledger.jsonl")
    fleet = Fleet(server.url, tmp_path, ["q"], workers=2, name="threads",
                  extra=["--shutdown-timeout", "0.5", *ASYNCIO])  # fmt: skip
    fleet.start()
    try:
        fleet.wait_for_children(2)
        jid = client.queues["q"].put(RECORDED, {"ledger": str(ledger.path), "sleep": 6})
        wait_until(lambda: bool(starts(ledger, jid)), PATIENCE, "the job to start")
        child = int(str(starts(ledger, jid)[0]["pid"]))
        os.kill(child, signal.SIGTERM)
        wait_until(lambda: len(starts(ledger, jid)) >= 2 or not alive(child), PATIENCE,
                   "a second run or the child's end")  # fmt: skip
        if len(starts(ledger, jid)) >= 2:
            assert not alive(child), "the job started again while its first run went on"
        wait_until(lambda: len(starts(ledger, jid)) >= 2, PATIENCE, "the job to run again")
        runs = executions(ledger.entries())[jid]
        assert runs[0].pid == child and runs[0].end is None, runs  # killed mid-sleep
        wait_until(lambda: job(client, jid).state == "complete", PATIENCE, "the job to complete")
        whats = [entry["what"] for entry in job(client, jid).history]
        assert "worker-died" in whats, whats
    finally:
        fleet.stop()
        client.database.close()
