"""Text formatting of numbers, times and durations for the pages.

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
    "span",
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
    """`850 ms`, `42 s`, `3 min 05 s`, `1 h 02 min`, `2 d 04 h`; a zero second
    unit is left out (`1 min`, `1 h`, `1 d`). The script's `duration` agrees."""
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return "—"
    if not math.isfinite(seconds):
        return "—"
    sign = "-" if seconds < 0 else ""
    value = abs(float(seconds))
    if value < 1:
        millis = _half_up(value * 1000)
        if millis < 1000:
            return f"{sign}{millis} ms"
        value = 1.0
    if value < 59.5:
        text = f"{value:.1f}".removesuffix(".0") if value < 9.95 else f"{_half_up(value)}"
        return f"{sign}{text} s"
    return sign + _units(_half_up(value))


def _half_up(value: float) -> int:
    """Rounded to a whole number, halves up (as the script's Math.round)."""
    return math.floor(value + 0.5)


_UNITS = ((86400, "d", 3600, "h"), (3600, "h", 60, "min"), (60, "min", 1, "s"))


def _units(whole: int) -> str:
    """Whole seconds as one or two units, the second one zero-padded and left out
    when zero: `42 s`, `3 min 05 s`, `1 h`, `2 d 04 h`."""
    for size, unit, part, sub in _UNITS:
        if whole >= size:
            rest = whole % size // part
            return f"{whole // size} {unit}" + (f" {rest:02d} {sub}" if rest else "")
    return f"{whole} s"


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
    text = span(delta)
    return f"in {text}" if delta > 0 else f"{text} ago"


def span(seconds: float) -> str:
    """The short span of a relative time: `20 s`, `3 min 05 s`, `12 min`, `2 h 05 min`,
    `1 d 04 h`. Seconds show only under 10 minutes. Same as the script's `span`, so
    the text the page is rendered with is the one the script keeps up to date."""
    whole = _half_up(abs(seconds))
    if 600 <= whole < 3600:
        return f"{whole // 60} min"
    return _units(whole)


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
