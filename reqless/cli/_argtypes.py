"""The shared value checks (`reqless.cli.values`) as `argparse` types, for the worker
until it moves to click.

`argparse` prefixes the checker's message with the flag, e.g.
`argument -w/--workers: must be a whole number >= 0, got 'x'`; click commands say
the same after `Invalid value for '--workers':`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from reqless.cli import values

__all__ = [
    "argtype",
    "count",
    "non_empty",
    "non_negative_float",
    "non_negative_int",
    "port",
    "positive_float",
    "server_url",
]

_T = TypeVar("_T")


def argtype(check: Callable[[str], _T]) -> Callable[[str], _T]:
    """`check` as an argparse type: its ValueError becomes the error argparse prints.

    (argparse would print `invalid ... value` for a plain ValueError, losing the message.)
    """

    def parse(text: str) -> _T:
        try:
            return check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = check.__name__
    parse.__doc__ = check.__doc__
    return parse


def _non_negative_float(text: str) -> float:
    """A finite number of seconds, 0 or more, as a float."""
    return float(values.seconds(text))


def _positive_float(text: str) -> float:
    """A finite number of seconds, more than 0, as a float."""
    return float(values.positive_seconds(text))


#: Any text but an empty one.
non_empty = argtype(values.non_empty)
#: A whole number, 0 or more.
non_negative_int = argtype(values.whole_number)
#: A whole number, 1 or more.
count = argtype(values.count)
#: A TCP port, 1 to 65535.
port = argtype(values.port)
#: A finite number of seconds, 0 or more.
non_negative_float = argtype(_non_negative_float)
#: A finite number of seconds, more than 0.
positive_float = argtype(_positive_float)
#: A redis://, rediss:// or unix:// URL.
server_url = argtype(values.server_url)
