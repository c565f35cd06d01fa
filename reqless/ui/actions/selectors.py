"""The server-side sets behind "select all N matching" (docs/ui.md, Actions).

A selector names a set: `{"queue", "state"}`, `{"group"}`, `{"tag"}`,
`{"tracked_state"}` or `{"search"}`. `size()` is cheap (a count the core keeps);
`collect(cap)` lists at most `cap` jids, paging through the core's lists.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reqless._calls import queue as queue_calls
from reqless._calls import server as server_calls
from reqless.ui.actions import body as fields
from reqless.ui.actions.jobs import as_list
from reqless.ui.errors import ApiError
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["QUEUE_STATES", "TRACKED_CAP", "TRACKED_STATES", "Selection", "resolve", "tracked_state"]

QUEUE_STATES = ("waiting", "running", "scheduled", "stalled", "depends", "throttled")
TRACKED_STATES = (
    "all", "waiting", "running", "scheduled", "stalled", "depends", "throttled",
    "failed", "complete", "expired",
)  # fmt: skip
#: Tracked jobs whose state is read to select by state.
TRACKED_CAP = 10_000
_PAGE = 500


@dataclass(frozen=True)
class Selection:
    """A named set of jobs: its size now, and a way to list its jids."""

    describe: dict[str, Any]
    size: int
    collect: Callable[[int], list[str]]


def _paged(fetch: Callable[[int, int], tuple[list[str], int]], size: int, cap: int) -> list[str]:
    """Page through a core list; `fetch` returns the jids kept and the entries read."""
    found: dict[str, None] = {}
    offset = 0
    # Bounded by the size read first (plus a page) in case the set grows meanwhile.
    while len(found) < cap and offset <= size + _PAGE:
        kept, read = fetch(offset, _PAGE)
        if not read:
            break
        for jid in kept:
            found.setdefault(jid, None)
        offset += read
    return list(found)[:cap]


def _all(jids: list[str]) -> tuple[list[str], int]:
    return jids, len(jids)


def _queue(inst: Instance, queue: str, state: str) -> Selection:
    # Stalled in reqless's one meaning, as the queue's page counts and lists them.
    found = inst.client._run(queue_calls.counts(queue))
    counts: dict[str, Any] = dict(found)
    size = int(counts.get(state, 0))

    def waiting(offset: int, limit: int) -> tuple[list[str], int]:
        jobs = as_list(inst.client._run(queue_calls.peek(queue, offset, limit)))
        # peek lists expired locks (state running) and jobs handed back (state
        # stalled) before the waiting jobs.
        kept = [job["jid"] for job in jobs if job.get("state") not in ("running", "stalled")]
        return kept, len(jobs)

    def by_state(offset: int, limit: int) -> tuple[list[str], int]:
        if state == "stalled":
            reply = inst.client._run(queue_calls.jobs_by_state(queue, "stalled", offset, limit))
        else:
            reply = inst.client._run(queue_calls.jobs_by_state(queue, state, offset, limit))
        return _all(as_list(reply))

    fetch = waiting if state == "waiting" else by_state
    bound = size + int(counts.get("stalled", 0))
    return Selection({"queue": queue, "state": state}, size, lambda cap: _paged(fetch, bound, cap))


def _group(inst: Instance, group: str) -> Selection:
    def fetch(offset: int, limit: int) -> tuple[list[str], int]:
        reply = inst.client._run(server_calls.failed_by_group(group, offset, limit))
        return _all(as_list(reply.get("jobs")))

    size = int(inst.client._run(server_calls.failed_by_group(group, 0, 1)).get("total", 0))
    return Selection({"group": group}, size, lambda cap: _paged(fetch, size, cap))


def _tag(inst: Instance, tag: str) -> Selection:
    def fetch(offset: int, limit: int) -> tuple[list[str], int]:
        reply = inst.client._run(server_calls.tagged(tag, offset, limit))
        return _all(as_list(reply.get("jobs")))

    size = int(inst.client._run(server_calls.tagged(tag, 0, 1)).get("total", 0))
    return Selection({"tag": tag}, size, lambda cap: _paged(fetch, size, cap))


def tracked_state(state: str | None, expires: str | None, now: float) -> str:
    """The tracked page's state of one job: `expired` when it no longer exists, and
    `stalled` for a running job whose lock deadline has passed."""
    if state is None:
        return "expired"
    if state == "running":
        try:
            deadline = float(expires or 0)
        except ValueError:
            deadline = 0
        if 0 < deadline <= now:
            return "stalled"
    return state


def _tracked(inst: Instance, state: str) -> Selection:
    database = inst.client.database
    space = inst.client.keys
    total = int(database.zcard(space.TRACKED))
    if state == "all":
        return Selection(
            {"tracked_state": state},
            total,
            lambda cap: [str(jid) for jid in database.zrevrange(space.TRACKED, 0, cap - 1)],
        )
    if total > TRACKED_CAP:
        raise ApiError(
            "too_large",
            f"{total} tracked jobs: selecting by state reads at most {TRACKED_CAP}",
            {"total": total, "cap": TRACKED_CAP},
        )
    jids = [str(jid) for jid in database.zrevrange(space.TRACKED, 0, TRACKED_CAP - 1)]
    with database.pipeline(transaction=False) as pipe:
        for jid in jids:
            pipe.hmget(space.job(jid), "state", "expires")
        rows = pipe.execute()
    now = time.time()
    chosen = [
        jid
        for jid, row in zip(jids, rows, strict=True)
        if tracked_state(row[0], row[1], now) == state
    ]
    return Selection({"tracked_state": state}, len(chosen), lambda cap: chosen[:cap])


def _search(inst: Instance, settings: UISettings, query: str, cap: int) -> Selection:
    from reqless.ui.reads import search

    jids, total = search.select_jids(inst, settings, query, cap)
    return Selection({"search": query}, int(total), lambda limit: list(jids)[:limit])


def resolve(inst: Instance, settings: UISettings, selector: Any, cap: int) -> Selection:
    """Check a selector and measure its set (`cap` bounds a search's work)."""
    if not isinstance(selector, dict):
        raise ApiError.invalid("selector", "must be a JSON object")
    keys = set(selector)
    if keys == {"queue", "state"}:
        queue = fields.name(selector, "queue", "selector.queue")
        state = selector["state"]
        if state not in QUEUE_STATES:
            raise ApiError.invalid("selector.state", f"must be one of {', '.join(QUEUE_STATES)}")
        return _queue(inst, queue, state)
    if keys == {"group"}:
        return _group(inst, fields.name(selector, "group", "selector.group"))
    if keys == {"tag"}:
        return _tag(inst, fields.name(selector, "tag", "selector.tag"))
    if keys == {"tracked_state"}:
        state = selector["tracked_state"]
        if state not in TRACKED_STATES:
            raise ApiError.invalid(
                "selector.tracked_state", f"must be one of {', '.join(TRACKED_STATES)}"
            )
        return _tracked(inst, state)
    if keys == {"search"}:
        query = fields.name(selector, "search", "selector.search")
        if len(query) > 500:
            raise ApiError.invalid("selector.search", "at most 500 characters")
        return _search(inst, settings, query, cap)
    raise ApiError.invalid(
        "selector",
        'must be {"queue", "state"}, {"group"}, {"tag"}, {"tracked_state"} or {"search"}',
    )
