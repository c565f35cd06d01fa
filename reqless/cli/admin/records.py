"""Jobs and recurring templates as plain dicts: the `--json` shape and the rows of `show`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from rich.markup import escape

from reqless.cli.admin.output import key_values, print_table, when
from reqless.job import Job, RecurringJob

__all__ = [
    "BAR_WIDTH",
    "job_record",
    "print_fire_times",
    "print_job",
    "print_recurring",
    "progress_text",
    "recurring_record",
    "schedule",
]


def job_record(job: Job) -> dict[str, Any]:
    """Everything the server reports about a job (`data` decoded)."""
    return {
        "jid": job.jid,
        "klass": job.klass_name,
        "queue": job.queue_name,
        "state": job.state,
        "priority": job.priority,
        "worker": job.worker_name,
        "expires": job.expires_at,
        "retries": job.original_retries,
        "remaining": job.retries_left,
        "tags": job.tags,
        "throttles": job.throttles,
        "tracked": job.tracked,
        "dependencies": job.dependencies,
        "dependents": job.dependents,
        "spawned_from_jid": job.spawned_from_jid,
        "failure": job.failure,
        "data": json.loads(job.data),
        "history": job.history,
        "progress": None
        if job.progress_info is None
        else {
            "fraction": job.progress_info.fraction,
            "message": job.progress_info.message,
            "at": job.progress_info.at,
        },
        "result": job.result,
        "batch": job.batch,
        "trace": job.trace,
    }


#: Characters of the progress bar `show` draws.
BAR_WIDTH = 20


def progress_text(job: Job) -> str:
    """The job's progress as a bar, a percentage and its message, or "-"."""
    progress = job.progress_info
    if progress is None:
        return "-"
    filled = round(progress.fraction * BAR_WIDTH)
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    text = f"[{bar}] {progress.fraction * 100:.0f}%"
    # Escaped: the table reads its cells as rich markup, which would eat the brackets.
    return escape(f"{text} {progress.message}" if progress.message else text)


def recurring_record(template: RecurringJob) -> dict[str, Any]:
    """Everything the server reports about a recurring template (`data` decoded)."""
    return {
        "jid": template.jid,
        "recurring": True,
        "klass": template.klass_name,
        "queue": template.queue_name,
        "interval": template.interval,
        "next": template.next,
        "count": template.count,
        "backlog": template.backlog,
        "priority": template.priority,
        "retries": template.retries,
        "tags": template.tags,
        "throttles": template.throttles,
        "data": json.loads(template.data),
        "cron": template.cron,
        "timezone": template.timezone if template.cron else None,
        "overlap": template.overlap if template.cron else None,
        "catchup": template.catchup if template.cron else None,
        "jitter": template.jitter if template.cron else None,
        "paused": template.paused,
        "skipped": template.skipped,
        "pending": template.pending,
        "unique": template.unique,
    }


def schedule(template: RecurringJob) -> str:
    """When a template spawns, in a few words: "every 60 s" or its cron expression and zone."""
    if template.cron is None:
        return f"every {template.interval:g} s"
    zone = "" if template.timezone == "UTC" else f" ({template.timezone})"
    return f"cron {template.cron}{zone}"


def print_fire_times(times: list[datetime]) -> None:
    """The next fire times, one per line, in their own zone."""
    if not times:
        click.echo("next times: none (paused, or no time left)")
        return
    click.echo("next times:")
    for moment in times:
        click.echo(f"  {moment.isoformat(sep=' ')}")


def _text(data: Any) -> str:
    """Job data as JSON for people: "Zoë" stays "Zoë" (the stored JSON has `\\u00eb`)."""
    return json.dumps(data, ensure_ascii=False)


def print_job(job: Job) -> None:
    """The job's fields, then its failure and history."""
    record = job_record(job)
    key_values(
        [
            ("jid", job.jid), ("class", job.klass_name), ("queue", job.queue_name),
            ("state", job.state), ("priority", job.priority),
            ("worker", job.worker_name or "-"),
            ("lock expires", when(job.expires_at) if job.state == "running" else "-"),
            ("retries left", f"{job.retries_left} of {job.original_retries}"),
            ("tags", job.tags), ("throttles", job.throttles), ("tracked", job.tracked),
            ("depends on", job.dependencies), ("dependents", job.dependents),
            ("spawned from", job.spawned_from_jid), ("batch", job.batch or "-"),
            ("progress", progress_text(job)), ("data", _text(record["data"])),
        ],
        title=f"job {job.jid}",
    )  # fmt: skip
    if job.result is not None:
        click.echo("result:")
        click.echo(json.dumps(job.result, indent=2, ensure_ascii=False))
    if job.failure:
        failure = job.failure
        key_values(
            [
                ("group", failure.get("group")), ("worker", failure.get("worker")),
                ("when", when(failure.get("when"))), ("message", failure.get("message")),
            ],
            title="failure",
        )  # fmt: skip
    rows = []
    for entry in job.history:
        rest = {key: value for key, value in entry.items() if key not in ("when", "what")}
        details = " ".join(f"{key}={value}" for key, value in rest.items())
        rows.append((when(entry.get("when")), entry.get("what"), details))
    print_table(("when", "event", "details"), rows, title="history", empty="no history")


def print_recurring(template: RecurringJob) -> None:
    """The recurring template's fields."""
    key_values(
        [
            ("jid", template.jid), ("class", template.klass_name),
            ("queue", template.queue_name), ("schedule", schedule(template)),
            *_cron_rows(template),
            ("next spawn", "paused" if template.paused else when(template.next)),
            ("spawned", template.count),
            ("backlog", template.backlog), ("priority", template.priority),
            ("retries", template.retries), ("tags", template.tags),
            ("throttles", template.throttles), ("data", _text(json.loads(template.data))),
            *([("unique key", template.unique)] if template.unique else []),
        ],
        title=f"recurring job {template.jid}",
    )  # fmt: skip


def _cron_rows(template: RecurringJob) -> list[tuple[str, Any]]:
    if template.cron is None:
        return []
    rows: list[tuple[str, Any]] = [
        ("overlap", template.overlap), ("catch-up", template.catchup),
        ("jitter", f"{template.jitter:g} s"), ("skipped", template.skipped),
    ]  # fmt: skip
    if template.pending is not None:
        rows.append(("held back", when(template.pending)))
    return rows
