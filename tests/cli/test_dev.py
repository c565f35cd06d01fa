"""`reqless dev` and `reqless server` as a user runs them: real processes, real signals.

Each run happens in a temporary directory; the processes it started are read from
`.reqless/dev.json`, and after the stop every one of them (and every process of the
worker's group) must be gone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reqless.client import Client
from reqless.server import free_port
from tests.patience import PATIENCE

pytestmark = pytest.mark.slow


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


class Dev:
    """A `reqless dev` (or `reqless server`) process started in `cwd`."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.cwd = cwd
        self.data = cwd / ".reqless"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reqless", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def state(self, *keys: str, timeout: float = PATIENCE) -> dict[str, Any]:
        """dev.json once it names every key in `keys`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                state: dict[str, Any] = json.loads((self.data / "dev.json").read_text())
            except (OSError, ValueError):
                state = {}
            if all(state.get(key) for key in keys):
                return state
            assert self.process.poll() is None, self.output()
            time.sleep(0.1)
        raise AssertionError(f"dev.json never named {keys}: {self.output()}")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 40.0) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout)

    def output(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        assert self.process.stdout is not None
        return self.process.stdout.read().decode(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Any]:
    started: list[Dev] = []

    def start(*args: str) -> Dev:
        dev = Dev(tmp_path, *args)
        started.append(dev)
        return dev

    yield start
    for dev in started:
        dev.kill()
        if dev.process.stdout is not None:
            dev.process.stdout.close()


def _assert_all_gone(state: dict[str, Any]) -> None:
    deadline = time.monotonic() + PATIENCE
    pids = [state[key] for key in ("server_pid", "worker_pid") if state.get(key)]
    while time.monotonic() < deadline:
        left = [pid for pid in pids if _alive(pid)]
        if state.get("worker_pid"):
            left += _group_members(state["worker_pid"])
        if not left:
            return
        time.sleep(0.1)
    raise AssertionError(f"processes left behind: {left}")


def _wait_state(client: Client, jid: str, want: str, timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        job = client.jobs[jid]
        state = getattr(job, "state", None)
        if state == want:
            return
        time.sleep(0.1)
    raise AssertionError(f"job {jid} is {state}, not {want}")


def test_dev_runs_a_job_shows_it_in_the_ui_and_stops_on_ctrl_c(run: Any) -> None:
    ui_port = free_port()
    dev = run("dev", "--ui-port", str(ui_port), "-w", "1", "-q", "underpants", "-q", "unknown",
              "-q", "profit")  # fmt: skip
    state = dev.state("server_pid", "worker_pid", "ui_url")
    client = Client(state["url"], retry_window=0)
    try:
        jid = client.queues["underpants"].put("reqless.examples.gnomes.GnomesJob",
                                               {"gnome": 1, "mishap_rate": 0})  # fmt: skip
        _wait_state(client, jid, "complete")
    finally:
        client.database.close()
    with urllib.request.urlopen(f"{state['ui_url']}api/v1/jobs/{jid}", timeout=10) as reply:
        seen = json.loads(reply.read())
    assert seen["state"] == "complete"
    assert [e["what"] for e in seen["history"]].count("put") == 3
    assert dev.stop(signal.SIGINT) == 0, dev.output()
    _assert_all_gone(state)
    assert not (dev.data / "dev.json").exists()


def test_dev_stops_cleanly_after_its_worker_was_killed(run: Any) -> None:
    dev = run("dev", "--no-ui", "-w", "2", "-q", "nothing")
    state = dev.state("server_pid", "worker_pid")
    os.killpg(state["worker_pid"], signal.SIGKILL)
    restarted = dev.state("worker_pid")
    deadline = time.monotonic() + PATIENCE
    while restarted["worker_pid"] == state["worker_pid"] and time.monotonic() < deadline:
        time.sleep(0.1)
        restarted = dev.state("worker_pid")
    assert restarted["worker_pid"] != state["worker_pid"], "the killed worker was not restarted"
    assert dev.stop(signal.SIGINT) == 0
    assert "the worker exited" in dev.output()
    _assert_all_gone(state)
    _assert_all_gone(restarted)


SLOW_JOB = """
import time


class Slow:
    @staticmethod
    def process(job):
        time.sleep(120)
