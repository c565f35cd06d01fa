"""Cancelling jobs together with their dependents (A-J3, bulk cancel, A-FG3).

The core refuses to cancel a job unless every job depending on it is cancelled in
the same call. So a job goes out together with its transitive dependents, at most
1,000 jids in one `job.cancel`, and several such groups share a call while they fit.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from reqless._calls import job as job_calls
from reqless.exceptions import CoreError
from reqless.ui.actions.jobs import as_list, get_jobs
from reqless.ui.actions.tally import CHUNK, Tally, chunks
from reqless.ui.state import Instance

__all__ = ["MAX_CASCADE", "cancel_selection", "dependents_closure"]

#: Most jids cancelled together because of one selected job (A-J3).
MAX_CASCADE = 1_000


def dependents_closure(
    inst: Instance, roots: Sequence[str], limit: int = MAX_CASCADE
) -> tuple[list[str], bool]:
    """`roots` and every job that transitively depends on them, roots first.

    Returns the jids and whether the set grew past `limit` (it is cut there).
    Read level by level, one `job.getMulti` per 100 jids.
    """
    found: dict[str, None] = dict.fromkeys(roots)
    frontier = list(found)
    while frontier:
        following: list[str] = []
        for part in chunks(frontier, CHUNK):
            for job in get_jobs(inst, part).values():
                for dependent in as_list(job.get("dependents")):
                    if dependent not in found:
                        found[dependent] = None
                        following.append(dependent)
                        if len(found) > limit:
                            return list(found)[:limit], True
        frontier = following
    return list(found), False


def _send(inst: Instance, batch: list[list[str]], selected: Collection[str], tally: Tally) -> None:
    """Cancel the groups of `batch` in one call; one call per group if that fails."""
    flat = [jid for group in batch for jid in group]
    try:
        inst.client._run(job_calls.cancel_many(flat))
    except CoreError:
        # A dependent appeared since the groups were read: retry each group alone so
        # one stale group does not sink the others.
        for group in batch:
            _send_group(inst, group, selected, tally)
        return
    for group in batch:
        _count(group, selected, tally)


def _send_group(inst: Instance, group: list[str], selected: Collection[str], tally: Tally) -> None:
    try:
        inst.client._run(job_calls.cancel_many(group))
    except CoreError as exc:
        for jid in group:
            if jid in selected:
                tally.error(jid, str(exc))
        return
    _count(group, selected, tally)


def _count(group: list[str], selected: Collection[str], tally: Tally) -> None:
    chosen = sum(1 for jid in group if jid in selected)
    tally.succeeded(chosen)
    if len(group) > chosen:
        tally.count("dependents_cancelled", len(group) - chosen)


def cancel_selection(
    inst: Instance, jids: Sequence[str], tally: Tally, *, with_dependents: bool
) -> None:
    """Cancel the selected jobs, each with its selected dependents in the same call.

    A job with a dependent outside the selection is skipped, with the reason, unless
    `with_dependents` (then the outside dependents are cancelled too and counted in
    `dependents_cancelled`). Completed jobs cannot be cancelled and are skipped.
    """
    selected = set(jids)
    handled: set[str] = set()
    for part in chunks(jids, CHUNK):
        if tally.stopping:
            return
        jobs = get_jobs(inst, part)
        batch: list[list[str]] = []
        size = 0
        for jid in part:
            if jid in handled:
                continue
            job = jobs.get(jid)
            if job is None:
                handled.add(jid)
                tally.skip(jid, "does not exist")
                continue
            if job.get("state") == "complete":
                handled.add(jid)
                tally.skip(jid, "is complete; completed jobs cannot be cancelled")
                continue
            group, too_many = dependents_closure(inst, [jid])
            group = [one for one in group if one not in handled]
            if too_many:
                handled.add(jid)
                tally.skip(jid, f"has more than {MAX_CASCADE} dependents")
                continue
            outside = [one for one in group if one not in selected]
            if outside and not with_dependents:
                handled.add(jid)
                shown = ", ".join(outside[:5]) + (" ..." if len(outside) > 5 else "")
                tally.skip(jid, f"has dependents that are not selected: {shown}")
                continue
            handled.update(group)
            if size + len(group) > MAX_CASCADE and batch:
                _send(inst, batch, selected, tally)
                batch, size = [], 0
            batch.append(group)
            size += len(group)
        if batch:
            _send(inst, batch, selected, tally)
