"""Which server the admin commands use, and what their exit statuses mean.

Every admin command takes the worker's server options (`--url`, `--host`, `--port`,
`--db`, `--password`). When none is given: `$REQLESS_URL`, else the server of a
`reqless dev` running in this directory (`./.reqless/dev.json`), else
redis://localhost:6379/0. `$REQLESS_PASSWORD` is used with `--host`/`--port`.
"""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

import click
from redis.exceptions import AuthenticationError, AuthorizationError, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless.cli.devdir import dev_url
from reqless.cli.server_args import PASSWORD_ENV, URL_ENV, redact_url, server_url
from reqless.client import Client
from reqless.exceptions import ReqlessError

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

    @property
    def shown(self) -> str:
        """The URL with any password hidden, for messages."""
        return redact_url(self.url)


class _ClickParser(argparse.ArgumentParser):
    """Lets `server_args.server_url` report a conflict as a click usage error."""

    def error(self, message: str) -> NoReturn:
        raise click.UsageError(message)


def resolve_url(given: dict[str, Any]) -> str:
    """The server URL from the options actually given (absent ones left out); with
    none given, the `reqless --url` in front of the command, if any."""
    context = click.get_current_context(silent=True)
    group_url = context.meta.get("reqless.url") if context is not None else None
    if not given and group_url is not None:
        given = {"url": group_url}
    if not given and not os.environ.get(URL_ENV):
        found = dev_url()
        if found is not None:
            return found
    return server_url(_ClickParser(prog="reqless"), argparse.Namespace(**given), os.environ)


def _non_empty(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("must not be empty")
    return value


def server_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the server options to a command, which receives `server: ServerOptions`."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        parts = {name: kwargs.pop(name) for name in ("url", "host", "port", "db", "password")}
        given = {name: value for name, value in parts.items() if value is not None}
        return command(*args, server=ServerOptions(resolve_url(given)), **kwargs)

    options = [
        click.option(
            "--url",
            callback=_non_empty,
            help="Server URL (redis://, rediss://, unix://); overrides the other server "
            f"options. Default: ${URL_ENV}, else a running `reqless dev`, else "
            "redis://localhost:6379/0.",
        ),
        click.option(
            "--host",
            callback=_non_empty,
            help="Server host name, host:port, or a full URL (default: localhost).",
        ),
        click.option("--port", type=click.IntRange(1, 65535), help="Server port (default: 6379)."),
        click.option("--db", type=click.IntRange(min=0), help="Database number (default: 0)."),
        click.option("--password", help=f"Server password (default: ${PASSWORD_ENV})."),
    ]
    for option in reversed(options):
        run = option(run)
    return run


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--json` (print JSON for scripts instead of tables); passed as `as_json`."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON instead of a table or message."
    )(command)


@contextmanager
def connected(server: ServerOptions) -> Iterator[Client]:
    """A client of `server`; errors inside the block become CommandErrors.

    The client does not retry: an operator's command should fail at once when the
    server is down, with EXIT_UNREACHABLE.
    """
    try:
        client = Client(server.url, retry_window=0, socket_connect_timeout=CONNECT_TIMEOUT)
    except ValueError as exc:  # redis-py's URL parser: a bad port, a broken IPv6 address
        raise BadInput(f"bad server URL {server.shown!r}: {exc}") from exc
    try:
        yield client
    except (AuthenticationError, AuthorizationError) as exc:
        raise Unreachable(f"the server at {server.shown} refused the credentials: {exc}") from exc
    except (RedisConnectionError, RedisTimeoutError) as exc:
        raise Unreachable(f"cannot reach the server at {server.shown}: {exc}") from exc
    except ReqlessError as exc:
        raise CommandError(str(exc)) from exc
    except RedisError as exc:
        raise CommandError(f"the server at {server.shown} refused: {exc}") from exc
    finally:
        client.database.close()
