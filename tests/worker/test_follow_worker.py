"""Results and progress from running jobs, in every worker mode (docs/results.md,
docs/progress.md): a handler's return value becomes its job's result, a value that
cannot be one fails the job cleanly, and `job.progress` works from the job (each
forking child has its own client; asyncio jobs use the async client)."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from reqless.client import Client
from reqless.models import Progress
from tests.worker.conftest import JobsModule, StartWorker, get_job, job_state, wait_for
from tests.worker.test_serial_worker import make_worker, run_worker

pytestmark = pytest.mark.timeout(120, method="thread")

JOBS = """
import json


class Reports:
    @staticmethod
    def process(job):
        n = json.loads(job.data)["n"]
        job.progress(0.5, "half way")
        return {"double": n * 2, "kind": type(job).__name__}


class AsyncReports:
    @staticmethod
    async def process(job):
        n = json.loads(job.data)["n"]
        await job.progress(0.75, "nearly")
        return {"double": n * 2, "kind": type(job).__name__}


class ReturnsASet:
    @staticmethod
    def process(job):
        return {1, 2}


class ReturnsTooMuch:
    @staticmethod
    def process(job):
        return "x" * 600000


class CompletesAndReturns:
    @staticmethod
    def process(job):
        job.complete(result="mine")
        return "ignored"
"""

#: The worker flags of each mode run as a program.
MODES = {
    "forking": ("--workers", "1"),
    "gevent": ("--workers", "1", "--greenlets", "2"),
    "asyncio": ("--workers", "1", "--asyncio"),
}


@pytest.fixture
def follow_jobs(jobs_module: JobsModule) -> str:
    """The module of this file's job classes, next to the scripted one; returns its name."""
    name = f"{jobs_module.name}_follow"
    (jobs_module.directory / f"{name}.py").write_text(JOBS)
    return name


def finished(client: Client, *jids: str) -> bool:
    """True when every job is complete or failed."""
    return all(job_state(client, jid) in ("complete", "failed") for jid in jids)


def put_all(client: Client, module: str, *, async_too: bool = False) -> dict[str, str]:
    """One job of each class; returns their jids by class name."""
    names = ["Reports", "ReturnsASet", "ReturnsTooMuch", "CompletesAndReturns"]
    if async_too:
        names.append("AsyncReports")
    return {name: client.queues["q"].put(f"{module}.{name}", {"n": 21}) for name in names}


def check_outcomes(client: Client, jids: dict[str, str], job_kind: str) -> None:
    """What each job's record says once the worker ran it."""
    report = get_job(client, jids["Reports"])
    assert report.state == "complete"
    assert report.result == {"double": 42, "kind": job_kind}
    assert isinstance(report.progress_info, Progress)
    assert (report.progress_info.fraction, report.progress_info.message) == (0.5, "half way")
    bad = get_job(client, jids["ReturnsASet"])
    assert bad.state == "failed"
    assert bad.failure["group"] == "q-JobResultError"
    assert "result must be JSON-serialisable, not set" in bad.failure["message"]
    big = get_job(client, jids["ReturnsTooMuch"])
    assert big.state == "failed"
    assert big.failure["group"] == "q-JobResultError"
    assert "over the limit of 524288 (config max-result-size)" in big.failure["message"]
    own = get_job(client, jids["CompletesAndReturns"])
    assert (own.state, own.result) == ("complete", "mine")


@pytest.mark.parametrize("mode", sorted(MODES))
def test_results_and_progress_in_a_worker_program(
    client: Client, follow_jobs: str, start_worker: StartWorker, mode: str
) -> None:
    if mode == "gevent":
        pytest.importorskip("gevent")
    jids = put_all(client, follow_jobs, async_too=mode == "asyncio")
    worker = start_worker("-q", "q", "--name", mode, *MODES[mode])

    wait_for(lambda: finished(client, *jids.values()), message="the jobs to finish")

    check_outcomes(client, jids, "Job")
    if mode == "asyncio":
        reported = get_job(client, jids["AsyncReports"])
        assert reported.result == {"double": 42, "kind": "AsyncJob"}
        assert reported.progress_info is not None
        assert (reported.progress_info.fraction, reported.progress_info.message) == (
            0.75,
            "nearly",
        )
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0


def test_results_and_progress_in_the_serial_worker(
    client: Client, follow_jobs: str, tmp_path: Path
) -> None:
    jids = put_all(client, follow_jobs)
    worker = make_worker(client, tmp_path)

    def scenario() -> Any:
        return wait_for(lambda: finished(client, *jids.values()), message="the jobs to finish")

    run_worker(worker, scenario)
    check_outcomes(client, jids, "Job")
