"""Job rows: core job objects turned into the rows every job list shows.

A page of jobs is loaded with one `job.getMulti`; the only extra read is
the run-at of the page's scheduled jobs, from the scores of their queue's
scheduled set, in one pipeline.
"""

from __future__ import annotations

import json
import time
from typing import Any

from reqless._calls import queue as queue_calls
from reqless.failure_text import exception_line
from reqless.ui.reads.redact import redact, redact_text
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = [
    "as_list",
    "first_line",
    "history_entries",
    "job_row",
    "load_jobs",
    "load_rows",
    "loads",
    "number",
    "progress_of",
    "rows_of",
    "scheduled_times",
]


#: History kinds the core writes itself (docs/concepts.md, States); others are log messages.
CORE_EVENTS = frozenset(
    ("put", "popped", "done", "failed", "failed-retries", "timed-out", "throttled")
)


def loads(reply: Any, default: Any = None) -> Any:
    """A core JSON reply decoded; `default` for nil."""
    if reply is None:
        return default
    return json.loads(reply)


def as_list(value: Any) -> list[Any]:
    """The core writes an empty JSON array as `{}`; this reads both as `[]`."""
    if isinstance(value, list):
        return value
    return []


def number(value: Any) -> float | None:
    """A float from a core number or numeric text; None when there is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def first_line(text: str, limit: int = 300) -> str:
    """The first non-empty line of a message, cut to `limit` characters."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""


def load_jobs(inst: Instance, jids: list[str]) -> dict[str, dict[str, Any]]:
    """jid -> core job object for the jids that exist, in one `job.getMulti`."""
    if not jids:
        return {}
    found = as_list(inst.client._run(queue_calls.existing(jids)))
    return {job["jid"]: job for job in found}


def scheduled_times(inst: Instance, jobs: list[dict[str, Any]]) -> dict[str, float]:
    """jid -> run-at of the scheduled jobs among `jobs` (one pipeline of ZSCOREs)."""
    wanted = [job for job in jobs if job.get("state") == "scheduled" and job.get("queue")]
    if not wanted:
        return {}
    pipe = inst.client.database.pipeline(transaction=False)
    for job in wanted:
        pipe.zscore(inst.client.keys.queue(job["queue"], "scheduled"), job["jid"])
    scores = pipe.execute()
    return {
        job["jid"]: float(score)
        for job, score in zip(wanted, scores, strict=True)
        if score is not None
    }


def history_entries(job: dict[str, Any], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """History in read form, oldest first: `when` becomes `when_at`; details redacted."""
    entries = []
    for raw in as_list(job.get("history")):
        if not isinstance(raw, dict):
            continue
        details = {k: v for k, v in raw.items() if k not in ("when", "what")}
        details, _paths = redact(details, keys)
        what = str(raw.get("what", ""))
        if what not in CORE_EVENTS:
            # Any other kind is the message of a job.log call: free text.
            what, _masked = redact_text(what, keys)
        entries.append({"what": what, "when_at": number(raw.get("when")), **details})
    return entries


def _failure(job: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any] | None:
    failure = job.get("failure")
    if not isinstance(failure, dict) or not failure:
        return None
    message, _masked = redact_text(str(failure.get("message", "")), keys)
    return {
        "group": failure.get("group"),
        "message": message,
        # A traceback's first line is the same for every failure: show the exception.
        "message_line": exception_line(message)[:300],
        "when_at": number(failure.get("when")),
        "worker": failure.get("worker") or None,
    }


def progress_of(job: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any] | None:
    """The job's last progress report (`job.progress`), message redacted, or None."""
    progress = job.get("progress")
    if not isinstance(progress, dict):
        return None
    fraction = number(progress.get("fraction"))
    if fraction is None:
        return None
    message, _masked = redact_text(str(progress.get("message") or ""), keys)
    return {
        "fraction": min(max(fraction, 0.0), 1.0),
        "message": message,
        "at": number(progress.get("at")),
    }


def job_row(
    job: dict[str, Any],
    settings: UISettings,
    now: float | None = None,
    scheduled_at: float | None = None,
) -> dict[str, Any]:
    """The row shape of one core job object (see reads/__init__: JobRow)."""
    now = time.time() if now is None else now
    history = as_list(job.get("history"))
    state = str(job.get("state", ""))
    expires = number(job.get("expires")) or 0.0
    state_since = None
    put_queue = None
    completed_at = None
    for entry in reversed(history):
        if not isinstance(entry, dict):
            continue
        when = number(entry.get("when"))
        if state_since is None:
            state_since = when
        if put_queue is None and entry.get("what") == "put":
            put_queue = entry.get("queue")
        if completed_at is None and entry.get("what") == "done" and state == "complete":
            completed_at = when
    spawned = job.get("spawned_from_jid")
    return {
        "kind": "job",
        "jid": job["jid"],
        "klass": job.get("klass", ""),
        "queue": job.get("queue") or None,
        "state": state,
        "priority": job.get("priority", 0),
        "tags": as_list(job.get("tags")),
        "worker": job.get("worker") or None,
        "tracked": bool(job.get("tracked")),
        "retries": job.get("retries"),
        "remaining": job.get("remaining"),
        "expires_at": expires if state == "running" and expires else None,
        "lock_expired": state == "running" and 0 < expires <= now,
        "failure": _failure(job, settings.redact_keys),
        "dependencies": as_list(job.get("dependencies")),
        "dependents": as_list(job.get("dependents")),
        "throttles": as_list(job.get("throttles")),
        "spawned_from_jid": spawned if isinstance(spawned, str) and spawned else None,
        "scheduled_at": scheduled_at,
        "state_since_at": state_since,
        "completed_at": completed_at,
        "put_queue": put_queue,
        "group": job.get("group") or None,
        "progress": progress_of(job, settings.redact_keys),
        "batch": job.get("batch") or None,
    }


def load_rows(
    inst: Instance, settings: UISettings, jids: list[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows for `jids` in the order given, and the jids that no longer exist."""
    jobs = load_jobs(inst, jids)
    return rows_of(inst, settings, [jobs[jid] for jid in jids if jid in jobs]), [
        jid for jid in jids if jid not in jobs
    ]


def rows_of(
    inst: Instance, settings: UISettings, jobs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rows for core job objects already loaded (for example by `queue.peek`)."""
    now = time.time()
    run_at = scheduled_times(inst, jobs)
    return [job_row(job, settings, now, run_at.get(job["jid"])) for job in jobs]
