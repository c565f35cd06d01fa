"""A worker killed with SIGKILL while it runs a unique job (issue 23, item 2): the
key stays held while the job's lock lives and after, and is released in the very
core call that ends the job for good (lock expiry with no retry left: failed)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer
from tests.patience import PATIENCE
from tests.reliability.harness import Fleet, wait_until
from tests.reliability.ledger import Ledger

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

JOBS = "tests.reliability.ledger_jobs"


def test_a_killed_workers_unique_job_holds_its_key_until_it_fails(
    server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    client = Client(server.url, hostname="test")
    client.config["heartbeat"] = 2
    client.config["grace-period"] = 0
    ledger = Ledger(tmp_path / "ledger.jsonl")
    fleet = Fleet(server.url, tmp_path, ["q"], workers=1, name="killed")
    fleet.start()
    try:
        fleet.wait_for_children(1)
        data = {"ledger": str(ledger.path), "sleep": 60}
        jid = client.queues["q"].put(f"{JOBS}.Recorded", data, retries=0, unique="invoice:42")
        wait_until(lambda: any(e["event"] == "start" for e in ledger.entries()), PATIENCE, "start")
    finally:
        fleet.stop()  # SIGKILL to the whole program: nobody hands the job back
    job = client.jobs.get_job(jid)
    assert job.state == "running"
    # While its lock lives the key is held: another put with it puts nothing.
    assert client.queues["q"].put(f"{JOBS}.Recorded", data, unique="invoice:42") == jid
    assert client.jobs.unique_holder("invoice:42") == jid
    # Past the deadline nothing has ended the job yet: still held.
    wait_until(lambda: time.time() > client.jobs.get_job(jid).expires_at + 0.2, 10, "expiry")
    assert client.jobs.get_job(jid).state == "running"
    assert redis.get("ql:u:invoice:42") == jid
    # The pop that finds the expired lock fails the job and frees the key in one call.
    assert client.queues["q"].pop() is None
    assert client.jobs.get_job(jid).state == "failed"
    assert redis.get("ql:u:invoice:42") is None
    assert client.queues["q"].put(f"{JOBS}.Recorded", data, unique="invoice:42") != jid
