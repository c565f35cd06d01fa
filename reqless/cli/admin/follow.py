"""Following jobs from the command line: `reqless wait JID` and `reqless batch ...`
(docs/results.md, docs/batches.md)."""

from __future__ import annotations

import json
from typing import Any

import click

from reqless.batch import Batch
from reqless.cli.admin.connection import (
    BadInput,
    ServerOptions,
    connected,
    json_option,
    server_options,
)
from reqless.cli.admin.output import done, emit_json, key_values, print_table, when
from reqless.cli.admin.params import POSITIVE_SECONDS
from reqless.exceptions import CoreError, WaitTimeoutError

__all__ = ["COMMANDS", "EXIT_CANCELED", "EXIT_TIMED_OUT", "EXIT_WAIT_FAILED"]

#: `reqless wait`: the job failed (EXIT_FAILED of the other commands).
EXIT_WAIT_FAILED = 1
#: `reqless wait`: the job was canceled.
EXIT_CANCELED = 4
#: `reqless wait`: the job did not finish within --timeout.
EXIT_TIMED_OUT = 5


class _Failed(click.ClickException):
    """The waited-for job failed."""

    exit_code = EXIT_WAIT_FAILED


class _Canceled(click.ClickException):
    """The waited-for job was canceled."""

    exit_code = EXIT_CANCELED


class _TimedOut(click.ClickException):
    """The waited-for job did not finish in time."""

    exit_code = EXIT_TIMED_OUT


@click.command(
    "wait",
    epilog="""Exit status: 0 the job completed, 1 it failed, 4 it was canceled,
5 it did not finish in time, 2 an unknown jid or a bad --timeout, 3 the server
could not be reached.

Examples:

\b
  reqless wait 0f3c5b9e8d7a4c2b9f1e6d5c4b3a2918 --timeout 60
  reqless wait 0f3c5b9e8d7a4c2b9f1e6d5c4b3a2918 --json | jq .result
""",
)
@click.argument("jid")
@click.option(
    "--timeout", type=POSITIVE_SECONDS, default=10, show_default=True,
    help="Seconds to wait for the job to finish.",
)  # fmt: skip
@json_option
@server_options
def wait(server: ServerOptions, jid: str, timeout: float, as_json: bool) -> None:
    """Wait for a job to finish; print how it ended and its result."""
    with connected(server) as client:
        try:
            outcome = client.jobs.wait(jid, timeout=timeout)
        except WaitTimeoutError as exc:
            raise _TimedOut(str(exc)) from exc
        except CoreError as exc:
            if "does not exist" in str(exc):
                raise BadInput(f"no such job: {jid}") from exc
            raise
    record: dict[str, Any] = {"jid": jid, "state": outcome.state, "result": outcome.result,
                              "failure": outcome.failure}  # fmt: skip
    if as_json:
        emit_json(record)
    else:
        click.echo(f"job {jid} {outcome.state}")
        if outcome.result is not None:
            click.echo(json.dumps(outcome.result, indent=2, ensure_ascii=False))
    if outcome.state == "failed":
        failure = outcome.failure or {}
        raise _Failed(f"job {jid} failed: {failure.get('group')}: {failure.get('message')}")
    if outcome.state == "canceled":
        raise _Canceled(f"job {jid} was canceled")


def _record(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.id, "state": batch.state, "total": batch.total, "pending": batch.pending,
        "complete": batch.complete, "failed": batch.failed, "canceled": batch.canceled,
        "created": batch.created, "finished": batch.finished,
        "on_success": batch.on_success, "on_complete": batch.on_complete,
    }  # fmt: skip


def _found(batches: Any, bid: str) -> Batch:
    found: Batch | None = batches.get(bid)
    if found is None:
        raise BadInput(f"no such batch: {bid}")
    return found


@click.group(
    "batch",
    epilog="Examples:\n\n\b\n  reqless batch list\n  reqless batch show nightly-2026-12-07\n"
    "  reqless batch cancel nightly-2026-12-07\n",
)
def batch() -> None:
    """Batches: jobs with a callback job once they have all finished."""


@batch.command(
    "list", epilog="Examples:\n\n\b\n  reqless batch list\n  reqless batch list --limit 5 --json\n"
)
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Batches to skip.")
@click.option("--limit", type=click.IntRange(min=1), default=25, show_default=True)
@json_option
@server_options
def list_batches(server: ServerOptions, offset: int, limit: int, as_json: bool) -> None:
    """List batches, newest first."""
    with connected(server) as client:
        found = client.batches.list(offset, limit)
    if as_json:
        emit_json([_record(item) for item in found])
        return
    rows = [(item.id, item.state, item.total, item.pending, item.complete, item.failed,
             item.canceled, when(item.created)) for item in found]  # fmt: skip
    print_table(("id", "state", "total", "pending", "complete", "failed", "canceled", "created"),
                rows, title="batches", empty="no batches")  # fmt: skip


@batch.command("show", epilog="Examples:\n\n\b\n  reqless batch show nightly-2026-12-07\n")
@click.argument("bid", metavar="ID")
@json_option
@server_options
def show_batch(server: ServerOptions, bid: str, as_json: bool) -> None:
    """Show a batch: its state, counts, callbacks and jobs."""
    with connected(server) as client:
        found = _found(client.batches, bid)
        jids = found.jobs(0, 100)
    if as_json:
        emit_json({**_record(found), "jobs": jids})
        return
    key_values(
        [
            ("state", found.state), ("total", found.total), ("pending", found.pending),
            ("complete", found.complete), ("failed", found.failed),
            ("canceled", found.canceled), ("created", when(found.created)),
            ("finished", when(found.finished) if found.finished else "-"),
            ("on success", _callback(found.on_success)),
            ("on complete", _callback(found.on_complete)),
            ("jobs", " ".join(jids) + (" ..." if found.total > len(jids) else "")),
        ],
        title=f"batch {found.id}",
    )  # fmt: skip


def _callback(value: Any) -> str:
    if not value:
        return "-"
    return f"{value['klass']} into {value['queue']} {json.dumps(value['data'])}"


@batch.command("cancel", epilog="Examples:\n\n\b\n  reqless batch cancel nightly-2026-12-07\n")
@click.argument("bid", metavar="ID")
@json_option
@server_options
def cancel_batch(server: ServerOptions, bid: str, as_json: bool) -> None:
    """Cancel every unfinished job of a batch."""
    with connected(server) as client:
        canceled = _found(client.batches, bid).cancel()
    done(as_json, f"canceled {len(canceled)} job(s) of batch {bid}",
         {"id": bid, "canceled": canceled})  # fmt: skip


@batch.command("close", epilog="Examples:\n\n\b\n  reqless batch close nightly-2026-12-07\n")
@click.argument("bid", metavar="ID")
@json_option
@server_options
def close_batch(server: ServerOptions, bid: str, as_json: bool) -> None:
    """Close a batch: no more jobs join it; its callbacks follow its last job."""
    with connected(server) as client:
        found = _found(client.batches, bid)
        found.close()
    done(as_json, f"batch {bid} is {found.state}", _record(found))


COMMANDS: list[click.Command] = [wait, batch]
