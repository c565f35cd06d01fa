"""The worker program as a click command: options given in command-line order,
and the gevent re-launch of `reqless [--url U] worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reqless.cli.worker_args import parse_worker_args
from reqless.client import Client
from reqless.server import LocalServer
from tests.worker.conftest import JobsModule, WorkerProcess, job_state, wait_for


@pytest.mark.parametrize(
    ("argv", "level"),
    [
        (["-v", "--log-level", "warning"], "warning"),
        (["--log-level", "warning", "-v"], "debug"),
        (["--log-level", "ERROR"], "error"),
        (["--verbose"], "debug"),
    ],
)
def test_the_last_of_verbose_and_log_level_wins(argv: list[str], level: str) -> None:
    assert parse_worker_args(["-q", "q", *argv], environ={}).log_level == level


def test_retry_policies_repeat_as_pattern_and_spec_pairs() -> None:
    argv = ["-q", "q", "--retry-policy", "a*", "delay=1", "--retry-policy", "b", "delay=2"]
    policies = parse_worker_args(argv, environ={}).retry_policies
    assert [(pattern, policy.delay) for pattern, policy in policies.items()] == [
        ("a*", 1.0),
        ("b", 2.0),
    ]


def test_reqless_worker_relaunches_under_gevent_with_the_group_url(
    client: Client, server: LocalServer, jobs_module: JobsModule, tmp_path: Path
) -> None:
    pytest.importorskip("gevent")
    jid = client.queues["q"].put(jobs_module.klass, {})
    # `reqless worker` re-runs itself in a patched interpreter: the group's --url
    # must come along, as none of the worker's own options names a server.
    stderr_path = tmp_path / "stderr.txt"
    command = [
        str(Path(sys.executable).parent / "reqless"), "--url", server.url, "worker",
        "--path", str(jobs_module.directory), "--workdir", str(tmp_path / "work"),
        "-q", "q", "-w", "1", "-g", "2", "-i", "0.1",
    ]  # fmt: skip
    env = {key: value for key, value in os.environ.items() if not key.startswith("REQLESS_")}
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            env=env, start_new_session=True,
        )  # fmt: skip
    worker = WorkerProcess(process, stderr_path)
    try:
        wait_for(lambda: job_state(client, jid) == "complete", message="the job to complete")
        text = worker.stderr()
        assert f"reqless worker: using {server.url} (from reqless --url)" in text
        assert "2 greenlets each" in text
        worker.send(signal.SIGTERM)
        assert worker.wait() == 0
    finally:
        worker.kill()
