"""SerialWorker in this process: the worker runs in the main thread (it stops jobs
with SIGALRM), and each test's scenario drives it from a helper thread.

pytest-timeout's default method also uses SIGALRM, so these tests use its thread
method instead.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reqless.client import Client
from reqless.server import LocalServer
from reqless.workers.serial_worker import SerialWorker
from tests.worker.conftest import JobsModule, get_job, job_data, job_state, lines, wait_for

pytestmark = pytest.mark.timeout(120, method="thread")


def make_worker(
    client: Client, tmp_path: Path, queues: list[str] | None = None, **kwargs: Any
) -> SerialWorker:
    """A SerialWorker polling every 50ms with its sandbox in `tmp_path/sandbox`."""
    options: dict[str, Any] = {
        "interval": 0.05,
        "sandbox": str(tmp_path / "sandbox"),
        "shutdown_timeout": 5,
        **kwargs,
    }
    return SerialWorker(queues or ["q"], client, **options)


def run_worker(worker: SerialWorker, scenario: Callable[[], None], timeout: float = 25) -> None:
    """Run `worker` here until `scenario` (in a thread) returns; re-raise its failure."""
    failures: list[BaseException] = []

    def drive() -> None:
        try:
            scenario()
        except BaseException as exc:
            failures.append(exc)
        finally:
            worker.stop()

    thread = threading.Thread(target=drive, name="scenario", daemon=True)
    watchdog = threading.Timer(timeout, worker.stop)
    watchdog.daemon = True
    thread.start()
    watchdog.start()
    try:
        worker.run()
    finally:
        watchdog.cancel()
        thread.join(timeout)
    if failures:
        raise failures[0]


def states(client: Client, jids: list[str], state: str) -> bool:
    """True when every job is in `state`."""
    return all(job_state(client, jid) == state for jid in jids)


def test_runs_a_job_end_to_end(client: Client, jobs_module: JobsModule, tmp_path: Path) -> None:
    done = jobs_module.file("done")
    jid = client.queues["q"].put(jobs_module.klass, {"record": True, "done": done})
    worker = make_worker(client, tmp_path)

    run_worker(worker, lambda: wait_for(lambda: states(client, [jid], "complete")))

    sandbox = str(tmp_path / "sandbox")
    recorded = job_data(client, jid)["recorded"]
    assert recorded["sandbox"] == sandbox
    assert recorded["worker"] == "test-worker"
    assert [line[:2] for line in lines(done)] == [[jid, "v1"]]


def test_the_sandbox_is_emptied_before_and_after_each_job(
    client: Client, jobs_module: JobsModule, tmp_path: Path
) -> None:
    sandbox = tmp_path / "sandbox"
    (sandbox / "old-dir").mkdir(parents=True)
    (sandbox / "old-dir" / "old-file").write_text("from an earlier job")
    (sandbox / "stale.txt").write_text("stale")
    jids = [client.queues["q"].put(jobs_module.klass, {"record": True}) for _ in range(2)]
    worker = make_worker(client, tmp_path)

    run_worker(worker, lambda: wait_for(lambda: states(client, jids, "complete")))

    for jid in jids:
        # Each job left scratch.txt behind; the next one still found nothing.
        assert job_data(client, jid)["recorded"]["listing"] == []
    assert list(sandbox.iterdir()) == []


@pytest.mark.parametrize(
    ("round_robin", "expected"),
    [(False, ["a", "a", "b", "b", "c", "c"]), (True, ["a", "b", "c", "a", "b", "c"])],
    ids=["ordered", "round-robin"],
)
def test_popping_order_across_queues(
    client: Client,
    jobs_module: JobsModule,
    tmp_path: Path,
    round_robin: bool,
    expected: list[str],
) -> None:
    runs = jobs_module.file("runs")
    queue_of = {}
    for name in ("c", "b", "a"):
        for _ in range(2):
            queue_of[client.queues[name].put(jobs_module.klass, {"runs": runs})] = name
    worker = make_worker(client, tmp_path, ["a", "b", "c"], round_robin=round_robin)

    run_worker(worker, lambda: wait_for(lambda: states(client, list(queue_of), "complete")))

    assert [queue_of[line[0]] for line in lines(runs)] == expected


def test_resume_runs_the_jobs_this_worker_still_holds_first(
    client: Client, server: LocalServer, jobs_module: JobsModule, tmp_path: Path
) -> None:
    runs = jobs_module.file("runs")
    queue = client.queues["q"]
    mine = queue.put(jobs_module.klass, {"runs": runs}, priority=5)
    theirs = queue.put(jobs_module.klass, {"runs": runs}, priority=4)
    held = queue.pop()  # popped as test-worker: a lock this worker name still holds
    assert held is not None and held.jid == mine
    other = Client(server.url, hostname="someone-else")
    taken = other.queues["q"].pop()
    assert taken is not None and taken.jid == theirs
    waiting = queue.put(jobs_module.klass, {"runs": runs})
    worker = make_worker(client, tmp_path, resume=True)
    assert [job.jid for job in worker.resume] == [mine]

    run_worker(worker, lambda: wait_for(lambda: states(client, [mine, waiting], "complete")))

    assert [line[0] for line in lines(runs)] == [mine, waiting]
    assert job_state(client, theirs) == "running"
    other.database.close()


@pytest.mark.slow
def test_jobs_are_heartbeated_so_a_long_job_keeps_its_lock(
    client: Client, server: LocalServer, jobs_module: JobsModule, tmp_path: Path
) -> None:
    client.config["heartbeat"] = 2
    client.config["grace-period"] = 0
    runs = jobs_module.file("runs")
    jid = client.queues["q"].put(jobs_module.klass, {"runs": runs, "sleep": 6})
    thief = Client(server.url, hostname="thief")
    stolen: list[str] = []

    def scenario() -> None:
        wait_for(lambda: lines(runs), message="the job to start")
        # Another worker pops all along: it would get the job if its lock expired.
        while job_state(client, jid) != "complete":
            job = thief.queues["q"].pop()
            if job is not None:
                stolen.append(job.jid)
            time.sleep(0.2)

    run_worker(make_worker(client, tmp_path), scenario)

    assert stolen == []
    assert len(lines(runs)) == 1
    job = get_job(client, jid)
    assert [entry["what"] for entry in job.history] == ["put", "popped", "done"]
    thief.database.close()


def test_a_job_over_the_hard_timeout_is_stopped_and_failed(
    client: Client, jobs_module: JobsModule, tmp_path: Path
) -> None:
    halted = jobs_module.file("halted")
    slow = client.queues["q"].put(jobs_module.klass, {"sleep": 20, "halted": halted})
    quick = client.queues["q"].put(jobs_module.klass, {}, priority=-1)
    worker = make_worker(client, tmp_path, job_timeout=1)
    started = time.monotonic()

    run_worker(worker, lambda: wait_for(lambda: states(client, [quick], "complete")))

    assert time.monotonic() - started < 10
    job = get_job(client, slow)
    assert job.state == "failed"
    assert job.failure["group"] == "q-TimeoutError"
    assert "time limit of 1 seconds" in job.failure["message"]
    assert lines(halted) == [[slow, "JobHalted"]]


def test_a_cancelled_running_job_is_stopped_and_the_worker_carries_on(
    client: Client, jobs_module: JobsModule, tmp_path: Path
) -> None:
    runs, halted, done = (jobs_module.file(name) for name in ("runs", "halted", "done"))
    data = {"runs": runs, "halted": halted, "done": done}
    jid = client.queues["q"].put(jobs_module.klass, {**data, "sleep": 20})
    after: list[str] = []

    def scenario() -> None:
        wait_for(lambda: lines(runs), message="the job to start")
        client.jobs.get(jid)[0].cancel()
        cancelled = time.monotonic()
        wait_for(lambda: lines(halted), message="the job to be stopped")
        assert time.monotonic() - cancelled < 3
        after.append(client.queues["q"].put(jobs_module.klass, data))
        wait_for(lambda: states(client, after, "complete"), message="the next job")

    run_worker(make_worker(client, tmp_path), scenario)

    assert lines(halted) == [[jid, "JobHalted"]]
    assert [line[0] for line in lines(done)] == after
    assert client.jobs[jid] is None


def test_a_running_job_moved_to_another_queue_is_stopped(
    client: Client, server: LocalServer, jobs_module: JobsModule, tmp_path: Path
) -> None:
    runs, halted = jobs_module.file("runs"), jobs_module.file("halted")
    data = {"runs": runs, "halted": halted, "sleep": 20}
    jid = client.queues["q"].put(jobs_module.klass, data)
    mover = Client(server.url, hostname="mover")

    def scenario() -> None:
        wait_for(lambda: lines(runs), message="the job to start")
        mover.queues["elsewhere"].put(jobs_module.klass, data, jid=jid, replace=True)
        wait_for(lambda: lines(halted), message="the job to be stopped")

    run_worker(make_worker(client, tmp_path), scenario)

    assert lines(halted) == [[jid, "JobHalted"]]
    job = get_job(client, jid)
    assert (job.queue_name, job.state) == ("elsewhere", "waiting")
    mover.database.close()


def test_a_changed_job_module_is_imported_again_once(
    client: Client, jobs_module: JobsModule, tmp_path: Path
) -> None:
    done = jobs_module.file("done")
    queue = client.queues["q"]

    def scenario() -> None:
        first = queue.put(jobs_module.klass, {"done": done})
        wait_for(lambda: states(client, [first], "complete"), message="the first job")
        jobs_module.set_version("v22")
        later = [queue.put(jobs_module.klass, {"done": done}) for _ in range(3)]
        wait_for(lambda: states(client, later, "complete"), message="the later jobs")

    run_worker(make_worker(client, tmp_path), scenario)

    assert [line[1] for line in lines(done)] == ["v1", "v22", "v22", "v22"]
    assert jobs_module.loads.read_text().split() == ["v1", "v22"]


def test_a_stale_lock_lost_notice_does_not_stop_a_job_that_is_still_ours(
    client: Client, jobs_module: JobsModule, tmp_path: Path
) -> None:
    # The core tells a worker it lost a job before handing the job out again, and
    # may hand it straight back to the same worker name (a replaced child does
    # that): the notice then arrives while the new run goes on.
    runs, halted, done = (jobs_module.file(name) for name in ("runs", "halted", "done"))
    jid = client.queues["q"].put(
        jobs_module.klass, {"runs": runs, "halted": halted, "done": done, "sleep": 1.5}
    )
    notice = json.dumps({"jid": jid, "event": "lock_lost", "worker": "test-worker"})

    def scenario() -> None:
        wait_for(lambda: lines(runs), message="the job to start")
        client.database.publish("ql:w:test-worker", notice)
        wait_for(lambda: states(client, [jid], "complete"), message="the job to complete")

    run_worker(make_worker(client, tmp_path), scenario)

    assert lines(halted) == []
    assert [line[0] for line in lines(done)] == [jid]


def test_a_job_whose_lock_is_taken_away_is_stopped(
    client: Client, jobs_module: JobsModule, tmp_path: Path
) -> None:
    runs, halted = jobs_module.file("runs"), jobs_module.file("halted")
    jid = client.queues["q"].put(jobs_module.klass, {"runs": runs, "halted": halted, "sleep": 20})

    def scenario() -> None:
        wait_for(lambda: lines(runs), message="the job to start")
        client.queues["q"].pause()  # so that the worker does not pop the job again
        get_job(client, jid).timeout()  # as if its lock had expired
        wait_for(lambda: lines(halted), message="the job to be stopped")

    run_worker(make_worker(client, tmp_path), scenario)

    assert lines(halted) == [[jid, "JobHalted"]]
    assert job_state(client, jid) == "stalled"
