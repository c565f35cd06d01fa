"""A dead child's job is handed back at once (issue 20, item 2): killed with
SIGKILL, `os._exit(3)` or a segfault mid-job, its job is back in its queue
within a second, with the reason in its history, not after its lock expires."""

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
from reqless.workers.handback import HISTORY_EVENT
from tests.patience import PATIENCE
from tests.reliability.harness import Fleet, wait_until
from tests.reliability.ledger import Ledger

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

JOBS = "tests.reliability.ledger_jobs"
#: The promise: back in the queue this soon after the child died.
BACK_WITHIN = 1.0

DEATHS = {
    "kill9": "child killed by signal 9 (SIGKILL)",
    "exit3": "child exited with status 3",
    "segfault": "child killed by signal 11 (SIGSEGV)",
}


def job(client: Client, jid: str) -> Job:
    found = client.jobs[jid]
    assert isinstance(found, Job)
    return found


def entry(ledger: Ledger, event: str, jid: str) -> dict[str, object]:
    wait_until(lambda: any(e["event"] == event and e["jid"] == jid for e in ledger.entries()),
               PATIENCE, f"{event} of {jid}")  # fmt: skip
    return next(e for e in ledger.entries() if e["event"] == event and e["jid"] == jid)


def handed_back(client: Client, jid: str) -> float:
    """Poll until the job was handed back; returns when that was seen.

    The parent notes why (`worker-died`) in the job's history, then retries it in a
    call of its own: the job is back once that retry took it out of `running` (or
    it was popped again since).
    """
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        found = job(client, jid)
        whats = [item["what"] for item in found.history]
        if HISTORY_EVENT in whats and (
            found.state != "running" or "popped" in whats[whats.index(HISTORY_EVENT) :]
        ):
            return time.time()
        time.sleep(0.01)
    raise AssertionError(f"job {jid} was not handed back")


@pytest.mark.parametrize("how", sorted(DEATHS))
def test_a_dead_childs_job_is_back_in_its_queue_at_once(
    how: str, server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    client = Client(server.url, hostname="test")
    ledger = Ledger(tmp_path / "ledger.jsonl")
    fleet = Fleet(server.url, tmp_path, ["q"], workers=1, name="dies")
    fleet.start()
    try:
        [child] = fleet.wait_for_children(1)
        if how == "kill9":
            data = {"ledger": str(ledger.path), "sleep": 30}
            jid = client.queues["q"].put(f"{JOBS}.Recorded", data, retries=3)
            entry(ledger, "start", jid)
            died = time.time()
            os.kill(child, signal.SIGKILL)
        else:
            data = {"ledger": str(ledger.path), "how": how, "sleep": 0.2}
            jid = client.queues["q"].put(f"{JOBS}.Dying", data, retries=3)
            died = float(entry(ledger, "dying", jid)["t"])  # type: ignore[arg-type]
        back = handed_back(client, jid) - died
        print(f"\n{how}: job back in its queue {back * 1000:.0f} ms after the child died")
        assert back < BACK_WITHIN, fleet.log_tail()
        found = job(client, jid)
        [died_entry] = [item for item in found.history if item["what"] == HISTORY_EVENT]
        assert died_entry["reason"] == DEATHS[how]
        assert died_entry["worker"] == "dies-0"
        assert found.retries_left == 2, found.history  # one retry used up
        assert found.failure["group"] == "q-WorkerDied"
        assert DEATHS[how] in found.failure["message"]
        wait_until(lambda: child not in fleet.children() and len(fleet.children()) == 1, PATIENCE,
                   "a replacement child")  # fmt: skip
    finally:
        fleet.stop()
        client.database.close()


def test_a_dead_childs_job_with_no_retry_left_fails_as_worker_died(
    server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    client = Client(server.url, hostname="test")
    ledger = Ledger(tmp_path / "ledger.jsonl")
    fleet = Fleet(server.url, tmp_path, ["q"], workers=1, name="dies")
    fleet.start()
    try:
        fleet.wait_for_children(1)
        data = {"ledger": str(ledger.path), "how": "exit3", "sleep": 0.1}
        jid = client.queues["q"].put(f"{JOBS}.Dying", data, retries=0)
        died = float(entry(ledger, "dying", jid)["t"])  # type: ignore[arg-type]
        wait_until(lambda: job(client, jid).state == "failed", PATIENCE, "the job to fail")
        assert time.time() - died < BACK_WITHIN + 1
        found = job(client, jid)
        assert found.failure["group"] == "q-WorkerDied"
        assert "child exited with status 3" in found.failure["message"]
        # Why it went back is written before anything the retry does to it.
        whats = [item["what"] for item in found.history]
        assert whats[-2:] == [HISTORY_EVENT, "failed-retries"], whats
    finally:
        fleet.stop()
        client.database.close()
