"""Queue statistics: one UTC day with histograms and percentiles, and history."""

from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from reqless._calls import queue as queue_calls
from reqless.ui.errors import ApiError
from reqless.ui.reads.rows import number
from reqless.ui.state import Instance

__all__ = ["BUCKETS", "HISTORY_DAYS", "bucket_upper_s", "histogram_summary", "history", "stats_day"]

BUCKETS = 148
HISTORY_DAYS = (7, 30, 90)
#: Past days never change, but the cache still expires so data never gets older than this.
PAST_DAY_TTL_S = 600.0
_DAY_S = 86400


def bucket_upper_s(position: int) -> int:
    """Upper bound in seconds of histogram position 0..147 (exclusive bound of the bucket)."""
    if position < 60:
        return position + 1
    if position < 119:
        return (position - 58) * 60
    if position < 142:
        return (position - 117) * 3600
    return (position - 140) * _DAY_S


def _parse_date(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError.invalid("date", f"{text!r} is not a date of the form YYYY-MM-DD") from None


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _percentile(histogram: list[int], count: int, share: float) -> int | None:
    """Upper bound of the bucket holding the sample of rank ceil(share * count)."""
    if count <= 0:
        return None
    rank = max(1, math.ceil(share * count))
    seen = 0
    for position, n in enumerate(histogram):
        seen += n
        if seen >= rank:
            return bucket_upper_s(position)
    return None  # the rank falls among the unbucketed samples (7 days or more)


def histogram_summary(raw: dict[str, Any], with_histogram: bool = True) -> dict[str, Any]:
    """count, mean, std, histogram, unbucketed and p50/p90/p99 of one `wait`/`run` part."""
    count = int(number(raw.get("count")) or 0)
    histogram = [int(n) for n in (raw.get("histogram") or [])][:BUCKETS]
    histogram += [0] * (BUCKETS - len(histogram))
    out: dict[str, Any] = {
        "count": count,
        "mean_s": number(raw.get("mean")) or 0.0,
        "std_s": number(raw.get("std")) or 0.0,
    }
    if with_histogram:
        out.update(
            histogram=histogram,
            unbucketed=count - sum(histogram),
            p50_le_s=_percentile(histogram, count, 0.50),
            p90_le_s=_percentile(histogram, count, 0.90),
            p99_le_s=_percentile(histogram, count, 0.99),
        )
    return out


def _day(inst: Instance, name: str, day: date, with_histogram: bool) -> dict[str, Any]:
    raw = inst.client._run(queue_calls.stats(name, _epoch(day)))
    wait = histogram_summary(raw.get("wait") or {}, with_histogram)
    run = histogram_summary(raw.get("run") or {}, with_histogram)
    return {
        "date": day.isoformat(),
        "popped": wait["count"],
        "completed": run["count"],
        "failures": int(number(raw.get("failures")) or 0),
        "still_failed": int(number(raw.get("failed")) or 0),
        "lock_expiries": int(number(raw.get("retries")) or 0),
        "wait": wait,
        "run": run,
    }


def stats_day(inst: Instance, name: str, day: str | None = None) -> dict[str, Any]:
    """One UTC day of the queue's stats (today when `day` is None): a StatsDay."""
    return {"queue": name, **_day(inst, name, _parse_date(day), True)}


def _past_day(inst: Instance, name: str, day: date, fresh: bool) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        return _day(inst, name, day, False)

    key = ("stats-day", name, day.isoformat())
    found: dict[str, Any] = inst.cache.get(key, PAST_DAY_TTL_S, compute, fresh)
    return found


def history(inst: Instance, name: str, days: int, fresh: bool = False) -> dict[str, Any]:
    """The last `days` (7, 30 or 90) UTC days, oldest first, without histograms."""
    if days not in HISTORY_DAYS:
        raise ApiError.invalid("days", f"must be 7, 30 or 90, got {days}")
    today = datetime.fromtimestamp(time.time(), UTC).date()
    items = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        if back == 0:
            items.append(_day(inst, name, day, False))
            continue
        items.append(_past_day(inst, name, day, fresh))
    return {"queue": name, "days": days, "items": items}
