"""Which server the admin commands use, and what their exit statuses mean.

Every admin command takes the worker's server options (`--url`, `--host`, `--port`,
`--db`, `--password`) and `--namespace` (`reqless.cli.server_options`). When none
is given: `reqless --url`, else `$REQLESS_URL` (alias `$REQLESS_REDIS_URL`), else
the server of the `reqless dev` whose `.reqless` directory is here or in a parent,
else redis://localhost:6379/0 (saying so on stderr). `$REQLESS_PASSWORD` is used
with `--host`/`--port`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click
from redis.exceptions import AuthorizationError, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless import defaults
from reqless._validate import ArgumentError
from reqless.cli.server_args import redact_url
from reqless.cli.server_choice import NoDevServer
from reqless.cli.server_options import (
    add_server_options,
    chosen_namespace,
    namespace_option,
    take_server_choice,
)
from reqless.client import Client
from reqless.exceptions import ReqlessError
from reqless.server_access import explain

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "BadInput",
    "CommandError",
    "ServerOptions",
    "Unreachable",
    "connected",
    "json_option",
    "server_options",
    "warn",
]

#: The command did what was asked.
EXIT_OK = 0
#: The operation failed or found nothing: an unknown jid, a refusal by the server.
EXIT_FAILED = 1
#: The command line or an input file is wrong; nothing was changed.
EXIT_USAGE = 2
#: The server could not be reached, or refused the credentials.
EXIT_UNREACHABLE = 3

#: Seconds to wait for the server's TCP connection before exiting with EXIT_UNREACHABLE.
CONNECT_TIMEOUT = 5.0


class CommandError(click.ClickException):
    """The operation failed or found nothing: `Error: <message>` on stderr, EXIT_FAILED."""

    exit_code = EXIT_FAILED


class BadInput(CommandError):
    """An input the command refuses before changing anything (EXIT_USAGE)."""

    exit_code = EXIT_USAGE


class Unreachable(CommandError):
    """The server cannot be reached or refused the credentials (EXIT_UNREACHABLE)."""

    exit_code = EXIT_UNREACHABLE


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """The server an admin command talks to."""

    url: str
    #: Why this server: "from --url", "the reqless dev server of /path", ...
    reason: str = ""
    #: The namespace the command works in (None: the shared `ql:` layout).
    namespace: str | None = None

    @property
    def shown(self) -> str:
        """The URL with any password hidden, for messages."""
        return redact_url(self.url)


def server_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the server options and `--namespace` (`reqless.cli.server_options`) to a
    command, which receives `server: ServerOptions`."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        namespace = chosen_namespace(kwargs.pop("namespace"))
        try:
            choice = take_server_choice(kwargs)
        except NoDevServer as exc:
            raise Unreachable(str(exc)) from None
        if choice.implicit:
            # Named by nothing the user typed: say which server, and why.
            click.echo(f"reqless: {choice.describe()}", err=True)
        server = ServerOptions(choice.url, choice.reason, namespace)
        return command(*args, server=server, **kwargs)

    return add_server_options(namespace_option()(run))


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--json` (print JSON for scripts instead of tables); passed as `as_json`."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON instead of a table or message."
    )(command)


def warn(message: str) -> None:
    """Print `Warning: <message>` on standard error (the command goes on)."""
    click.echo(f"Warning: {message}", err=True)


@contextmanager
def connected(
    server: ServerOptions, max_data_bytes: int | None = defaults.MAX_DATA_BYTES
) -> Iterator[Client]:
    """A client of `server`; errors inside the block become CommandErrors, and the
    library's warnings (a put replacing a job) are printed as `Warning: ...`.

    An argument the library refuses before sending exits with EXIT_USAGE. The
    client does not retry: an operator's command should fail at once when the
    server is down, with EXIT_UNREACHABLE.
    """
    try:
        client = Client(
            server.url, retry_window=0, max_data_bytes=max_data_bytes,
            socket_connect_timeout=CONNECT_TIMEOUT, namespace=server.namespace,
        )  # fmt: skip
    except ValueError as exc:  # redis-py's URL parser: a bad port, a broken IPv6 address
        raise BadInput(f"bad server URL {server.shown!r}: {exc}") from exc
    except (RedisConnectionError, RedisTimeoutError) as exc:  # a cluster is asked at once
        explained = explain(exc, server.url)  # not a cluster, say, said plainly
        if explained is not None:
            raise Unreachable(str(explained)) from exc
        why = f" ({server.reason})" if server.reason else ""
        raise Unreachable(f"cannot reach the server at {server.shown}{why}: {exc}") from exc
    except ReqlessError as exc:  # a server that is not what the URL says
        raise CommandError(str(exc)) from exc
    try:
        with warnings.catch_warnings(record=True) as caught:
            try:
                yield client
            finally:
                for warning in caught:
                    warn(str(warning.message))
    except ArgumentError as exc:
        raise BadInput(str(exc)) from exc
    except AuthorizationError as exc:
        raise Unreachable(f"the server at {server.shown} refused the credentials: {exc}") from exc
    except (RedisConnectionError, RedisTimeoutError) as exc:
        explained = explain(exc, server.url)  # a password or TLS problem, said plainly
        if explained is not None:
            raise Unreachable(str(explained)) from exc
        why = f" ({server.reason})" if server.reason else ""
        raise Unreachable(f"cannot reach the server at {server.shown}{why}: {exc}") from exc
    except ReqlessError as exc:
        raise CommandError(str(exc)) from exc
    except RedisError as exc:
        raise CommandError(f"the server at {server.shown} refused: {exc}") from exc
    finally:
        client.database.close()
