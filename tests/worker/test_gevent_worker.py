"""Gevent mode: `reqless-py-worker --greenlets N` in real processes (the program
monkey-patches before importing anything, which a test process cannot do)."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from reqless.client import Client
from reqless.server import LocalServer
from tests.worker.conftest import (
    JobsModule,
    StartWorker,
    cmdline,
    get_job,
    is_empty_dir,
    job_data,
    job_state,
    lines,
    wait_for,
)

pytest.importorskip("gevent")


def completed(client: Client, *jids: str) -> bool:
    """True when every job is complete."""
    return all(job_state(client, jid) == "complete" for jid in jids)


def started(path: str, count: int = 1) -> list[list[str]]:
    """Wait until `count` runs were reported in `path`; returns the run lines."""
    found: list[list[str]] = wait_for(
        lambda: len(runs := lines(path)) >= count and runs, message=f"{count} job start(s)"
    )
    return found


def test_each_greenlet_has_its_sandbox_inside_its_childs(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker, tmp_path: Path
) -> None:
    root = tmp_path / "work" / "reqless-py-workers"
    data = {"record": True, "sleep": 2}
    jids = [client.queues["q"].put(jobs_module.klass, data) for _ in range(6)]
    worker = start_worker("-q", "q", "--workers", "2", "--greenlets", "3", "--name", "g")

    wait_for(lambda: completed(client, *jids), message="the jobs to complete")

    pattern = rf"{re.escape(str(root))}/sandbox-([01])/greenlet-([0-2])"
    used = set()
    for jid in jids:
        recorded = job_data(client, jid)["recorded"]
        match = re.fullmatch(pattern, recorded["sandbox"])
        assert match, recorded
        assert recorded["cwd"] == str(root / f"sandbox-{match.group(1)}")
        assert recorded["worker"] == f"g-{match.group(1)}"
        assert recorded["listing"] == []
        used.add(recorded["sandbox"])
    # Six two-second jobs at once: every greenlet of both children had one.
    assert len(used) == 6
    for sandbox in used:
        wait_for(lambda: is_empty_dir(sandbox), message="a clean sandbox")  # noqa: B023
    # The parent shows the command the operator typed, not the gevent re-launch.
    assert cmdline(worker.pid).startswith("reqless-py-worker ")


def test_greenlets_run_jobs_concurrently(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs, done = jobs_module.file("runs"), jobs_module.file("done")
    jids = [
        client.queues["q"].put(jobs_module.klass, {"runs": runs, "done": done, "sleep": 1.5})
        for _ in range(5)
    ]
    start_worker("-q", "q", "--workers", "1", "--greenlets", "5")

    wait_for(lambda: completed(client, *jids), message="the jobs to complete")

    starts = [float(line[3]) for line in lines(runs)]
    ends = [float(line[2]) for line in lines(done)]
    assert len(starts) == len(ends) == 5
    assert max(starts) < min(ends)  # all five ran at the same time


def test_cancelling_one_job_stops_only_its_greenlet(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs, halted, done = (jobs_module.file(name) for name in ("runs", "halted", "done"))
    data = {"runs": runs, "halted": halted, "done": done}
    victim, *others = [
        client.queues["q"].put(jobs_module.klass, {**data, "sleep": sleep}) for sleep in (30, 3, 3)
    ]
    start_worker("-q", "q", "--workers", "1", "--greenlets", "3")
    started(runs, 3)

    client.jobs.get(victim)[0].cancel()
    wait_for(lambda: lines(halted), message="the cancelled job to be stopped")
    # The pool carries on: a new job runs in the freed greenlet meanwhile.
    late = client.queues["q"].put(jobs_module.klass, data)
    wait_for(lambda: completed(client, late, *others), message="the other jobs")

    assert lines(halted) == [[victim, "JobHalted"]]
    assert sorted(line[0] for line in lines(done)) == sorted([late, *others])


def test_a_job_over_the_hard_timeout_is_failed(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    halted = jobs_module.file("halted")
    jid = client.queues["q"].put(jobs_module.klass, {"halted": halted, "sleep": 30})
    quick = client.queues["q"].put(jobs_module.klass, {})
    start_worker("-q", "q", "--workers", "1", "--greenlets", "2", "--timeout", "1")

    wait_for(lambda: job_state(client, jid) == "failed", message="the job to fail")

    job = get_job(client, jid)
    assert job.failure["group"] == "q-TimeoutError"
    assert lines(halted) == [[jid, "Timeout"]]
    assert job_state(client, quick) == "complete"


def test_a_job_class_that_cannot_be_imported_fails_the_job_not_the_worker(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    broken = client.queues["q"].put("no_such_module.Job", {}, priority=1)
    fine = client.queues["q"].put(jobs_module.klass, {})
    worker = start_worker("-q", "q", "--workers", "1", "--greenlets", "2")
    [child] = worker.wait_children(1)

    wait_for(lambda: completed(client, fine), message="the importable job")
    wait_for(lambda: job_state(client, broken) == "failed", message="the broken job to fail")

    job = get_job(client, broken)
    assert job.failure["group"] == "q-ModuleNotFoundError"
    assert worker.children() == [child]


@pytest.mark.slow
def test_long_jobs_are_heartbeated(
    client: Client, server: LocalServer, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    client.config["heartbeat"] = 2
    client.config["grace-period"] = 0
    runs = jobs_module.file("runs")
    jids = [client.queues["q"].put(jobs_module.klass, {"runs": runs, "sleep": 5}) for _ in range(2)]
    start_worker("-q", "q", "--workers", "1", "--greenlets", "2")
    started(runs, 2)
    thief = Client(server.url, hostname="thief")
    stolen = []
    while not completed(client, *jids):
        job = thief.queues["q"].pop()
        if job is not None:
            stolen.append(job.jid)
        time.sleep(0.2)
    thief.database.close()

    assert stolen == []
    assert len(lines(runs)) == 2


def test_term_lets_running_greenlets_finish(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs = jobs_module.file("runs")
    jids = [client.queues["q"].put(jobs_module.klass, {"runs": runs, "sleep": 2}) for _ in range(2)]
    worker = start_worker("-q", "q", "--workers", "1", "--greenlets", "3")
    started(runs, 2)

    worker.send(signal.SIGTERM)

    assert worker.wait() == 0
    assert completed(client, *jids)


def test_term_hands_back_jobs_that_outlast_the_shutdown_timeout(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs, halted = jobs_module.file("runs"), jobs_module.file("halted")
    data = {"runs": runs, "halted": halted}
    slow = client.queues["q"].put(jobs_module.klass, {**data, "sleep": 30})
    quick = client.queues["q"].put(jobs_module.klass, {**data, "sleep": 0.5})
    worker = start_worker(
        "-q", "q", "--workers", "1", "--greenlets", "2", "--shutdown-timeout", "1.5"
    )
    started(runs, 2)

    stopping = time.monotonic()
    worker.send(signal.SIGTERM)

    assert worker.wait() == 0
    assert time.monotonic() - stopping < 7
    assert job_state(client, quick) == "complete"
    assert job_state(client, slow) == "stalled"
    assert lines(halted) == [[slow, "JobHalted"]]


def test_usr1_prints_the_stack_of_every_job_greenlet(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs = jobs_module.file("runs")
    jids = [client.queues["q"].put(jobs_module.klass, {"runs": runs, "sleep": 2}) for _ in range(2)]
    worker = start_worker("-q", "q", "--workers", "1", "--greenlets", "2")
    [child] = worker.wait_children(1)
    started(runs, 2)

    os.kill(child, signal.SIGUSR1)

    wait_for(
        lambda: f"Signaled traceback for {child}:" in worker.stderr(), message="the stack dump"
    )
    for jid in jids:
        wait_for(lambda: f"Greenlet of job {jid}:" in worker.stderr(), message="stacks")  # noqa: B023
    wait_for(lambda: completed(client, *jids), message="the jobs to complete")
    assert worker.children() == [child]


def test_quit_exits_at_once(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs = jobs_module.file("runs")
    jid = client.queues["q"].put(jobs_module.klass, {"runs": runs, "sleep": 30})
    worker = start_worker("-q", "q", "--workers", "1", "--greenlets", "2")
    started(runs)

    quitting = time.monotonic()
    worker.send(signal.SIGQUIT)

    assert worker.wait() == 0
    assert time.monotonic() - quitting < 3
    assert job_state(client, jid) == "running"


def test_a_stale_lock_lost_notice_does_not_stop_a_greenlet(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs, halted = jobs_module.file("runs"), jobs_module.file("halted")
    jid = client.queues["q"].put(jobs_module.klass, {"runs": runs, "halted": halted, "sleep": 1.5})
    worker = start_worker("-q", "q", "--workers", "1", "--greenlets", "2", "--name", "g")
    started(runs)

    notice = json.dumps({"jid": jid, "event": "lock_lost", "worker": "g-0"})
    client.database.publish("ql:w:g-0", notice)

    wait_for(lambda: completed(client, jid), message="the job to complete")
    assert lines(halted) == []
    wait_for(lambda: "ignored a stale notice" in worker.stderr(), message="the log line")
