"""`reqless`: one command with subcommands.

Every command is a click command but `worker`, a program that still parses its own
arguments with argparse (`reqless worker ARGS` runs exactly what
`reqless-py-worker ARGS` runs). `ui`, `dev`, `server` and the operator commands
(`reqless.cli.admin`) take their values through the same checks
(`reqless.cli.values`) and server options (`reqless.cli.server_options`).
Shell completion comes with click: `eval "$(_REQLESS_COMPLETE=bash_source reqless)"`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from reqless.cli.admin import commands as admin_commands
from reqless.cli.dev import dev
from reqless.cli.server_cmd import server
from reqless.cli.server_options import GROUP_URL
from reqless.cli.ui_command import ui

__all__ = ["build_cli", "main"]

#: The programs that run for a long time; every other subcommand is an admin command.
PROGRAMS = ("worker", "ui", "dev", "server")

# A pass-through program gets every argument after its name, --help included.
_PASS_THROUGH: dict[str, Any] = {
    "ignore_unknown_options": True,
    "allow_extra_args": True,
    "help_option_names": [],
}


class _Program(click.Command):
    """A program that parses its own arguments: they reach it exactly as given.

    Click's parser would drop the first `--`; this hands over the list untouched.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.params["argv"] = tuple(args)
        return []


@click.command("worker", cls=_Program, context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
def _worker(argv: tuple[str, ...]) -> int:
    """Run worker processes (the options of reqless-py-worker)."""
    from reqless.cli.worker import main as worker_main

    return worker_main(_group_url(argv, "--url", _SERVER_FLAGS), prog="reqless worker")


class _Reqless(click.Group):
    """The `reqless` group: programs and admin commands listed apart, and an
    unknown command reported as argparse did (`invalid choice`)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            choices = ", ".join(self.list_commands(ctx))
            ctx.fail(f"invalid choice: {name!r} (choose from {choices})")
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order added: programs first

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in self.commands)
        for title, names in (
            ("Programs", [name for name in self.commands if name in PROGRAMS]),
            ("Admin commands", [name for name in self.commands if name not in PROGRAMS]),
        ):
            rows = [(name, self.commands[name].get_short_help_str(limit)) for name in names]
            with formatter.section(title):
                formatter.write_dl(rows)


_URL_HELP = (
    "Server URL for every command (as each command's own --url). Default: $REQLESS_URL "
    "(alias $REQLESS_REDIS_URL), else the running `reqless dev` of this directory or a "
    "parent, else redis://localhost:6379/0 (the commands say which they use)."
)
_SERVER_FLAGS = ("--url", "--host", "--port", "--db", "--password")


def _given(argv: tuple[str, ...], flags: tuple[str, ...]) -> bool:
    return any(arg == flag or arg.startswith(flag + "=") for arg in argv for flag in flags)


def _group_url(argv: tuple[str, ...], option: str, server_flags: tuple[str, ...]) -> list[str]:
    """`argv` with the group's `--url` in front, unless it names a server itself
    (with one of `server_flags`)."""
    url = click.get_current_context().meta.get(GROUP_URL)
    if url is None or _given(argv, server_flags):
        return list(argv)
    return [option, url, *argv]


def _remember_url(ctx: click.Context, url: str | None) -> None:
    # The group's --url stands in for a command's server options when it names none:
    # `reqless --url U CMD` acts as `reqless CMD --url U`.
    if url is not None:
        if not url.strip():
            raise click.BadParameter("must not be empty", param_hint="--url")
        ctx.meta[GROUP_URL] = url  # read by the admin commands' and ui's server options
        ctx.default_map = {"dev": {"url": url}}


def build_cli() -> click.Group:
    """The `reqless` command group."""
    group = _Reqless(
        "reqless",
        help="reqless: a job queue on Redis or Valkey.",
        epilog="Run `reqless COMMAND --help` for the options and examples of a command. "
        "Exit statuses: 0 ok, 1 the operation failed or found nothing, 2 a usage error "
        "(nothing was changed), 3 the server is unreachable.",
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        no_args_is_help=True,
        params=[click.Option(["--url"], metavar="URL", help=_URL_HELP)],
        callback=click.pass_context(_remember_url),
    )
    for command in (_worker, ui, dev, server, *admin_commands()):
        group.add_command(command)
    click.version_option(package_name="reqless", prog_name="reqless")(group)
    return group


def main(argv: list[str] | None = None) -> int:
    """Run `reqless` with `argv` (default `sys.argv[1:]`); returns the exit status.

    A command-line error is printed and raises SystemExit(2), as argparse does.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        result = build_cli().main(args=args, prog_name="reqless", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from exc
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except BrokenPipeError:
        # The reader went away (`reqless queues | head -1`): stop quietly, and keep
        # Python from complaining when it flushes standard output at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
