"""The server options shared by the programs: `--host`, `--port`, `--db`, `--password`, `--url`.

`--host` also takes a full URL, as the original worker's `--host` did. Resolution order:
`--url`; else `$REQLESS_URL` when no server option is given at all; else a URL built
from `--host`/`--port`/`--db` and `--password` (or `$REQLESS_PASSWORD`).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

from reqless.cli._argtypes import non_empty, non_negative_int, port

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "PASSWORD_ENV",
    "URL_ENV",
    "URL_SCHEMES",
    "add_server_arguments",
    "redact_url",
    "server_url",
]

#: Server reached when no server option or environment variable says otherwise.
DEFAULT_HOST = "localhost"
DEFAULT_PORT = 6379
DEFAULT_DB = 0
#: URL schemes `redis.Redis.from_url` accepts.
URL_SCHEMES = ("redis", "rediss", "unix")
#: Environment variables read when the matching options are absent.
URL_ENV = "REQLESS_URL"
PASSWORD_ENV = "REQLESS_PASSWORD"

# Options naming the server piece by piece; `--url` (or a URL in `--host`) replaces them.
_SERVER_PARTS = ("host", "port", "db", "password")


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the server options to `parser`, in a group of their own."""
    server = parser.add_argument_group("server")
    # SUPPRESS leaves an absent option out of the namespace, which tells "not given"
    # from "given the default" (needed to decide whether REQLESS_URL applies).
    server.add_argument(
        "--host",
        type=non_empty,
        default=argparse.SUPPRESS,
        help=f"server host name, host:port, or a full URL such as redis://host:port/db "
        f"(default: {DEFAULT_HOST})",
    )
    server.add_argument(
        "--port",
        type=port,
        default=argparse.SUPPRESS,
        help=f"server port (default: {DEFAULT_PORT})",
    )
    server.add_argument(
        "--db",
        type=non_negative_int,
        default=argparse.SUPPRESS,
        help=f"database number (default: {DEFAULT_DB})",
    )
    server.add_argument(
        "--password",
        default=argparse.SUPPRESS,
        help=f"server password (default: ${PASSWORD_ENV}, else none)",
    )
    server.add_argument(
        "--url",
        type=non_empty,
        default=argparse.SUPPRESS,
        help="full server URL (redis://, rediss:// or unix://); overrides --host, --port, "
        f"--db and --password (default: ${URL_ENV} when no server option is given)",
    )


def server_url(
    parser: argparse.ArgumentParser, args: argparse.Namespace, environ: Mapping[str, str]
) -> str:
    """Resolve the connection URL from parsed server options and the environment.

    Conflicting or unusable values end the program through `parser.error`.
    """
    given = vars(args)
    parts = [name for name in _SERVER_PARTS if name in given]
    if "url" in given:
        return _checked_url(parser, "argument --url", str(given["url"]))
    if not parts and environ.get(URL_ENV):
        return _checked_url(parser, f"environment variable {URL_ENV}", environ[URL_ENV])
    host = str(given.get("host", DEFAULT_HOST))
    if "://" in host:
        extra = [f"--{name}" for name in parts if name != "host"]
        if extra:
            parser.error(f"argument --host: a URL cannot be combined with {', '.join(extra)}")
        return _checked_url(parser, "argument --host", host)
    password = given.get("password", environ.get(PASSWORD_ENV))
    host, port_number = _host_and_port(parser, host, given.get("port"))
    auth = f":{quote(str(password), safe='')}@" if password else ""
    return f"redis://{auth}{host}:{port_number}/{given.get('db', DEFAULT_DB)}"


def _host_and_port(
    parser: argparse.ArgumentParser, host: str, given_port: int | None
) -> tuple[str, int]:
    """Split `--host` into a URL host and a port: `name`, `name:port`, an IPv6
    address (`::1`), or one in brackets with or without a port (`[::1]:6380`)."""
    if host.startswith("["):
        address, bracket, rest = host[1:].partition("]")
        if not bracket or not address or (rest and not rest.startswith(":")):
            parser.error(f"argument --host: {host!r} is not a valid [IPv6 address]:port")
        name, text = f"[{address}]", rest[1:] or None
    elif host.count(":") == 1:
        name, text = host.split(":")
        if not name:
            parser.error(f"argument --host: no host name in {host!r}")
    else:
        # Several colons: a bare IPv6 address, which cannot carry a port.
        name, text = (f"[{host}]" if ":" in host else host), None
    if text is None:
        return name, DEFAULT_PORT if given_port is None else given_port
    if given_port is not None:
        parser.error(f"argument --host: {host!r} has a port; leave out --port")
    try:
        return name, port(text)
    except argparse.ArgumentTypeError as exc:
        parser.error(f"argument --host: the port in {host!r} {exc}")


def redact_url(url: str) -> str:
    """Return `url` with any password replaced by `***`, safe to log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _checked_url(parser: argparse.ArgumentParser, source: str, url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in URL_SCHEMES:
        schemes = ", ".join(f"{name}://" for name in URL_SCHEMES)
        parser.error(
            f"{source}: unsupported URL scheme {scheme!r} in {redact_url(url)!r} (use {schemes})"
        )
    return url
