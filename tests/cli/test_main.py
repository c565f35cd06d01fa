"""The `reqless` group: help with examples everywhere, and `main()`'s exit statuses."""

from __future__ import annotations

import click
import pytest

from reqless.cli.main import PROGRAMS, build_cli, main
from reqless.server import LocalServer
from tests.cli.process import run_reqless


def _admin_paths() -> list[list[str]]:
    paths: list[list[str]] = []
    group = build_cli()
    for name, command in group.commands.items():
        if name in PROGRAMS:
            continue
        paths.append([name])
        if isinstance(command, click.Group):
            paths += [[name, sub] for sub in command.commands]
    return paths


@pytest.mark.parametrize("path", _admin_paths(), ids=" ".join)
def test_every_admin_command_has_help_with_an_example(
    path: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Usage: reqless {' '.join(path)}")
    assert "Example" in out


def test_the_top_level_help_lists_programs_and_admin_commands() -> None:
    result = run_reqless("--help")
    assert result.code == 0
    assert "Programs:" in result.out and "Admin commands:" in result.out
    assert "Exit statuses: 0 ok, 1 the operation failed" in " ".join(result.out.split())
    for name in ("worker", "ui", "dev", "server", "put-many", "recurring"):
        assert f"  {name} " in result.out


def test_main_returns_the_exit_status(
    server: LocalServer, redis: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["queues", "--json", "--url", server.url]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    assert main(["show", "nope", "--url", server.url]) == 1
    assert "no such job: nope" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["show"])
    assert info.value.code == 2


def test_worker_and_ui_get_their_arguments_unchanged() -> None:
    worker = run_reqless("worker", "--help")
    assert worker.code == 0 and worker.out.startswith("Usage: reqless worker [OPTIONS]")
    ui = run_reqless("ui", "--help")
    assert ui.code == 0 and ui.out.startswith("Usage: reqless ui [OPTIONS]")  # a click command
    bad = run_reqless("worker", "--workers", "x")
    assert bad.code == 2 and "--workers" in bad.err
