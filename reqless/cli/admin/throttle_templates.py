"""`reqless throttle template`: set, list and delete throttle templates.

A template defines every throttle whose name starts with its prefix and that has
no definition of its own: a throttle per customer then needs no set-up
(docs/concepts.md, Throttles).
"""

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
from reqless.cli.admin.rate_values import PATTERN, PER, RATE

__all__ = ["template"]


@click.group(
    "template",
    epilog="""\b
Examples:
  reqless throttle template set 'stripe:*' --rate 100 --per 60
  reqless throttle template set 'smtp:*' --maximum 2
  reqless throttle template list
  reqless throttle template delete 'stripe:*'
""",
)
def template() -> None:
    """Define throttles by the prefix of their name.

    A job holding throttle `stripe:customer-42` is limited by the template
    `stripe:*` unless that throttle has a definition of its own; nothing is
    stored per customer.
    """


@template.command(
    "set",
    cls=ValueCommand,
    epilog="Examples:\n\n\b\n  reqless throttle template set 'stripe:*' --rate 100 --per 60\n"
    "  reqless throttle template set 'smtp:*' --maximum 2\n",
)
@click.argument("pattern", type=PATTERN)
@click.option(
    "--maximum", type=click.IntRange(min=0), default=0, show_default=True,
    help="Jobs that may run at once under each matching throttle (0: unlimited).",
)  # fmt: skip
@click.option("--rate", type=RATE, help="At most this many starts in any --per seconds.")
@click.option("--per", type=PER, help="The rate window, in seconds (at most a year).")
@json_option
@server_options
def set_(
    server: ServerOptions, pattern: str, maximum: int, rate: int | None, per: float | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Define the throttles named PATTERN (a prefix then *) that have no definition
    of their own; the longest matching prefix wins. Setting it again replaces it."""
    if (rate is None) != (per is None):
        raise BadInput(f"{'--per' if per is None else '--rate'} is missing: --rate and --per go "
                       "together")  # fmt: skip
    if maximum == 0 and rate is None:
        raise BadInput(f"template {pattern!r} limits nothing: give --maximum above 0, or --rate "
                       "and --per")  # fmt: skip
    with connected(server) as client:
        client.throttles.template(pattern, maximum=maximum, rate=rate, per=per)
    text = f"template {pattern}: maximum {maximum}"
    if rate is not None:
        text += f", rate {rate} per {per} s"
    done(as_json, text, {"pattern": pattern, "maximum": maximum, "rate": rate, "per": per})


@template.command(
    "list", epilog="Examples:\n\n\b\n  reqless throttle template list\n"
    "  reqless throttle template list --json\n",
)  # fmt: skip
@json_option
@server_options
def list_(server: ServerOptions, as_json: bool) -> None:
    """List the throttle templates, by pattern."""
    with connected(server) as client:
        found = client.throttles.templates()
    if as_json:
        emit_json([
            {"pattern": t.pattern, "maximum": t.maximum, "rate": t.rate, "per": t.per}
            for t in found
        ])  # fmt: skip
        return
    rows = [
        (t.pattern, t.maximum or "unlimited", "" if t.rate is None else f"{t.rate} per {t.per} s")
        for t in found
    ]
    print_table(("pattern", "maximum", "rate"), rows, empty="no throttle templates")


@template.command(
    "delete", epilog="Example:\n\n\b\n  reqless throttle template delete 'stripe:*'\n"
)
@click.argument("pattern", type=PATTERN)
@json_option
@server_options
def delete(server: ServerOptions, pattern: str, as_json: bool) -> None:
    """Delete the template of PATTERN (exit status 1 when there is none)."""
    with connected(server) as client:
        existed = client.throttles.delete_template(pattern)
    if not existed:
        raise CommandError(f"no throttle template {pattern!r}")
    done(as_json, f"deleted throttle template {pattern}", {"deleted": pattern})
