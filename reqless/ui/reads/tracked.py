"""Tracked jobs: per-state counts (capped) and a page, newest tracking first.

The core's all-at-once `jobs.tracked` is never called: the set is read by
rank, and the counts come from each tracked job's state field, for at most
`cap` jids.
"""

from __future__ import annotations

import time
from typing import Any

from reqless.ui.errors import ApiError
from reqless.ui.http.paging import Page, list_response
from reqless.ui.reads.rows import load_rows
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["COUNT_CAP", "TABS", "tracked", "tracked_states"]

COUNT_CAP = 10_000
TABS = (
    "all",
    "waiting",
    "running",
    "scheduled",
    "stalled",
    "depends",
    "throttled",
    "failed",
    "complete",
    "expired",
)


def _tab_of(state: str | None, expires: str | None, now: float) -> str:
    if state is None:
        return "expired"
    if state == "running":
        try:
            deadline = float(expires or 0)
        except ValueError:
            deadline = 0.0
        return "stalled" if 0 < deadline <= now else "running"
    return state if state in TABS else "waiting"


def tracked_states(inst: Instance, cap: int = COUNT_CAP) -> tuple[list[tuple[str, str]], int, bool]:
    """(jid, tab) of the newest `cap` tracked jids, the tracked total, and whether capped."""
    database = inst.client.database
    space = inst.client.keys
    total = int(database.zcard(space.TRACKED))
    jids = [str(j) for j in database.zrevrange(space.TRACKED, 0, cap - 1)]
    pipe = database.pipeline(transaction=False)
    for jid in jids:
        pipe.hmget(space.job(jid), "state", "expires")
    now = time.time()
    tabs = [
        (jid, _tab_of(state, expires, now))
        for jid, (state, expires) in zip(jids, pipe.execute(), strict=True)
    ]
    return tabs, total, total > cap


def tracked(
    inst: Instance, settings: UISettings, state: str, page: Page, cap: int = COUNT_CAP
) -> dict[str, Any]:
    """Counts per tab (with `capped`) and a page of the chosen tab."""
    if state not in TABS:
        raise ApiError.invalid("state", f"must be one of {', '.join(TABS)}")
    tabs, total, capped = tracked_states(inst, cap)
    counts = dict.fromkeys(TABS, 0)
    for _jid, tab in tabs:
        counts[tab] += 1
    counts["all"] = total
    if state == "all":
        jids = [
            str(j)
            for j in inst.client.database.zrevrange(
                inst.client.keys.TRACKED, page.offset, page.offset + page.limit - 1
            )
        ]
        tab_total = total
    else:
        matching = [jid for jid, tab in tabs if tab == state]
        jids = matching[page.offset : page.offset + page.limit]
        tab_total = len(matching)
    rows, _missing = load_rows(inst, settings, jids)
    by_jid = {row["jid"]: row for row in rows}
    items = [by_jid.get(jid) or {"kind": "expired", "jid": jid} for jid in jids]
    return {
        **list_response(items, page, tab_total),
        "state": state,
        "counts": counts,
        "counted": len(tabs),
        "capped": capped,
        "cap": cap,
    }
