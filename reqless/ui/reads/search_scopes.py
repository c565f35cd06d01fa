"""The lists a scoped search walks (docs/ui.md, Reading the pages), in list order, one chunk at a
time.

A scope is a sequence of phases (for example a queue's state lists, or every
failure group); each phase reads its list by offset with the core's own paging
commands and yields core job objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reqless._calls import queue as queue_calls
from reqless._calls import server as server_calls
from reqless.ui.reads import failed
from reqless.ui.reads.queues import counts_of, state_jids
from reqless.ui.reads.rows import as_list, load_jobs
from reqless.ui.state import Instance

__all__ = ["QUEUE_STATES", "Phase", "phases"]

#: The per-queue lists a queue scope walks, in this order.
QUEUE_STATES = ("waiting", "running", "stalled", "scheduled", "depends", "throttled")

#: Reads (offset, limit) of a list and returns its core job objects, in order.
Reader = Callable[[int, int], list[dict[str, Any]]]


@dataclass(frozen=True)
class Phase:
    """One list of a scope: a label, its size now, and how to read a chunk of it."""

    label: str
    total: int
    read: Reader


def _by_jids(inst: Instance, jids: list[str]) -> list[dict[str, Any]]:
    jobs = load_jobs(inst, jids)
    return [jobs[jid] for jid in jids if jid in jobs]


def _queue_phase(inst: Instance, queue: str, state: str, counts: dict[str, int]) -> Phase:
    if state == "waiting":

        def peek(offset: int, limit: int) -> list[dict[str, Any]]:
            # The waiting list without the expired locks the peek puts first;
            # those are walked as the stalled list.
            jobs = as_list(
                inst.client._run(queue_calls.peek(queue, offset + counts["stalled"], limit))
            )
            return jobs

        return Phase(f"{queue} waiting", counts["waiting"], peek)

    def by_state(offset: int, limit: int) -> list[dict[str, Any]]:
        jids = state_jids(inst, queue, state, offset, limit)
        return _by_jids(inst, [str(j) for j in jids])

    return Phase(f"{queue} {state}", counts[state], by_state)


def _group_phase(inst: Instance, group: str, total: int) -> Phase:
    def read(offset: int, limit: int) -> list[dict[str, Any]]:
        raw = inst.client._run(server_calls.failed_by_group(group, offset, limit))
        return _by_jids(inst, [str(j) for j in as_list(raw.get("jobs"))])

    return Phase(f"group {group}", total, read)


def _everything(inst: Instance, state: str | None) -> list[Phase]:
    """Every queue's lists (one `queue.stalledCounts`), then the failure groups, then the
    completed jobs; a state keeps only the lists that hold it."""
    out: list[Phase] = []
    if state is None or state in QUEUE_STATES:
        states = [state] if state else list(QUEUE_STATES)
        for row in as_list(inst.client._run(server_calls.queue_counts())):
            counts = counts_of(row)
            out.extend(_queue_phase(inst, str(row["name"]), s, counts) for s in states)
    if state in (None, "failed"):
        out.extend(phases(inst, "failed", "", None))
    if state in (None, "complete"):
        out.extend(phases(inst, "completed", "", None))
    return out


def phases(inst: Instance, kind: str, name: str, state: str | None) -> list[Phase]:
    """The phases of scope `kind` (all, queue, group, tag, tracked, completed, failed)."""
    if kind == "all":
        return _everything(inst, state)
    if kind == "queue":
        found = inst.client._run(queue_calls.counts(name))
        counts = counts_of(dict(found))
        states = [state] if state in QUEUE_STATES else list(QUEUE_STATES)
        return [_queue_phase(inst, name, s, counts) for s in states]
    if kind == "group":
        raw = inst.client._run(server_calls.failed_by_group(name, 0, 0 + 1))
        return [_group_phase(inst, name, int(raw.get("total", 0) or 0))]
    if kind == "tag":
        head = inst.client._run(server_calls.tagged(name, 0, 1))

        def tagged(offset: int, limit: int) -> list[dict[str, Any]]:
            raw = inst.client._run(server_calls.tagged(name, offset, limit))
            return _by_jids(inst, [str(j) for j in as_list(raw.get("jobs"))])

        return [Phase(f"tag {name}", int(head.get("total", 0) or 0), tagged)]
    if kind == "completed":

        def newest_first(offset: int, limit: int) -> list[dict[str, Any]]:
            jids = as_list(inst.client._run(server_calls.completed(offset, limit)))
            return _by_jids(inst, [str(j) for j in jids])

        total = int(inst.client.database.zcard(inst.client.keys.COMPLETED))
        return [Phase("completed", total, newest_first)]
    if kind == "tracked":
        database = inst.client.database

        def by_rank(offset: int, limit: int) -> list[dict[str, Any]]:
            jids = database.zrevrange(inst.client.keys.TRACKED, offset, offset + limit - 1)
            return _by_jids(inst, [str(j) for j in jids])

        return [Phase("tracked", int(database.zcard(inst.client.keys.TRACKED)), by_rank)]
    counts = failed.group_counts(inst)
    return [_group_phase(inst, group, counts[group]) for group in sorted(counts)]
