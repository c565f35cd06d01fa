"""Worker hooks (`--hooks`, `hooks=`): each called in order in every mode; a raising
hook is logged and changes nothing; bad hook modules exit 2 naming `--hooks`."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from reqless.client import Client
from reqless.exceptions import ReqlessError
from reqless.job import Job
from reqless.workers.hooks import Hooks, Outcome
from reqless.workers.serial_worker import SerialWorker
from reqless.workers.settings import WorkerSettings
from tests.worker.conftest import JobsModule, StartWorker, job_state, lines, wait_for

#: A hooks module; `{log}` is the file every call appends "<pid> <hook> <detail>" to.
#: `before_job` records, then raises: the job must run as if it had not.
HOOKS_MODULE = """\
import os

LOG = {log!r}


def _note(*words):
    with open(LOG, "a") as handle:
        handle.write(" ".join([str(os.getpid()), *map(str, words)]) + "\\n")


{prefix}def after_fork(worker):
    _note("after_fork")


{prefix}def on_start(worker):
    _note("on_start")


{prefix}def before_job(job):
    _note("before_job", job.jid)
    raise RuntimeError("a broken before_job hook")


{prefix}def on_failure(job, exc):
    _note("on_failure", job.jid, type(exc).__name__)


{prefix}def after_job(job, outcome):
    _note("after_job", job.jid, outcome)


{prefix}def on_stop(worker):
    _note("on_stop")
