"""`reqless ui` as a click command: its options, their help, and what it runs.

The web UI needs the `reqless[ui]` extra, so this module imports none of it: the
command checks for the extra before it reads its arguments (a plain install
answers even `--help` with the `pip install` line), and imports the UI only then.
Environment variables are read by `reqless.cli.ui_args`, which names the variable
when its value is refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reqless.cli.click_types import COUNT, NON_EMPTY, PORT, POSITIVE_SECONDS
from reqless.cli.server_options import NAMESPACE_ENV, SHARED_PREFIX, namespace_option, url_option
from reqless.cli.ui_defaults import DEFAULT_PORT, DEFAULT_REDIS_URL, PROGRAM
from reqless.extras import MissingExtraError, require
from reqless.keys import KeySpace

if TYPE_CHECKING:
    from reqless.cli.ui_args import UIOptions

__all__ = [
    "DEFAULT_PORT", "DEFAULT_REDIS_URL", "PROGRAM", "UICommand", "parse_ui_args", "ui",
]  # fmt: skip

_F = TypeVar("_F", bound=Callable[..., Any])


class UICommand(click.Command):
    """A command that needs the `reqless[ui]` extra: refused with exit 1 without it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            require("ui", PROGRAM)
        except MissingExtraError as exc:
            raise click.ClickException(str(exc)) from exc
        return super().parse_args(ctx, args)


class _RedactKeysOption(click.Option):
    """`--redact-keys`, whose help shows the UI's default list (read from the UI only
    when help is shown, after the extra was found)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from reqless.ui.settings import DEFAULT_REDACT_KEYS

        record = super().get_help_record(ctx)
        if record is None:
            return None
        return record[0], f"{record[1]} (default {', '.join(DEFAULT_REDACT_KEYS)})"


def _flag(name: str, help: str) -> Callable[[_F], _F]:
    return click.option(name, is_flag=True, help=help)


@click.command(
    "ui",
    cls=UICommand,
    help="Serve the reqless web UI (an operator console) with uvicorn.",
    short_help="Serve the web UI (an operator console).",
    epilog="Options with an environment variable take it when the option is absent.",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@url_option(
    "--url",
    "--redis-url",
    "redis_url",
    multiple=True,
    metavar="URL|NAME=URL",
    help="Redis/Valkey instance to show, as every reqless command takes it; repeat "
    "for several, each NAME=URL ($REQLESS_URL or $REQLESS_REDIS_URL, comma-separated; "
    f"default: the reqless dev of this directory or a parent, else {DEFAULT_REDIS_URL})",
)
@namespace_option(
    multiple=True,
    help="show this namespace of each instance (docs/scale-out.md); repeatable: one UI "
    "instance per namespace, named after it (NAME-NAMESPACE with several URLs); default: "
    f"${NAMESPACE_ENV}, else none (the shared {SHARED_PREFIX} layout)",
)
@click.option(
    "--host",
    type=NON_EMPTY,
    metavar="HOST",
    help="bind address ($REQLESS_UI_HOST; default 127.0.0.1)",
)
@click.option(
    "--port",
    type=PORT,
    metavar="PORT",
    help=f"bind port ($REQLESS_UI_PORT; default {DEFAULT_PORT})",
)
@click.option(
    "--root-path",
    metavar="ROOT_PATH",
    help="URL prefix when a proxy serves the UI under a sub-path ($REQLESS_UI_ROOT_PATH)",
)
@_flag("--read-only", "every user is a viewer ($REQLESS_UI_READ_ONLY)")
@click.option(
    "--basic-auth",
    multiple=True,
    metavar="USER:PASSWORD[:ROLE]",
    help="an HTTP Basic user, role admin unless given; repeatable "
    "($REQLESS_UI_BASIC_AUTH, comma-separated)",
)
@click.option(
    "--basic-auth-file",
    metavar="PATH",
    help="HTTP Basic users, one user:password:role per line ($REQLESS_UI_BASIC_AUTH_FILE)",
)
@click.option(
    "--token-file",
    metavar="PATH",
    help="bearer tokens for API clients, one token:role:label per line ($REQLESS_UI_TOKEN_FILE)",
)
@click.option(
    "--trusted-user-header",
    metavar="NAME",
    help="take the user from this header (role from NAME-Role, default viewer), "
    "set by an authenticating proxy",
)
@click.option(
    "--trusted-proxy",
    multiple=True,
    metavar="CIDR",
    help="address or CIDR block of a proxy whose user and X-Forwarded-* headers "
    "are believed; repeatable",
)
@_flag(
    "--insecure-no-auth",
    "allow a non-loopback --host without authentication ($REQLESS_UI_INSECURE_NO_AUTH)",
)
@click.option(
    "--allowed-host",
    multiple=True,
    metavar="NAME",
    help="a host name the UI answers to besides localhost (no-auth mode); repeatable",
)
@click.option(
    "--external-url",
    metavar="URL",
    help="the UI's public URL (https://ops.example.com/reqless) when behind a proxy",
)
@click.option(
    "--refresh-floor",
    type=POSITIVE_SECONDS,
    default=2.0,
    metavar="SECONDS",
    help="shortest refresh interval any client may use (default 2)",
)
@click.option(
    "--bulk-limit",
    multiple=True,
    metavar="N|ROLE=N",
    help="largest bulk action per request: N for both roles, or operator=N / admin=N "
    "(default operator=1000, admin=100000)",
)
@click.option(
    "--scan-limit",
    type=COUNT,
    default=10_000,
    metavar="N",
    help="most jobs one search request may examine (default 10000)",
)
@click.option(
    "--backlog-threshold",
    type=POSITIVE_SECONDS,
    default=300.0,
    metavar="SECONDS",
    help="warn that a queue's backlog is not draining when its next job has waited "
    "this long (default 300)",
)
@click.option(
    "--redact-keys",
    cls=_RedactKeysOption,
    metavar="K1,K2,...",
    help="payload keys masked in the UI",
)
@click.option("--environment-label", metavar="TEXT", help='a header badge, e.g. "production"')
@click.option("--environment-color", metavar="CSS", help="the badge colour, e.g. #b00020 or red")
@_flag("--metrics", "serve Prometheus text at /metrics")
@_flag("--metrics-auth", "require authentication for /metrics")
@_flag(
    "--audit-redis",
    f"also keep the audit trail in the Redis list {KeySpace().UI_AUDIT} "
    "(in a namespace: its own list)",
)
@click.pass_context
def ui(ctx: click.Context, /, **params: Any) -> int:
    """Check every option (a bad value is a usage error, status 2, and nothing
    starts), then serve until Ctrl-C."""
    from reqless.cli.ui import serve
    from reqless.cli.ui_args import checked_options

    options = checked_options(ctx, params, os.environ)
    return serve(options, prog=ctx.command_path)


def parse_ui_args(
    argv: list[str], environ: Mapping[str, str] | None = None, prog: str = PROGRAM
) -> UIOptions:
    """Parse and check `argv` (and the environment) as `reqless ui` does.

    A bad value prints the usage and the message, and exits with status 2.
    """
    from reqless.cli.ui_args import checked_options

    env = os.environ if environ is None else environ
    try:
        with ui.make_context(prog, list(argv)) as ctx:
            return checked_options(ctx, ctx.params, env)
    except click.exceptions.Exit as exc:  # --help
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from exc
