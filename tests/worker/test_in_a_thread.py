"""Workers run outside the main thread, as embedding applications and test
harnesses run them: no signal handler is installed, jobs still run (and are
still stopped when they must be), and `stop()` from another thread ends them."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reqless.client import Client
from reqless.workers import BaseWorker, ForkingWorker, MainWorker, SerialWorker
from reqless.workers.asyncio_worker import AsyncioWorker
from tests.patience import PATIENCE
from tests.worker.conftest import (
    JobsModule,
    blocked_for_work,
    get_job,
    job_state,
    lines,
    wait_for,
)

# pytest-timeout's default method uses SIGALRM in the main thread, which a
# worker in the main thread would take over; these tests never do that.
pytestmark = pytest.mark.timeout(120, method="thread")

WATCHED = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGALRM, signal.SIGUSR1)


class InThread:
    """A worker running in a thread of its own; it records what `run()` raised."""

    def __init__(self, worker: BaseWorker) -> None:
        self.worker = worker
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="embedded-worker", daemon=True)

    def _run(self) -> None:
        try:
            self.worker.run()
        except BaseException as exc:
            self.failure = exc

    def stop(self, within: float) -> None:
        """Stop the worker from this thread; it must be gone `within` seconds."""
        stopping = time.monotonic()
        self.worker.stop()
        self.thread.join(within)
        assert not self.thread.is_alive(), f"the worker did not stop in {within}s"
        assert time.monotonic() - stopping < within
        assert self.failure is None, repr(self.failure)


@pytest.fixture
def in_thread() -> Iterator[list[InThread]]:
    """Workers started by the test; any still running at the end is stopped."""
    started: list[InThread] = []
    handlers = {signum: signal.getsignal(signum) for signum in WATCHED}
    yield started
    for runner in started:
        runner.worker.stop()
        runner.thread.join(15)
    # Nothing touched this process's signal handlers.
    assert {signum: signal.getsignal(signum) for signum in WATCHED} == handlers


def start(in_thread: list[InThread], worker: BaseWorker) -> InThread:
    runner = InThread(worker)
    in_thread.append(runner)
    runner.thread.start()
    return runner


@pytest.mark.parametrize("klass", [SerialWorker, MainWorker])
def test_a_serial_worker_in_a_thread_runs_jobs_and_stops(
    client: Client,
    jobs_module: JobsModule,
    tmp_path: Path,
    in_thread: list[InThread],
    klass: type[SerialWorker],
) -> None:
    runs, done = jobs_module.file("runs"), jobs_module.file("done")
    queue = client.queues["q"]
    jids = [queue.put(jobs_module.klass, {"runs": runs, "done": done}) for _ in range(3)]
    worker = klass(["q"], client, interval=0.05, sandbox=str(tmp_path / "sandbox"),
                   shutdown_timeout=1)  # fmt: skip
    runner = start(in_thread, worker)

    wait_for(lambda: all(job_state(client, jid) == "complete" for jid in jids), message="jobs")
    slow = queue.put(jobs_module.klass, {"runs": runs, "sleep": 30})
    wait_for(lambda: len(lines(runs)) == 4, message="the slow job to start")

    # A graceful stop: the slow job gets the shutdown timeout, then is handed back.
    runner.stop(within=1 + 5)
    assert sorted(line[0] for line in lines(done)) == sorted(jids)
    assert job_state(client, slow) == "stalled"


def test_jobs_in_a_thread_are_still_stopped_and_can_fail_the_usual_way(
    client: Client, jobs_module: JobsModule, tmp_path: Path, in_thread: list[InThread]
) -> None:
    halted = jobs_module.file("halted")
    queue = client.queues["q"]
    # Sleeps in small steps: in a thread a job stops at its next bytecode.
    slow = queue.put(jobs_module.klass, {"halted": halted, "sleep": 30}, priority=2)
    interrupts = queue.put(jobs_module.klass, {"interrupt": True}, priority=1)
    worker = SerialWorker(["q"], client, interval=0.05, sandbox=str(tmp_path / "sandbox"),
                          job_timeout=1)  # fmt: skip
    started = time.monotonic()
    runner = start(in_thread, worker)

    wait_for(lambda: job_state(client, interrupts) == "failed", message="both jobs to end")
    assert time.monotonic() - started < 15
    failed = get_job(client, slow)
    assert (failed.state, failed.failure["group"]) == ("failed", "q-TimeoutError")
    assert lines(halted) == [[slow, "JobHalted"]]
    # A KeyboardInterrupt a job raises in a thread is the job's, not the operator's.
    assert get_job(client, interrupts).failure["group"] == "q-KeyboardInterrupt"
    runner.stop(within=5)


class TracedInThread(InThread):
    """A worker thread with a trace function, as coverage tools install one."""

    def _run(self) -> None:
        sys.settrace(lambda frame, event, arg: None)
        try:
            super()._run()
        finally:
            sys.settrace(None)


def test_a_worker_in_a_traced_thread_runs_every_job(
    client: Client, jobs_module: JobsModule, tmp_path: Path, in_thread: list[InThread]
) -> None:
    # Clearing a halt that was never sent used to leave the interpreter's pending
    # flag set for good, and a traced thread then spun at its next call.
    done = jobs_module.file("done")
    queue = client.queues["q"]
    jids = [queue.put(jobs_module.klass, {"done": done}) for _ in range(5)]
    worker = SerialWorker(["q"], client, interval=0.05, sandbox=str(tmp_path / "sandbox"))
    runner = TracedInThread(worker)
    in_thread.append(runner)
    runner.thread.start()
    wait_for(lambda: all(job_state(client, jid) == "complete" for jid in jids), message="5 jobs")
    runner.stop(within=5)


def test_a_forking_worker_in_a_thread_runs_jobs_in_children_and_stops(
    client: Client,
    jobs_module: JobsModule,
    tmp_path: Path,
    in_thread: list[InThread],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # the children's sandboxes go below the current directory
    runs = jobs_module.file("runs")
    jids = [client.queues["q"].put(jobs_module.klass, {"runs": runs}) for _ in range(4)]
    worker = ForkingWorker(["q"], client, workers=2, interval=0.05, shutdown_timeout=1)
    runner = start(in_thread, worker)

    wait_for(lambda: all(job_state(client, jid) == "complete" for jid in jids), message="jobs")
    children = {int(line[1]) for line in lines(runs)}
    assert children <= set(worker.sandboxes)
    assert {line[2] for line in lines(runs)} <= {"test-worker-0", "test-worker-1"}

    runner.stop(within=1 + 5)
    assert worker.sandboxes == {}
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)  # reaped
    assert (tmp_path / "reqless-py-workers" / "sandbox-0").is_dir()


@pytest.mark.timeout(120, method="thread")
def test_setting_shutdown_stops_a_forking_worker_as_the_spec_documents(
    client: Client,
    jobs_module: JobsModule,
    tmp_path: Path,
    in_thread: list[InThread],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The recipe of the spec (python-api.md, ForkingWorker, step 4): start the
    # worker in a thread, set its `shutdown` flag, let a child exit; run() returns.
    monkeypatch.chdir(tmp_path)
    runs = jobs_module.file("runs")
    worker = ForkingWorker(["q"], client, workers=2, interval=30, shutdown_timeout=1)
    runner = start(in_thread, worker)
    jid = client.queues["q"].put(jobs_module.klass, {"runs": runs})
    wait_for(lambda: job_state(client, jid) == "complete", message="a job run by a child")
    children = sorted(worker.sandboxes)
    assert len(children) == 2

    worker.shutdown = True
    with contextlib.suppress(ProcessLookupError):
        os.kill(children[0], signal.SIGTERM)

    runner.thread.join(15)
    assert not runner.thread.is_alive(), "setting shutdown did not stop the forking worker"
    assert runner.failure is None, repr(runner.failure)
    assert worker.sandboxes == {}
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)  # reaped


@pytest.mark.timeout(120, method="thread")
@pytest.mark.parametrize("klass", [SerialWorker, MainWorker, AsyncioWorker])
def test_setting_shutdown_stops_an_idle_worker_at_once(
    client: Client,
    tmp_path: Path,
    in_thread: list[InThread],
    klass: type[BaseWorker],
) -> None:
    # A long interval: only a stop that wakes the worker ends it in time.
    worker = klass(["q"], client, interval=30, sandbox=str(tmp_path / "sandbox"))
    ready = threading.Event()
    worker.on_ready = ready.set
    runner = start(in_thread, worker)
    assert ready.wait(PATIENCE), "the worker did not start"
    wait_for(lambda: blocked_for_work(client), message="the worker to wait for work")

    stopping = time.monotonic()
    worker.shutdown = True

    runner.thread.join(15)
    assert not runner.thread.is_alive(), f"setting shutdown did not stop {klass.__name__}"
    assert time.monotonic() - stopping < 3
    assert runner.failure is None, repr(runner.failure)
