"""The options of `reqless ui` (§2.1): parsing, environment variables and checks.

Every refusal ends the program with status 2 and a message naming the option (or
the environment variable) that holds the bad value; nothing starts.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from reqless import keys
from reqless.cli._argtypes import non_empty, port, positive_float
from reqless.cli.ui_values import (
    DEFAULT_REDIS_URL,
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
    positive_int,
    read_basic_users,
    read_tokens,
    redact_keys,
    root_path,
)
from reqless.ui.auth import is_loopback, parse_networks
from reqless.ui.settings import DEFAULT_REDACT_KEYS, BasicUser, UISettings

__all__ = [
    "DEFAULT_REDIS_URL",
    "PROGRAM",
    "UIOptions",
    "build_parser",
    "parse_ui_args",
    "usage_error",
]

PROGRAM = "reqless ui"
DEFAULT_PORT = 9393
_AUTH_OPTIONS = "--basic-auth, --basic-auth-file, --token-file or --trusted-user-header"


@dataclass(frozen=True)
class UIOptions:
    """What `reqless ui` was asked to do: the settings and the instances to show."""

    settings: UISettings
    instances: dict[str, str]  # name -> Redis URL
    #: Why these servers: "from --url", "from REQLESS_URL", "the reqless dev server of /p"...
    source: str = ""


def build_parser(prog: str = PROGRAM) -> argparse.ArgumentParser:
    """The parser of `reqless ui`; defaults that may come from the environment are None."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve the reqless web UI (an operator console) with uvicorn.",
        epilog="Options with an environment variable take it when the option is absent.",
    )
    add = parser.add_argument
    add(
        "--url",
        "--redis-url",
        dest="redis_url",
        action="append",
        metavar="URL|NAME=URL",
        help="Redis/Valkey instance to show, as every reqless command takes it; repeat "
        "for several, each NAME=URL ($REQLESS_URL or $REQLESS_REDIS_URL, comma-separated; "
        f"default: the reqless dev of this directory or a parent, else {DEFAULT_REDIS_URL})",
    )
    add("--host", type=non_empty, help="bind address ($REQLESS_UI_HOST; default 127.0.0.1)")
    add("--port", type=port, help=f"bind port ($REQLESS_UI_PORT; default {DEFAULT_PORT})")
    add(
        "--root-path",
        help="URL prefix when a proxy serves the UI under a sub-path ($REQLESS_UI_ROOT_PATH)",
    )
    add(
        "--read-only",
        action="store_true",
        default=None,
        help="every user is a viewer ($REQLESS_UI_READ_ONLY)",
    )
    add(
        "--basic-auth",
        action="append",
        metavar="USER:PASSWORD[:ROLE]",
        help="an HTTP Basic user, role admin unless given; repeatable "
        "($REQLESS_UI_BASIC_AUTH, comma-separated)",
    )
    add(
        "--basic-auth-file",
        metavar="PATH",
        help="HTTP Basic users, one user:password:role per line ($REQLESS_UI_BASIC_AUTH_FILE)",
    )
    add(
        "--token-file",
        metavar="PATH",
        help="bearer tokens for API clients, one token:role:label per line "
        "($REQLESS_UI_TOKEN_FILE)",
    )
    add(
        "--trusted-user-header",
        metavar="NAME",
        help="take the user from this header (role from NAME-Role, default viewer), "
        "set by an authenticating proxy",
    )
    add(
        "--trusted-proxy",
        action="append",
        metavar="CIDR",
        help="address or CIDR block of a proxy whose user and X-Forwarded-* headers "
        "are believed; repeatable",
    )
    add(
        "--insecure-no-auth",
        action="store_true",
        default=None,
        help="allow a non-loopback --host without authentication ($REQLESS_UI_INSECURE_NO_AUTH)",
    )
    add(
        "--allowed-host",
        action="append",
        metavar="NAME",
        help="a host name the UI answers to besides localhost (no-auth mode); repeatable",
    )
    add(
        "--external-url",
        metavar="URL",
        help="the UI's public URL (https://ops.example.com/reqless) when behind a proxy",
    )
    add(
        "--refresh-floor",
        type=positive_float,
        default=2.0,
        metavar="SECONDS",
        help="shortest refresh interval any client may use (default 2)",
    )
    add(
        "--bulk-limit",
        action="append",
        metavar="N|ROLE=N",
        help="largest bulk action per request: N for both roles, or operator=N / admin=N "
        "(default operator=1000, admin=100000)",
    )
    add(
        "--scan-limit",
        type=positive_int,
        default=10_000,
        metavar="N",
        help="most jobs one search request may examine (default 10000)",
    )
    add(
        "--backlog-threshold",
        type=positive_float,
        default=300.0,
        metavar="SECONDS",
        help="warn that a queue's backlog is not draining when its next job has waited "
        "this long (default 300)",
    )
    add(
        "--redact-keys",
        metavar="K1,K2,...",
        help=f"payload keys masked in the UI (default {','.join(DEFAULT_REDACT_KEYS)})",
    )
    add("--environment-label", metavar="TEXT", help='a header badge, e.g. "production"')
    add("--environment-color", metavar="CSS", help="the badge colour, e.g. #b00020 or red")
    add("--metrics", action="store_true", help="serve Prometheus text at /metrics")
    add("--metrics-auth", action="store_true", help="require authentication for /metrics")
    add(
        "--audit-redis",
        action="store_true",
        help=f"also keep the audit trail in the Redis list {keys.UI_AUDIT}",
    )
    return parser


