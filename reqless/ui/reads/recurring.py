"""Recurring templates: one template, a page of them, and the global list.

The next run is the template's score in its queue's `-recur` set, but for a
paused template (or a cron one with no fire time left), which the core parks at
a score far in the future: its next run is None.
"""

from __future__ import annotations

from typing import Any, TypedDict

from reqless._calls import server as server_calls
from reqless.exceptions import ArgumentError, CoreError
from reqless.job import RecurringJob
from reqless.ui.errors import ApiError
from reqless.ui.http.paging import Page, list_response
from reqless.ui.reads.payload import payload_view
from reqless.ui.reads.rows import as_list, number
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = [
    "NEXT_TIMES",
    "SORTS",
    "CronSchedule",
    "FireTime",
    "get_template",
    "recurring",
    "template_rows",
    "template_view",
]

SORTS = ("next_run", "queue", "interval")
#: The full template list (for class filters and interval sorting) is shared briefly.
LIST_TTL_S = 10.0
#: How many next fire times a template's view lists.
NEXT_TIMES = 5
# The core's `-recur` score of a template that spawns nothing (Recurring.PAUSED_SCORE).
_PARKED = 1e15
# Not strftime("%a"): that follows the process locale.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class CronSchedule(TypedDict):
    """A cron template's schedule and policies (docs/cron.md), the `cron` of a row."""

    expression: str
    timezone: str
    #: allow | skip | queue_one
    overlap: str
    #: latest | none | all
    catchup: str
    jitter_s: float
    #: Fire times left out by overlap "skip", since the template was made.
    skipped: int
    #: A fire time held back by overlap "queue_one", or None.
    pending_at: float | None
    #: The next fire time before jitter, or None when no time is left.
    slot_at: float | None
    last_child: str | None


class FireTime(TypedDict):
    """One coming spawn: `at` in epoch seconds; `local` (ISO 8601, whole seconds)
    and `weekday` (Mon..Sun) in the template's timezone, UTC for interval templates."""

    at: float
    local: str
    weekday: str


def _cron(raw: dict[str, Any]) -> CronSchedule | None:
    expression = raw.get("cron")
    if not isinstance(expression, str) or not expression:
        return None
    last = raw.get("last_child")
    return {
        "expression": expression,
        "timezone": str(raw.get("timezone") or "UTC"),
        "overlap": str(raw.get("overlap") or "allow"),
        "catchup": str(raw.get("catchup") or "latest"),
        "jitter_s": float(number(raw.get("jitter")) or 0),
        "skipped": int(number(raw.get("skipped")) or 0),
        "pending_at": number(raw.get("pending")),
        "slot_at": number(raw.get("slot")),
        "last_child": last if isinstance(last, str) and last else None,
    }


def _schedule_text(raw: dict[str, Any], cron: CronSchedule | None) -> str:
    """`every 60 s` or `cron 30 9 * * mon-fri (Europe/Berlin)`."""
    if cron is not None:
        return f"cron {cron['expression']} ({cron['timezone']})"
    interval = number(raw.get("interval"))
    return "every ? s" if interval is None else f"every {interval:g} s"


def _row(raw: dict[str, Any], next_run: float | None) -> dict[str, Any]:
    cron = _cron(raw)
    paused = bool(raw.get("paused"))
    if paused or (next_run is not None and next_run >= _PARKED):
        next_run = None
    return {
        "kind": "recurring",
        "jid": raw["jid"],
        "klass": raw.get("klass", ""),
        "queue": raw.get("queue", ""),
        "state": "recur",
        "priority": raw.get("priority", 0),
        "tags": as_list(raw.get("tags")),
        "retries": raw.get("retries", 0),
        "interval_s": number(raw.get("interval")),
        "count": int(number(raw.get("count")) or 0),
        "backlog": raw.get("backlog", 0),
        "next_run_at": next_run,
        "throttles": as_list(raw.get("throttles")),
        "paused": paused,
        "schedule": _schedule_text(raw, cron),
        "cron": cron,
        # The unique key each spawned job is put with (None: none).
        "unique": raw.get("unique"),
    }


def _next_runs(inst: Instance, templates: list[dict[str, Any]]) -> list[float | None]:
    if not templates:
        return []
    pipe = inst.client.database.pipeline(transaction=False)
    for raw in templates:
        pipe.zscore(inst.client.keys.queue(raw.get("queue", ""), "recur"), raw["jid"])
    return [None if score is None else float(score) for score in pipe.execute()]


