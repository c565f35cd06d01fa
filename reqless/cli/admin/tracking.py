"""Tracking and tags: track, untrack, tracked, tag, untag, tagged."""

from __future__ import annotations

import click

from reqless.cli.admin.connection import (
    CommandError,
    ServerOptions,
    connected,
    json_option,
    server_options,
)
from reqless.cli.admin.jobs import existing_jobs
from reqless.cli.admin.names import not_found
from reqless.cli.admin.output import done, emit_json, print_table
from reqless.cli.admin.records import job_record

__all__ = ["COMMANDS"]


@click.command("track", epilog="Example:\n\n\b\n  reqless track JID1 JID2\n")
@click.argument("jids", nargs=-1, required=True, metavar="JID...")
@json_option
@server_options
def track(server: ServerOptions, jids: tuple[str, ...], as_json: bool) -> None:
    """Track jobs.

    Events of tracked jobs are published, and `reqless tracked` lists them.
    """
    with connected(server) as client:
        for job in existing_jobs(client, jids):
            job.track()
    done(as_json, f"tracking {len(jids)} job(s)", {"tracked": list(jids)})


@click.command("untrack", epilog="Example:\n\n\b\n  reqless untrack JID1 JID2\n")
@click.argument("jids", nargs=-1, required=True, metavar="JID...")
@json_option
@server_options
def untrack(server: ServerOptions, jids: tuple[str, ...], as_json: bool) -> None:
    """Stop tracking jobs."""
    with connected(server) as client:
        for job in existing_jobs(client, jids):
            job.untrack()
    done(as_json, f"stopped tracking {len(jids)} job(s)", {"untracked": list(jids)})


@click.command("tracked", epilog="Example:\n\n\b\n  reqless tracked --json\n")
@json_option
@server_options
def tracked(server: ServerOptions, as_json: bool) -> None:
    """List the tracked jobs."""
    with connected(server) as client:
        result = client.jobs.tracked()
    jobs = result["jobs"]
    if as_json:
        emit_json({"jobs": [job_record(job) for job in jobs], "expired": result["expired"]})
        return
    rows = [(job.jid, job.queue_name, job.state, job.klass_name) for job in jobs]
    print_table(("jid", "queue", "state", "class"), rows, empty="no tracked jobs")


@click.command(
    "tag",
    epilog="Works on recurring jobs too (for the jobs they spawn).\n\n"
    "\b\nExample:\n  reqless tag JID urgent customer-42\n",
)
@click.argument("jid")
@click.argument("tags", nargs=-1, required=True, metavar="TAG...")
@json_option
@server_options
def tag(server: ServerOptions, jid: str, tags: tuple[str, ...], as_json: bool) -> None:
    """Add tags to a job; prints its tags."""
    with connected(server) as client:
        found = client.jobs[jid]
        if found is None:
            raise CommandError(f"no such job: {jid}")
        now = found.tag(*tags)
    done(as_json, ", ".join(now), {"jid": jid, "tags": now})


@click.command("untag", epilog="Example:\n\n\b\n  reqless untag JID urgent\n")
@click.argument("jid")
@click.argument("tags", nargs=-1, required=True, metavar="TAG...")
@json_option
@server_options
def untag(server: ServerOptions, jid: str, tags: tuple[str, ...], as_json: bool) -> None:
    """Remove tags from a job; prints its tags."""
    with connected(server) as client:
        found = client.jobs[jid]
        if found is None:
            raise CommandError(f"no such job: {jid}")
        now = found.untag(*tags)
    done(as_json, ", ".join(now) or "(no tags)", {"jid": jid, "tags": now})


@click.command(
    "tagged",
    epilog="Examples:\n\n\b\n  reqless tagged urgent\n  reqless tagged urgent --offset 25\n"
    "  reqless tagged --top       # the most used tags\n",
)
@click.argument("name", metavar="TAG", required=False)
@click.option("--top", is_flag=True, help="List the most used tags instead.")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--count", type=click.IntRange(min=1), default=25, show_default=True)
@json_option
@server_options
def tagged(
    server: ServerOptions, name: str | None, top: bool, offset: int, count: int, as_json: bool
) -> None:
    """List the jobs carrying a tag.

    With --top, list the most used tags instead.
    """
    if (name is None) == (not top):
        raise click.UsageError("give a TAG, or --top (not both)")
    with connected(server) as client:
        if top:
            tags = client.tags(offset, count)
            if as_json:
                emit_json(tags)
            else:
                print_table(("tag",), [(t,) for t in tags], empty="no tag is used twice")
            return
        assert name is not None
        result = client.jobs.tagged(name, offset, count)
        if not result["total"]:
            raise not_found("job tagged", name, client.tags())
        jobs = client.jobs.get(*result["jobs"])
    if as_json:
        emit_json({"total": result["total"], "jobs": result["jobs"]})
        return
    rows = [(job.jid, job.queue_name, job.state, job.klass_name) for job in jobs]
    print_table(
        ("jid", "queue", "state", "class"), rows,
        title=f"{result['total']} job(s) tagged {name}", empty=f"no job is tagged {name}",
    )  # fmt: skip


COMMANDS = [track, untrack, tracked, tag, untag, tagged]
