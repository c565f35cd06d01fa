"""The server options shared by the programs: `--host`, `--port`, `--db`, `--password`, `--url`.

`--host` also takes a full URL, as the original worker's `--host` did. Resolution order:
`--url`; else `$REQLESS_URL` when no server option is given at all; else a URL built
from `--host`/`--port`/`--db` and `--password` (or `$REQLESS_PASSWORD`).

`url_from_options` is the rule, raising ValueError; the commands take the options
from `reqless.cli.server_options`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from reqless.cli import values
from reqless.cli.values import URL_SCHEMES, redact_url

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "PASSWORD_ENV",
    "SERVER_HELP",
    "SERVER_OPTIONS",
    "URL_ENV",
    "URL_SCHEMES",
    "checked_url",
    "redact_url",
    "url_from_options",
]

#: Server reached when no server option or environment variable says otherwise.
DEFAULT_HOST = "localhost"
DEFAULT_PORT = 6379
DEFAULT_DB = 0
#: Environment variables read when the matching options are absent.
URL_ENV = "REQLESS_URL"
PASSWORD_ENV = "REQLESS_PASSWORD"
#: The server options, by the name their values are given under.
SERVER_OPTIONS = ("url", "host", "port", "db", "password")

# Options naming the server piece by piece; `--url` (or a URL in `--host`) replaces them.
_SERVER_PARTS = ("host", "port", "db", "password")

#: The worker program's help of each server option (`reqless.cli.worker_args`).
SERVER_HELP = {
    "host": "server host name, host:port, or a full URL such as redis://host:port/db "
    f"(default: {DEFAULT_HOST})",
    "port": f"server port (default: {DEFAULT_PORT})",
    "db": f"database number (default: {DEFAULT_DB})",
    "password": f"server password (default: ${PASSWORD_ENV}, else none)",
}


def url_from_options(given: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    """The connection URL from the server options given (absent ones left out of
    `given`) and the environment. Raises ValueError naming the option at fault."""
    parts = [name for name in _SERVER_PARTS if name in given]
    if "url" in given:
        return checked_url("argument --url", str(given["url"]))
    if not parts and environ.get(URL_ENV):
        return checked_url(f"environment variable {URL_ENV}", environ[URL_ENV])
    host = str(given.get("host", DEFAULT_HOST))
    if "://" in host:
        extra = [f"--{name}" for name in parts if name != "host"]
        if extra:
            raise ValueError(f"argument --host: a URL cannot be combined with {', '.join(extra)}")
        return checked_url("argument --host", host)
    password = given.get("password", environ.get(PASSWORD_ENV))
    host, port_number = _host_and_port(host, given.get("port"))
    auth = f":{quote(str(password), safe='')}@" if password else ""
    return f"redis://{auth}{host}:{port_number}/{given.get('db', DEFAULT_DB)}"


def _host_and_port(host: str, given_port: int | None) -> tuple[str, int]:
    """Split `--host` into a URL host and a port: `name`, `name:port`, an IPv6
    address (`::1`), or one in brackets with or without a port (`[::1]:6380`)."""
    if host.startswith("["):
        address, bracket, rest = host[1:].partition("]")
        if not bracket or not address or (rest and not rest.startswith(":")):
            raise ValueError(f"argument --host: {host!r} is not a valid [IPv6 address]:port")
        name, text = f"[{address}]", rest[1:] or None
    elif host.count(":") == 1:
        name, text = host.split(":")
        if not name:
            raise ValueError(f"argument --host: no host name in {host!r}")
    else:
        # Several colons: a bare IPv6 address, which cannot carry a port.
        name, text = (f"[{host}]" if ":" in host else host), None
    if text is None:
        return name, DEFAULT_PORT if given_port is None else given_port
    if given_port is not None:
        raise ValueError(f"argument --host: {host!r} has a port; leave out --port")
    try:
        return name, values.port(text)
    except ValueError as exc:
        raise ValueError(f"argument --host: the port in {host!r} {exc}") from None


def checked_url(source: str, url: str) -> str:
    """`url` when it is a usable server URL, else ValueError starting with `source`."""
    try:
        return values.server_url(url)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None
