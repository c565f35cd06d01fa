"""`reqless groups` and `reqless group-weight`: a queue's fair groups, a group's
waiting jobs, and a group's weight (docs/concepts.md, Fair groups)."""

from __future__ import annotations

import click

from reqless.cli.admin.connection import ServerOptions, connected, json_option, server_options
from reqless.cli.admin.output import done, emit_json, print_table
from reqless.cli.admin.params import ValueCommand
from reqless.cli.admin.rate_values import GROUP, WEIGHT

__all__ = ["COMMANDS"]


@click.command(
    "groups",
    epilog="""Examples:

\b
  reqless groups api
  reqless groups api customer-42
  reqless groups api --json
""",
)
@click.argument("queue")
@click.argument("group", type=GROUP, required=False)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--count", type=click.IntRange(min=1), default=25, show_default=True)
@json_option
@server_options
def groups(
    server: ServerOptions, queue: str, group: str | None, offset: int, count: int, as_json: bool
) -> None:
    """List QUEUE's fair groups, the next served first, with their waiting jobs and
    weights; with GROUP, the jobs waiting in it, in the order it hands them out.

    A parked group waits on a job a throttle holds back.
    """
    with connected(server) as client:
        if group is not None:
            jids = client.queues[queue].group_jobs(group, offset, count)
        else:
            found = client.queues[queue].groups(offset, count)
    if group is not None:
        if as_json:
            emit_json(jids)
        else:
            print_table(("jid",), [(jid,) for jid in jids], empty=f"no jobs wait in {group}")
        return
    if as_json:
        emit_json(found)
        return
    rows = [(g["group"], g["waiting"], g["weight"], g["parked"] or "") for g in found]
    print_table(("group", "waiting", "weight", "parked on"), rows, empty=f"no groups in {queue}")


@click.command(
    "group-weight",
    cls=ValueCommand,
    epilog="Examples:\n\n\b\n  reqless group-weight api customer-42 3\n"
    "  reqless group-weight api customer-42 1   # back to the default\n",
)
@click.argument("queue")
@click.argument("group", type=GROUP)
@click.argument("weight", type=WEIGHT)
@json_option
@server_options
def group_weight(server: ServerOptions, queue: str, group: str, weight: int, as_json: bool) -> None:
    """Let GROUP of QUEUE take WEIGHT jobs per turn (a whole number from 1 to 1000;
    1 is the default). The weight stays while the group has no jobs."""
    with connected(server) as client:
        client.queues[queue].set_group_weight(group, weight)
    done(
        as_json, f"group {group} of {queue}: weight {weight}",
        {"queue": queue, "group": group, "weight": weight},
    )  # fmt: skip


COMMANDS = [groups, group_weight]
