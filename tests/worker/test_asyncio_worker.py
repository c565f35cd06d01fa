"""Asyncio mode: `reqless-py-worker --asyncio --concurrency N` in real processes.

The job classes are written next to the test's job module: `AsyncScripted` is an
`async def` handler driven by its data, `PlainScripted` a plain function (run in
a thread). Each reports by appending lines to files the test names.
"""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path

import pytest

from reqless.cli.worker_args import parse_worker_args
from reqless.client import Client
from reqless.server import LocalServer
from tests.worker.conftest import (
    JobsModule,
    StartWorker,
    WorkerProcess,
    cmdline,
    get_job,
    is_empty_dir,
    job_data,
    job_state,
    lines,
    wait_for,
)

ASYNC_JOBS = '''\
"""Asyncio job classes of the worker tests; each job's data says what it does."""
import asyncio
import json
import os
import sys
import time


def _append(path, line):
    if path:
        with open(path, "a") as handle:
            handle.write(line + "\\n")


class AsyncScripted:
    """Data keys (all optional): runs, done, halted (files), sleep (seconds,
    awaited), block (seconds of time.sleep, blocking the loop), record (store the
    sandbox and its listing), raise (a ValueError message), exit (sys.exit code)."""

    @staticmethod
    async def process(job):
        data = json.loads(job.data)
        _append(data.get("runs"),
                f"{job.jid} {os.getpid()} {job.client.worker_name} {time.time()} {job.sandbox}")
        if data.get("record"):
            data["recorded"] = {"sandbox": job.sandbox, "cwd": os.getcwd(),
                                "listing": sorted(os.listdir(job.sandbox)),
                                "worker": job.client.worker_name, "kind": type(job).__name__}
            with open(os.path.join(job.sandbox, "scratch.txt"), "w") as handle:
                handle.write("left behind by the job")
        try:
            await asyncio.sleep(data.get("sleep", 0))
        except asyncio.CancelledError:
            _append(data.get("halted"), f"{job.jid} CancelledError")
            raise
        time.sleep(data.get("block", 0))
        if data.get("raise"):
            raise ValueError(data["raise"])
        if "exit" in data:
            sys.exit(data["exit"])
        _append(data.get("done"), f"{job.jid} {time.time()}")
        job.data = data
        await job.complete()


class PlainScripted:
    """A plain handler (run in a thread): records what it was given, then completes."""

    @staticmethod
    def process(job):
        data = json.loads(job.data)
        data["recorded"] = {"kind": type(job).__name__, "sandbox": job.sandbox}
        time.sleep(data.get("sleep", 0))
        _append(data.get("done"), f"{job.jid} {time.time()}")
        job.data = data
        job.complete()
'''


@pytest.fixture
def klass(jobs_module: JobsModule) -> str:
    """Dotted path of `AsyncScripted` (its module sits next to the job module)."""
    name = f"{jobs_module.name}_async"
    (jobs_module.directory / f"{name}.py").write_text(ASYNC_JOBS)
    return f"{name}.AsyncScripted"


def completed(client: Client, *jids: str) -> bool:
    """True when every job is complete."""
    return all(job_state(client, jid) == "complete" for jid in jids)


def started(path: str, count: int = 1) -> list[list[str]]:
    """Wait until `count` runs were reported in `path`; returns the run lines."""
    found: list[list[str]] = wait_for(
        lambda: len(runs := lines(path)) >= count and runs, message=f"{count} job start(s)"
    )
    return found


def asyncio_worker(start_worker: StartWorker, *flags: str) -> WorkerProcess:
    """One asyncio child on queue q, with the given extra flags."""
    return start_worker("-q", "q", "--workers", "1", "--asyncio", *flags)


