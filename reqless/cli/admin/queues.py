"""Commands on queues: queues, jobs, pause, unpause, stats, failed, unfail, forget."""

from __future__ import annotations

import datetime
import time
from typing import Any

import click

from reqless._calls import server as server_calls
from reqless.cli.admin.connection import (
    CommandError,
    ServerOptions,
    connected,
    json_option,
    server_options,
)
from reqless.cli.admin.histogram import buckets
from reqless.cli.admin.names import did_you_mean, not_found, unknown_queues, warn_unknown_queues
from reqless.cli.admin.output import done, emit_json, key_values, print_table, when
from reqless.cli.admin.records import job_record
from reqless.failure_text import exception_line
from reqless.job import Job
from reqless.queue import Queue

__all__ = ["COMMANDS"]

_COUNTS = ("waiting", "running", "scheduled", "stalled", "depends", "recurring", "throttled")
_STATES = ("waiting", *_COUNTS[1:], "complete")


@click.command("queues", epilog="Examples:\n\n\b\n  reqless queues\n  reqless queues --json\n")
@json_option
@server_options
def queues(server: ServerOptions, as_json: bool) -> None:
    """List queues with their job counts.

    Shows each queue's jobs by state, and whether it is paused.
    """
    with connected(server) as client:
        counts = client.queues.counts
    if as_json:
        emit_json(counts)
        return
    rows = [(c["name"], c["paused"], *(c[key] for key in _COUNTS)) for c in counts]  # type: ignore[literal-required]
    print_table(("queue", "paused", *_COUNTS), rows, empty="no queues")


def _jids(queue: Queue, state: str, offset: int, count: int) -> list[str]:
    if state == "waiting":
        return [job.jid for job in queue.peek(offset, count)]
    if state == "complete":
        return queue.client.jobs.complete(offset, count)
    by_state = {
        "running": queue.jobs.running, "stalled": queue.jobs.stalled,
        "scheduled": queue.jobs.scheduled, "depends": queue.jobs.depends,
        "recurring": queue.jobs.recurring, "throttled": queue.jobs.throttled,
    }  # fmt: skip
    return by_state[state](offset, count)


