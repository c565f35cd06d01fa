"""`reqless`: one command with subcommands (`reqless worker ...`).

Each subcommand is a program of its own module, which parses its own
arguments: `reqless worker ARGS` runs exactly what `reqless-py-worker ARGS`
runs. A new subcommand is one more entry in `_SUBCOMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["build_parser", "main"]

#: A subcommand's program: takes its arguments, returns an exit status.
Program = Callable[[list[str]], int]


def _worker(argv: list[str]) -> int:
    from reqless.cli.worker import main as worker_main

    return worker_main(argv, prog="reqless worker")


def _dev(argv: list[str]) -> int:
    from reqless.cli.dev import dev

    return _run_click(dev, argv, "reqless dev")


def _server(argv: list[str]) -> int:
    from reqless.cli.server_cmd import server

    return _run_click(server, argv, "reqless server")


def _run_click(command: Any, argv: list[str], prog: str) -> int:
    """Run a click command as a subcommand program; returns its exit status."""
    try:
        command.main(args=argv, prog_name=prog, standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def _ui(argv: list[str]) -> int:
    from reqless.cli.ui import main as ui_main

    return ui_main(argv, prog="reqless ui")


# name -> (one-line help, program). Programs are imported only when run.
_SUBCOMMANDS: dict[str, tuple[str, Program]] = {
    "worker": ("run worker processes (same options as reqless-py-worker)", _worker),
    "ui": ("serve the web UI (an operator console)", _ui),
    "dev": ("run a local server, workers and the web UI in one command", _dev),
    "server": ("run the embedded Valkey server alone", _server),
}


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser; it only lists the subcommands (each parses its own options)."""
    parser = argparse.ArgumentParser(
        prog="reqless",
        description="reqless: a job queue on Redis or Valkey.",
        epilog="Run `reqless COMMAND --help` for the options of a command.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (text, _program) in _SUBCOMMANDS.items():
        commands.add_parser(name, help=text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run `reqless` with `argv` (default `sys.argv[1:]`); returns the exit status."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args and args[0] in _SUBCOMMANDS:
        # The subcommand owns everything after its name, --help included.
        return _SUBCOMMANDS[args[0]][1](args[1:])
    # No (known) subcommand: argparse prints the help or the error and exits.
    build_parser().parse_args(args)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
