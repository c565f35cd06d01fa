"""`reqless unique`: show which job holds a unique key, and free a key."""

from __future__ import annotations

import click

from reqless.cli.admin.connection import ServerOptions, connected, json_option, server_options
from reqless.cli.admin.output import done

__all__ = ["COMMANDS"]


@click.group(
    "unique",
    epilog="""A job put with --unique KEY holds KEY until it ends (or starts, with
--unique-until start); meanwhile another put with KEY puts nothing.

\b
Examples:
  reqless unique show invoice:42
  reqless unique free invoice:42
""",
)
def unique() -> None:
    """Show and free unique keys of jobs."""


@unique.command("show", epilog="Example:\n\n\b\n  reqless unique show invoice:42\n")
@click.argument("key")
@json_option
@server_options
def show(server: ServerOptions, key: str, as_json: bool) -> None:
    """Print the id of the job holding KEY ("-" when no live job holds it)."""
    with connected(server) as client:
        jid = client.jobs.unique_holder(key)
    done(as_json, jid or "-", {"key": key, "jid": jid})


@unique.command("free", epilog="Example:\n\n\b\n  reqless unique free invoice:42\n")
@click.argument("key")
@json_option
@server_options
def free(server: ServerOptions, key: str, as_json: bool) -> None:
    """Free KEY, so that the next put naming it is put.

    The job that held it is left as it is.
    """
    with connected(server) as client:
        freed = client.jobs.free_unique(key)
    text = f"freed {key}" if freed else f"{key} was not held"
    done(as_json, text, {"key": key, "freed": freed})


COMMANDS = [unique]
