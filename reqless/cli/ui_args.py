"""The options of `reqless ui` (docs/ui.md, Running it): environment variables and checks.

The click command (`reqless.cli.ui_command`) parses them; here they become the
UI's settings. Every refusal ends the program with status 2 and a message naming
the option (or the environment variable) that holds the bad value; nothing starts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

import click

from reqless.cli.server_options import chosen_namespaces, group_url
from reqless.cli.ui_defaults import DEFAULT_PORT, DEFAULT_REDIS_URL, PROGRAM
from reqless.cli.ui_values import (
    OptionError,
    allowed_host,
    basic_user,
    bulk_limits,
    chosen_instances,
    color,
    env_flag,
    env_port,
    env_text,
    external_url,
    read_basic_users,
    read_tokens,
    redact_keys,
    root_path,
)
from reqless.ui.http.auth import is_loopback, parse_networks
from reqless.ui.settings import BasicUser, UISettings
from reqless.ui.state import INSTANCE_NAME

__all__ = [
    "DEFAULT_REDIS_URL",
    "PROGRAM",
    "UIOptions",
    "checked_options",
    "usage_error",
]

_AUTH_OPTIONS = "--basic-auth, --basic-auth-file, --token-file or --trusted-user-header"


@dataclass(frozen=True)
class UIOptions:
    """What `reqless ui` was asked to do: the settings and the instances to show."""

    settings: UISettings
    instances: dict[str, str]  # name -> Redis URL
    #: Why these servers: "from --url", "from REQLESS_URL", "the reqless dev server of /p"...
    source: str = ""
    #: The namespace of each instance that has one (`--namespace`); others have none.
    namespaces: dict[str, str] = field(default_factory=dict)


def checked_options(
    ctx: click.Context, params: Mapping[str, Any], env: Mapping[str, str]
) -> UIOptions:
    """The options of `reqless ui` from its parsed `params` and `env`; a refused value
    raises click.UsageError naming the option or variable that holds it."""
    try:
        options = _options(params, env, group_url(ctx))
        return _in_namespaces(options, chosen_namespaces(params.get("namespace", ()), env))
    except OptionError as exc:
        raise click.UsageError(str(exc), ctx=ctx) from None
    except click.UsageError as exc:
        raise click.UsageError(exc.message, ctx=ctx) from None


def _in_namespaces(options: UIOptions, namespaces: tuple[str | None, ...]) -> UIOptions:
    """One instance per server and namespace, named after the namespace (prefixed
    by the server's instance name when there are several servers)."""
    if namespaces == (None,):
        return options
    instances: dict[str, str] = {}
    spaces: dict[str, str] = {}
    for server, url in options.instances.items():
        for namespace in namespaces:
            assert namespace is not None  # several namespaces are all named
            name = namespace if len(options.instances) == 1 else f"{server}-{namespace}"
            if not INSTANCE_NAME.match(name):
                raise OptionError(
                    f"argument --namespace: {namespace!r} cannot name a UI instance "
                    f"({name!r}): with the UI, use namespace names of A-Z a-z 0-9 _ - "
                    "(instance names have at most 32 characters)"
                )
            instances[name], spaces[name] = url, namespace
    return replace(options, instances=instances, namespaces=spaces)


def _options(
    args: Mapping[str, Any], env: Mapping[str, str], from_group: str | None = None
) -> UIOptions:
    # `reqless --url U ui` acts as `reqless ui --url U` unless ui names its own.
    given = list(args["redis_url"]) or ([from_group] if from_group else [])
    named, source = chosen_instances(given, env)
    host = args["host"] or env_text(env, "REQLESS_UI_HOST") or "127.0.0.1"
    bind_port = args["port"] or env_port(env) or DEFAULT_PORT
    root = root_path(
        args["root_path"] if args["root_path"] is not None else env.get("REQLESS_UI_ROOT_PATH", "")
    )
    read_only = args["read_only"] or env_flag(env, "REQLESS_UI_READ_ONLY")
    insecure = args["insecure_no_auth"] or env_flag(env, "REQLESS_UI_INSECURE_NO_AUTH")
    users = _basic_users(args, env)
    tokens = read_tokens(args["token_file"] or env_text(env, "REQLESS_UI_TOKEN_FILE"))
    header = args["trusted_user_header"]
    proxies = tuple(args["trusted_proxy"])
    try:
        parse_networks(proxies)
    except ValueError as exc:
        raise OptionError(f"argument --trusted-proxy: {exc}") from None
    if header is not None and not re.fullmatch(r"[A-Za-z0-9-]{1,64}", header):
        raise OptionError(f"argument --trusted-user-header: {header!r} is not a header name")
    if header and not proxies:
        raise OptionError(
            "argument --trusted-user-header: give the proxy address with --trusted-proxy "
            "(the header is believed only from listed proxies)"
        )
    operator_limit, admin_limit = bulk_limits(args["bulk_limit"])
    settings = UISettings(
        host=host,
        port=bind_port,
        root_path=root,
        read_only=read_only,
        basic_users=users,
        tokens=tokens,
        trusted_user_header=header,
        trusted_proxies=proxies,
        insecure_no_auth=insecure,
        allowed_hosts=tuple(allowed_host(name) for name in args["allowed_host"]),
        external_url=external_url(args["external_url"]),
        refresh_floor=float(args["refresh_floor"]),
        operator_bulk_limit=operator_limit,
        admin_bulk_limit=admin_limit,
        scan_limit=args["scan_limit"],
        redact_keys=redact_keys(args["redact_keys"]),
        backlog_threshold_s=float(args["backlog_threshold"]),
        environment_label=args["environment_label"] or None,
        environment_color=color(args["environment_color"]),
        metrics=args["metrics"],
        metrics_auth=args["metrics_auth"],
        audit_redis=args["audit_redis"],
    )
    if not is_loopback(host) and not settings.auth_configured and not insecure:
        raise OptionError(
            f"argument --host: {host} is not a loopback address and no authentication is "
            f"configured; add {_AUTH_OPTIONS}, or --insecure-no-auth to serve it openly"
        )
    return UIOptions(settings, named, source)


def usage_error(message: str) -> NoReturn:
    """Refuse the command line after parsing (a URL redis-py will not take): the
    usage and `message`, status 2, as for any bad option."""
    raise click.UsageError(message, ctx=click.get_current_context(silent=True))


def _basic_users(args: Mapping[str, Any], env: Mapping[str, str]) -> tuple[BasicUser, ...]:
    users: list[BasicUser] = []
    if args["basic_auth"]:
        users.extend(basic_user("argument --basic-auth", item) for item in args["basic_auth"])
    elif env.get("REQLESS_UI_BASIC_AUTH"):
        source = "environment variable REQLESS_UI_BASIC_AUTH"
        items = env["REQLESS_UI_BASIC_AUTH"].split(",")
        users.extend(basic_user(source, item) for item in items if item.strip())
    path = args["basic_auth_file"] or env_text(env, "REQLESS_UI_BASIC_AUTH_FILE")
    if path:
        users.extend(read_basic_users(path))
    names = [user.name for user in users]
    for name in names:
        if names.count(name) > 1:
            raise OptionError(f"argument --basic-auth: user {name!r} is given twice")
    return tuple(users)
