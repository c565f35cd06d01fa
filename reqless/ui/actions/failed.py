"""Failure-group actions: retry all (A-FG1), unfail (A-FG2), cancel all (A-FG3).

Each works on whatever the group holds when it runs, guarded by the caller's
`expected_total` (docs/ui.md, Actions), and reports per-jid outcomes where the core gives them.
"""

from __future__ import annotations

from reqless._calls import server as server_calls
from reqless.exceptions import CoreError
from reqless.ui.actions.cancel import cancel_selection
from reqless.ui.actions.jobs import as_list, get_jobs, origin_queue, requeue
from reqless.ui.actions.tally import CHUNK, Tally
from reqless.ui.state import Instance

__all__ = [
    "UNFAIL_CHUNK",
    "cancel_group",
    "group_jids",
    "group_total",
    "retry_group",
    "unfail_group",
]

#: Jobs moved per `queue.unfail` call (A-FG2).
UNFAIL_CHUNK = 500
_PAGE = 500


def group_total(inst: Instance, group: str) -> int:
    reply = inst.client._run(server_calls.failed_by_group(group, 0, 1))
    return int(reply.get("total", 0))


def group_jids(inst: Instance, group: str, cap: int) -> list[str]:
    """Up to `cap` jids of the group, newest first."""
    found: dict[str, None] = {}
    offset = 0
    while len(found) < cap:
        reply = inst.client._run(server_calls.failed_by_group(group, offset, _PAGE))
        page = as_list(reply.get("jobs"))
        if not page:
            break
        found.update(dict.fromkeys(page))
        offset += len(page)
    return list(found)[:cap]


def retry_group(inst: Instance, group: str, tally: Tally) -> None:
    """Requeue every job of the group into the queue it failed in, oldest first.

    Pages from the tail of the group's list (the oldest failures), skipping the
    jobs left behind by earlier pages; retried jobs leave the list, and new
    failures arrive at the head, so neither shifts the pages still to read. Stops
    after the number of jobs the group held at the start.
    """
    budget = tally.total if tally.total is not None else group_total(inst, group)
    left_behind = 0
    while tally.processed < budget and not tally.stopping:
        want = min(CHUNK, budget - tally.processed)
        start = -(left_behind + want)
        reply = inst.client._run(server_calls.failed_by_group(group, start, want))
        page = as_list(reply.get("jobs"))
        if not page:
            return
        jobs = get_jobs(inst, page)
        for jid in reversed(page):
            job = jobs.get(jid)
            if job is None:
                left_behind += 1
                tally.skip(jid, "does not exist")
                continue
            failure = job.get("failure")
            in_group = isinstance(failure, dict) and failure.get("group") == group
            if job.get("state") != "failed" or not in_group:
                left_behind += 1
                tally.skip(jid, f"is {job.get('state')}, no longer failed in this group")
                continue
            queue = origin_queue(job)
            if queue is None:
                left_behind += 1
                tally.skip(jid, "has no queue to retry into")
                continue
            try:
                requeue(inst, job, queue)
            except CoreError as exc:
                left_behind += 1
                tally.error(jid, str(exc))
                continue
            tally.succeeded()
        if len(page) < want:
            return


def unfail_group(inst: Instance, group: str, queue: str, count: int, tally: Tally) -> None:
    """`queue.unfail` in chunks of 500, oldest first, until `count` moved or empty."""
    while tally.processed < count and not tally.stopping:
        want = min(UNFAIL_CHUNK, count - tally.processed)
        try:
            moved = int(inst.client._run(server_calls.unfail(group, queue, want)))
        except CoreError as exc:
            # The core names the jid it could not find and moved nothing.
            tally.error("", str(exc))
            return
        tally.succeeded(moved)
        if moved < want:
            return


def cancel_group(inst: Instance, jids: list[str], tally: Tally, *, with_dependents: bool) -> None:
    """Cancel the listed jobs of a group; jobs with dependents outside it are skipped."""
    cancel_selection(inst, jids, tally, with_dependents=with_dependents)
