"""Retry policies in real worker processes: `@reqless.retry(..., delay=...)` on plain
and `async def` handlers, and a worker's per-queue policy (`--retry-policy`)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from reqless.cli.worker_args import parse_worker_args
from reqless.client import Client
from reqless.job_retry import RetryPolicy
from reqless.server import LocalServer
from reqless.workers.settings import WorkerSettings
from tests.cli.process import run_reqless
from tests.worker.conftest import JobsModule, StartWorker, get_job, wait_for

#: Job classes that are refused twice, then complete; `Refused` never completes.
RETRY_JOBS = """\
import asyncio

import reqless


def _used(job):
    return job.original_retries - job.retries_left


class Flaky:
    @staticmethod
    @reqless.retry(ConnectionError, delay=0.2, backoff=2)
    def process(job):
        if _used(job) < 2:
            raise ConnectionError(f"refused on attempt {_used(job) + 1}")
        job.complete()


class AsyncFlaky:
    @staticmethod
    @reqless.retry(ConnectionError, delay=0.2, backoff=2)
    async def process(job):
        await asyncio.sleep(0)
        if _used(job) < 2:
            raise ConnectionError(f"refused on attempt {_used(job) + 1}")
        await job.complete()


class Undecorated:
    @staticmethod
    def process(job):
        if _used(job) < 2:
            raise ValueError(f"bad on attempt {_used(job) + 1}")
        job.complete()


class Refused:
    @staticmethod
    @reqless.retry(ConnectionError, delay=60)
    def process(job):
        raise ConnectionError("refused")
"""


@pytest.fixture
def retry_jobs(jobs_module: JobsModule) -> str:
    """The name of a module of RETRY_JOBS next to the worker tests' job module."""
    name = f"retry_jobs_{uuid.uuid4().hex[:12]}"
    (jobs_module.directory / f"{name}.py").write_text(RETRY_JOBS)
    return name


def retrying(client: Client, jid: str) -> list[tuple[Any, ...]]:
    """The `retrying` entries of the job's history: (group, message, delay, retry)."""
    return [(e["group"], e["message"], e["delay"], e["retry"])
            for e in get_job(client, jid).history if e["what"] == "retrying"]  # fmt: skip


def reasons(queue: str, exc: str, text: str) -> list[tuple[Any, ...]]:
    """The two `retrying` entries of a job refused twice, with delays 0.2 then 0.4."""
    return [(f"{queue}-{exc}", f"{exc}: {text} on attempt {n}", delay, n)
            for n, delay in ((1, 0.2), (2, 0.4))]  # fmt: skip


def complete(client: Client, jid: str) -> None:
    wait_for(lambda: get_job(client, jid).state in ("complete", "failed"), message=f"job {jid}")
    assert get_job(client, jid).state == "complete"


@pytest.mark.parametrize("mode", ["serial", "asyncio"])
def test_decorated_and_queue_policies_retry_with_delays_then_complete(
    mode: str, client: Client, start_worker: StartWorker, retry_jobs: str
) -> None:
    policy = ["--retry-policy", "pol-*", "delay=0.2,backoff=2"]
    flags = ["-w", "1", "-q", "q", "-q", "pol-a", "-q", "other", *policy]
    worker = start_worker(*flags, *(["--asyncio"] if mode == "asyncio" else []))
    classes = ["Flaky", "AsyncFlaky"] if mode == "asyncio" else ["Flaky"]
    jids = {name: client.queues["q"].put(f"{retry_jobs}.{name}", "{}", retries=5)
            for name in classes}  # fmt: skip
    by_policy = client.queues["pol-a"].put(f"{retry_jobs}.Undecorated", "{}", retries=5)
    no_policy = client.queues["other"].put(f"{retry_jobs}.Undecorated", "{}", retries=5)
    for jid in jids.values():
        complete(client, jid)
        assert retrying(client, jid) == reasons("q", "ConnectionError", "refused"), worker.stderr()
    complete(client, by_policy)
    assert retrying(client, by_policy) == reasons("pol-a", "ValueError", "bad")
    # A queue no pattern matches: the exception fails the job, as without policies.
    wait_for(lambda: get_job(client, no_policy).state != "waiting", message="the other job")
    unmatched = get_job(client, no_policy)
    assert (unmatched.state, unmatched.failure["group"]) == ("failed", "other-ValueError")
    assert retrying(client, no_policy) == []


def test_show_counts_the_retries_used_and_shows_the_reason(
    server: LocalServer, client: Client, start_worker: StartWorker, retry_jobs: str
) -> None:
    start_worker("-w", "1", "-q", "q")
    jid = client.queues["q"].put(f"{retry_jobs}.Refused", json.dumps({}), retries=5)
    wait_for(lambda: get_job(client, jid).state == "scheduled", message="the first retry")
    assert get_job(client, jid).retries_left == 4
    shown = run_reqless("show", jid, "--url", server.url)
    assert shown.code == 0, shown.err
    assert "retries left" in shown.out and "4 of 5" in shown.out
    row = next(line for line in shown.out.splitlines() if "retrying" in line)
    assert "group=q-ConnectionError" in row and "ConnectionError: refused" in row
    assert "delay=60" in row


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ("delay=1,backoff=0", "--retry-policy q*: backoff must be a finite number >= 1"),
        ("delay=-1", "--retry-policy q*: delay must be a finite number >= 0"),
        ("delay=soon", "--retry-policy q*: delay must be a number, not 'soon'"),
        ("delay=1,max_delay=-2", "--retry-policy q*: max_delay must be a finite number >= 0"),
        ("tries=3", "--retry-policy q*: unknown retry policy item 'tries=3'"),
    ],
)
def test_a_bad_retry_policy_is_a_usage_error(
    spec: str, error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        parse_worker_args(["-q", "q", "--url", "redis://localhost:1", "--retry-policy", "q*", spec])
    assert info.value.code == 2
    assert error in capsys.readouterr().err


def test_retry_policies_reach_the_worker_settings_in_order() -> None:
    options = parse_worker_args([
        "-q", "q", "--url", "redis://localhost:1",
        "--retry-policy", "mail-*", "delay=5,backoff=2,max_delay=60,jitter",
        "--retry-policy", "*", "",
    ])  # fmt: skip
    settings = options.settings
    assert settings.retry_policy_for("mail-out") == RetryPolicy(
        delay=5, backoff=2, max_delay=60, jitter=True
    )
    assert settings.retry_policy_for("other") == RetryPolicy()
    assert WorkerSettings().retry_policy_for("other") is None