def parse_ui_args(
    argv: list[str], environ: Mapping[str, str] | None = None, prog: str = PROGRAM
) -> UIOptions:
    """Parse and check `argv` (and the environment); exits with status 2 on a bad value."""
    env = os.environ if environ is None else environ
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    try:
        return _options(args, env)
    except OptionError as exc:
        parser.error(str(exc))


def _options(args: argparse.Namespace, env: Mapping[str, str]) -> UIOptions:
    named, source = chosen_instances(args.redis_url, env)
    host = args.host or env_text(env, "REQLESS_UI_HOST") or "127.0.0.1"
    bind_port = args.port or env_port(env) or DEFAULT_PORT
    root = root_path(
        args.root_path if args.root_path is not None else env.get("REQLESS_UI_ROOT_PATH", "")
    )
    read_only = args.read_only or env_flag(env, "REQLESS_UI_READ_ONLY")
    insecure = args.insecure_no_auth or env_flag(env, "REQLESS_UI_INSECURE_NO_AUTH")
    users = _basic_users(args, env)
    tokens = read_tokens(args.token_file or env_text(env, "REQLESS_UI_TOKEN_FILE"))
    header = args.trusted_user_header
    proxies = tuple(args.trusted_proxy or ())
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
    operator_limit, admin_limit = bulk_limits(args.bulk_limit or ())
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
        allowed_hosts=tuple(allowed_host(name) for name in args.allowed_host or ()),
        external_url=external_url(args.external_url),
        refresh_floor=args.refresh_floor,
        operator_bulk_limit=operator_limit,
        admin_bulk_limit=admin_limit,
        scan_limit=args.scan_limit,
        redact_keys=redact_keys(args.redact_keys),
        backlog_threshold_s=args.backlog_threshold,
        environment_label=args.environment_label or None,
        environment_color=color(args.environment_color),
        metrics=args.metrics,
        metrics_auth=args.metrics_auth,
        audit_redis=args.audit_redis,
    )
    if not is_loopback(host) and not settings.auth_configured and not insecure:
        raise OptionError(
            f"argument --host: {host} is not a loopback address and no authentication is "
            f"configured; add {_AUTH_OPTIONS}, or --insecure-no-auth to serve it openly"
        )
    return UIOptions(settings, named, source)


def usage_error(prog: str, message: str) -> NoReturn:
    """End the program as argparse does for a bad option: usage, message, status 2."""
    build_parser(prog).error(message)


def _basic_users(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[BasicUser, ...]:
    users: list[BasicUser] = []
    if args.basic_auth:
        users.extend(basic_user("argument --basic-auth", item) for item in args.basic_auth)
    elif env.get("REQLESS_UI_BASIC_AUTH"):
        source = "environment variable REQLESS_UI_BASIC_AUTH"
        items = env["REQLESS_UI_BASIC_AUTH"].split(",")
        users.extend(basic_user(source, item) for item in items if item.strip())
    path = args.basic_auth_file or env_text(env, "REQLESS_UI_BASIC_AUTH_FILE")
    if path:
        users.extend(read_basic_users(path))
    names = [user.name for user in users]
    for name in names:
        if names.count(name) > 1:
            raise OptionError(f"argument --basic-auth: user {name!r} is given twice")
    return tuple(users)
