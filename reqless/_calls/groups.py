"""Calls on a queue's fair groups: list them, list a group's waiting jobs, weigh one.

Fair groups are described in docs/concepts.md ("Fair groups"): a job put with a
group waits in its group, and the queue serves its groups in turn.
"""

from __future__ import annotations

import json
import numbers
from typing import Any, TypedDict

from reqless import _validate
from reqless._calls.call import Call
from reqless.exceptions import ArgumentError
from reqless.util import as_list

__all__ = [
    "MAX_WEIGHT",
    "GroupInfo",
    "queue_group_jobs",
    "queue_group_weight",
    "queue_groups",
]

#: The largest weight a group may have (the core's Group.MAX_WEIGHT).
MAX_WEIGHT = 1000


class GroupInfo(TypedDict):
    """One group of a queue, as `queue.groups` describes it."""

    group: str
    #: Jobs waiting in the group (its head included).
    waiting: int
    #: Jobs the group takes per turn (1 unless set).
    weight: int
    #: When the group was last served (epoch seconds); the lowest is served next.
    turn: float
    #: The jid of the held job the group waits on, or None when it is not parked.
    parked: str | None


def _paging(offset: object, limit: object) -> tuple[int, int]:
    offset = _validate.nonnegative_int("offset", offset)
    if isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 1:
        raise ArgumentError(f"limit must be a whole number > 0, not {limit!r}")
    return offset, int(limit)


def _group_info(entry: dict[str, Any]) -> GroupInfo:
    return {
        "group": str(entry["group"]),
        "waiting": int(entry["waiting"]),
        "weight": int(entry["weight"]),
        "turn": float(entry["turn"]),
        "parked": str(entry["parked"]) if entry.get("parked") else None,
    }


def _parse_groups(reply: Any) -> list[GroupInfo]:
    return [_group_info(entry) for entry in as_list(json.loads(reply))]


def _parse_jids(reply: Any) -> list[str]:
    return [str(jid) for jid in as_list(json.loads(reply))]


def queue_groups(queue: str, offset: int = 0, limit: int = 25) -> Call[list[GroupInfo]]:
    """The queue's groups with waiting (or held) jobs, the next to be served first."""
    queue = _validate.name("queue name", queue)
    offset, limit = _paging(offset, limit)
    return Call("queue.groups", (queue, offset, limit), _parse_groups, repeatable=True)


def queue_group_jobs(queue: str, group: str, offset: int = 0, limit: int = 25) -> Call[list[str]]:
    """Jids waiting in `group` of `queue`, in the order the group hands them out."""
    queue, group = _validate.name("queue name", queue), _validate.name("group", group)
    offset, limit = _paging(offset, limit)
    return Call("queue.group.jobs", (queue, group, offset, limit), _parse_jids, repeatable=True)


def queue_group_weight(queue: str, group: str, weight: int) -> Call[int]:
    """Let `group` of `queue` take `weight` jobs per turn (1, the default, clears it).

    The weight stays set while the group has no waiting jobs.
    """
    queue, group = _validate.name("queue name", queue), _validate.name("group", group)
    if (
        isinstance(weight, bool)
        or not isinstance(weight, numbers.Integral)
        or not 1 <= weight <= MAX_WEIGHT
    ):
        raise ArgumentError(f"weight must be a whole number from 1 to {MAX_WEIGHT}, not {weight!r}")
    # Setting the same weight twice leaves the same state.
    return Call("queue.group.weight", (queue, group, int(weight)), int, repeatable=True)
