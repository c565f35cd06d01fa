"""Click types of the rate window, throttle template and fair group options.

Each refuses what the core would refuse, before anything is sent, and click
names the option: `Invalid value for '--rate': must be a whole number from 1 to
1000000, got '0'` (exit status 2, nothing changed).
"""

from __future__ import annotations

from reqless._calls.groups import MAX_WEIGHT
from reqless._calls.queue import group_name
from reqless._calls.server import MAX_PER, MAX_RATE, template_pattern
from reqless.cli import values
from reqless.cli.click_types import Checked
from reqless.exceptions import ArgumentError
from reqless.keys import QUEUE_THROTTLE_IDS

__all__ = ["GROUP", "PATTERN", "PER", "RATE", "WEIGHT"]


def _whole(text: str, most: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= most:
        raise ValueError(f"must be a whole number from 1 to {most}, got {text!r}")
    return value


def _rate(text: str) -> int:
    return _whole(text, MAX_RATE)


def _weight(text: str) -> int:
    return _whole(text, MAX_WEIGHT)


def _per(text: str) -> int | float:
    try:
        value = values.number(text)
    except ValueError:
        value = 0
    if not 0 < value <= MAX_PER:
        raise ValueError(
            f"must be a number of seconds above 0 and at most {MAX_PER} (a year), got {text!r}"
        )
    return value


def _pattern(text: str) -> str:
    try:
        return template_pattern(text)
    except ArgumentError:
        raise ValueError(
            "must be a prefix followed by one * (like 'stripe:*'), without control characters "
            f"and not starting with {QUEUE_THROTTLE_IDS}, got {text!r}"
        ) from None


def _group(text: str) -> str:
    try:
        return group_name(text)
    except ArgumentError:
        raise ValueError(
            f"must be 1 to 256 characters without control characters, got {text!r}"
        ) from None


#: Starts per window: a whole number from 1 to 1,000,000.
RATE = Checked("integer", _rate)
#: A rate window's length: seconds above 0, at most a year.
PER = Checked("seconds", _per)
#: A throttle template's pattern: `prefix*`.
PATTERN = Checked("pattern", _pattern)
#: A fair group's name.
GROUP = Checked("group", _group)
#: A group's weight: a whole number from 1 to 1000.
WEIGHT = Checked("integer", _weight)
