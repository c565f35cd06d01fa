"""The parent keeps every slot supervised: a child killed after it was up is
replaced at once, a slot that fails at start-up backs off alone, and the parent
answers signals during a back-off."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from reqless.client import Client
from tests.worker.conftest import (
    JobsModule,
    StartWorker,
    WorkerProcess,
    is_up,
    job_state,
    lines,
    wait_for,
)


def replaced(worker: WorkerProcess, gone: int, count: int) -> list[int]:
    """Wait until `count` children live and `gone` is not among them; returns them.

    Whether the replacement came at once or after a back-off is told by the log
    ("restarting it in ..."), which the tests check: starting a child can take
    seconds on a loaded machine, so its time says little.
    """
    found: list[int] = wait_for(
        lambda: len(kids := worker.children()) == count and gone not in kids and kids,
        message=f"a replacement for child {gone} ({worker.stderr()[-2000:]})",
    )
    return found


def test_a_child_killed_after_running_jobs_is_replaced_at_once(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs = jobs_module.file("runs")
    worker = start_worker("-q", "q", "--workers", "1")
    [child] = worker.wait_children(1)
    # Each child runs a job and is killed soon after it started: none of that is
    # a failure at start-up, so no restart waits.
    for round in range(4):
        jid = client.queues["q"].put(jobs_module.klass, {"runs": runs})
        wait_for(lambda: job_state(client, jid) == "complete", message=f"job {round}")  # noqa: B023
        assert int(lines(runs)[-1][1]) == child
        os.kill(child, signal.SIGKILL)
        [child] = replaced(worker, child, 1)
    assert "restarting it in" not in worker.stderr()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_slot_failing_at_start_up_backs_off_alone_and_term_is_answered_at_once(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker, tmp_path: Path
) -> None:
    # Slot 1's sandbox cannot be made, so its child dies before it is up, every time.
    root = tmp_path / "work" / "reqless-py-workers"
    root.mkdir(parents=True)
    (root / "sandbox-1").write_text("a file where slot 1's directory should be")
    worker = start_worker("-q", "q", "--workers", "2", "--shutdown-timeout", "1")
    pattern = re.compile(r"slot 1 failed .*restarting (it )?in 8\.0s")
    # The back-off grows 0.5, 1, 2, 4, 8 seconds; wait for the long one.
    wait_for(lambda: pattern.search(worker.stderr()), message="slot 1 to back off for 8 seconds")

    # Meanwhile slot 0 works and is replaced at once.
    [child] = wait_for(lambda: (kids := worker.children()) and len(kids) == 1 and kids)
    runs = jobs_module.file("runs")
    jid = client.queues["q"].put(jobs_module.klass, {"runs": runs})
    wait_for(lambda: job_state(client, jid) == "complete", message="slot 0 to run a job")
    os.kill(child, signal.SIGKILL)
    replaced(worker, child, 1)

    # And TERM is answered at once, not when slot 1's back-off ends.
    stopping = time.monotonic()
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0
    assert time.monotonic() - stopping < 1 + 5
    assert re.findall(r"slot 0 failed", worker.stderr()) == []


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_killing_children_repeatedly_while_jobs_run_still_completes_the_jobs(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    client.config["heartbeat"] = 2  # a killed child's job comes back 2 s later
    client.config["grace-period"] = 0
    data = {"runs": jobs_module.file("runs"), "sleep": 0.3}
    jids = [client.queues["q"].put(jobs_module.klass, data, retries=50) for _ in range(20)]
    worker = start_worker("-q", "q", "--workers", "2")
    children = worker.wait_children(2)

    ending = time.monotonic() + 8
    kills = 0
    while time.monotonic() < ending:
        # Only a child that is up: one killed while starting is a start-up failure.
        wait_for(lambda: all(is_up(pid) for pid in children), message="children that are up")  # noqa: B023
        victim = children[kills % 2]
        os.kill(victim, signal.SIGKILL)
        kills += 1
        children = replaced(worker, victim, 2)
        time.sleep(0.5)

    wait_for(lambda: all(job_state(client, jid) == "complete" for jid in jids), message="every job")
    assert kills >= 4
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0
