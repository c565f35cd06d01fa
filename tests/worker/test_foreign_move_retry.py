"""Another client's retry or move of a job running under a worker never runs it twice.

A retry from a client that does not hold the job is refused (LostLockError), so the
running copy finishes alone. A move takes the job away from its worker, which is
told at once on its channel and stops the running copy.
"""

from __future__ import annotations

import time

import pytest

from reqless.client import Client
from reqless.exceptions import LostLockError
from tests.worker.conftest import JobsModule, StartWorker, get_job, job_state, lines, wait_for


def _running(client: Client, jid: str, runs: str) -> None:
    wait_for(lambda: lines(runs) and job_state(client, jid) == "running", message="the job to run")


@pytest.mark.slow
def test_a_foreign_retry_is_refused_and_the_job_runs_once(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs, done = jobs_module.file("runs"), jobs_module.file("done")
    jid = client.queues["q"].put(jobs_module.klass, {"runs": runs, "done": done, "sleep": 3})
    worker = start_worker("-q", "q", "--workers", "2", "--name", "box")
    worker.wait_children(2)
    _running(client, jid, runs)

    with pytest.raises(LostLockError, match="another worker"):
        get_job(client, jid).retry()

    wait_for(lambda: job_state(client, jid) == "complete", message="the job to complete")
    assert len(lines(runs)) == 1, lines(runs)
    assert [line[0] for line in lines(done)] == [jid]
    assert get_job(client, jid).retries_left == 5
    assert "popped" in [entry["what"] for entry in get_job(client, jid).history]


@pytest.mark.slow
def test_a_foreign_move_stops_the_running_copy_at_once(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs, halted, done = (jobs_module.file(n) for n in ("runs", "halted", "done"))
    data = {"runs": runs, "halted": halted, "done": done, "sleep": 30}
    jid = client.queues["q"].put(jobs_module.klass, data)
    worker = start_worker("-q", "q", "--workers", "2", "--name", "box")
    worker.wait_children(2)
    _running(client, jid, runs)
    holder = get_job(client, jid).worker_name

    moved_at = time.monotonic()
    get_job(client, jid).move("elsewhere")

    wait_for(lambda: lines(halted), message="the running copy to stop")
    # The worker is told on its channel; without that it would run on for 30 s.
    assert time.monotonic() - moved_at < 8
    assert lines(halted) == [[jid, "JobHalted"]]
    assert lines(done) == []
    assert len(lines(runs)) == 1
    moved = get_job(client, jid)
    assert (moved.state, moved.queue_name, moved.worker_name) == ("waiting", "elsewhere", "")
    assert jid not in client.workers[holder]["jobs"]
    assert f"stopped job {jid}" in worker.stderr()
