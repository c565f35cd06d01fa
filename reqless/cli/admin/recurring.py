"""`reqless recurring`: jobs that spawn a new job every so many seconds."""

from __future__ import annotations

import click

from reqless import defaults
from reqless.cli.admin.connection import (
    BadInput,
    ServerOptions,
    connected,
    json_option,
    server_options,
)
from reqless.cli.admin.names import warn_unknown_queues
from reqless.cli.admin.output import done, emit_json, print_table, when
from reqless.cli.admin.params import JSON_INPUT, NUMBER, POSITIVE_SECONDS, SECONDS
from reqless.cli.admin.records import print_recurring, recurring_record

__all__ = ["COMMANDS"]


@click.group(
    "recurring",
    epilog="""Examples:

\b
  reqless recurring add reports myapp.jobs.Report '{"kind": "daily"}' --interval 86400
  reqless recurring list
  reqless recurring list reports
  reqless recurring update JID --interval 3600 --priority 5
  reqless recurring cancel JID
""",
)
def recurring() -> None:
    """Add, list, change and cancel recurring jobs."""


@recurring.command(
    "add",
    epilog="Example:\n\n\b\n  reqless recurring add reports myapp.jobs.Report --interval 3600 "
    "--offset 60\n",
)
@click.argument("queue")
@click.argument("klass", metavar="CLASS")
@click.argument("data", type=JSON_INPUT, default="{}", required=False)
@click.option("--interval", type=POSITIVE_SECONDS, required=True, help="Seconds between jobs.")
@click.option("--offset", type=SECONDS, default=0, help="Seconds before the first job.")
@click.option("--priority", type=NUMBER, help="Priority of the jobs (default 0).")
@click.option("--tag", "-t", "tags", multiple=True, help="A tag of the jobs (repeatable).")
@click.option("--retries", type=click.IntRange(min=0), help="Retries of the jobs (default 5).")
@click.option("--jid", help="The recurring job's id (default: a random one).")
@click.option("--throttle", "throttles", multiple=True, help="A throttle (repeatable).")
@click.option(
    "--backlog",
    type=click.IntRange(min=0),
    default=defaults.RECUR_BACKLOG,
    show_default=True,
    help="Missed intervals caught up at most after a time without pops (0: all of them).",
)
@json_option
@server_options
def add(
    server: ServerOptions, queue: str, klass: str, data: str, interval: float, offset: float,
    priority: float | None, tags: tuple[str, ...], retries: int | None, jid: str | None,
    throttles: tuple[str, ...], backlog: int, as_json: bool,
) -> None:  # fmt: skip
    """Put a job of CLASS into QUEUE every --interval seconds; prints its id."""
    with connected(server) as client:
        new = client.queues[queue].recur(
            klass, data, interval, offset, priority=priority, tags=list(tags), retries=retries,
            jid=jid, throttles=list(throttles), backlog=backlog,
        )  # fmt: skip
    done(as_json, new, {"jid": new, "queue": queue})


@recurring.command(
    "list",
    epilog="Examples:\n\n\b\n  reqless recurring list\n  reqless recurring list reports\n",
)
@click.argument("queue", required=False)
@json_option
@server_options
def list_(server: ServerOptions, queue: str | None, as_json: bool) -> None:
    """List the recurring jobs of QUEUE, or of every queue."""
    with connected(server) as client:
        if queue is not None:
            warn_unknown_queues(client, [queue])
        names = [queue] if queue is not None else client.queues.names
        jids = [jid for name in names for jid in client.queues[name].jobs.recurring(0, 10_000)]
        templates = [client.jobs.get_recurring(jid) for jid in jids]
        if as_json:
            emit_json([recurring_record(t) for t in templates])
            return
        rows = [
            (
                t.jid, *([] if queue else [t.queue_name]), t.klass_name, f"{t.interval:g} s",
                when(t.next), t.count, _backlog(t.backlog), t.priority,
            )
            for t in templates
        ]  # fmt: skip
    print_table(
        ("jid", *([] if queue else ["queue"]), "class", "every", "next", "spawned", "backlog",
         "priority"), rows,
        empty="no recurring jobs" + (f" in {queue}" if queue is not None else ""),
    )  # fmt: skip


def _backlog(backlog: float) -> str:
    """The catch-up limit as the listing shows it: 0 catches up every missed interval."""
    return "all" if backlog == 0 else f"{backlog:g}"


@recurring.command("show", epilog="Example:\n\n\b\n  reqless recurring show JID\n")
@click.argument("jid")
@json_option
@server_options
def show(server: ServerOptions, jid: str, as_json: bool) -> None:
    """Show a recurring job."""
    with connected(server) as client:
        template = client.jobs.get_recurring(jid)
        if as_json:
            emit_json(recurring_record(template))
        else:
            print_recurring(template)


@recurring.command(
    "update",
    epilog="Examples:\n\n\b\n  reqless recurring update JID --interval 600\n"
    '  reqless recurring update JID --queue reports-slow --data \'{"kind": "weekly"}\'\n',
)
@click.argument("jid")
@click.option("--interval", type=POSITIVE_SECONDS, help="Seconds between jobs.")
@click.option("--priority", type=NUMBER, help="Priority of the jobs.")
@click.option("--retries", type=click.IntRange(min=0), help="Retries of the jobs.")
@click.option("--data", type=JSON_INPUT, help="Data of the jobs (JSON text, @FILE or -).")
@click.option("--class", "klass", help="Class of the jobs (a dotted path).")
@click.option("--queue", help="Queue the jobs go into.")
@json_option
@server_options
def update(
    server: ServerOptions, jid: str, interval: float | None, priority: float | None,
    retries: int | None, data: str | None, klass: str | None, queue: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Change a recurring job; the changes apply to the jobs it spawns from now on."""
    if all(v is None for v in (interval, priority, retries, data, klass, queue)):
        raise BadInput("nothing to change: give at least one option")
    with connected(server) as client:
        template = client.jobs.get_recurring(jid)
        if interval is not None:
            template.interval = interval
        if priority is not None:
            template.priority = priority
        if retries is not None:
            template.retries = retries
        if data is not None:
            template.data = data
        if klass is not None:
            template.klass = klass
        if queue is not None:
            template.move(queue)
        record = recurring_record(template)
    done(as_json, f"updated recurring job {jid}", record)


@recurring.command("cancel", epilog="Example:\n\n\b\n  reqless recurring cancel JID\n")
@click.argument("jids", nargs=-1, required=True, metavar="JID...")
@json_option
@server_options
def cancel(server: ServerOptions, jids: tuple[str, ...], as_json: bool) -> None:
    """Stop recurring jobs (jobs already spawned are kept)."""
    with connected(server) as client:
        templates = [client.jobs.get_recurring(jid) for jid in jids]
        for template in templates:
            template.cancel()
    done(as_json, f"cancelled {len(jids)} recurring job(s)", {"cancelled": list(jids)})


COMMANDS = [recurring]
