"""`reqless recurring`: jobs that spawn a new job every so many seconds, or on a cron schedule."""

from __future__ import annotations

from typing import Any

import click
from click.core import ParameterSource

from reqless import defaults
from reqless._calls.queue import CATCHUPS, OVERLAPS
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
from reqless.cli.admin.records import (
    print_fire_times,
    print_recurring,
    recurring_record,
    schedule,
)
from reqless.cron import next_fire_times
from reqless.job import RecurringJob

__all__ = ["COMMANDS"]


@click.group(
    "recurring",
    epilog="""Examples:

\b
  reqless recurring add reports myapp.jobs.Report '{"kind": "daily"}' --interval 86400
  reqless recurring add reports myapp.jobs.Report --cron '30 9 * * mon-fri' \\
      --timezone Europe/Berlin --overlap skip
  reqless recurring next '*/15 9-17 * * mon-fri' --timezone America/New_York
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
    epilog="Examples:\n\n\b\n  reqless recurring add reports myapp.jobs.Report --interval 3600 "
    "--offset 60\n  reqless recurring add reports myapp.jobs.Report --cron @daily "
    "--timezone Asia/Tokyo\n",
)
@click.argument("queue")
@click.argument("klass", metavar="CLASS")
@click.argument("data", type=JSON_INPUT, default="{}", required=False)
@click.option("--interval", type=POSITIVE_SECONDS, help="Seconds between jobs.")
@click.option(
    "--cron", "cron", metavar="EXPRESSION",
    help="A cron schedule instead of --interval: five fields or @hourly, @daily, ...",
)  # fmt: skip
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone of --cron.")
@click.option(
    "--overlap", type=click.Choice(OVERLAPS), default="allow", show_default=True,
    help="With --cron: while the last job runs, start another (allow), skip the time "
    "(skip), or hold one back until it ends (queue_one).",
)  # fmt: skip
@click.option(
    "--catchup", type=click.Choice(CATCHUPS), default="latest", show_default=True,
    help="With --cron, after a time without pops: one job (latest), none, or all "
    "(up to --backlog).",
)  # fmt: skip
@click.option("--jitter", type=SECONDS, default=0, help="With --cron: delay starts up to S s.")
@click.option("--offset", type=SECONDS, default=0, help="Seconds before the first job.")
@click.option("--priority", type=NUMBER, help="Priority of the jobs (default 0).")
@click.option("--tag", "-t", "tags", multiple=True, help="A tag of the jobs (repeatable).")
@click.option("--retries", type=click.IntRange(min=0), help="Retries of the jobs (default 5).")
@click.option("--jid", help="The recurring job's id (default: a random one).")
@click.option("--throttle", "throttles", multiple=True, help="A throttle (repeatable).")
@click.option(
    "--unique", metavar="KEY",
    help="Put each job with this unique key; a time whose key is still held is skipped.",
)  # fmt: skip
@click.option(
    "--backlog",
    type=click.IntRange(min=0),
    help="Missed times caught up at most after a time without pops (with --interval, the "
    f"default {defaults.RECUR_BACKLOG} catches up all of them; with --catchup all, 0 is 100).",
)
@json_option
@server_options
def add(
    server: ServerOptions, queue: str, klass: str, data: str, interval: float | None,
    cron: str | None, timezone: str, overlap: str, catchup: str, jitter: float, offset: float,
    priority: float | None, tags: tuple[str, ...], retries: int | None, jid: str | None,
    throttles: tuple[str, ...], unique: str | None, backlog: int | None, as_json: bool,
) -> None:  # fmt: skip
    """Put a job of CLASS into QUEUE every --interval seconds or at the times of --cron;
    prints its id (and, for --cron, its next five times)."""
    if (interval is None) == (cron is None):
        raise BadInput("give one of --interval SECONDS and --cron EXPRESSION")
    if interval is not None and any(
        source(name) is not ParameterSource.DEFAULT
        for name in ("timezone", "overlap", "catchup", "jitter")
    ):
        raise BadInput("--timezone, --overlap, --catchup and --jitter go with --cron")
    if cron is not None and source("offset") is not ParameterSource.DEFAULT:
        raise BadInput("--offset goes with --interval; a --cron schedule starts at its times")
    common: dict[str, Any] = {
        "priority": priority, "tags": list(tags), "retries": retries, "jid": jid,
        "throttles": list(throttles), "backlog": backlog, "unique": unique,
    }  # fmt: skip
    with connected(server) as client:
        target = client.queues[queue]
        if cron is None:
            new = target.recur(klass, data, interval, offset, **common)
            done(as_json, new, {"jid": new, "queue": queue})
            return
        new = target.recur(klass, data, cron=cron, timezone=timezone, overlap=overlap,
                           catchup=catchup, jitter=jitter, **common)  # fmt: skip
        times = client.jobs.get_recurring(new).next_fire_times(5)
    if as_json:
        emit_json({"jid": new, "queue": queue, "next": [t.isoformat() for t in times]})
        return
    click.echo(new)
    print_fire_times(times)


def source(name: str) -> ParameterSource | None:
    """Where the current command's parameter `name` got its value."""
    return click.get_current_context().get_parameter_source(name)


@recurring.command(
    "next",
    epilog="Examples:\n\n\b\n  reqless recurring next '0 9 * * mon-fri' --timezone Europe/Berlin"
    "\n  reqless recurring next @monthly --count 12\n",
)
@click.argument("expression")
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone of EXPRESSION.")
@click.option("--count", type=click.IntRange(1, 100), default=5, show_default=True,
              help="How many times to list.")  # fmt: skip
@json_option
@server_options
def next_(server: ServerOptions, expression: str, timezone: str, count: int, as_json: bool) -> None:
    """List the next times cron EXPRESSION fires (nothing is created)."""
    with connected(server) as client:
        times = next_fire_times(client, expression, timezone=timezone, count=count)
    if as_json:
        emit_json([t.isoformat() for t in times])
        return
    print_fire_times(times)


@recurring.command("pause", epilog="Example:\n\n\b\n  reqless recurring pause JID\n")
@click.argument("jids", nargs=-1, required=True, metavar="JID...")
@json_option
@server_options
def pause(server: ServerOptions, jids: tuple[str, ...], as_json: bool) -> None:
    """Stop recurring jobs from spawning until resumed (they stay listed)."""
    with connected(server) as client:
        templates = [client.jobs.get_recurring(jid) for jid in jids]
        for template in templates:
            template.pause()
    done(as_json, f"paused {len(jids)} recurring job(s)", {"paused": list(jids)})


@recurring.command("resume", epilog="Example:\n\n\b\n  reqless recurring resume JID\n")
@click.argument("jids", nargs=-1, required=True, metavar="JID...")
@json_option
@server_options
def resume(server: ServerOptions, jids: tuple[str, ...], as_json: bool) -> None:
    """Let paused recurring jobs spawn again, from now on (no burst of missed times)."""
    with connected(server) as client:
        templates = [client.jobs.get_recurring(jid) for jid in jids]
        for template in templates:
            template.resume()
    done(as_json, f"resumed {len(jids)} recurring job(s)", {"resumed": list(jids)})


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
                t.jid, *([] if queue else [t.queue_name]), t.klass_name, schedule(t),
                "paused" if t.paused else when(t.next), t.count, _backlog(t), t.priority,
            )
            for t in templates
        ]  # fmt: skip
    print_table(
        ("jid", *([] if queue else ["queue"]), "class", "schedule", "next", "spawned", "catch-up",
         "priority"), rows,
        empty="no recurring jobs" + (f" in {queue}" if queue is not None else ""),
    )  # fmt: skip


def _backlog(template: RecurringJob) -> str:
    """The catch-up as the listing shows it: with an interval, backlog 0 catches up every
    missed time; a cron schedule shows its catch-up policy."""
    if template.cron is not None:
        return template.catchup
    return "all" if template.backlog == 0 else f"{template.backlog:g}"


@recurring.command("show", epilog="Example:\n\n\b\n  reqless recurring show JID\n")
@click.argument("jid")
@json_option
@server_options
def show(server: ServerOptions, jid: str, as_json: bool) -> None:
    """Show a recurring job."""
    with connected(server) as client:
        template = client.jobs.get_recurring(jid)
        times = template.next_fire_times(5)
        if as_json:
            emit_json({**recurring_record(template), "next_times": [t.isoformat() for t in times]})
        else:
            print_recurring(template)
            print_fire_times(times)


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