@click.command(
    "jobs",
    epilog="`complete` lists completed jobs of every queue (QUEUE is then ignored).\n\n"
    "\b\nExamples:\n  reqless jobs emails\n  reqless jobs emails --state scheduled --count 100\n",
)
@click.argument("queue")
@click.option("--state", type=click.Choice(_STATES), default="waiting", show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--count", type=click.IntRange(min=1), default=25, show_default=True)
@json_option
@server_options
def jobs(
    server: ServerOptions, queue: str, state: str, offset: int, count: int, as_json: bool
) -> None:
    """List a queue's jobs in one state.

    Waiting jobs are listed in the order workers pop them.
    """
    with connected(server) as client:
        if state != "complete":  # which lists every queue's
            unknown, known = unknown_queues(client, [queue])
            if unknown:
                raise not_found("queue", queue, known)
        jids = _jids(client.queues[queue], state, offset, count)
        if state == "recurring":
            templates = [client.jobs.get_recurring(jid) for jid in jids]
            rows: list[tuple[object, ...]] = [
                (t.jid, t.klass_name, f"every {t.interval:g} s", t.priority) for t in templates
            ]
            columns: tuple[str, ...] = ("jid", "class", "interval", "priority")
        else:
            found: list[Job] = client.jobs.get(*jids)
            rows = [(j.jid, j.klass_name, j.priority, j.worker_name or "-", j.tags) for j in found]
            columns = ("jid", "class", "priority", "worker", "tags")
    if as_json:
        emit_json(jids)
        return
    print_table(columns, rows, title=f"{state} jobs of {queue}", empty=f"no {state} jobs")


@click.command("pause", epilog="Example:\n\n\b\n  reqless pause emails reports\n")
@click.argument("names", nargs=-1, required=True, metavar="QUEUE...")
@json_option
@server_options
def pause(server: ServerOptions, names: tuple[str, ...], as_json: bool) -> None:
    """Pause queues.

    Workers stop popping them; jobs can still be put and looked at.
    """
    with connected(server) as client:
        warn_unknown_queues(client, names)
        for name in names:
            client.queues[name].pause()
    done(as_json, f"paused {', '.join(names)}", {"paused": list(names)})


@click.command("unpause", epilog="Example:\n\n\b\n  reqless unpause emails reports\n")
@click.argument("names", nargs=-1, required=True, metavar="QUEUE...")
@json_option
@server_options
def unpause(server: ServerOptions, names: tuple[str, ...], as_json: bool) -> None:
    """Let workers pop paused queues again."""
    with connected(server) as client:
        warn_unknown_queues(client, names)
        for name in names:
            client.queues[name].unpause()
    done(as_json, f"unpaused {', '.join(names)}", {"unpaused": list(names)})


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> float:
    if value is None:
        return time.time()
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date such as 2026-11-30") from exc
    return datetime.datetime.combine(day, datetime.time(12), datetime.UTC).timestamp()


def _summary(name: str, part: dict[str, Any]) -> tuple[str, str]:
    if not part.get("count"):
        return name, "none"
    return name, f"{part['count']} job(s), mean {part['mean']:.3f} s, std {part['std']:.3f} s"


@click.command(
    "stats",
    epilog="Examples:\n\n\b\n  reqless stats emails\n  reqless stats emails --date 2026-11-29",
)
@click.argument("queue")
@click.option("--date", callback=_day, help="The day (YYYY-MM-DD, UTC); default today.")
@json_option
@server_options
def stats(server: ServerOptions, queue: str, date: float, as_json: bool) -> None:
    """Show a queue's statistics for a day.

    Wait and run times, failures and retries of QUEUE on one day (UTC).
    """
    with connected(server) as client:
        warn_unknown_queues(client, [queue])
        result = client.queues[queue].stats(date)
    if as_json:
        for part in ("wait", "run"):
            if isinstance(result.get(part), dict):
                result[part]["buckets"] = buckets(result[part].get("histogram") or [])
        emit_json(result)
        return
    key_values(
        [
            _summary("waited", result.get("wait", {})), _summary("ran", result.get("run", {})),
            ("failed", result.get("failed", 0)), ("failures", result.get("failures", 0)),
            ("retries", result.get("retries", 0)),
        ],
        title=f"{queue} on {datetime.datetime.fromtimestamp(date, datetime.UTC).date()}",
    )  # fmt: skip


def _last_line(failure: dict[str, Any]) -> str:
    # A traceback's exception line is what a listing needs (shared with the web UI).
    return exception_line(str(failure.get("message", ""))) or "-"


@click.command(
    "failed",
    epilog="Examples:\n\n\b\n  reqless failed\n  reqless failed emails-TimeoutError --count 50\n",
)
@click.argument("group", required=False)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--count", type=click.IntRange(min=1), default=25, show_default=True)
@json_option
@server_options
def failed(
    server: ServerOptions, group: str | None, offset: int, count: int, as_json: bool
) -> None:
    """List failure groups, or a group's jobs.

    Without GROUP, lists every failure group with its number of jobs.
    """
    with connected(server) as client:
        result = client.jobs.failed(group, offset, count)
        if group is not None and not result["total"]:
            groups = client.jobs.failed()
            if group not in groups:
                raise not_found("failure group", group, groups)
    if group is None:
        if as_json:
            emit_json(result)
        else:
            print_table(("group", "jobs"), sorted(result.items()), empty="no failed jobs")
        return
    found: list[Job] = result["jobs"]
    if as_json:
        emit_json({"total": result["total"], "jobs": [job_record(job) for job in found]})
        return
    rows = [
        (job.jid, job.queue_name, when(job.failure.get("when")), _last_line(job.failure))
        for job in found
    ]
    print_table(
        ("jid", "queue", "failed at", "message"), rows,
        title=f"{result['total']} job(s) failed in {group}", empty=f"no failed jobs in {group}",
    )  # fmt: skip


@click.command(
    "unfail",
    epilog="Example:\n\n\b\n  reqless unfail emails-TimeoutError emails --count 100\n",
)
@click.argument("group")
@click.argument("queue")
@click.option("--count", type=click.IntRange(min=1), default=500, show_default=True)
@json_option
@server_options
def unfail(server: ServerOptions, group: str, queue: str, count: int, as_json: bool) -> None:
    """Put a failure group's jobs back into a queue.

    Moves up to --count failed jobs of GROUP into QUEUE.
    """
    with connected(server) as client:
        groups = client.jobs.failed()
        if group not in groups:
            raise CommandError(f"no failed jobs in group {group!r}{did_you_mean(group, groups)}")
        warn_unknown_queues(client, [queue])
        moved = client.unfail(group, queue, count)
    done(as_json, f"moved {moved} job(s) into {queue}", {"moved": moved, "queue": queue})


@click.command(
    "forget",
    epilog="Example:\n\n\b\n  reqless forget old-queue\n",
)
@click.argument("names", nargs=-1, required=True, metavar="QUEUE...")
@json_option
@server_options
def forget(server: ServerOptions, names: tuple[str, ...], as_json: bool) -> None:
    """Drop queues from the list of queues.

    Their jobs are kept; a queue reappears when a job is put into it.
    """
    with connected(server) as client:
        # The library has no wrapper for queue.forget; the client runs its call.
        client._run(server_calls.forget_queues(names))
    done(as_json, f"forgot {', '.join(names)}", {"forgotten": list(names)})


COMMANDS = [queues, jobs, pause, unpause, stats, failed, unfail, forget]
