"""`reqless throttle`: list, show, set, clear-rate, delete and release throttles, and
its `template` group (`throttle_templates`)."""

from __future__ import annotations

from typing import Any

import click

from reqless.cli.admin.connection import (
    BadInput,
    ServerOptions,
    connected,
    json_option,
    server_options,
)
from reqless.cli.admin.output import done, emit_json, key_values, print_table, when
from reqless.cli.admin.params import SECONDS, ValueCommand
from reqless.cli.admin.rate_values import PER, RATE
from reqless.cli.admin.throttle_templates import template
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
  reqless throttle set stripe --rate 100 --per 60
  reqless throttle clear-rate stripe
  reqless throttle template set 'stripe:customer-*' --rate 10 --per 1
  reqless throttle delete smtp
""",
)
def throttle() -> None:
    """Show and change throttles.

    A throttle caps how many of the jobs holding it may run at once (its maximum),
    how many may start in any window of time (its rate), or both.
    """


throttle.add_command(template)


def _record(client: Client, name: str) -> dict[str, Any]:
    found = client.throttles[name]
    info = found.info()
    record: dict[str, Any] = {"name": name, "maximum": info.maximum, "ttl": info.ttl}
    # Only what the throttle has: a plain throttle reads as it always did.
    for key in ("rate", "per", "used", "reopens", "template"):
        value = getattr(info, key)
        if value is not None:
            record[key] = value
    record.update(locks=found.locks(), pending=found.pending())
    return record


def _rate(record: dict[str, Any]) -> str:
    if "rate" not in record:
        return ""
    return f"{record['rate']} per {record['per']} s"


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
        # The holders, waiters and a rate window's starts log are sorted sets, the
        # settings a hash; a throttle may itself be called `x-locks`, so the key's
        # type decides.
        if kind == "zset":
            suffix = next((end for end in ("-locks", "-starts") if name.endswith(end)), "-pending")
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
        (r["name"], r["maximum"] or "unlimited", _rate(r), _expires(r["ttl"]), len(r["locks"]),
         len(r["pending"]))
        for r in records
    ]  # fmt: skip
    print_table(
        ("throttle", "maximum", "rate", "expires", "running", "waiting"), rows,
        empty="no throttles",
    )  # fmt: skip


@throttle.command("show", epilog="Example:\n\n\b\n  reqless throttle show smtp\n")
@click.argument("name")
@json_option
@server_options
def show(server: ServerOptions, name: str, as_json: bool) -> None:
    """Show a throttle.

    Its maximum, its expiry, its rate window and the starts it counts now, the
    template defining it, and the jobs holding or awaiting a slot.
    """
    with connected(server) as client:
        record = _record(client, name)
    if as_json:
        emit_json(record)
        return
    pairs: list[tuple[str, Any]] = [
        ("maximum", f"{record['maximum']}" + (" (unlimited)" if not record["maximum"] else "")),
        ("expires", _expires(record["ttl"])),
    ]
    if "rate" in record:
        pairs += [("rate", _rate(record)), ("used", f"{record['used']} of {record['rate']}")]
    if "reopens" in record:
        pairs.append(("reopens", when(record["reopens"])))
    if "template" in record:
        pairs.append(("template", record["template"]))
    pairs += [("running", record["locks"]), ("waiting", record["pending"])]
    key_values(pairs, title=f"throttle {name}")


@throttle.command(
    "set",
    cls=ValueCommand,
    epilog="""Examples:

\b
  reqless throttle set smtp 10
  reqless throttle set smtp 0                       # unlimited
  reqless throttle set stripe --rate 100 --per 60   # at most 100 starts a minute
  reqless throttle set stripe --maximum 5 --rate 100 --per 60
""",
)
@click.argument("name")
@click.argument("maximum", type=click.IntRange(min=0), required=False)
@click.option(
    "--maximum", "maximum_option", type=click.IntRange(min=0),
    help="Jobs that may run at once (0: unlimited); the same as MAXIMUM.",
)  # fmt: skip
@click.option("--rate", type=RATE, help="At most this many job starts in any --per seconds.")
@click.option("--per", type=PER, help="The rate window, in seconds (at most a year).")
@click.option("--expiration", type=SECONDS, help="Seconds until the throttle is deleted.")
@json_option
@server_options
def set_(
    server: ServerOptions, name: str, maximum: int | None, maximum_option: int | None,
    rate: int | None, per: float | None, expiration: float | None, as_json: bool,
) -> None:  # fmt: skip
    """Let at most MAXIMUM jobs holding throttle NAME run at once (0: unlimited), and
    with --rate and --per, at most RATE of them start in any PER seconds.

    What is not given is kept: --rate and --per alone keep the maximum, a maximum
    alone keeps the rate window (`clear-rate` removes it).
    """
    if maximum is not None and maximum_option is not None and maximum != maximum_option:
        raise BadInput(f"give the maximum once: MAXIMUM is {maximum}, --maximum {maximum_option}")
    if (rate is None) != (per is None):
        raise BadInput(f"{'--per' if per is None else '--rate'} is missing: --rate and --per go "
                       "together")  # fmt: skip
    maximum = maximum if maximum is not None else maximum_option
    if maximum is None and rate is None and expiration is None:
        raise BadInput("nothing to set: give MAXIMUM (or --maximum), --rate and --per, or "
                       "--expiration")  # fmt: skip
    with connected(server) as client:
        found = client.throttles[name]
        found.set(maximum=maximum, rate=rate, per=per, expiration=expiration)
        info = found.info()
    value: dict[str, Any] = {"name": name, "maximum": info.maximum}
    text = f"throttle {name}: maximum {info.maximum}"
    if info.rate is not None:
        value.update(rate=info.rate, per=info.per)
        text += f", rate {info.rate} per {info.per} s"
    done(as_json, text, value)


@throttle.command("clear-rate", epilog="Example:\n\n\b\n  reqless throttle clear-rate stripe\n")
@click.argument("name")
@json_option
@server_options
def clear_rate(server: ServerOptions, name: str, as_json: bool) -> None:
    """Remove throttle NAME's rate window (its maximum stays).

    Jobs held back by the window go back to their queues.
    """
    with connected(server) as client:
        client.throttles[name].clear_rate()
    done(as_json, f"throttle {name}: no rate window", {"name": name, "rate": None})


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
