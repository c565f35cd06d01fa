"""Timeline gaps shown with the precision of the history times.

The core writes history times in whole seconds, so a job that ran 800 ms can show
"ran 0 ms" or "ran 1 s" if the gap is taken at face value. Each time stands for
a second, so a gap of G whole seconds is anything between G-1 and G+1 s.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from reqless.client import Client
from reqless.ui.pages.jobs import timeline
from tests.ui.conftest import UI


def _entries(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"what": what, "when_at": when} for what, when in pairs]


def _gaps(*pairs: tuple[str, float]) -> list[tuple[str | None, str | None]]:
    return [(e["gap_label"], e["gap_text"]) for e in timeline(_entries(*pairs))][1:]


def test_whole_second_gaps_say_how_precise_they_are() -> None:
    assert _gaps(("put", 100), ("popped", 100), ("done", 101)) == [
        ("waited", "< 1 s"),
        ("ran", "about 1 s"),
    ]
    assert _gaps(("put", 100), ("popped", 107)) == [("waited", "about 7 s")]
    # Past a minute the second either way no longer matters.
    assert _gaps(("put", 100), ("popped", 100 + 185)) == [("waited", "3 min 05 s")]


def test_finer_times_are_shown_as_they_are() -> None:
    assert _gaps(("put", 100.25), ("popped", 101.05)) == [("waited", "800 ms")]


def test_gap_titles_state_the_range() -> None:
    entries = timeline(_entries(("put", 100), ("popped", 100), ("done", 103)))
    assert entries[1]["gap_title"] == "history times are whole seconds: less than 1 s"
    assert entries[2]["gap_title"] == "history times are whole seconds: between 2 s and 4 s"


def test_job_page_never_claims_a_zero_run(ui: UI, ui_client: Client) -> None:
    queue = ui_client.queues["q"]
    jid = queue.put("app.Fast", {})
    job = queue.pop()
    assert job is not None
    job.complete()
    html = ui.get(f"/jobs/{jid}").text
    gaps = [unescape(g) for g in re.findall(r'<span class="gap"[^>]*>([^<]*)</span>', html)]
    assert gaps, html
    assert all(" ms" not in gap and " 0 s" not in gap for gap in gaps), gaps
    assert all(re.fullmatch(r"(waited|ran) (< 1 s|about \d+ s)", gap) for gap in gaps), gaps
