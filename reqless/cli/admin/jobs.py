"""Commands on jobs by jid: show, cancel, retry, move, priority."""

from __future__ import annotations

import click

from reqless._calls import job as job_calls
from reqless.cli.admin.connection import (
    CommandError,
    ServerOptions,
    connected,
    json_option,
    server_options,
)
from reqless.cli.admin.output import done, emit_json
from reqless.cli.admin.params import NUMBER, SECONDS, ValueCommand
from reqless.cli.admin.records import job_record, print_job, print_recurring, recurring_record
from reqless.client import Client
from reqless.job import Job

__all__ = ["COMMANDS", "existing_jobs"]


def existing_jobs(client: Client, jids: tuple[str, ...]) -> list[Job]:
    """The jobs with these jids, in order; CommandError naming any that do not exist."""
    found = {job.jid: job for job in client.jobs.get(*jids)}
    missing = [jid for jid in jids if jid not in found]
    if missing:
        raise CommandError(f"no such job: {', '.join(missing)}; nothing was changed")
    return [found[jid] for jid in jids]


@click.command(
    "show",
    epilog="""Examples:

\b
  reqless show 0f3c5b9e8d7a4c2b9f1e6d5c4b3a2918
  reqless show 0f3c5b9e8d7a4c2b9f1e6d5c4b3a2918 --json | jq .state
""",
)
@click.argument("jid")
@json_option
@server_options
def show(server: ServerOptions, jid: str, as_json: bool) -> None:
    """Show a job or a recurring job.

    A job is shown with its state, data, failure and history.
    """
    with connected(server) as client:
        found = client.jobs[jid]
        if found is None:
            raise CommandError(f"no such job: {jid}")
        if isinstance(found, Job):
            if as_json:
                emit_json(job_record(found))
            else:
                print_job(found)
        elif as_json:
            emit_json(recurring_record(found))
        else:
            print_recurring(found)


@click.command(
    "cancel",
    epilog="""Cancelling a job that other jobs depend on is refused, unless they are
cancelled in the same command. Recurring jobs: `reqless recurring cancel`.

\b
Examples:
  reqless cancel 0f3c5b9e8d7a4c2b9f1e6d5c4b3a2918
  reqless cancel JID_OF_PARENT JID_OF_CHILD
""",
)
@click.argument("jids", nargs=-1, required=True, metavar="JID...")
@json_option
@server_options
def cancel(server: ServerOptions, jids: tuple[str, ...], as_json: bool) -> None:
    """Cancel (delete) jobs, all at once or none."""
    with connected(server) as client:
        existing_jobs(client, jids)
        # Job.cancel takes one job; the core cancels several atomically, which lets a
        # job and its dependents go together (and refuses everything otherwise).
        client._run(job_calls.cancel_many(jids))
    done(as_json, f"cancelled {len(jids)} job(s)", {"cancelled": list(jids)})


@click.command(
    "retry",
    epilog="""Only failed jobs can be retried this way; use `reqless unfail` for a whole
failure group and `reqless move` for jobs in other states.

\b
Examples:
  reqless retry 0f3c5b9e8d7a4c2b9f1e6d5c4b3a2918
  reqless retry --delay 60 JID1 JID2
""",
)
@click.argument("jids", nargs=-1, required=True, metavar="JID...")
@click.option("--delay", type=SECONDS, default=0, help="Seconds before the jobs may run.")
@json_option
@server_options
def retry(server: ServerOptions, jids: tuple[str, ...], delay: float, as_json: bool) -> None:
    """Put failed jobs back into their queues.

    They keep their priority, tags and retries.
    """
    with connected(server) as client:
        jobs = existing_jobs(client, jids)
        others = [f"{job.jid} is {job.state}" for job in jobs if job.state != "failed"]
        if others:
            raise CommandError(f"only failed jobs can be retried: {'; '.join(others)}")
        for job in jobs:
            job.move(job.queue_name, delay=delay)
    done(as_json, f"retried {len(jobs)} job(s)", {"retried": list(jids)})


@click.command(
    "move",
    epilog="""A running job is taken from its worker, which stops it.

\b
Examples:
  reqless move 0f3c5b9e8d7a4c2b9f1e6d5c4b3a2918 emails-slow
  reqless move --delay 300 JID emails
""",
)
@click.argument("jid")
@click.argument("queue")
@click.option("--delay", type=SECONDS, default=0, help="Seconds before the job may run.")
@json_option
@server_options
def move(server: ServerOptions, jid: str, queue: str, delay: float, as_json: bool) -> None:
    """Move a job to another queue.

    The job goes into QUEUE, keeping its priority, tags and retries.
    """
    with connected(server) as client:
        (job,) = existing_jobs(client, (jid,))
        job.move(queue, delay=delay)
    done(as_json, f"moved {jid} to {queue}", {"jid": jid, "queue": queue})


@click.command(
    "priority",
    cls=ValueCommand,
    epilog="""Example:

\b
  reqless priority 0f3c5b9e8d7a4c2b9f1e6d5c4b3a2918 100
  reqless priority JID -5
""",
)
@click.argument("jid")
@click.argument("value", type=NUMBER, metavar="PRIORITY")
@json_option
@server_options
def priority(server: ServerOptions, jid: str, value: float, as_json: bool) -> None:
    """Change a job's priority (higher pops sooner)."""
    with connected(server) as client:
        (job,) = existing_jobs(client, (jid,))
        job.priority = value
    done(as_json, f"priority of {jid} is now {value}", {"jid": jid, "priority": value})


COMMANDS = [show, cancel, retry, move, priority]
