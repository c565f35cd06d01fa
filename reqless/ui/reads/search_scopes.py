"""The lists a scoped search walks (§4.16), in list order, one chunk at a time.

A scope is a sequence of phases (for example a queue's state lists, or every
failure group); each phase reads its list by offset with the core's own paging
commands and yields core job objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reqless.ui.reads import failed
from reqless.ui.reads.queues import counts_of
from reqless.ui.reads.rows import as_list, load_jobs, loads
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
                loads(inst.client("queue.peek", queue, offset + counts["stalled"], limit), [])
            )
            return jobs

        return Phase(f"{queue} waiting", counts["waiting"], peek)

    def by_state(offset: int, limit: int) -> list[dict[str, Any]]:
        jids = as_list(loads(inst.client("queue.jobsByState", state, queue, offset, limit), []))
        return _by_jids(inst, [str(j) for j in jids])

    return Phase(f"{queue} {state}", counts[state], by_state)


def _group_phase(inst: Instance, group: str, total: int) -> Phase:
    def read(offset: int, limit: int) -> list[dict[str, Any]]:
        raw = loads(inst.client("jobs.failedByGroup", group, offset, limit), {})
        return _by_jids(inst, [str(j) for j in as_list(raw.get("jobs"))])

    return Phase(f"group {group}", total, read)


def phases(inst: Instance, kind: str, name: str, state: str | None) -> list[Phase]:
    """The phases of scope `kind` (queue, group, tag, tracked, completed, failed)."""
    if kind == "queue":
        counts = counts_of(loads(inst.client("queue.counts", name), {}))
        states = [state] if state in QUEUE_STATES else list(QUEUE_STATES)
        return [_queue_phase(inst, name, s, counts) for s in states]
    if kind == "group":
        raw = loads(inst.client("jobs.failedByGroup", name, 0, 0 + 1), {})
        return [_group_phase(inst, name, int(raw.get("total", 0) or 0))]
    if kind == "tag":
        head = loads(inst.client("jobs.tagged", name, 0, 1), {})

        def tagged(offset: int, limit: int) -> list[dict[str, Any]]:
            raw = loads(inst.client("jobs.tagged", name, offset, limit), {})
            return _by_jids(inst, [str(j) for j in as_list(raw.get("jobs"))])

        return [Phase(f"tag {name}", int(head.get("total", 0) or 0), tagged)]
    if kind == "completed":

        def newest_first(offset: int, limit: int) -> list[dict[str, Any]]:
            jids = as_list(loads(inst.client("jobs.completed", offset, limit), []))
            return _by_jids(inst, [str(j) for j in jids])

        total = int(inst.client.database.zcard("ql:completed"))
        return [Phase("completed", total, newest_first)]
    if kind == "tracked":
        database = inst.client.database

        def by_rank(offset: int, limit: int) -> list[dict[str, Any]]:
            jids = database.zrevrange("ql:tracked", offset, offset + limit - 1)
            return _by_jids(inst, [str(j) for j in jids])

        return [Phase("tracked", int(database.zcard("ql:tracked")), by_rank)]
    counts = failed.group_counts(inst)
    return [_group_phase(inst, group, counts[group]) for group in sorted(counts)]
