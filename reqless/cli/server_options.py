"""The server options of the click commands, and which server they choose.

`add_server_options` gives a command `--url`, `--host`, `--port`, `--db` and
`--password` (the worker's options, checked by the same `reqless.cli.values`);
`take_server_choice` turns them into a `ServerChoice`. With none given: the group's
`reqless --url`, else `$REQLESS_URL` (alias `$REQLESS_REDIS_URL`), else the
nearest running `reqless dev`, else the default (`reqless.cli.server_choice`).
`reqless ui`, whose `--host` and `--port` are where it serves, takes only
`url_option`, and `group_url`.

`namespace_option` is every command's `--namespace` (docs/scale-out.md); with
none given, `chosen_namespace` takes the group's `reqless --namespace`, else
`$REQLESS_NAMESPACE`, else none (the shared `ql:` layout). A name the core would
refuse is a usage error, with `reqless.keys.check_namespace`'s reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from reqless.cli.click_types import NON_EMPTY, PORT, WHOLE_NUMBER
from reqless.cli.server_args import (
    PASSWORD_ENV,
    SERVER_OPTIONS,
    URL_ENV,
    url_from_options,
)
from reqless.cli.server_choice import EnvConflict, ServerChoice, env_url, implicit_choice
from reqless.keys import KeySpace, check_namespace

__all__ = [
    "GROUP_NAMESPACE",
    "GROUP_URL",
    "NAMESPACE",
    "NAMESPACED_PREFIX",
    "NAMESPACE_ENV",
    "SHARED_PREFIX",
    "NamespaceType",
    "add_server_options",
    "chosen_namespace",
    "chosen_namespaces",
    "group_url",
    "namespace_option",
    "resolve_choice",
    "take_server_choice",
    "url_option",
]

#: Where `reqless --url URL` leaves URL in the context's `meta`, for the commands.
GROUP_URL = "reqless.url"
#: Where `reqless --namespace NAME` leaves NAME in the context's `meta`.
GROUP_NAMESPACE = "reqless.namespace"
#: The environment variable naming the namespace when no option does.
NAMESPACE_ENV = "REQLESS_NAMESPACE"
#: How help texts show the prefixes: a namespace's, and the shared layout's.
NAMESPACED_PREFIX = KeySpace("NAME").prefix
SHARED_PREFIX = KeySpace().prefix

_F = TypeVar("_F", bound=Callable[..., Any])

_URL_HELP = (
    "Server URL (redis://, rediss://, unix://); overrides the other server "
    f"options. Default: `reqless --url`, else ${URL_ENV}, else the `reqless dev` "
    "of this directory or a parent, else redis://localhost:6379/0."
)

_SERVER_OPTION_HELP = {
    "url": _URL_HELP,
    "host": "Server host name, host:port, or a full URL (default: localhost).",
    "port": "Server port (default: 6379).",
    "db": "Database number (default: 0).",
    "password": f"Server password (default: ${PASSWORD_ENV}).",
}


class NamespaceType(click.ParamType[Any, str]):
    """A namespace name the core accepts (`reqless.keys.check_namespace`)."""

    name = "namespace"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return check_namespace(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


#: The type of every `--namespace`.
NAMESPACE = NamespaceType()

_NAMESPACE_HELP = (
    f"Work in this namespace: every key and channel under {NAMESPACED_PREFIX} (one cluster "
    f"slot; docs/scale-out.md). Default: `reqless --namespace`, else ${NAMESPACE_ENV}, "
    f"else none (the shared {SHARED_PREFIX} layout)."
)


def namespace_option(*, multiple: bool = False, help: str = _NAMESPACE_HELP) -> Callable[[_F], _F]:
    """The `--namespace NAME` option (repeatable when `multiple`), checked by NAMESPACE."""
    return click.option("--namespace", type=NAMESPACE, multiple=multiple, metavar="NAME", help=help)


def chosen_namespace(given: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The namespace a command works in: `given`, else the group's `reqless
    --namespace`, else `$NAMESPACE_ENV` (`environ`, default `os.environ`), else None.

    Raises click.UsageError when the environment names a bad namespace.
    """
    if given is not None:
        return given
    context = click.get_current_context(silent=True)
    from_group = None if context is None else context.meta.get(GROUP_NAMESPACE)
    if from_group is not None:
        return str(from_group)
    env = os.environ if environ is None else environ
    value = env.get(NAMESPACE_ENV, "").strip()
    if not value:
        return None
    try:
        return check_namespace(value)
    except ValueError as exc:
        raise click.UsageError(f"environment variable {NAMESPACE_ENV}: {exc}") from None


def chosen_namespaces(
    given: tuple[str, ...] | list[str], environ: Mapping[str, str] | None = None
) -> tuple[str | None, ...]:
    """The namespaces of a repeatable `--namespace`: those given (each once, in
    order), else `chosen_namespace(None)`'s one (None: the shared layout)."""
    if given:
        return tuple(dict.fromkeys(given))
    return (chosen_namespace(None, environ),)


def group_url(ctx: click.Context | None = None) -> str | None:
    """The `reqless --url` given in front of the command, if any."""
    context = ctx or click.get_current_context(silent=True)
    return None if context is None else context.meta.get(GROUP_URL)


def url_option(
    *names: str, help: str = _URL_HELP, multiple: bool = False, metavar: str = "URL"
) -> Callable[[_F], _F]:
    """The `--url` option (`names` adds aliases and a parameter name); never empty."""
    return click.option(
        *(names or ("--url",)), type=NON_EMPTY, multiple=multiple, metavar=metavar, help=help
    )


def add_server_options(command: _F, *, help: Mapping[str, str] | None = None) -> _F:
    """Add the five server options to a click command (values None when absent).

    `help` replaces the help of the options it names (`url`, `host`, ...).
    """
    texts = {**_SERVER_OPTION_HELP, **(help or {})}
    options = [
        url_option(help=texts["url"]),
        click.option("--host", type=NON_EMPTY, metavar="HOST", help=texts["host"]),
        click.option("--port", type=PORT, metavar="PORT", help=texts["port"]),
        click.option("--db", type=WHOLE_NUMBER, metavar="DB", help=texts["db"]),
        click.option("--password", metavar="PASSWORD", help=texts["password"]),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def take_server_choice(
    params: dict[str, Any], environ: Mapping[str, str] | None = None
) -> ServerChoice:
    """Remove the server options from a command's `params` and choose the server
    (`environ`, default `os.environ`, supplies the environment variables).

    Raises click.UsageError for conflicting or unusable values, and
    `reqless.cli.server_choice.NoDevServer` when the nearest `reqless dev` is stopped.
    """
    parts = {name: params.pop(name) for name in SERVER_OPTIONS}
    given = {name: value for name, value in parts.items() if value is not None}
    return resolve_choice(given, environ)


def resolve_choice(given: dict[str, Any], environ: Mapping[str, str] | None = None) -> ServerChoice:
    """The server from the options actually given (absent ones left out), and why."""
    env = os.environ if environ is None else environ
    try:
        if given:
            flags = ["--url"] if "url" in given else [f"--{name}" for name in given]
            return ServerChoice(url_from_options(given, env), f"from {', '.join(flags)}")
        from_group = group_url()
        if from_group is not None:
            return ServerChoice(url_from_options({"url": from_group}, env), "from reqless --url")
        from_env = env_url(env)
        if from_env is not None:
            value, variable = from_env
            return ServerChoice(url_from_options({}, {**env, URL_ENV: value}), f"from {variable}")
        return implicit_choice(url_from_options({}, env))
    except (EnvConflict, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
