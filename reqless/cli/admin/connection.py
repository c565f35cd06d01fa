"""Which server the admin commands use, and what their exit statuses mean.

Every admin command takes the worker's server options (`--url`, `--host`, `--port`,
`--db`, `--password`). When none is given: `reqless --url`, else `$REQLESS_URL`
(alias `$REQLESS_REDIS_URL`), else the server of the `reqless dev` whose `.reqless`
directory is here or in a parent, else redis://localhost:6379/0 (saying so on
stderr). `$REQLESS_PASSWORD` is used with `--host`/`--port`.
"""

from __future__ import annotations

import argparse
import functools
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

import click
from redis.exceptions import AuthorizationError, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless import defaults
from reqless._validate import ArgumentError
from reqless.cli.server_args import PASSWORD_ENV, URL_ENV, redact_url, server_url
from reqless.cli.server_choice import (
    EnvConflict,
    NoDevServer,
    ServerChoice,
    env_url,
    implicit_choice,
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

    @property
    def shown(self) -> str:
        """The URL with any password hidden, for messages."""
        return redact_url(self.url)


class _ClickParser(argparse.ArgumentParser):
    """Lets `server_args.server_url` report a conflict as a click usage error."""

    def error(self, message: str) -> NoReturn:
        raise click.UsageError(message)


def resolve_choice(given: dict[str, Any]) -> ServerChoice:
    """The server from the options actually given (absent ones left out), and why.

    With none given: the `reqless --url` in front of the command, else
    `$REQLESS_URL` (or its alias), else the nearest running `reqless dev`, else the
    default (see `reqless.cli.server_choice`).
    """
    parser = _ClickParser(prog="reqless")
    if given:
        flags = ["--url"] if "url" in given else [f"--{name}" for name in given]
        url = server_url(parser, argparse.Namespace(**given), os.environ)
        return ServerChoice(url, f"from {', '.join(flags)}")
    context = click.get_current_context(silent=True)
    group_url = context.meta.get("reqless.url") if context is not None else None
    if group_url is not None:
        url = server_url(parser, argparse.Namespace(url=group_url), os.environ)
        return ServerChoice(url, "from reqless --url")
    try:
        from_env = env_url(os.environ)
    except EnvConflict as exc:
        raise click.UsageError(str(exc)) from None
    if from_env is not None:
        value, variable = from_env
        url = server_url(parser, argparse.Namespace(), {**os.environ, URL_ENV: value})
        return ServerChoice(url, f"from {variable}")
    try:
        return implicit_choice(server_url(parser, argparse.Namespace(), os.environ))
    except NoDevServer as exc:
        raise Unreachable(str(exc)) from None


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
        choice = resolve_choice(given)
        if choice.implicit:
            # Named by nothing the user typed: say which server, and why.
            click.echo(f"reqless: {choice.describe()}", err=True)
        return command(*args, server=ServerOptions(choice.url, choice.reason), **kwargs)

    options = [
        click.option(
            "--url",
            callback=_non_empty,
            help="Server URL (redis://, rediss://, unix://); overrides the other server "
            f"options. Default: `reqless --url`, else ${URL_ENV}, else the `reqless dev` "
            "of this directory or a parent, else redis://localhost:6379/0.",
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
            socket_connect_timeout=CONNECT_TIMEOUT,
        )  # fmt: skip
    except ValueError as exc:  # redis-py's URL parser: a bad port, a broken IPv6 address
        raise BadInput(f"bad server URL {server.shown!r}: {exc}") from exc
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
