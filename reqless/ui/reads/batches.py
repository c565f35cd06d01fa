"""Batches of jobs (docs/ui.md, Batches): the list, newest first, and one batch with a
page of its jobs.

The core keeps a batch's counts as its jobs finish (`batch.get`, `batch.list`); a
finished batch's keys expire after `jobs-history` seconds, and the list leaves those
out, so it has no exact total: pages follow `has_more`.
"""

from __future__ import annotations

from typing import Any, cast

from reqless._calls import follow
from reqless.exceptions import ArgumentError
from reqless.types import BatchCallback, BatchPayload
from reqless.ui.errors import ApiError
from reqless.ui.http.paging import Page, list_response
from reqless.ui.reads.redact import redact
from reqless.ui.reads.rows import load_rows
from reqless.ui.reads.shapes import Batch, BatchCallbackView, ListPage
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["batch_detail", "batch_row", "batches", "get_batch"]

_STATES = ("open", "closed", "finished")


def _callback(value: BatchCallback | None, keys: tuple[str, ...]) -> BatchCallbackView | None:
    if value is None:
        return None
    data, _paths = redact(value["data"], keys)
    return {
        "klass": value["klass"],
        "queue": value["queue"],
        "data": data,
        "priority": value.get("priority"),
    }


def _callback_jids(found: BatchPayload) -> list[str]:
    """The callback jobs the core put when the batch finished (see batch.close)."""
    if found["state"] != "finished":
        return []
    jids = []
    if found["on_success"] is not None and found["complete"] == found["total"]:
        jids.append(f"{found['id']}-success")
    if found["on_complete"] is not None:
        jids.append(f"{found['id']}-complete")
    return jids


def batch_row(found: BatchPayload, settings: UISettings) -> Batch:
    """The Batch shape of a core batch object."""
    state = found["state"] if found["state"] in _STATES else "open"
    keys = settings.redact_keys
    return {
        "id": found["id"],
        "state": cast(Any, state),
        "total": found["total"],
        "pending": found["pending"],
        "complete": found["complete"],
        "failed": found["failed"],
        "canceled": found["canceled"],
        "created_at": found["created"],
        "finished_at": found["finished"],
        "on_success": _callback(found["on_success"], keys),
        "on_complete": _callback(found["on_complete"], keys),
        "callback_jids": _callback_jids(found),
    }


def batches(inst: Instance, settings: UISettings, page: Page) -> ListPage:
    """A page of batches, newest first (total null; has_more exact)."""
    found = inst.client._run(follow.batch_list(page.offset, page.limit + 1))
    items = [batch_row(entry, settings) for entry in found[: page.limit]]
    return list_response(items, page, None, has_more=len(found) > page.limit)


def get_batch(inst: Instance, settings: UISettings, bid: str) -> Batch:
    """One batch; 404 when it is unknown or expired, 400 for an id the core refuses."""
    try:
        built = follow.batch_get(bid)
    except ArgumentError as exc:  # the id cannot name a batch
        raise ApiError.invalid("id", str(exc)) from exc
    found = inst.client._run(built)
    if found is None:
        raise ApiError.not_found(f"batch {bid!r} does not exist (or has expired)")
    return batch_row(found, settings)


def batch_detail(inst: Instance, settings: UISettings, bid: str, page: Page) -> dict[str, Any]:
    """{"batch": Batch, "jobs": a page of its jobs (JobRow; for a job gone since, a
    canceled row when it was canceled, else an expired row), sorted by jid; total =
    the batch's job count}."""
    batch = get_batch(inst, settings, bid)
    jids = inst.client._run(follow.batch_jobs(bid, page.offset, page.limit))
    rows, missing = load_rows(inst, settings, jids)
    by_jid = {row["jid"]: row for row in rows}
    # A canceled job is deleted: only its batch knows it was canceled.
    canceled: list[str] = []
    if missing:
        canceled = inst.client._run(follow.batch_canceled(bid, missing))
    was_canceled = set(canceled)
    items = [
        by_jid.get(jid) or {"kind": "canceled" if jid in was_canceled else "expired", "jid": jid}
        for jid in jids
    ]
    return {"batch": batch, "jobs": list_response(items, page, batch["total"])}