def get_template(inst: Instance, jid: str) -> dict[str, Any] | None:
    """The core's template object, or None."""
    found: dict[str, Any] | None = inst.client._run(server_calls.get_recurring(jid))
    return found


def template_rows(inst: Instance, settings: UISettings, jids: list[str]) -> list[dict[str, Any]]:
    """Rows (no data) for the templates among `jids` that exist, in the order given."""
    templates = [t for t in (get_template(inst, jid) for jid in jids) if t is not None]
    return [_row(t, run) for t, run in zip(templates, _next_runs(inst, templates), strict=True)]


def _next_fire_times(inst: Instance, raw: dict[str, Any]) -> tuple[list[FireTime], str | None]:
    """The next spawns (none while paused) and, when they cannot be worked out, why."""
    template = RecurringJob(inst.client, **raw)
    if template.cron is not None and template.slot is None:
        return [], None  # the expression has no fire time left
    try:
        times = template.next_fire_times(NEXT_TIMES)
    except (ArgumentError, CoreError) as exc:  # e.g. a zone this host's tzdata lacks
        return [], str(exc)
    return [
        {"at": moment.timestamp(), "local": moment.isoformat(timespec="seconds"),
         "weekday": _WEEKDAYS[moment.weekday()]}
        for moment in times
    ], None  # fmt: skip


def template_view(inst: Instance, settings: UISettings, raw: dict[str, Any]) -> dict[str, Any]:
    """The Recurring shape (reads/__init__.py): the payload, the most recent spawn
    and the next fire times."""
    view = _row(raw, _next_runs(inst, [raw])[0])
    view["next_fire_times"], view["next_fire_error"] = _next_fire_times(inst, raw)
    view.update(payload_view(str(raw.get("data", "")), settings.redact_keys))
    count = view["count"]
    last: dict[str, Any] | None = None
    if count > 0:
        spawn = f"{raw['jid']}-{count}"
        job = inst.client._run(server_calls.get_job(spawn))
        last = {"jid": spawn, "state": job.get("state") if job else None}
    view["last_spawn"] = last
    return view


def _all_entries(inst: Instance) -> list[tuple[str, str, float]]:
    """(queue, jid, next run) of every template of every known queue."""
    names = as_list(inst.client._run(server_calls.queue_names()))
    pipe = inst.client.database.pipeline(transaction=False)
    for name in names:
        pipe.zrange(inst.client.keys.queue(name, "recur"), 0, -1, withscores=True)
    out: list[tuple[str, str, float]] = []
    for name, members in zip(names, pipe.execute(), strict=True):
        out.extend((name, jid, float(score)) for jid, score in members)
    return out


def recurring(
    inst: Instance,
    settings: UISettings,
    *,
    queue: str = "",
    q: str = "",
    sort: str = "next_run",
    page: Page,
    fresh: bool = False,
) -> dict[str, Any]:
    """Templates of all queues, filtered by queue and class substrings, sorted, paged.

    Sorting by next run or queue uses only the `-recur` scores; a class filter or
    sorting by interval reads the templates themselves, at most `scan_limit` of
    them (`capped` says when that cut the list).
    """
    if sort not in SORTS:
        raise ApiError.invalid("sort", f"must be one of {', '.join(SORTS)}")
    entries = _all_entries(inst)
    if queue:
        entries = [e for e in entries if queue.lower() in e[0].lower()]
    if sort == "queue":
        entries.sort(key=lambda e: (e[0], e[2], e[1]))
    else:
        entries.sort(key=lambda e: (e[2], e[1]))
    capped = False
    if not q and sort != "interval":
        chosen = entries[page.offset : page.offset + page.limit]
        rows = template_rows(inst, settings, [jid for _queue, jid, _run in chosen])
        return {**list_response(rows, page, len(entries)), "capped": False, "examined": None}
    limit = settings.scan_limit
    capped = len(entries) > limit
    key = ("recurring-all", queue, limit)

    def compute() -> list[dict[str, Any]]:
        return template_rows(inst, settings, [jid for _queue, jid, _run in entries[:limit]])

    rows = inst.cache.get(key, LIST_TTL_S, compute, fresh)
    if q:
        rows = [row for row in rows if q.lower() in str(row["klass"]).lower()]
    if sort == "interval":
        rows = sorted(rows, key=lambda row: (row["interval_s"] or 0, row["jid"]))
    return {
        **list_response(rows[page.offset : page.offset + page.limit], page, len(rows)),
        "capped": capped,
        "examined": min(len(entries), limit),
    }
