"""`reqless throttle`: show, set, delete and release throttles."""

from __future__ import annotations

import click

from reqless.cli.admin.connection import ServerOptions, connected, json_option, server_options
from reqless.cli.admin.output import done, emit_json, key_values
from reqless.cli.admin.params import SECONDS

__all__ = ["COMMANDS"]


@click.group(
    "throttle",
    epilog="""A queue's own throttle is named ql:q:<queue> and caps its running jobs.

\b
Examples:
  reqless throttle show ql:q:emails
  reqless throttle set smtp 10
  reqless throttle set ql:q:emails 3 --expiration 3600
  reqless throttle delete smtp
""",
)
def throttle() -> None:
    """Show and change throttles.

    A throttle caps how many of the jobs holding it may run at once.
    """


@throttle.command("show", epilog="Example:\n\n\b\n  reqless throttle show smtp\n")
@click.argument("name")
@json_option
@server_options
def show(server: ServerOptions, name: str, as_json: bool) -> None:
    """Show a throttle.

    Its maximum, its expiry, and the jobs holding or awaiting a slot.
    """
    with connected(server) as client:
        found = client.throttles[name]
        record = {
            "name": name, "maximum": found.maximum(), "ttl": found.ttl(),
            "locks": found.locks(), "pending": found.pending(),
        }  # fmt: skip
    if as_json:
        emit_json(record)
        return
    ttl = record["ttl"]
    key_values(
        [
            ("maximum", f"{record['maximum']}" + (" (unlimited)" if not record["maximum"] else "")),
            ("expires", {-1: "never", -2: "not set"}.get(ttl, f"in {ttl} s")),  # type: ignore[call-overload]
            ("running", record["locks"]), ("waiting", record["pending"]),
        ],
        title=f"throttle {name}",
    )  # fmt: skip


@throttle.command(
    "set",
    epilog="Examples:\n\n\b\n  reqless throttle set smtp 10\n"
    "  reqless throttle set smtp 0      # unlimited\n",
)
@click.argument("name")
@click.argument("maximum", type=click.IntRange(min=0))
@click.option("--expiration", type=SECONDS, help="Seconds until the throttle is deleted.")
@json_option
@server_options
def set_(
    server: ServerOptions, name: str, maximum: int, expiration: float | None, as_json: bool
) -> None:
    """Let at most MAXIMUM jobs holding throttle NAME run at once (0: unlimited)."""
    with connected(server) as client:
        client.throttles[name].set_maximum(maximum, expiration)
    done(as_json, f"throttle {name}: maximum {maximum}", {"name": name, "maximum": maximum})


@throttle.command("delete", epilog="Example:\n\n\b\n  reqless throttle delete smtp\n")
@click.argument("name")
@json_option
@server_options
def delete(server: ServerOptions, name: str, as_json: bool) -> None:
    """Delete a throttle's definition (it becomes unlimited)."""
    with connected(server) as client:
        client.throttles[name].delete()
    done(as_json, f"deleted throttle {name}", {"deleted": name})


@throttle.command("release", epilog="Example:\n\n\b\n  reqless throttle release smtp JID\n")
@click.argument("name")
@click.argument("jids", nargs=-1, required=True, metavar="JID...")
@json_option
@server_options
def release(server: ServerOptions, name: str, jids: tuple[str, ...], as_json: bool) -> None:
    """Release jobs from a throttle.

    Holders free their slot; waiters stop waiting.
    """
    with connected(server) as client:
        client.throttles[name].release(*jids)
    done(as_json, f"released {len(jids)} job(s) from {name}", {"released": list(jids)})


COMMANDS = [throttle]
