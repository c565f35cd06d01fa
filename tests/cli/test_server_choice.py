"""Which server a command uses when none is named, and that it always says so.

Every command takes the server the same way: its own options, the group's `--url`,
`REQLESS_URL` (alias `REQLESS_REDIS_URL`), the running `reqless dev` found in this
directory or a parent, else the default, and the choice is never silent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from reqless.cli.server_choice import find_dev_dir
from reqless.cli.ui_command import parse_ui_args
from reqless.cli.worker_args import parse_worker_args
from reqless.client import Client
from reqless.server import LocalServer, free_port
from tests.cli.process import COMMAND, clean_environment, run_reqless


def _environment() -> dict[str, str]:
    env = clean_environment()
    env.pop("REQLESS_REDIS_URL", None)
    return env


def _dev_directory(root: Path, url: str) -> Path:
    """`root/.reqless` as a running `reqless dev` leaves it (this test process is alive)."""
    (root / ".reqless").mkdir()
    (root / ".reqless" / "dev.json").write_text(json.dumps({"pid": os.getpid(), "url": url}))
    below = root / "src" / "app"
    below.mkdir(parents=True)
    return below


def test_a_dev_server_is_found_from_a_subdirectory_and_named(
    server: LocalServer, client: Client, tmp_path: Path
) -> None:
    client.queues["here"].put("app.Job", {})
    below = _dev_directory(tmp_path, server.url)
    result = run_reqless("queues", "--json", cwd=below, env=_environment())
    assert result.code == 0, result.err
    assert [q["name"] for q in result.json()] == ["here"]
    assert f"using {server.url} (the reqless dev server of {tmp_path.resolve()})" in result.err


def test_the_default_server_is_never_chosen_silently(tmp_path: Path) -> None:
    assert find_dev_dir(tmp_path) is None
    result = run_reqless("queues", cwd=tmp_path, env=_environment())
    assert (
        "using redis://localhost:6379/0 (no --url, no REQLESS_URL, no reqless dev directory found)"
        in result.err
    ), result.err


def test_a_dev_directory_whose_server_is_stopped_is_not_replaced_by_localhost(
    tmp_path: Path,
) -> None:
    (tmp_path / ".reqless").mkdir()  # what a stopped `reqless dev` leaves
    (tmp_path / "sub").mkdir()
    result = run_reqless("queues", cwd=tmp_path / "sub", env=_environment())
    assert result.code == 3
    assert f"the reqless dev directory {tmp_path.resolve() / '.reqless'} has no running server" in (
        result.err
    )
    assert "localhost" not in result.err


def test_the_worker_and_the_ui_find_the_dev_server_from_a_subdirectory(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_dev_directory(tmp_path, server.url))
    worker = parse_worker_args(["-q", "jobs"], environ={})
    assert worker.url == server.url
    assert worker.server_reason == f"the reqless dev server of {tmp_path.resolve()}"
    ui = parse_ui_args([], environ={})
    assert ui.instances == {"default": server.url}
    assert ui.source == f"the reqless dev server of {tmp_path.resolve()}"


def test_the_ui_takes_the_server_as_every_command_does(tmp_path: Path) -> None:
    url = "redis://127.0.0.1:6390/2"
    by_url = parse_ui_args(["--url", url], environ={})
    assert by_url.instances == {"default": url} and by_url.source == "from --url"
    by_env = parse_ui_args([], environ={"REQLESS_URL": url})
    assert by_env.instances == {"default": url} and by_env.source == "from REQLESS_URL"
    by_alias = parse_ui_args([], environ={"REQLESS_REDIS_URL": url})
    assert by_alias.instances == {"default": url} and by_alias.source == "from REQLESS_REDIS_URL"


def test_two_environment_variables_naming_different_servers_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    both = {"REQLESS_URL": "redis://a:6379/0", "REQLESS_REDIS_URL": "redis://b:6379/0"}
    with pytest.raises(SystemExit) as stopped:
        parse_ui_args([], environ=both)
    assert stopped.value.code == 2
    assert "REQLESS_URL and REQLESS_REDIS_URL name different servers" in capsys.readouterr().err
    result = run_reqless("queues", env={**_environment(), **both})
    assert result.code == 2
    assert "name different servers" in result.err


def test_the_groups_url_reaches_the_ui_when_it_has_its_own_port(
    server: LocalServer, tmp_path: Path
) -> None:
    # `--port` of `ui` is where it serves, not the server it shows.
    ui = subprocess.Popen(
        [*COMMAND, "--url", server.url, "ui", "--port", str(free_port())],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env=_environment(),
    )  # fmt: skip
    try:
        assert ui.stdout is not None
        line = ui.stdout.readline()
    finally:
        ui.send_signal(signal.SIGTERM)
        ui.communicate(timeout=30)
    assert f"instances: default ({server.url}) [from --url]" in line, line
