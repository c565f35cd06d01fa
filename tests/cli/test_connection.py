"""Which server the admin commands use, and the exit statuses of reaching it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from reqless.client import Client
from reqless.server import LocalServer
from tests.cli.process import COMMAND, clean_environment, run_reqless
from tests.patience import PATIENCE


def test_an_unreachable_server_exits_3() -> None:
    result = run_reqless("queues", "--url", "redis://127.0.0.1:1/0")
    assert result.code == 3
    assert result.err.startswith("Error: cannot reach the server at redis://127.0.0.1:1/0")


def test_the_password_is_not_shown(tmp_path: Path) -> None:
    result = run_reqless("queues", "--url", "redis://:secret@127.0.0.1:1/0")
    assert result.code == 3
    assert "secret" not in result.err and "***" in result.err


def test_server_options_in_pieces(server: LocalServer, client: Client) -> None:
    client.queues["here"].put("app.Job", {})
    result = run_reqless("queues", "--json", "--host", "127.0.0.1", "--port", str(server.port))
    assert result.code == 0, result.err
    assert [q["name"] for q in result.json()] == ["here"]
    elsewhere = run_reqless("queues", "--json", "--host", f"127.0.0.1:{server.port}", "--db", "3")
    assert elsewhere.json() == []


def test_reqless_url_is_read_from_the_environment(server: LocalServer, client: Client) -> None:
    client.queues["here"].put("app.Job", {})
    env = {**clean_environment(), "REQLESS_URL": server.url}
    result = run_reqless("queues", "--json", env=env)
    assert [q["name"] for q in result.json()] == ["here"]


def test_a_running_dev_server_is_found(server: LocalServer, client: Client, tmp_path: Path) -> None:
    client.queues["here"].put("app.Job", {})
    (tmp_path / ".reqless").mkdir()
    record = {"pid": os.getpid(), "url": server.url}  # this test process is alive
    (tmp_path / ".reqless" / "dev.json").write_text(json.dumps(record))
    result = run_reqless("queues", "--json", cwd=tmp_path)
    assert [q["name"] for q in result.json()] == ["here"]


def test_conflicting_or_bad_server_options_are_usage_errors() -> None:
    for args in (
        ("--host", "redis://127.0.0.1:1", "--port", "6379"),
        ("--url", "http://127.0.0.1:1"),
        ("--port", "70000"),
        ("--url", ""),
        ("--url", "redis://127.0.0.1:abc/0"),
    ):
        result = run_reqless("queues", *args)
        assert result.code == 2, (args, result.err)
        assert "Error:" in result.err


def test_the_server_can_be_named_before_the_command(server: LocalServer, client: Client) -> None:
    client.queues["here"].put("app.Job", {})
    result = run_reqless("--url", server.url, "queues", "--json")
    assert result.code == 0, result.err
    assert [q["name"] for q in result.json()] == ["here"]
    put = run_reqless("--url", server.url, "put", "there", "app.Job", "{}")
    assert put.code == 0, put.err
    assert client.jobs.get_job(put.out.strip()).queue_name == "there"


def test_the_commands_own_server_option_wins_over_the_groups(server: LocalServer) -> None:
    result = run_reqless("--url", server.url, "queues", "--url", "redis://127.0.0.1:1/0")
    assert result.code == 3
    pieces = run_reqless("--url", "redis://127.0.0.1:1/0", "queues", "--port", str(server.port))
    assert pieces.code == 0, pieces.err


def test_an_empty_or_unreachable_group_url_is_reported() -> None:
    assert run_reqless("--url", "", "queues").code == 2
    unreachable = run_reqless("--url", "redis://127.0.0.1:1/0", "queues")
    assert unreachable.code == 3
    assert "redis://127.0.0.1:1/0" in unreachable.err


def test_the_group_url_reaches_the_worker_program(server: LocalServer, client: Client) -> None:
    jid = client.queues["grouped"].put("app.Missing", {})
    worker = subprocess.Popen(
        [*COMMAND, "--url", server.url, "worker", "-q", "grouped", "-w", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=clean_environment(),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline and client.jobs.get_job(jid).state != "failed":
            time.sleep(0.05)
        assert client.jobs.get_job(jid).state == "failed"  # the worker popped it there
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
