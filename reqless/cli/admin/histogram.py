"""The buckets of the core's wait and run histograms (`queue.stats`), with their bounds.

The core counts each sample under the whole seconds, minutes, hours or days it
took (docs/core-commands.md, `queue.stats`): positions 0-59 are 1-second buckets,
60-118 1-minute, 119-141 1-hour and 142-147 1-day buckets. Samples of 7 days or
more land in no bucket.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUCKETS", "bucket_bounds", "buckets"]

#: Positions of a histogram.
BUCKETS = 148

#: (first position, width in seconds, value of the first position in that unit)
_SPANS = ((0, 1, 0), (60, 60, 1), (119, 3600, 1), (142, 86400, 1))


def bucket_bounds(position: int) -> tuple[int, int]:
    """The `[lower, upper)` bounds in seconds of histogram position 0..147."""
    if not 0 <= position < BUCKETS:
        raise ValueError(f"a histogram has positions 0 to {BUCKETS - 1}, not {position}")
    first, width, start = next(span for span in reversed(_SPANS) if span[0] <= position)
    lower = (start + position - first) * width
    return lower, lower + width


def buckets(histogram: list[Any]) -> list[dict[str, int]]:
    """Each position of a histogram as `{"lower_s", "upper_s", "count"}`."""
    bounds = map(bucket_bounds, range(BUCKETS))
    return [
        {"lower_s": lower, "upper_s": upper, "count": int(count)}
        for (lower, upper), count in zip(bounds, histogram, strict=False)
    ]
