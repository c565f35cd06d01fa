"""The worker program's rough edges, through the real entry point: usage errors
end it with status 2 and one clear line, a server that refuses us ends it with
status 1, and `--host` takes `host:port`."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reqless.client import Client
from reqless.server import LocalServer, find_server_binary, free_port
from tests.patience import PATIENCE
from tests.worker.conftest import JobsModule, StartWorker, job_state, wait_for

PROGRAM = str(Path(sys.executable).parent / "reqless-py-worker")


def run_program(*flags: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `reqless-py-worker` with `flags`, expecting it to end on its own."""
    return subprocess.run(
        [PROGRAM, *flags], capture_output=True, text=True, timeout=60, cwd=cwd,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one error line of a failed run (after click's usage lines, if any)."""
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line.lower()]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.fixture(scope="module")
def password_server() -> Iterator[str]:
    """A valkey-server that wants the password `secret`; yields its URL without one."""
    binary = find_server_binary("valkey")
    if binary is None:
        pytest.skip("valkey-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--requirepass", "secret"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("the password-protected server did not start")
            time.sleep(0.05)
    yield f"127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


def test_host_takes_host_colon_port(
    client: Client, server: LocalServer, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    jid = client.queues["q"].put(jobs_module.klass, {})
    worker = start_worker(
        "--host", f"127.0.0.1:{server.port}", "-q", "q", "--workers", "1", url=False
    )
    wait_for(lambda: job_state(client, jid) == "complete", message="the job to complete")
    assert f"on redis://127.0.0.1:{server.port}/0" in worker.stderr()
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--host", "127.0.0.1:6480", "--port", "6480"],
            "argument --host: '127.0.0.1:6480' has a port; leave out --port",
        ),
        (
            ["--host", "127.0.0.1:http"],
            "argument --host: the port in '127.0.0.1:http' must be a port number (1-65535), "
            "got 'http'",
        ),
        (
            ["-l", "/nonexistent/dir/log.txt"],
            "argument -l/--logger: cannot write '/nonexistent/dir/log.txt': "
            "No such file or directory",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(
    tmp_path: Path, flags: list[str], message: str
) -> None:
    result = run_program("-q", "q", *flags, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Usage: reqless-py-worker [OPTIONS]\n")
    assert error_line(result) == f"Error: {message}"


def test_a_workdir_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    result = run_program("-q", "q", "-d", "a-file", cwd=tmp_path)
    assert result.returncode == 2
    assert error_line(result) == (
        "Error: argument -d/--workdir: cannot work in 'a-file': not a directory"
    )


@pytest.mark.parametrize("password", ["wrong", None], ids=["wrong", "missing"])
def test_a_server_refusing_the_password_ends_the_program(
    password_server: str, tmp_path: Path, password: str | None
) -> None:
    flags = ["--password", password] if password else []
    started = time.monotonic()
    result = run_program("-q", "q", "--host", password_server, *flags, cwd=tmp_path)
    assert time.monotonic() - started < 30
    assert result.returncode == 1
    line = error_line(result)
    assert line.startswith("reqless-py-worker: error: the server at redis://")
    problem = (
        "requires a password: put it in the URL" if password is None else "refused the password"
    )
    assert f"{password_server}/0 {problem}" in line
    assert "wrong" not in line  # the password is not shown


def start_program(tmp_path: Path, *flags: str) -> tuple[subprocess.Popen[bytes], Path]:
    """Start `reqless-py-worker` with `flags`; returns it and the file its stderr goes to."""
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [PROGRAM, "--workdir", str(tmp_path / "work"), *flags],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    return process, log


def stop_program(process: subprocess.Popen[bytes]) -> int:
    """TERM the program and return its exit status (it is killed if it does not stop)."""
    try:
        process.send_signal(signal.SIGTERM)
        return process.wait(30)
    finally:
        process.kill()
        process.wait()


def test_the_right_password_is_accepted(password_server: str, tmp_path: Path) -> None:
    flags = ["-q", "q", "--workers", "1", "--host", password_server, "--password", "secret"]
    process, log = start_program(tmp_path, *flags)
    wait_for(lambda: "started worker child" in log.read_text(), message="a worker child")
    assert stop_program(process) == 0


def test_an_unreachable_server_is_reported_and_waited_for(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    process, log = start_program(
        tmp_path, "-q", "q", "--workers", "1", "--host", f"127.0.0.1:{port}"
    )
    wait_for(lambda: "started worker child" in log.read_text(), message="a worker child")
    text = log.read_text()
    assert f"cannot reach the server at redis://127.0.0.1:{port}/0" in text
    assert "the workers keep trying" in text
    assert process.poll() is None
    assert stop_program(process) == 0


def test_help_shows_no_meaningless_defaults(tmp_path: Path) -> None:
    result = run_program("--help", cwd=tmp_path)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "(default: [])" not in text
    assert "(default: None)" not in text
    assert "(default: False)" not in text
    assert "None means" not in text
    assert "queue to pop jobs from; required" in text
    assert "(default: the machine's host name)" in text
    assert "server host name, host:port, or a full URL" in text
