"""Cron expressions: their next fire times in an IANA timezone (docs/cron.md).

The core computes fire times (the same code schedules cron templates), but Lua
has no timezone database: the client resolves the zone name here, with
`zoneinfo`, into the zone's UTC-offset transitions over a 50-year horizon, and
sends them along.
"""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reqless import _validate
from reqless._calls import cron as calls
from reqless._calls.call import Call
from reqless.exceptions import ArgumentError

if TYPE_CHECKING:
    from reqless.client import Client

__all__ = [
    "HORIZON_YEARS",
    "fire_times_call",
    "interval_fire_times",
    "next_fire_times",
    "zone",
    "zone_offsets",
]

#: How many years of transitions `zone_offsets` sends, from one day before `start`.
HORIZON_YEARS = 50
_DAY = 86400
# The last second `datetime` can show (9999-12-31T23:59:59Z).
_LAST = 253402300799


def zone(timezone: str) -> ZoneInfo:
    """The `ZoneInfo` of IANA name `timezone`, or ArgumentError naming it."""
    if not isinstance(timezone, str) or not timezone:
        raise ArgumentError(f"timezone must be a non-empty IANA zone name, not {timezone!r}")
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ArgumentError(f"timezone {timezone!r} is not a known IANA zone name") from exc


def _offset(tz: ZoneInfo, at: int) -> int:
    offset = datetime.fromtimestamp(at, tz).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


def _change(tz: ZoneInfo, before: int, after: int) -> int:
    """The first second in (before, after] whose offset differs from `before`'s."""
    old = _offset(tz, before)
    while after - before > 1:
        middle = (before + after) // 2
        if _offset(tz, middle) == old:
            before = middle
        else:
            after = middle
    return after


def zone_offsets(timezone: str, start: float) -> str:
    """The JSON transitions of `timezone` the core's `cron.next` takes.

    `[[utc_seconds, offset_seconds], ...]`: the offset in force one day before
    `start`, then each change up to 50 years after `start` (the instant it takes
    effect and the offset from then on). Found by stepping a day at a time and
    bisecting to the second where the offset changed.
    """
    tz = zone(timezone)
    if isinstance(start, bool) or not isinstance(start, int | float) or not math.isfinite(start):
        raise ArgumentError(f"start must be a finite number of seconds, not {start!r}")
    begin = max(-_LAST, min(math.floor(start) - _DAY, _LAST))
    end = min(begin + _DAY + int(HORIZON_YEARS * 365.2425 * _DAY), _LAST)
    pairs = [[begin, _offset(tz, begin)]]
    day = begin
    while day < end:
        following = min(day + _DAY, end)
        if _offset(tz, following) != pairs[-1][1]:
            at = _change(tz, day, following)
            pairs.append([at, _offset(tz, at)])
        day = following
    return json.dumps(pairs, separators=(",", ":"))


def _moment(after: datetime | float | None) -> float:
    """`after` as UTC seconds (now when None), from 1970 to the year 9999."""
    if after is None:
        return time.time()
    if isinstance(after, datetime):
        if after.tzinfo is None:
            raise ArgumentError(f"after must be a timezone-aware datetime, not {after!r}")
        return after.timestamp()
    moment = _validate.number("after", after, minimum=0)
    if moment > _LAST:
        raise ArgumentError(f"after must be a time before the year 10000, not {after!r}")
    return moment


def fire_times_call(
    expression: str,
    *,
    timezone: str = "UTC",
    after: datetime | float | None = None,
    count: int = 5,
) -> Call[list[datetime]]:
    """The checked core call behind `next_fire_times`, for either client."""
    tz = zone(timezone)
    moment = _moment(after)
    checked = calls.next_times(expression, count, moment, zone_offsets(timezone, moment))

    def parse(reply: object) -> list[datetime]:
        return [datetime.fromtimestamp(t, tz) for t in checked.parse(reply)]

    return Call(checked.command, checked.args, parse, repeatable=checked.repeatable)


def next_fire_times(
    client: Client,
    expression: str,
    *,
    timezone: str = "UTC",
    after: datetime | float | None = None,
    count: int = 5,
) -> list[datetime]:
    """The next `count` (1-100) fire times of cron `expression` after `after`.

    Aware datetimes in `timezone` (an IANA name such as "Europe/Berlin"), each
    later than the one before. `after` is an aware datetime or UTC seconds, by
    default now. Computed by the server (`cron.next`), by the rules cron
    templates follow; a bad expression raises CoreError naming the field, a bad
    argument here ArgumentError before anything is sent.
    """
    return client._run(fire_times_call(expression, timezone=timezone, after=after, count=count))


def interval_fire_times(first: float, interval: float, count: int) -> list[datetime]:
    """`count` spawn times of an interval template whose next spawn is at `first` (UTC)."""
    return [datetime.fromtimestamp(first + k * interval, UTC) for k in range(max(count, 0))]
