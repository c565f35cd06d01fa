"""`reqless put` (one job from arguments) and `reqless put-many` (a JSON-lines file)."""

from __future__ import annotations

from collections import defaultdict
from typing import IO, Any

import click
from rich.console import Console
from rich.progress import Progress

from reqless import defaults
from reqless._validate import ArgumentError
from reqless.cli.admin.connection import (
    EXIT_FAILED,
    BadInput,
    CommandError,
    ServerOptions,
    connected,
    json_option,
    server_options,
)
from reqless.cli.admin.jobfile import BadLine, JobLine, read_jobs
from reqless.cli.admin.output import done, emit_json
from reqless.cli.admin.params import JSON_INPUT, NUMBER, POSITIVE_SECONDS, SECONDS, ValueCommand
from reqless.cli.admin.rate_values import GROUP
from reqless.client import Client
from reqless.exceptions import ReqlessError

__all__ = ["COMMANDS"]

#: Jobs per `put_many` call; each call is atomic, and the progress bar moves per call.
CHUNK = 500
#: Bad lines listed one by one before the rest are only counted.
SHOWN_BAD_LINES = 20


def _max_data_bytes(command: Any) -> Any:
    return click.option(
        "--max-data-bytes", type=click.IntRange(min=1), default=defaults.MAX_DATA_BYTES,
        show_default=True, help="Refuse a job whose data (JSON, in bytes) is larger.",
    )(command)  # fmt: skip


