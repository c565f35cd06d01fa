"""Fair groups of a queue (docs/concepts.md, Fair groups): the groups with waiting
jobs in serving order, one group's waiting jobs, and the count of grouped jobs that
a peek at the queue does not show.

The lists come from the core (`queue.groups`, `queue.group.jobs`); the totals and a
group's weight are read from the queue's group keys, one round trip each.
"""

from __future__ import annotations

from typing import Any

from reqless._calls import groups as group_calls
from reqless.ui.http.paging import Page, list_response
from reqless.ui.reads.rows import load_rows, number
from reqless.ui.reads.shapes import Group, ListPage
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["group_info", "group_jobs", "groups", "has_groups", "hidden_waiting"]


def _row(info: group_calls.GroupInfo, position: int) -> Group:
    return {
        "group": info["group"],
        "position": position,
        "waiting": info["waiting"],
        "weight": info["weight"],
        "turn_at": info["turn"],
        "parked_jid": info["parked"],
    }


def has_groups(inst: Instance, queue: str) -> bool:
    """Whether the queue has a group with waiting (or held) jobs."""
    return bool(inst.client.database.exists(inst.client.keys.queue(queue, "groups")))


def groups(inst: Instance, queue: str, page: Page) -> ListPage:
    """A page of the queue's groups, next served first (`position` 1 is next)."""
    found = inst.client._run(group_calls.queue_groups(queue, page.offset, page.limit))
    total = int(inst.client.database.zcard(inst.client.keys.queue(queue, "groups")))
    items = [_row(info, page.offset + index + 1) for index, info in enumerate(found)]
    return list_response(items, page, total)


def group_info(inst: Instance, queue: str, group: str) -> dict[str, Any] | None:
    """The group's waiting count and weight, or None when it has no waiting jobs
    and no weight set."""
    space = inst.client.keys
    pipe = inst.client.database.pipeline(transaction=False)
    pipe.zscore(space.queue(queue, "groups"), group)
    pipe.hget(space.queue(queue, "group-weights"), group)
    turn, weight = pipe.execute()
    if turn is None and weight is None:
        return None
    return {"group": group, "turn_at": number(turn), "weight": int(number(weight) or 1)}


def group_jobs(
    inst: Instance, settings: UISettings, queue: str, group: str, page: Page
) -> ListPage:
    """A page of the group's waiting jobs in the order the group hands them out
    (`position` 1 is its head); jobs gone since the listing are left out."""
    jids = inst.client._run(group_calls.queue_group_jobs(queue, group, page.offset, page.limit + 1))
    more = len(jids) > page.limit
    rows, _missing = load_rows(inst, settings, jids[: page.limit])
    for index, row in enumerate(rows):
        row["position"] = page.offset + index + 1
    return list_response(rows, page, None, has_more=more)


def hidden_waiting(inst: Instance, queue: str) -> int:
    """Waiting jobs of the queue's groups that are not their group's head: a peek at
    the queue (its work set) does not show them."""
    space = inst.client.keys
    pipe = inst.client.database.pipeline(transaction=False)
    pipe.get(space.queue(queue, "grouped"))
    pipe.hlen(space.queue(queue, "group-heads"))
    grouped, heads = pipe.execute()
    return max(int(number(grouped) or 0) - int(heads or 0), 0)