"""


def write_hooks(jobs_module: JobsModule, *, use_async: bool = False, name: str = "") -> str:
    """Write the hooks module next to the job module; returns its name."""
    module = name or f"{jobs_module.name}_hooks"
    text = HOOKS_MODULE.format(log=jobs_module.file("hooks.log"),
                               prefix="async " if use_async else "")  # fmt: skip
    (jobs_module.directory / f"{module}.py").write_text(text)
    return module


def expected_calls(ok: str, bad: str, *, forked: bool) -> list[list[str]]:
    """The hook calls of one worker that ran job `ok` (completes), then `bad` (raises)."""
    return [
        *([["after_fork"]] if forked else []),
        ["on_start"],
        ["before_job", ok],
        ["after_job", ok, "complete"],
        ["before_job", bad],
        ["on_failure", bad, "ValueError"],
        ["after_job", bad, "failed"],
        ["on_stop"],
    ]


def run_two_jobs(client: Client, jobs_module: JobsModule) -> tuple[str, str]:
    """Put a job that completes, wait for its after_job; then one that raises, and wait."""
    log = jobs_module.file("hooks.log")
    queue = client.queues["q"]
    ok = queue.put(jobs_module.klass, {})
    wait_for(lambda: any(line[1:3] == ["after_job", ok] for line in lines(log)),
             message="after_job of the first job")  # fmt: skip
    bad = queue.put(jobs_module.klass, {"raise": "boom"}, retries=0)
    wait_for(lambda: any(line[1:3] == ["after_job", bad] for line in lines(log)),
             message="after_job of the second job")  # fmt: skip
    return ok, bad


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param([], id="serial"),
        pytest.param(["--greenlets", "2"], id="gevent"),
        pytest.param(["--asyncio", "--concurrency", "2"], id="asyncio"),
    ],
)
def test_hooks_are_called_in_order_in_each_forking_mode(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker, mode: list[str]
) -> None:
    if "--greenlets" in mode:
        pytest.importorskip("gevent")
    hooks = write_hooks(jobs_module, use_async="--asyncio" in mode)
    worker = start_worker("-q", "q", "--workers", "1", "--hooks", hooks, *mode)
    ok, bad = run_two_jobs(client, jobs_module)
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0
    calls = lines(jobs_module.file("hooks.log"))
    pids = {line[0] for line in calls}
    assert len(pids) == 1 and str(worker.pid) not in pids  # all in the child, none in the parent
    assert [line[1:] for line in calls] == expected_calls(ok, bad, forked=True)
    # The raising before_job changed nothing: the first job completed, and it was logged.
    assert job_state(client, ok) == "complete"
    assert job_state(client, bad) == "failed"
    assert "worker hook before_job" in worker.stderr()
    assert "RuntimeError: a broken before_job hook" in worker.stderr()


def test_hooks_are_called_in_order_by_an_in_process_serial_worker(
    client: Client, jobs_module: JobsModule, tmp_path: Path
) -> None:
    log = jobs_module.file("hooks.log")

    class Recorder:
        """Hooks as an object, not a module."""

        def __init__(self) -> None:
            self.calls: list[list[Any]] = []

        def on_start(self, worker: SerialWorker) -> None:
            self.calls.append(["on_start", worker])

        def before_job(self, job: Job) -> None:
            self.calls.append(["before_job", job.jid])
            with open(log, "a") as handle:
                handle.write(f"0 before_job {job.jid}\n")
            raise RuntimeError("a broken before_job hook")

        def on_failure(self, job: Job, exc: BaseException) -> None:
            self.calls.append(["on_failure", job.jid, type(exc).__name__])

        def after_job(self, job: Job, outcome: Outcome) -> None:
            self.calls.append(["after_job", job.jid, outcome])
            with open(log, "a") as handle:
                handle.write(f"0 after_job {job.jid} {outcome}\n")

        def on_stop(self, worker: SerialWorker) -> None:
            self.calls.append(["on_stop", worker])

    recorder = Recorder()
    worker = SerialWorker(["q"], client, interval=0.05, sandbox=str(tmp_path / "sandbox"),
                          hooks=recorder)  # fmt: skip
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        ok, bad = run_two_jobs(client, jobs_module)
    finally:
        worker.stop()
        thread.join(10)
    assert not thread.is_alive()
    assert recorder.calls == [
        ["on_start", worker],
        ["before_job", ok],
        ["after_job", ok, "complete"],
        ["before_job", bad],
        ["on_failure", bad, "ValueError"],
        ["after_job", bad, "failed"],
        ["on_stop", worker],
    ]
    assert job_state(client, ok) == "complete"


def test_async_hooks_are_refused_outside_asyncio(
    jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    hooks = write_hooks(jobs_module, use_async=True)
    worker = start_worker("-q", "q", "--hooks", hooks)
    assert worker.wait() == 2
    stderr = worker.stderr()
    assert "argument --hooks:" in stderr
    assert "async def" in stderr and "--asyncio" in stderr


def test_a_hooks_module_that_does_not_import_exits_2(start_worker: StartWorker) -> None:
    worker = start_worker("-q", "q", "--hooks", "no_such_hooks_module_here")
    assert worker.wait() == 2
    assert "argument --hooks: hooks module 'no_such_hooks_module_here' could not be imported" in (
        worker.stderr()
    )


def test_a_hook_that_is_not_callable_exits_2(
    jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    (jobs_module.directory / "flat_hooks.py").write_text("before_job = 3\n")
    worker = start_worker("-q", "q", "--hooks", "flat_hooks")
    assert worker.wait() == 2
    assert "argument --hooks: hooks flat_hooks: before_job is not callable" in worker.stderr()


def test_a_misspelt_hook_exits_2_naming_the_close_match(
    jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    (jobs_module.directory / "typo_hooks.py").write_text("def before_jobs(job):\n    pass\n")
    worker = start_worker("-q", "q", "--hooks", "typo_hooks")
    assert worker.wait() == 2
    stderr = worker.stderr()
    assert "argument --hooks:" in stderr
    assert "before_jobs is not a hook name; did you mean before_job?" in stderr


def test_settings_load_hooks_once_from_a_path_or_an_object(jobs_module: JobsModule) -> None:
    module = write_hooks(jobs_module, name="loaded_hooks")
    from_path = WorkerSettings(hooks=module).worker_hooks
    assert from_path.source == module and from_path.before_job is not None
    assert from_path.on_stop is not None

    class Partial:
        @staticmethod
        def after_job(job: Job, outcome: Outcome) -> None:
            """Only this hook."""

    partial = WorkerSettings(hooks=Partial()).worker_hooks
    assert partial.after_job is not None and partial.before_job is None
    assert WorkerSettings().worker_hooks == Hooks()
    with pytest.raises(ReqlessError, match="on_start is not callable"):
        WorkerSettings(hooks=type("Bad", (), {"on_start": "x"})())
