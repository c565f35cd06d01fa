"""One command-line framework: every command of `reqless`, and `reqless-py-worker`,
is a click command that declares its options, and nothing under reqless/cli uses argparse."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import click

import reqless.cli
from reqless.cli import worker as worker_program
from reqless.cli.main import build_cli

CLI_SOURCES = Path(reqless.cli.__file__).parent


def _commands(command: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
    """`command` and every subcommand below it, with their command paths."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, f"{path} {name}")


def test_every_command_parses_its_own_options_with_click() -> None:
    for path, command in _commands(build_cli(), "reqless"):
        assert isinstance(command, click.Command), path
        # A pass-through (arguments handed on unparsed to another parser) is not
        # a click command in anything but name.
        assert not command.ignore_unknown_options, path
        for param in command.params:
            assert param.type is not click.UNPROCESSED, f"{path}: {param.name}"


def test_reqless_worker_is_the_command_of_reqless_py_worker() -> None:
    worker = build_cli().commands["worker"]
    assert worker is worker_program.worker_command
    names = {name for param in worker.params for name in param.opts}
    for flag in ("-q", "--queue", "-w", "--workers", "-g", "--greenlets", "--retry-policy"):
        assert flag in names
    for flag in ("--url", "--host", "--port", "--db", "--password"):
        assert flag in names


def test_retry_policy_takes_pattern_and_spec_repeatedly() -> None:
    option = next(p for p in worker_program.worker_command.params if p.name == "retry_policies")
    assert isinstance(option, click.Option)
    assert (option.nargs, option.multiple) == (2, True)


def test_argparse_is_imported_nowhere_under_reqless_cli() -> None:
    importers = []
    for source in sorted(CLI_SOURCES.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(name.split(".")[0] == "argparse" for name in names):
                importers.append(str(source.relative_to(CLI_SOURCES)))
    assert importers == []
