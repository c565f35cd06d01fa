"""`reqless config`: read and change the server's configuration."""

from __future__ import annotations

import click

from reqless.cli.admin.connection import (
    BadInput,
    CommandError,
    ServerOptions,
    connected,
    json_option,
    server_options,
)
from reqless.cli.admin.output import done, emit_json, print_table
from reqless.cli.admin.params import ValueCommand
from reqless.exceptions import ReqlessError

__all__ = ["COMMANDS"]


@click.group(
    "config",
    epilog="""Examples:

\b
  reqless config get
  reqless config get heartbeat
  reqless config set heartbeat 120
  reqless config set emails-heartbeat 300     # one queue's own lock length
  reqless config unset heartbeat              # back to the default
""",
)
def config() -> None:
    """Read and change the server's configuration.

    The configuration is shared by every client of the server.
    """


@config.command(
    "get", epilog="Examples:\n\n\b\n  reqless config get\n  reqless config get heartbeat"
)
@click.argument("option", required=False)
@json_option
@server_options
def get(server: ServerOptions, option: str | None, as_json: bool) -> None:
    """Print OPTION's value, or every option (defaults included)."""
    with connected(server) as client:
        values = client.config.all
    if option is None:
        if as_json:
            emit_json(values)
        else:
            print_table(("option", "value"), sorted(values.items()), empty="no options")
        return
    if option not in values:
        raise CommandError(f"config option {option!r} is not set and has no default")
    done(as_json, values[option], {option: values[option]})


@config.command(
    "set", cls=ValueCommand, epilog="Example:\n\n\b\n  reqless config set heartbeat 120\n"
)
@click.argument("option")
@click.argument("value")
@json_option
@server_options
def set_(server: ServerOptions, option: str, value: str, as_json: bool) -> None:
    """Set OPTION to VALUE (numeric options are checked first)."""
    with connected(server) as client:
        try:
            client.config[option] = value
        except ReqlessError as exc:
            # A value the library refuses never reached the server: a usage error.
            raise BadInput(str(exc)) from exc
    done(as_json, f"{option} = {value}", {option: value})


@config.command("unset", epilog="Example:\n\n\b\n  reqless config unset heartbeat\n")
@click.argument("option")
@json_option
@server_options
def unset(server: ServerOptions, option: str, as_json: bool) -> None:
    """Unset OPTION; an option with a default goes back to it."""
    with connected(server) as client:
        del client.config[option]
        now = client.config.all.get(option)
    text = f"{option} is back to its default, {now}" if now is not None else f"{option} unset"
    done(as_json, text, {option: now})


COMMANDS = [config]
