"""Failure groups: group counts with two samples, group pages, message clusters."""

from __future__ import annotations

from typing import Any

from reqless._calls import server as server_calls
from reqless.ui.errors import ApiError
from reqless.ui.http.paging import Page, list_response
from reqless.ui.reads.rows import as_list, load_jobs, load_rows, rows_of
from reqless.ui.reads.shapes import ListPage
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["SORTS", "clusters", "group_counts", "group_jobs", "group_queue", "groups"]

SORTS = ("count", "name", "newest")
_RETRIES_PREFIX = "failed-retries-"
#: Jobs read per core call while clustering a group.
_CHUNK = 500


def group_counts(inst: Instance) -> dict[str, int]:
    """group -> number of failed jobs (one `failureGroups.counts`)."""
    raw = inst.client._run(server_calls.failure_counts())
    return (
        {str(name): int(count) for name, count in (raw or {}).items()}
        if isinstance(raw, dict)
        else {}
    )


def group_queue(group: str) -> str | None:
    """The queue named by a `failed-retries-<queue>` group."""
    return group[len(_RETRIES_PREFIX) :] if group.startswith(_RETRIES_PREFIX) else None


def _page_jids(inst: Instance, group: str, start: int, limit: int) -> tuple[int, list[str]]:
    raw = inst.client._run(server_calls.failed_by_group(group, start, limit))
    return int(raw.get("total", 0)), [str(j) for j in as_list(raw.get("jobs"))]


def groups(
    inst: Instance,
    settings: UISettings,
    *,
    sort: str = "count",
    q: str = "",
    page: Page | None = None,
) -> dict[str, Any]:
    """Failure groups with their count, newest and oldest job; never whole groups."""
    if sort not in SORTS:
        raise ApiError.invalid("sort", f"must be one of {', '.join(SORTS)}")
    page = page or Page(0, 500)
    counts = group_counts(inst)
    total_failed = sum(counts.values())
    names = [name for name in counts if q.lower() in name.lower()]
    samples: dict[str, tuple[str | None, str | None]] = {}
    for name in names:
        _total, newest = _page_jids(inst, name, 0, 1)
        _total, oldest = _page_jids(inst, name, -1, 1)
        samples[name] = (newest[0] if newest else None, oldest[0] if oldest else None)
    wanted = sorted({jid for pair in samples.values() for jid in pair if jid})
    jobs = load_jobs(inst, wanted)
    rows = {row["jid"]: row for row in rows_of(inst, settings, list(jobs.values()))}
    items: list[dict[str, Any]] = []
    for name in names:
        newest_jid, oldest_jid = samples[name]
        newest_row, oldest_row = rows.get(newest_jid or ""), rows.get(oldest_jid or "")
        sampled = sorted(
            {str(row["queue"]) for row in (newest_row, oldest_row) if row and row["queue"]}
        )
        items.append(
            {
                "group": name,
                "count": counts[name],
                "queue": group_queue(name) or _single(sampled),
                "queues": sampled,
                "newest": newest_row,
                "oldest": oldest_row,
            }
        )
    if sort == "count":
        items.sort(key=lambda item: (-item["count"], item["group"]))
    elif sort == "name":
        items.sort(key=lambda item: item["group"])
    else:
        items.sort(key=lambda item: -(_failed_at(item["newest"]) or 0.0))
    return {
        **list_response(items[page.offset : page.offset + page.limit], page, len(items)),
        "total_failed": total_failed,
        "group_count": len(counts),
    }


def _single(queues: list[str]) -> str | None:
    # Only the newest and oldest jobs are read (never whole groups): when both
    # failed in one queue, that is the group's queue (groups are named
    # `<queue>-<exception>` by the worker, so this is the common case).
    return queues[0] if len(queues) == 1 else None


def _failed_at(row: dict[str, Any] | None) -> float | None:
    if row is None or row.get("failure") is None:
        return None
    when: float | None = row["failure"].get("when_at")
    return when


def group_jobs(inst: Instance, settings: UISettings, group: str, page: Page) -> ListPage:
    """A page of the group's jobs, newest failure first, with the group's total."""
    total, jids = _page_jids(inst, group, page.offset, page.limit)
    rows, _missing = load_rows(inst, settings, jids)
    return list_response(rows, page, total)


def clusters(inst: Instance, settings: UISettings, group: str, limit: int) -> dict[str, Any]:
    """The group's newest jobs (at most `limit`, <= scan_limit) clustered by message line."""
    if limit < 1:
        raise ApiError.invalid("limit", f"must be at least 1, got {limit}")
    limit = min(limit, settings.scan_limit)
    found: dict[str, dict[str, Any]] = {}
    examined = 0
    total = 0
    while examined < limit:
        size = min(_CHUNK, limit - examined)
        total, jids = _page_jids(inst, group, examined, size)
        if not jids:
            break
        for row in load_rows(inst, settings, jids)[0]:
            failure = row["failure"] or {}
            line = failure.get("message_line", "")
            cluster = found.setdefault(line, {"message_line": line, "count": 0, "jids": []})
            cluster["count"] += 1
            cluster["jids"].append(row["jid"])
        examined += len(jids)
        if len(jids) < size:
            break
    ordered = sorted(found.values(), key=lambda c: (-c["count"], c["message_line"]))
    return {
        "group": group,
        "total": total,
        "examined": examined,
        "limit": limit,
        "capped": examined < total,
        "clusters": ordered,
    }
