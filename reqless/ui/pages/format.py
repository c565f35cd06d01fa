"""Text formatting of numbers, times and durations for the pages (§3.5).

These return plain strings; the templates escape them like any other value.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "compact",
    "duration",
    "first_line",
    "iso",
    "jid_cut",
    "number",
    "relative",
    "utc_text",
]


def number(value: Any) -> str:
    """`12,345`; floats keep up to two decimals; None and junk show as `—`."""
    if value is None or isinstance(value, bool):
        return "—" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "—"
        if value == int(value):
            return f"{int(value):,}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def compact(value: Any) -> str:
    """Badge form: `999`, `12.3k`, `4.5M`."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "—" if value is None else str(value)
    size = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            text = f"{value / limit:.1f}"
            return text.removesuffix(".0") + suffix
    return number(value)


def duration(seconds: Any) -> str:
    """`850 ms`, `42 s`, `3 min 05 s`, `1 h 02 min`, `2 d 03 h`."""
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return "—"
    if not math.isfinite(seconds):
        return "—"
    sign = "-" if seconds < 0 else ""
    value = abs(float(seconds))
    if value < 1:
        return f"{sign}{round(value * 1000)} ms"
    if value < 60:
        text = f"{value:.1f}".removesuffix(".0") if value < 10 else f"{round(value)}"
        return f"{sign}{text} s"
    whole = round(value)
    if whole < 3600:
        return f"{sign}{whole // 60} min {whole % 60:02d} s"
    if whole < 86400:
        return f"{sign}{whole // 3600} h {whole % 3600 // 60:02d} min"
    return f"{sign}{whole // 86400} d {whole % 86400 // 3600:02d} h"


def _moment(epoch: Any) -> datetime | None:
    if not isinstance(epoch, (int, float)) or isinstance(epoch, bool):
        return None
    if not math.isfinite(epoch):
        return None
    try:
        return datetime.fromtimestamp(float(epoch), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def iso(epoch: Any) -> str:
    """ISO-8601 in UTC for `<time datetime>`; empty when there is no time."""
    moment = _moment(epoch)
    if moment is None:
        return ""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_text(epoch: Any) -> str:
    """`2026-11-30 13:15:04 UTC` (the absolute time before the script localises it)."""
    moment = _moment(epoch)
    if moment is None:
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def relative(epoch: Any, now: float) -> str:
    """`3 min ago`, `in 20 s`, `just now`."""
    moment = _moment(epoch)
    if moment is None:
        return "—"
    delta = float(epoch) - now
    if abs(delta) < 1:
        return "just now"
    span = _coarse(abs(delta))
    return f"in {span}" if delta > 0 else f"{span} ago"


def _coarse(seconds: float) -> str:
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


def jid_cut(jid: Any, keep: int = 8) -> str:
    """A long jid cut in the middle so both ends stay visible."""
    text = str(jid)
    if len(text) <= 2 * keep + 1:
        return text
    return f"{text[:keep]}…{text[-keep:]}"


def first_line(text: Any, limit: int = 200) -> str:
    """The first line of a message, cut to `limit` characters."""
    if text is None:
        return ""
    line = str(text).split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"
