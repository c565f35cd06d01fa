"""Calls on cron expressions: their next fire times, computed by the core (docs/cron.md)."""

from __future__ import annotations

import json
from typing import Any

from reqless import _validate
from reqless._calls.call import Call
from reqless.exceptions import ArgumentError
from reqless.types import Arg

__all__ = ["MAX_COUNT", "next_times"]

#: The most fire times one `cron.next` call returns.
MAX_COUNT = 100


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
        raise ArgumentError(f"count must be a whole number from 1 to {MAX_COUNT}, not {value!r}")
    return int(value)


def _times(reply: Any) -> list[int]:
    return [int(t) for t in json.loads(reply)]


def next_times(
    expression: str, count: int, after: float, zone: str | None = None
) -> Call[list[int]]:
    """The next `count` fire times (whole UTC seconds) of `expression` after `after`.

    `zone` is the JSON text of the zone's UTC-offset transitions
    (`reqless.cron.zone_offsets`); None is UTC.
    """
    args: tuple[Arg, ...] = (
        _validate.name("expression", expression),
        _count(count),
        _validate.number("after", after, minimum=0),
    )
    if zone is not None:
        args += (_validate.name("zone", zone),)
    return Call("cron.next", args, _times, repeatable=True)
