"""Blocking pickup in the worker program: an idle worker starts a new job at once.

With `--interval 30` a polling worker would take up to 30 s to notice a job; the
blocking worker is woken by the put itself, in every mode and on any of its
queues, and by a scheduled job coming due.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from redis import Redis

from reqless.client import Client
from reqless.job import Job
from reqless.workers.base_worker import BaseWorker
from tests.worker.conftest import JobsModule, StartWorker, blocked_for_work, lines, wait_for

MODES = {
    "forking": ("--workers", "1"),
    "gevent": ("--workers", "1", "--greenlets", "3"),
}


def _started_after(runs: str, since: float) -> float:
    """Seconds from `since` to the first recorded start."""
    return float(lines(runs)[0][3]) - since


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(MODES))
def test_an_idle_worker_starts_a_put_job_at_once(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker, mode: str
) -> None:
    worker = start_worker("-q", "first", "-q", "second", "--interval", "30", *MODES[mode])
    worker.wait_children(1)
    wait_for(lambda: blocked_for_work(client), message="the worker to wait for work")
    for queue in ("second", "first"):
        runs = jobs_module.file(f"runs-{queue}")
        put_at = time.time()
        client.queues[queue].put(jobs_module.klass, {"runs": runs})
        wait_for(lambda runs=runs: lines(runs), message=f"the job in {queue} to start")  # type: ignore[misc]
        # Generous for a busy machine, and far below the 30 s a poll would take.
        assert _started_after(runs, put_at) < 5


@pytest.mark.slow
def test_a_scheduled_job_starts_when_it_comes_due(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    worker = start_worker("-q", "q", "--interval", "30", "--workers", "1")
    worker.wait_children(1)
    wait_for(lambda: blocked_for_work(client), message="the worker to wait for work")
    runs = jobs_module.file("runs")
    put_at = time.time()
    client.queues["q"].put(jobs_module.klass, {"runs": runs}, delay=2)
    wait_for(lambda: lines(runs), message="the scheduled job to start")
    assert 1.5 < _started_after(runs, put_at) < 7


@pytest.mark.slow
def test_a_gevent_child_takes_several_jobs_in_one_pop(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs = jobs_module.file("runs")
    jids = client.queues["q"].put_many(
        [{"klass": jobs_module.klass, "data": {"runs": runs, "sleep": 1}} for _ in range(3)]
    )
    start_worker("-q", "q", "--workers", "1", "--greenlets", "3")
    wait_for(lambda: len(lines(runs)) == 3, message="three jobs to start")
    starts = sorted(float(line[3]) for line in lines(runs))
    # All three run at once: popped together, not one per second.
    assert starts[-1] - starts[0] < 0.9
    assert sorted(line[0] for line in lines(runs)) == sorted(jids)


def test_a_serial_worker_completes_and_pops_in_one_call(
    client: Client, redis: Redis, tmp_path: Path
) -> None:
    from reqless.workers.serial_worker import SerialWorker

    queue = client.queues["q"]
    queue.put_many([{"klass": "tests.worker.test_pickup.Completes", "data": {}}] * 20)
    worker = SerialWorker(["q"], client, interval=0.2, sandbox=str(tmp_path / "sandbox"))
    redis.config_resetstat()
    stopper = threading.Thread(target=_stop_when_done, args=(worker, client))
    stopper.start()
    worker.run()
    stopper.join()
    assert client.queues["q"].counts["waiting"] == 0
    assert len(client.jobs.complete(0, 100)) == 20
    calls = redis.info("commandstats")["cmdstat_fcall"]["calls"]
    # One call per job, plus the first pop and the empty pops while stopping.
    assert calls < 20 + 10, calls


class Completes:
    """A job class for the test above: completes its job."""

    @staticmethod
    def process(job: Job) -> None:
        job.complete()


def _stop_when_done(worker: BaseWorker, client: Client) -> None:
    wait_for(lambda: len(client.jobs.complete(0, 100)) == 20, message="every job to complete")
    worker.stop()
