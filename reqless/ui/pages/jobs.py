"""The job detail page: a job or a recurring template."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reqless._calls import server as server_calls
from reqless.ui.actions.jobs import data_sha256
from reqless.ui.errors import ApiError
from reqless.ui.http import paths
from reqless.ui.http.context import instance, ui, user
from reqless.ui.http.paging import Page
from reqless.ui.pages import charts
from reqless.ui.pages import format as fmt
from reqless.ui.pages.errors import error_page
from reqless.ui.pages.render import render
from reqless.ui.reads import jobs as job_reads
from reqless.ui.reads import tags as tag_reads
from reqless.ui.roles import Role

__all__ = ["RESULT_SHOWN_LINES", "gap_text", "job_page", "timeline"]

#: (previous kind, this kind) -> how to name the time in between.
_GAP_LABELS = {
    ("put", "popped"): "waited",
    ("popped", "done"): "ran",
    ("popped", "failed"): "ran",
    ("popped", "failed-retries"): "ran",
    ("popped", "timed-out"): "ran",
    ("popped", "completed"): "ran",
    ("put", "scheduled"): "was scheduled",
    ("scheduled", "popped"): "was scheduled",
    ("throttled", "popped"): "waited",
}
GRAPH_DEPTH = 3
#: A result longer than this many lines starts collapsed.
RESULT_SHOWN_LINES = 20
_ACTIVE = ("waiting", "running", "scheduled", "stalled", "depends", "throttled")


def timeline(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History entries with their details and the time since the previous entry."""
    out = []
    previous: dict[str, Any] | None = None
    for entry in history:
        what = str(entry.get("what", ""))
        when = entry.get("when_at")
        details = {k: v for k, v in entry.items() if k not in ("what", "when_at")}
        gap = None
        label = None
        text = title = None
        if previous is not None and isinstance(when, (int, float)):
            before = previous.get("when_at")
            if isinstance(before, (int, float)):
                gap = float(when) - float(before)
                label = _GAP_LABELS.get((str(previous.get("what", "")), what), "after")
                text, title = gap_text(gap, float(before).is_integer() and float(when).is_integer())
        out.append(
            {
                "what": what,
                "when_at": when,
                "details": details,
                "gap_s": gap,
                "gap_label": label,
                "gap_text": text,
                "gap_title": title,
                "is_log": what not in _KNOWN_KINDS,
            }
        )
        previous = entry
    return out


def gap_text(gap: float, whole_seconds: bool) -> tuple[str, str | None]:
    """The time between two history entries as text, and a note on its precision.

    The core writes history times in whole seconds (each stands for the second it
    falls in), so a gap of G seconds is anything between G-1 and G+1 s: "< 1 s"
    for 0, "about G s" under a minute, where a second either way matters.
    """
    if not whole_seconds or gap < 0:
        return fmt.duration(gap), None
    whole = round(gap)
    if whole == 0:
        return "< 1 s", f"{_WHOLE_SECONDS}: less than 1 s"
    if whole < 60:
        low = fmt.duration(float(whole - 1)) if whole > 1 else "0 s"
        return f"about {whole} s", f"{_WHOLE_SECONDS}: between {low} and {whole + 1} s"
    return fmt.duration(gap), f"{_WHOLE_SECONDS}: give or take 1 s"


_WHOLE_SECONDS = "history times are whole seconds"

_KNOWN_KINDS = {
    "put",
    "popped",
    "done",
    "failed",
    "failed-retries",
    "timed-out",
    "throttled",
    "completed",
    "scheduled",
}


def _edit_text(job: dict[str, Any]) -> str | None:
    """The payload as editable JSON, unless masked or cut (those need a reveal)."""
    if job.get("redacted_paths") or job.get("data_truncated") or not job.get("data_is_json"):
        return None
    return json.dumps(job.get("data"), indent=2, ensure_ascii=False)


def _data_sha256(request: Request, jid: str) -> str | None:
    """The hash the edited requeue (A-J10) checks against the stored payload."""
    found = instance(request).client._run(server_calls.get_job(jid))
    if found is None:
        return None
    return data_sha256(found)


def _result_lines(job: dict[str, Any]) -> int:
    """Lines of the result as the viewer lays it out (indented JSON)."""
    if not job.get("has_result"):
        return 0
    if job.get("result_truncated") or not job.get("result_is_json"):
        return len(str(job.get("result")).splitlines()) or 1
    return len(json.dumps(job.get("result"), indent=2).splitlines())


def _top_tags(request: Request) -> list[str]:
    try:
        found = tag_reads.top_tags(instance(request), Page(0, 25))
    except ApiError:
        return []
    return [str(item.get("tag")) for item in found.get("items", [])]


def job_page(request: Request) -> Response:
    """One job or template; an unknown jid gives 404 with the prefix search."""
    jid = paths.segment(request, "jid")
    inst = instance(request)
    try:
        job = job_reads.job_view(inst, ui(request).settings, jid)
    except ApiError as exc:
        if exc.status == 404:
            return error_page(request, exc, offer=jid)
        raise
    if job.get("kind") == "recurring":
        return render(
            request,
            "pages/template.html",
            "template",
            f"Recurring {jid}",
            job=job,
            jid=jid,
            stream_topics="counts",
        )
    graph = None
    if request.query_params.get("graph") == "1":
        found = job_reads.job_graph(inst, jid, GRAPH_DEPTH)
        graph = {"layout": charts.dependency_graph(found), "truncated": found.get("truncated")}
    result_lines = _result_lines(job)
    admin = user(request).may(Role.ADMIN)
    editable = admin and job.get("state") != "running"
    return render(
        request,
        "pages/job.html",
        "job",
        f"Job {jid}",
        job=job,
        jid=jid,
        entries=timeline(job.get("history") or []),
        graph=graph,
        active=job.get("state") in _ACTIVE,
        edit_text=_edit_text(job) if editable else None,
        data_sha256=_data_sha256(request, jid) if editable else None,
        tag_suggestions=_top_tags(request) if user(request).may(Role.OPERATOR) else [],
        result_lines=result_lines,
        result_long=result_lines > RESULT_SHOWN_LINES,
        page_data={"jid": jid, "state": job.get("state"), "queue": job.get("queue")},
        stream_topics="counts,events",
        stream_jid=jid,
    )
