"""The worker program's `--ack-*` flags: its completes, fails and retries wait for
replicas or disks; one that falls short is logged, and the worker goes on."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from reqless.cli.worker_args import parse_worker_args
from reqless.client import Client
from reqless.durability import Durability
from reqless.server import LocalServer
from tests.replication import Pair, calls, fresh, start_pair
from tests.worker.conftest import JobsModule, StartWorker, job_state, wait_for
from tests.worker.test_worker_cli import error_line, run_program


def _parse_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        parse_worker_args(["-q", "q", *argv], environ={})
    assert exited.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "durability"),
    [
        ([], None),
        (["--ack-replicas", "1"], Durability(replicas=1)),
        (["--ack-replicas", "2", "--ack-timeout", "0.5"], Durability(replicas=2, timeout=0.5)),
        (["--ack-local-disk", "--ack-replica-disk", "1"], Durability(0, True, 1)),
    ],
)
def test_the_flags_make_the_durability(argv: list[str], durability: Durability | None) -> None:
    assert parse_worker_args(["-q", "q", *argv], environ={}).durability == durability


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--ack-replicas", "0"], "--ack-replicas"),
        (["--ack-replicas", "-1"], "--ack-replicas"),
        (["--ack-replicas", "x"], "--ack-replicas"),
        (["--ack-replica-disk", "0"], "--ack-replica-disk"),
        (["--ack-replicas", "1", "--ack-timeout", "0"], "--ack-timeout"),
        (["--ack-replicas", "1", "--ack-timeout", "soon"], "--ack-timeout"),
        (["--ack-timeout", "2"], "argument --ack-timeout: only with --ack-replicas"),
        (["--ack-local-disk=yes"], "--ack-local-disk"),
    ],
)
def test_bad_flags_are_usage_errors_naming_the_flag(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert message in _parse_error(capsys, *argv)


def _all_complete(client: Client, jids: list[str]) -> None:
    wait_for(lambda: all(job_state(client, jid) == "complete" for jid in jids), message="completes")


@pytest.fixture
def pair(server: LocalServer) -> Iterator[Pair]:
    """A primary and a replica of the kind of this run's server."""
    started = start_pair(server.kind)
    fresh(started)
    yield started
    started.stop()


def test_a_worker_acknowledges_against_a_replica(
    pair: Pair, jobs_module: JobsModule, start_worker: StartWorker, tmp_path: Path
) -> None:
    client = Client(pair.primary.url)
    try:
        done = str(tmp_path / "done")
        jids = [client.queues["q"].put(jobs_module.klass, {"done": done}) for _ in range(3)]
        worker = start_worker(
            "--url", pair.primary.url, "-q", "q", "--workers", "1", "--ack-replicas", "1",
            url=False,
        )  # fmt: skip
        _all_complete(client, jids)
        with pair.primary.client() as primary:
            assert calls(primary, "WAIT") >= len(jids)  # the child's completes waited
        assert "ERROR" not in worker.stderr()
        worker.send(signal.SIGTERM)
        assert worker.wait() == 0
    finally:
        client.database.close()


@pytest.mark.parametrize("mode", [[], ["--asyncio"]], ids=["serial", "asyncio"])
def test_a_short_acknowledgement_is_logged_and_the_worker_goes_on(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker, mode: list[str]
) -> None:
    # The session's server has no replica: no write is ever acknowledged.
    jids = [client.queues["q"].put(jobs_module.klass, {}) for _ in range(2)]
    failing = client.queues["q"].put(jobs_module.klass, {"raise": "boom"})
    worker = start_worker(
        "-q", "q", "--workers", "1", "--ack-replicas", "1", "--ack-timeout", "0.2", *mode
    )
    _all_complete(client, jids)
    wait_for(lambda: job_state(client, failing) == "failed", message="the failure")

    def logged() -> list[str]:
        return [line for line in worker.stderr().splitlines() if "replicas acknowledged" in line]

    def every_job_logged() -> bool:
        return all(any(jid in line for line in logged()) for jid in [*jids, failing])

    wait_for(every_job_logged, message="a line for each job's complete or fail")
    # The pops were not acknowledged either: their jobs ran all the same.
    assert "running popped jobs without acknowledgement: queues.pop" in worker.stderr()
    for jid in [*jids, failing]:
        line = next(line for line in logged() if jid in line)
        assert "ERROR" in line
        assert "applied on the primary but only 0 of 1 replicas acknowledged it within 0.2 s" in (
            line
        )
    for jid in jids:  # a complete written on the primary is not failed afterwards
        assert f"job {jid} ({jobs_module.klass}) raised" not in worker.stderr()
    assert "could not fail" not in worker.stderr()
    assert worker.process.poll() is None  # still running
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0


def test_disks_the_server_cannot_give_end_the_program(server: LocalServer, tmp_path: Path) -> None:
    # Valkey without an append-only file; Redis 7.0 has no WAITAOF at all.
    result = run_program("--url", server.url, "-q", "q", "--ack-local-disk", cwd=tmp_path)
    assert result.returncode == 1
    why = "WAITAOF needs Redis 7.2+" if server.kind == "redis" else "appendonly yes"
    line = error_line(result)
    assert line.startswith("reqless-py-worker: error: argument --ack-local-disk: ")
    assert why in line


def test_waits_the_connection_would_cut_short_are_a_usage_error(
    server: LocalServer, tmp_path: Path
) -> None:
    flags = ["--url", server.url, "-q", "q", "--ack-replicas", "1", "--ack-timeout", "9"]
    result = run_program(*flags, cwd=tmp_path)
    assert result.returncode == 2
    assert error_line(result).startswith("Error: argument --ack-timeout: durability waits up to")
