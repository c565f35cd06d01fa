"""`reqless workers` and `reqless forget-workers`."""

from __future__ import annotations

import click

from reqless.cli.admin.connection import ServerOptions, connected, json_option, server_options
from reqless.cli.admin.output import done, emit_json, print_table

__all__ = ["COMMANDS"]


@click.command(
    "workers",
    epilog="Examples:\n\n\b\n  reqless workers\n  reqless workers build-3.example.com --json\n",
)
@click.argument("name", required=False)
@json_option
@server_options
def workers(server: ServerOptions, name: str | None, as_json: bool) -> None:
    """List workers, or the jobs one holds.

    Without NAME, lists every worker with its running and stalled jobs.
    """
    with connected(server) as client:
        if name is None:
            counts = client.workers.counts
            if as_json:
                emit_json(counts)
            else:
                listed = [(w["name"], w["jobs"], w["stalled"]) for w in counts]
                print_table(("worker", "running", "stalled"), listed, empty="no workers")
            return
        held = client.workers[name]
    if as_json:
        emit_json(held)
        return
    rows = [(jid, "running") for jid in held["jobs"]] + [(j, "stalled") for j in held["stalled"]]
    print_table(("jid", "lock"), rows, title=f"jobs of {name}", empty=f"{name} holds no jobs")


@click.command("forget-workers", epilog="Example:\n\n\b\n  reqless forget-workers old-host\n")
@click.argument("names", nargs=-1, required=True, metavar="WORKER...")
@json_option
@server_options
def forget_workers(server: ServerOptions, names: tuple[str, ...], as_json: bool) -> None:
    """Drop workers from the list of workers.

    Their jobs are untouched.
    """
    with connected(server) as client:
        client.workers.forget(*names)
    done(as_json, f"forgot {', '.join(names)}", {"forgotten": list(names)})


COMMANDS = [workers, forget_workers]
