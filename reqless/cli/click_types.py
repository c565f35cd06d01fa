"""The shared value checks (`reqless.cli.values`) as click parameter types.

A refusal reads `Invalid value for '--port': must be a port number (1-65535), got
'70000'`: click names the option, the checker says the rest, in the same words the
argparse programs use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from reqless.cli import values

__all__ = [
    "COUNT",
    "NON_EMPTY",
    "NUMBER",
    "PORT",
    "POSITIVE_SECONDS",
    "SECONDS",
    "SERVER_URL",
    "WHOLE_NUMBER",
    "Checked",
]


class Checked(click.ParamType[Any, Any]):
    """A click type that runs one checker of `reqless.cli.values`."""

    def __init__(self, name: str, check: Callable[[str], Any]) -> None:
        self.name = name
        self.check = check

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        # Defaults arrive already typed (`default=0`): check their text the same way.
        text = value if isinstance(value, str) else str(value)
        try:
            return self.check(text)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


#: Any text but an empty one.
NON_EMPTY = Checked("text", values.non_empty)
#: A whole number, 0 or more.
WHOLE_NUMBER = Checked("integer", values.whole_number)
#: A whole number, 1 or more.
COUNT = Checked("integer", values.count)
#: A TCP port, 1 to 65535.
PORT = Checked("port", values.port)
#: Any finite number (priorities); whole numbers stay int.
NUMBER = Checked("number", values.number)
#: A finite number of seconds, 0 or more (delays, offsets, expirations).
SECONDS = Checked("seconds", values.seconds)
#: A finite number of seconds above 0 (intervals).
POSITIVE_SECONDS = Checked("seconds", values.positive_seconds)
#: A redis://, rediss:// or unix:// URL.
SERVER_URL = Checked("url", values.server_url)