def test_jobs_run_concurrently_in_one_child_each_in_its_own_sandbox(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    runs, done = str(tmp_path / "runs"), str(tmp_path / "done")
    data = {"runs": runs, "done": done, "sleep": 1.5, "record": True}
    jids = [client.queues["q"].put(klass, data) for _ in range(5)]
    asyncio_worker(start_worker, "--concurrency", "5", "--name", "a")

    wait_for(lambda: completed(client, *jids), message="the jobs to complete")

    starts = [float(line[3]) for line in lines(runs)]
    ends = [float(line[1]) for line in lines(done)]
    assert len(starts) == len(ends) == 5
    assert max(starts) < min(ends)  # all five ran at the same time
    assert {line[1] for line in lines(runs)} == {lines(runs)[0][1]}  # in one process
    root = tmp_path / "work" / "reqless-py-workers" / "sandbox-0"
    sandboxes = set()
    for jid in jids:
        recorded = job_data(client, jid)["recorded"]
        assert re.fullmatch(rf"{re.escape(str(root))}/slot-[0-4]", recorded["sandbox"])
        assert (recorded["listing"], recorded["worker"]) == ([], "a-0")
        assert recorded["kind"] == "AsyncJob" and recorded["cwd"] == str(root)
        sandboxes.add(recorded["sandbox"])
    assert len(sandboxes) == 5
    for sandbox in sandboxes:
        wait_for(lambda: is_empty_dir(sandbox), message="a clean sandbox")  # noqa: B023


def test_a_plain_function_runs_in_a_thread_with_a_sync_job(
    client: Client, klass: str, start_worker: StartWorker
) -> None:
    plain = klass.replace("AsyncScripted", "PlainScripted")
    jid = client.queues["q"].put(plain, {})
    asyncio_worker(start_worker)

    wait_for(lambda: completed(client, jid), message="the job to complete")

    recorded = job_data(client, jid)["recorded"]
    assert recorded["kind"] == "Job" and recorded["sandbox"].endswith("slot-0")


def test_cancelling_a_job_cancels_its_task_and_only_it(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    runs, halted, done = (str(tmp_path / name) for name in ("runs", "halted", "done"))
    data = {"runs": runs, "halted": halted, "done": done}
    victim, *others = [
        client.queues["q"].put(klass, {**data, "sleep": sleep}) for sleep in (30, 3, 3)
    ]
    asyncio_worker(start_worker, "--concurrency", "3")
    started(runs, 3)

    get_job(client, victim).cancel()
    wait_for(lambda: lines(halted), message="the cancelled job to be stopped")
    late = client.queues["q"].put(klass, data)  # runs in the freed slot meanwhile
    wait_for(lambda: completed(client, late, *others), message="the other jobs")

    assert lines(halted) == [[victim, "CancelledError"]]
    assert sorted(line[0] for line in lines(done)) == sorted([late, *others])


def test_a_job_whose_lock_is_lost_is_cancelled(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    runs, halted = str(tmp_path / "runs"), str(tmp_path / "halted")
    jid = client.queues["q"].put(klass, {"runs": runs, "halted": halted, "sleep": 30})
    worker = asyncio_worker(start_worker)
    started(runs)

    client.queues["q"].pause()  # so that the worker does not pop the job again
    get_job(client, jid).timeout()  # as if its lock had expired
    wait_for(lambda: lines(halted), message="the job to be cancelled")

    assert lines(halted) == [[jid, "CancelledError"]]
    assert job_state(client, jid) == "stalled"
    assert "the server took it away" in worker.stderr()


def test_a_moved_job_is_cancelled(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    runs, halted = str(tmp_path / "runs"), str(tmp_path / "halted")
    jid = client.queues["q"].put(klass, {"runs": runs, "halted": halted, "sleep": 30})
    asyncio_worker(start_worker)
    started(runs)

    get_job(client, jid).move("elsewhere")
    wait_for(lambda: lines(halted), message="the job to be cancelled")

    assert get_job(client, jid).queue_name == "elsewhere"


def test_long_jobs_are_heartbeated(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    client.config["heartbeat"] = 1
    runs, halted = str(tmp_path / "runs"), str(tmp_path / "halted")
    jid = client.queues["q"].put(klass, {"runs": runs, "halted": halted, "sleep": 3.5})
    asyncio_worker(start_worker)

    wait_for(lambda: completed(client, jid), message="the job to complete")

    assert lines(halted) == [] and len(lines(runs)) == 1  # never lost, never re-run


def test_a_job_over_the_hard_timeout_is_cancelled_and_failed(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    halted = str(tmp_path / "halted")
    jid = client.queues["q"].put(klass, {"halted": halted, "sleep": 30})
    quick = client.queues["q"].put(klass, {})
    asyncio_worker(start_worker, "--concurrency", "2", "--timeout", "1")

    wait_for(lambda: job_state(client, jid) == "failed", message="the job to fail")

    assert get_job(client, jid).failure["group"] == "q-TimeoutError"
    assert lines(halted) == [[jid, "CancelledError"]]
    assert job_state(client, quick) == "complete"


def test_failures_and_exits_fail_the_job_not_the_worker(
    client: Client, klass: str, start_worker: StartWorker
) -> None:
    raising = client.queues["q"].put(klass, {"raise": "nope"})
    exiting = client.queues["q"].put(klass, {"exit": 3})
    missing = client.queues["q"].put("nowhere_at_all.Job", {})
    later = client.queues["q"].put(klass, {})
    asyncio_worker(start_worker, "--concurrency", "1")

    wait_for(lambda: completed(client, later), message="the last job")

    assert get_job(client, raising).failure["group"] == "q-ValueError"
    assert get_job(client, exiting).failure["group"] == "q-SystemExit"
    assert get_job(client, missing).failure["group"] == "q-ModuleNotFoundError"


def test_term_lets_running_jobs_finish_then_exits_0(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    runs = str(tmp_path / "runs")
    jids = [client.queues["q"].put(klass, {"runs": runs, "sleep": 2}) for _ in range(2)]
    waiting = client.queues["q"].put(klass, {}, priority=-1)
    worker = asyncio_worker(start_worker, "--concurrency", "2")
    started(runs, 2)

    worker.send(signal.SIGTERM)

    assert worker.wait() == 0
    assert completed(client, *jids)
    assert job_state(client, waiting) == "waiting"  # nothing more was popped


def test_term_cancels_jobs_past_the_shutdown_timeout_and_hands_them_back(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    runs, halted = str(tmp_path / "runs"), str(tmp_path / "halted")
    jid = client.queues["q"].put(klass, {"runs": runs, "halted": halted, "sleep": 60})
    worker = asyncio_worker(start_worker, "--shutdown-timeout", "1")
    started(runs)

    worker.send(signal.SIGTERM)

    assert worker.wait() == 0
    assert lines(halted) == [[jid, "CancelledError"]]
    assert job_state(client, jid) == "stalled"  # handed back at once, no retry used
    assert get_job(client, jid).retries_left == 5


def test_quit_exits_at_once(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    runs, done = str(tmp_path / "runs"), str(tmp_path / "done")
    jid = client.queues["q"].put(klass, {"runs": runs, "done": done, "sleep": 60})
    worker = asyncio_worker(start_worker)
    started(runs)

    worker.send(signal.SIGQUIT)

    assert worker.wait() == 0
    assert lines(done) == [] and job_state(client, jid) == "running"


def test_usr1_prints_the_stack_of_every_task_and_processing_continues(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    runs, done = str(tmp_path / "runs"), str(tmp_path / "done")
    jids = [client.queues["q"].put(klass, {"runs": runs, "done": done, "sleep": 3})
            for _ in range(2)]  # fmt: skip
    worker = asyncio_worker(start_worker, "--concurrency", "2")
    child = int(started(runs, 2)[0][1])

    os.kill(child, signal.SIGUSR1)
    text = wait_for(
        lambda: "Signaled traceback" in (err := worker.stderr()) and err,
        message="the stack dump",
    )

    for jid in jids:
        assert f"Task job-{jid}" in text
    assert ("Task reqless-supervisor" in text and "asyncio.sleep" in text) or "sleep" in text
    wait_for(lambda: completed(client, *jids), message="the jobs to complete")


def test_resume_runs_the_jobs_this_worker_still_holds(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path, server: LocalServer
) -> None:
    done = str(tmp_path / "done")
    jid = client.queues["q"].put(klass, {"done": done})
    held = Client(server.url, hostname="r-0")
    try:
        assert held.queues["q"].pop() is not None  # now held by r-0, as after a crash
    finally:
        held.database.close()
    asyncio_worker(start_worker, "--name", "r", "--resume")

    wait_for(lambda: completed(client, jid), message="the held job to complete")

    assert [line[0] for line in lines(done)] == [jid]


def test_an_idle_worker_wakes_for_a_new_job_before_its_interval(
    client: Client, klass: str, start_worker: StartWorker
) -> None:
    # An interval far beyond the wait below: only a wake-up by the put can run the job.
    worker = asyncio_worker(start_worker, "--interval", "600")
    wait_for(lambda: "Sleeping" in worker_title(worker), message="the worker to idle")

    jid = client.queues["q"].put(klass, {})

    # Blocking pickup: woken by the put, not by the 600 s poll.
    wait_for(lambda: completed(client, jid), message="the job to complete")


def worker_title(worker: WorkerProcess) -> str:
    """Process titles of the worker's children."""
    return " ".join(cmdline(pid) for pid in worker.children())


def test_the_worker_program_reports_its_mode(
    client: Client, klass: str, start_worker: StartWorker
) -> None:
    worker = asyncio_worker(start_worker, "--concurrency", "7")
    text = wait_for(lambda: "asyncio" in (err := worker.stderr()) and err)
    assert "asyncio, 7 jobs at once each" in text


def test_the_command_line_options() -> None:
    options = parse_worker_args(["-q", "q", "--asyncio", "--concurrency", "5"])
    assert (options.asyncio, options.concurrency, options.greenlets) == (True, 5, 0)
    assert parse_worker_args(["-q", "q"]).asyncio is False


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--asyncio", "--greenlets", "2"], "--asyncio: not allowed with argument -g/--greenlets"),
        (["--concurrency", "4"], "--concurrency: only with --asyncio"),
        (["--asyncio", "--concurrency", "-1"], "'--concurrency': must be a whole number >= 0"),
    ],
)
def test_bad_option_combinations_are_refused(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        parse_worker_args(["-q", "q", *flags])
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


def test_a_stale_lock_lost_notice_does_not_cancel_a_job_that_is_still_ours(
    client: Client, klass: str, start_worker: StartWorker, tmp_path: Path
) -> None:
    runs, halted = str(tmp_path / "runs"), str(tmp_path / "halted")
    jid = client.queues["q"].put(klass, {"runs": runs, "halted": halted, "sleep": 2})
    worker = asyncio_worker(start_worker, "--name", "s")
    started(runs)

    notice = json.dumps({"event": "lock_lost", "jid": jid})
    client.database.publish("ql:w:s-0", notice)

    wait_for(lambda: completed(client, jid), message="the job to complete")
    assert lines(halted) == []
    assert "ignored a stale notice" in worker.stderr()
