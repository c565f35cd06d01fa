"""Why the server cannot be used as its URL says, in words a person can act on.

redis-py reports a missing password with the server's own text ("HELLO must be
called with the client already authenticated…" or "NOAUTH Authentication
required."), and a `rediss://` URL to a server without TLS as "Timeout connecting
to server" once the connect time-out has passed. `explain` turns these into a
`ServerAccessError` that says what to change; the client, the CLI, the worker and
the UI all use it, so each says the same thing.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit

from redis.exceptions import AuthenticationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless.exceptions import ServerAccessError, ServerPasswordError

__all__ = ["explain", "hidden_password", "speaks_plain_resp"]

#: Seconds the plain-text probe of a `rediss://` server that failed may take.
PROBE_TIMEOUT = 1.0


def hidden_password(url: str) -> str:
    """`url` with any password replaced by `***`, safe to show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _with_placeholder(url: str) -> str:
    """`url` with `:PASSWORD@` where the password goes (`redis://:PASSWORD@h:6379/0`)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:PASSWORD@{host}"))


def speaks_plain_resp(host: str, port: int, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether a plain (not TLS) Redis/Valkey answers on host:port: it replies to
    an inline PING with `+PONG` or an error such as `-NOAUTH`."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
    except OSError:
        return False
    return reply[:1] in (b"+", b"-")


def explain(
    exc: BaseException, url: str, *, password: bool | None = None
) -> ServerAccessError | None:
    """The `ServerAccessError` that says what is wrong, when `exc` (raised while
    talking to the server of `url`) shows a password or TLS problem; else None.

    `password` says whether a password was given (default: whether `url` has one).
    A connection failure on a `rediss://` URL costs one short plain-text probe.
    """
    if isinstance(exc, ServerAccessError):
        return exc
    parts = urlsplit(url)
    shown = hidden_password(url)
    if password is None:
        password = parts.password is not None
    if isinstance(exc, AuthenticationError):
        if not password:
            return ServerPasswordError(
                f"the server at {shown} requires a password: put it in the URL as "
                f"{_with_placeholder(url)} or set REQLESS_URL",
                problem="password",
                url=shown,
            )
        return ServerPasswordError(
            f"the server at {shown} refused the password ({exc}): check the password "
            "(and user name) in the URL or in REQLESS_URL",
            problem="wrong-password",
            url=shown,
        )
    if parts.scheme != "rediss" or not isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return None
    try:
        host, port = parts.hostname or "localhost", parts.port or 6379
    except ValueError:
        return None
    if not speaks_plain_resp(host, port):
        return None
    return ServerAccessError(
        f"TLS handshake with {host}:{port} failed: the server does not speak TLS; "
        "use redis:// instead of rediss://",
        problem="tls",
        url=shown,
    )
