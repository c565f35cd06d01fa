"""`reqless throttle`: list, show, set, delete and release throttles."""

from __future__ import annotations

from typing import Any

import click

from reqless.cli.admin.connection import ServerOptions, connected, json_option, server_options
from reqless.cli.admin.output import done, emit_json, key_values, print_table
from reqless.cli.admin.params import SECONDS, ValueCommand
from reqless.client import Client
from reqless.keys import KeySpace

__all__ = ["COMMANDS"]

_EMAILS = KeySpace.queue_throttle_id("emails")


@click.group(
    "throttle",
    epilog=f"""A queue's own throttle is named {KeySpace.queue_throttle_id("<queue>")} and caps its
running jobs.

\b
Examples:
  reqless throttle list
  reqless throttle show {_EMAILS}
  reqless throttle set smtp 10
  reqless throttle set {_EMAILS} 3 --expiration 3600
  reqless throttle delete smtp
""",
)
def throttle() -> None:
    """Show and change throttles.

    A throttle caps how many of the jobs holding it may run at once.
    """


def _record(client: Client, name: str) -> dict[str, Any]:
    found = client.throttles[name]
    return {
        "name": name, "maximum": found.maximum(), "ttl": found.ttl(),
        "locks": found.locks(), "pending": found.pending(),
    }  # fmt: skip


def _expires(ttl: int) -> str:
    return {-1: "never", -2: "not set"}.get(ttl, f"in {ttl} s")


def _names(client: Client) -> list[str]:
    """Every throttle the server holds: settings, slots held or jobs waiting.

    Throttles have no registry, so their keys are scanned (SCAN, a few keys per
    step, never blocking the server).
    """
    database = client.database
    # Where the core keeps throttles: `<prefix><name>` (a hash), `-locks` and `-pending`.
    prefix = client.keys.THROTTLE_PREFIX
    keys = list(database.scan_iter(match=f"{prefix}*", count=1000))
    pipe = database.pipeline(transaction=False)
    for key in keys:
        pipe.type(key)
    names: set[str] = set()
    for key, kind in zip(keys, pipe.execute(), strict=True):
        name = key[len(prefix) :]
        # The holders and waiters are sorted sets, the settings a hash; a throttle
        # may itself be called `x-locks`, so the key's type decides.
        if kind == "zset":
            suffix = "-locks" if name.endswith("-locks") else "-pending"
            name = name.removesuffix(suffix)
        names.add(name)
    return sorted(names)


@throttle.command(
    "list", epilog="Examples:\n\n\b\n  reqless throttle list\n  reqless throttle list --json\n"
)
@json_option
@server_options
def list_(server: ServerOptions, as_json: bool) -> None:
    """List every throttle: queue throttles (ql:q:<queue>) and named ones.

    A throttle is listed while it has a maximum, or jobs holding or awaiting a slot.
    """
    with connected(server) as client:
        records = [_record(client, name) for name in _names(client)]
    if as_json:
        emit_json(records)
        return
    rows = [
        (r["name"], r["maximum"] or "unlimited", _expires(r["ttl"]), len(r["locks"]),
         len(r["pending"]))
        for r in records
    ]  # fmt: skip
    print_table(
        ("throttle", "maximum", "expires", "running", "waiting"), rows, empty="no throttles"
    )


@throttle.command("show", epilog="Example:\n\n\b\n  reqless throttle show smtp\n")
@click.argument("name")
@json_option
@server_options
def show(server: ServerOptions, name: str, as_json: bool) -> None:
    """Show a throttle.

    Its maximum, its expiry, and the jobs holding or awaiting a slot.
    """
    with connected(server) as client:
        record = _record(client, name)
    if as_json:
        emit_json(record)
        return
    key_values(
        [
            ("maximum", f"{record['maximum']}" + (" (unlimited)" if not record["maximum"] else "")),
            ("expires", _expires(record["ttl"])),
            ("running", record["locks"]), ("waiting", record["pending"]),
        ],
        title=f"throttle {name}",
    )  # fmt: skip


@throttle.command(
    "set",
    cls=ValueCommand,
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