"""


def test_a_second_ctrl_c_stops_at_once(run: Any, tmp_path: Path) -> None:
    # The workers import job classes from the directory reqless dev runs in.
    (tmp_path / "slowjobs.py").write_text(SLOW_JOB)
    dev = run("dev", "--no-ui", "-w", "1", "-q", "slow")
    state = dev.state("server_pid", "worker_pid")
    client = Client(state["url"], retry_window=0)
    try:
        # A job that outlasts the workers' grace: the second Ctrl-C must not wait for it.
        jid = client.queues["slow"].put("slowjobs.Slow", {})
        _wait_state(client, jid, "running")
    finally:
        client.database.close()
    started = time.monotonic()
    dev.process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    dev.process.send_signal(signal.SIGINT)
    assert dev.process.wait(20) == 0
    assert time.monotonic() - started < 8
    _assert_all_gone(state)


def test_killing_dev_outright_takes_its_children_with_it(run: Any) -> None:
    dev = run("dev", "--no-ui", "-w", "1", "-q", "nothing")
    state = dev.state("server_pid", "worker_pid")
    dev.kill()
    _assert_all_gone(state)


def test_jobs_survive_a_restart_of_dev(run: Any) -> None:
    first = run("dev", "--no-ui", "-w", "0")
    state = first.state("server_pid")
    client = Client(state["url"], retry_window=0)
    try:
        jid = client.queues["later"].put("Anything", {"keep": True}, delay=3600)
    finally:
        client.database.close()
    assert first.stop() == 0
    second = run("dev", "--no-ui", "-w", "0")
    state = second.state("server_pid")
    client = Client(state["url"], retry_window=0)
    try:
        job = client.jobs.get_job(jid)
        assert job is not None and job.state == "scheduled"
    finally:
        client.database.close()
    assert second.stop() == 0


def test_a_second_dev_in_the_same_directory_is_refused(run: Any) -> None:
    first = run("dev", "--no-ui", "-w", "0")
    first.state("server_pid")
    second = run("dev", "--no-ui", "-w", "0")
    assert second.process.wait(20) == 1
    assert "already running" in second.output()
    assert first.stop() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ui-host", "0.0.0.0"], "loopback only"),
        (["--workers", "-1"], "--workers"),
        (["--url", "redis://127.0.0.1:1/0"], "cannot reach"),
        (["--rate", "fast"], "--rate"),
    ],
)
def test_dev_refuses_bad_options_with_exit_2(run: Any, args: list[str], message: str) -> None:
    dev = run("dev", *args)
    assert dev.process.wait(20) == 2
    assert message in dev.output()


def test_reqless_server_serves_until_ctrl_c(run: Any) -> None:
    port = free_port()
    server = run("server", "--port", str(port))
    state = server.state("server_pid")
    assert state["url"] == f"redis://127.0.0.1:{port}/0"
    client = Client(state["url"], retry_window=0)
    try:
        client.queues["q"].put("K", {})
    finally:
        client.database.close()
    assert server.stop() == 0
    _assert_all_gone(state)
    assert (server.data / "appendonlydir").is_dir()


def test_the_readmes_first_command_runs_a_job_put_from_the_command_line(tmp_path: Path) -> None:
    # `./scripts/dev` as the README gives it (install, then `reqless dev --example`),
    # with its data, ports and one worker chosen so it can run beside other tests.
    root = Path(__file__).resolve().parents[2]
    data = tmp_path / "data"
    ui_port = free_port()
    process = subprocess.Popen(
        [str(root / "scripts" / "dev"), "--data-dir", str(data), "--ui-port", str(ui_port),
         "-w", "1", "--rate", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    dev = Dev.__new__(Dev)
    dev.cwd, dev.data, dev.process = root, data, process
    try:
        state = dev.state("server_pid", "worker_pid", "ui_url", timeout=120)
        put = subprocess.run(
            [sys.executable, "-m", "reqless", "put", "--url", state["url"], "underpants",
             "reqless.examples.gnomes.GnomesJob", '{"gnome": 7, "mishap_rate": 0}'],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert put.returncode == 0, put.stderr
        jid = put.stdout.strip()
        deadline = time.monotonic() + 30
        seen: dict[str, Any] = {}
        while time.monotonic() < deadline and seen.get("state") != "complete":
            with urllib.request.urlopen(f"{state['ui_url']}api/v1/jobs/{jid}", timeout=10) as reply:
                seen = json.loads(reply.read())
            time.sleep(0.1)
        assert seen.get("state") == "complete", seen
        assert dev.stop(signal.SIGINT) == 0, dev.output()
        _assert_all_gone(state)
    finally:
        dev.kill()
        assert process.stdout is not None
        process.stdout.close()


def test_the_status_line_counts_completed_and_failed_jobs(client: Client) -> None:
    from reqless.cli.dev import _status_line

    queue = client.queues["line"]
    for _ in range(2):
        queue.put("app.Job", {})
    first, second = queue.pop(2)
    first.complete()
    second.fail("line-broken", "it broke")
    queue.put("app.Job", {})
    line = _status_line(client)
    assert "1 waiting" in line and "1 completed" in line and "1 failed" in line, line


def test_the_banner_names_reqless_as_the_users_shell_can_run_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reqless.cli.dev import _reqless_command

    installed = Path(sys.executable).parent / "reqless"
    monkeypatch.setenv("PATH", str(installed.parent))
    assert _reqless_command() == "reqless"
    monkeypatch.setenv("PATH", "/nonexistent")
    named = _reqless_command()
    assert Path(named).resolve() == installed.resolve() or named == os.path.relpath(installed)


def test_dev_refuses_a_port_another_server_listens_on(run: Any) -> None:
    # Another application's server on the port asked for: its jobs must not reach
    # the dev worker (which serves every queue), nor may anything else connect.
    from reqless.server import start_server

    theirs = start_server("valkey")
    try:
        client = Client(theirs.url, retry_window=0)
        jid = client.queues["theirs"].put("their.app.Job", {})
        dev = run("dev", "--port", str(theirs.port), "--no-ui", "-w", "1")
        assert dev.process.wait(20) == 2
        output = dev.output()
        assert f"port {theirs.port}" in output and "--port" in output, output
        assert "embedded Valkey" not in output
        job = client.jobs.get_job(jid)
        assert job is not None and job.state == "waiting"
        assert not (dev.data / "dev.json").exists()
        client.database.close()
    finally:
        theirs.stop()


def test_dev_refuses_port_together_with_url(run: Any) -> None:
    dev = run("dev", "--url", "redis://127.0.0.1:1/0", "--port", "6390", "--no-ui")
    assert dev.process.wait(20) == 2
    output = dev.output()
    assert "--port" in output and "--url" in output, output