@click.command(
    "put",
    cls=ValueCommand,
    epilog="""Examples:

\b
  reqless put emails myapp.jobs.SendEmail '{"to": "ann@example.com"}'
  reqless put reports myapp.jobs.Report --priority 10 --tag nightly --delay 3600
  reqless put emails myapp.jobs.SendEmail @message.json
  make-data | reqless put emails myapp.jobs.SendEmail -
  reqless put emails myapp.jobs.SendEmail --depends 0f3c... --json
  reqless put invoices myapp.jobs.Invoice '{"id": 42}' --unique invoice:42
  reqless put search myapp.jobs.Reindex --unique reindex --on-conflict replace --delay 30
  reqless put api myapp.jobs.Charge '{"id": 7}' --group customer-42 --throttle stripe
""",
)
@click.argument("queue")
@click.argument("klass", metavar="CLASS")
@click.argument("data", type=JSON_INPUT, default="{}", required=False)
@click.option("--priority", type=NUMBER, help="Higher pops sooner (default 0).")
@click.option("--tag", "-t", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--delay", type=SECONDS, help="Seconds before the job may run.")
@click.option(
    "--retries", type=click.IntRange(min=0), help="Lost locks or retries it survives (default 5)."
)
@click.option(
    "--jid",
    help="The job id (default: a random one); an existing job with this id is replaced, "
    "with a warning.",
)
@click.option("--replace", is_flag=True, help="Replace an existing --jid without a warning.")
@click.option("--depends", multiple=True, metavar="JID", help="A job to wait for (repeatable).")
@click.option("--throttle", "throttles", multiple=True, help="A throttle to hold (repeatable).")
@click.option(
    "--unique", metavar="KEY",
    help="A unique key: while a job put with it has not ended, another put with it "
    "puts nothing and prints that job's id.",
)  # fmt: skip
@click.option(
    "--on-conflict", type=click.Choice(["keep", "replace", "error"]),
    help="When another job holds --unique: keep it (default), replace its data, priority "
    "and delay while it waits, or fail (exit status 1).",
)  # fmt: skip
@click.option(
    "--unique-until", type=click.Choice(["finish", "start"]),
    help="Free the key when the job ends (finish, default) or when it starts.",
)  # fmt: skip
@click.option(
    "--unique-for", type=POSITIVE_SECONDS, help="Seconds after which the key is free anyway."
)
@click.option(
    "--group", type=GROUP, metavar="NAME",
    help="The job's fair group: the queue serves its groups in turn (round-robin).",
)  # fmt: skip
@click.option("--batch", metavar="ID", help="An open batch the job joins (docs/batches.md).")
@_max_data_bytes
@json_option
@server_options
def put(
    server: ServerOptions, queue: str, klass: str, data: str, priority: float | None,
    tags: tuple[str, ...], delay: float | None, retries: int | None, jid: str | None,
    replace: bool, depends: tuple[str, ...], throttles: tuple[str, ...], unique: str | None,
    on_conflict: str | None, unique_until: str | None, unique_for: float | None,
    group: str | None, batch: str | None, max_data_bytes: int, as_json: bool,
) -> None:  # fmt: skip
    """Put one job into a queue.

    The job is of class CLASS (a dotted path) and goes into QUEUE with DATA: JSON
    text (default {}), @FILE for a file's content, or - for standard input.
    Prints the job's id (with --unique, that of the job holding the key).
    """
    # Named as the user typed them (the client's checks name its keyword arguments).
    if unique is None:
        given = [name for name, value in (("--on-conflict", on_conflict),
                 ("--unique-until", unique_until), ("--unique-for", unique_for))
                 if value is not None]  # fmt: skip
        if given:
            raise BadInput(f"{', '.join(given)} needs --unique KEY")
    elif not unique:
        raise BadInput("--unique needs a non-empty KEY")
    with connected(server, max_data_bytes) as client:
        new = client.queues[queue].put(
            klass, data, priority=priority, tags=list(tags), delay=delay, retries=retries,
            jid=jid, depends=list(depends), throttles=list(throttles), replace=replace,
            unique=unique, on_conflict=on_conflict or "keep",
            unique_until=unique_until or "finish", unique_for=unique_for, group=group,
            batch=batch,
        )  # fmt: skip
    done(as_json, new, {"jid": new, "queue": queue})


def _report_bad(bad: list[BadLine], name: str) -> None:
    for line in bad[:SHOWN_BAD_LINES]:
        click.echo(f"{name}:{line.number}: {line.problem}", err=True)
    if len(bad) > SHOWN_BAD_LINES:
        click.echo(f"{name}: ... and {len(bad) - SHOWN_BAD_LINES} more bad lines", err=True)


def _put_all(client: Client, good: list[JobLine], show_progress: bool, replace: bool) -> list[str]:
    by_queue: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in good:
        by_queue[line.queue].append(line.item)
    jids: list[str] = []
    console = Console(stderr=True)
    with Progress(console=console, disable=not (show_progress and console.is_terminal)) as bar:
        task = bar.add_task("putting jobs", total=len(good))
        for queue, items in by_queue.items():
            for start in range(0, len(items), CHUNK):
                chunk = items[start : start + CHUNK]
                try:
                    jids += client.queues[queue].put_many(chunk, chunk_size=CHUNK, replace=replace)
                except ArgumentError as exc:  # refused before sending: data too large
                    raise BadInput(f"{exc} ({len(jids)} job(s) were put before)") from exc
                except ReqlessError as exc:
                    # Each batch is atomic; the file was checked whole, so only the
                    # server can refuse one here (after earlier batches went in).
                    raise CommandError(f"{exc} ({len(jids)} job(s) were put before)") from exc
                bar.advance(task, len(chunk))
    return jids


@click.command(
    "put-many",
    epilog="""Each line is a JSON object with the job's class and, optionally, its queue,
data and put options:

\b
  {"queue": "emails", "klass": "myapp.jobs.SendEmail", "data": {"to": "ann@example.com"}}
  {"klass": "myapp.jobs.Report", "priority": 10, "tags": ["nightly"], "delay": 60}

Fields: queue, klass, data, priority, delay, retries, jid, tags, depends, throttles,
group, and for a unique job unique, on_conflict, unique_until, unique_for.
Every line is checked first; if any is bad, each bad line is reported by number and
nothing is put (exit status 2), unless --skip-bad is given: then the good lines are put,
the bad ones reported, and the exit status is 1.

\b
Examples:
  reqless put-many jobs.jsonl
  reqless put-many --queue emails emails.jsonl
  generate-jobs | reqless put-many --queue emails -
""",
)
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--queue", "-q", help="Queue of the lines that name none.")
@click.option("--skip-bad", is_flag=True, help="Put the good lines even if some are bad.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar (on a terminal).")
@click.option("--replace", is_flag=True, help="Replace jobs of existing jids without a warning.")
@_max_data_bytes
@json_option
@server_options
def put_many(
    server: ServerOptions, file: IO[str], queue: str | None, skip_bad: bool, progress: bool,
    replace: bool, max_data_bytes: int, as_json: bool,
) -> None:  # fmt: skip
    """Put many jobs from a JSON-lines file.

    FILE holds one job per line; '-' reads standard input.
    """
    name = getattr(file, "name", "-")
    try:
        good, bad = read_jobs(file, queue)
    except UnicodeDecodeError as exc:
        raise BadInput(f"{name}: not UTF-8 text ({exc}); nothing was put") from exc
    _report_bad(bad, name)
    if bad and not skip_bad:
        raise BadInput(
            f"{name}: {len(bad)} bad line(s); nothing was put (--skip-bad puts the good ones)"
        )
    with connected(server, max_data_bytes) as client:
        jids = _put_all(client, good, progress and not as_json, replace)
    skipped = [{"line": line.number, "error": line.problem} for line in bad]
    if as_json:
        emit_json({"put": jids, "skipped": skipped})
    else:
        click.echo(f"put {len(jids)} job(s)" + (f", skipped {len(bad)} bad line(s)" if bad else ""))
    if bad:
        raise click.exceptions.Exit(EXIT_FAILED)


COMMANDS = [put, put_many]
