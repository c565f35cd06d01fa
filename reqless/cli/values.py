"""The value checks every reqless command shares: one rule, one message.

Each checker takes the text given on the command line (or in an environment
variable) and returns the value, or raises ValueError with a message that says what
is wrong and repeats the value given. The frameworks wrap them once each:
`reqless.cli.click_types` for click, `reqless.cli._argtypes` for argparse; so
`--port 70000` reads the same from `reqless ui`, an admin command and the worker.
"""

from __future__ import annotations

import math
from urllib.parse import urlsplit, urlunsplit

from reqless.exceptions import ArgumentError
from reqless.topology import SCHEMES, parse_server_url

__all__ = [
    "URL_SCHEMES",
    "count",
    "finite_number",
    "non_empty",
    "number",
    "port",
    "positive_seconds",
    "redact_url",
    "seconds",
    "server_url",
    "whole_number",
]

#: URL schemes a server option accepts (reqless.topology: one server, a cluster, Sentinel).
URL_SCHEMES = tuple(SCHEMES)


def non_empty(text: str) -> str:
    """Any text but the empty string (or only spaces)."""
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _whole(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ValueError(f"must be a whole number >= {minimum}, got {text!r}")
    return value


def whole_number(text: str) -> int:
    """A whole number, 0 or more (a database number, an offset, a process count)."""
    return _whole(text, 0)


def count(text: str) -> int:
    """A whole number, 1 or more (a limit, a page size)."""
    return _whole(text, 1)


def port(text: str) -> int:
    """A TCP port number, 1 to 65535."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise ValueError(f"must be a port number (1-65535), got {text!r}")
    return value


def number(text: str) -> int | float:
    """A finite number; a whole number stays an int (`5` is 5, `2.5` is 2.5)."""
    try:
        return int(text)
    except ValueError:
        return finite_number(text)


def finite_number(text: str) -> float:
    """A finite number, as a float (not nan, not inf)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {text!r}")
    return value


def seconds(text: str) -> int | float:
    """A finite number of seconds, 0 or more."""
    value = number(text)
    if value < 0:
        raise ValueError(f"must be a number of seconds >= 0, got {text!r}")
    return value


def positive_seconds(text: str) -> int | float:
    """A finite number of seconds, more than 0."""
    value = number(text)
    if value <= 0:
        raise ValueError(f"must be a number of seconds > 0, got {text!r}")
    return value


def server_url(text: str) -> str:
    """A Redis/Valkey URL: redis:// or rediss:// with a host and a numeric database,
    unix:// with a socket path, or a cluster or Sentinel URL (`redis+cluster://`,
    `redis+sentinel://`: docs/scale-out.md). Messages hide the password."""
    shown = redact_url(text)
    scheme = text.partition("://")[0]
    if "+" in scheme:  # a cluster or sentinel URL: reqless.topology reads those
        try:
            parse_server_url(text)
        except ArgumentError as exc:
            raise ValueError(str(exc)) from None
        return text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ValueError(f"{shown!r} is not a valid URL ({exc})") from None
    if parts.scheme not in URL_SCHEMES:
        schemes = ", ".join(f"{name}://" for name in URL_SCHEMES)
        raise ValueError(f"unsupported URL scheme {parts.scheme!r} in {shown!r} (use {schemes})")
    if parts.scheme == "unix":
        if not parts.path:
            raise ValueError(f"{shown!r} names no socket path")
        return text
    if not parts.hostname:
        raise ValueError(f"{shown!r} names no host")
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ValueError(f"{shown!r}: the database must be a number")
    return text


def redact_url(url: str) -> str:
    """`url` with any password replaced by `***`, safe to print or log."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
    except ValueError:
        return "<unparsable URL>"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
