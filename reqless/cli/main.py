"""`reqless`: one command with subcommands.

Every command is a click command: `worker` (the command `reqless-py-worker` runs),
`ui`, `dev`, `server` and the operator commands (`reqless.cli.admin`) take their
values through the same checks (`reqless.cli.values`) and server options
(`reqless.cli.server_options`).
Shell completion comes with click: `eval "$(_REQLESS_COMPLETE=bash_source reqless)"`.
"""

from __future__ import annotations

import sys

import click

from reqless.cli.admin import commands as admin_commands
from reqless.cli.click_main import run_click
from reqless.cli.dev import dev
from reqless.cli.server_cmd import server
from reqless.cli.server_options import GROUP_NAMESPACE, GROUP_URL, NAMESPACE, NAMESPACED_PREFIX
from reqless.cli.ui_command import ui
from reqless.cli.worker import worker_command

__all__ = ["build_cli", "main"]

#: The programs that run for a long time; every other subcommand is an admin command.
PROGRAMS = ("worker", "ui", "dev", "server")


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


_NAMESPACE_HELP = (
    "Namespace for every command (as each command's own --namespace): all keys and "
    f"channels under {NAMESPACED_PREFIX} (docs/scale-out.md). Default: $REQLESS_NAMESPACE, "
    "else none."
)


def _remember(ctx: click.Context, url: str | None, namespace: str | None) -> None:
    # The group's --namespace stands in for a command's own when it names none.
    if namespace is not None:
        ctx.meta[GROUP_NAMESPACE] = namespace
    # The group's --url stands in for a command's server options when it names none:
    # `reqless --url U CMD` acts as `reqless CMD --url U`.
    if url is not None:
        if not url.strip():
            raise click.BadParameter("must not be empty", param_hint="--url")
        ctx.meta[GROUP_URL] = url  # read by every command's server options
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
        params=[
            click.Option(["--url"], metavar="URL", help=_URL_HELP),
            click.Option(["--namespace"], type=NAMESPACE, metavar="NAME", help=_NAMESPACE_HELP),
        ],
        callback=click.pass_context(_remember),
    )
    for command in (worker_command, ui, dev, server, *admin_commands()):
        group.add_command(command)
    click.version_option(package_name="reqless", prog_name="reqless")(group)
    return group


def main(argv: list[str] | None = None) -> int:
    """Run `reqless` with `argv` (default `sys.argv[1:]`); returns the exit status.

    A command-line error prints the usage and the message and raises SystemExit(2).
    """
    args = sys.argv[1:] if argv is None else list(argv)
    return run_click(build_cli(), args, "reqless")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
