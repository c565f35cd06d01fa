"""The values of `reqless ui`'s options: each checker returns the parsed value or
raises `OptionError` with a message that starts with the option (or environment
variable) holding the bad value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from reqless.cli import values
from reqless.cli.server_choice import EnvConflict, NoDevServer, env_url, implicit_choice
from reqless.cli.ui_defaults import DEFAULT_REDIS_URL
from reqless.ui.roles import Role
from reqless.ui.settings import DEFAULT_REDACT_KEYS, BasicUser, BearerToken
from reqless.ui.state import INSTANCE_NAME

__all__ = [
    "DEFAULT_REDIS_URL",
    "OptionError",
    "allowed_host",
    "basic_user",
    "bulk_limits",
    "chosen_instances",
    "color",
    "env_flag",
    "env_port",
    "env_text",
    "external_url",
    "instances",
    "read_basic_users",
    "read_tokens",
    "redact_keys",
    "root_path",
]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}
_HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
# Colours only: the value ends up in a style sheet rule, never as markup.
_CSS_COLOR = re.compile(
    r"^(#[0-9A-Fa-f]{3,8}|[A-Za-z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/]{1,60}\))$"
)


class OptionError(Exception):
    """A bad value: the message starts with the option that holds it."""


def env_text(env: Mapping[str, str], name: str) -> str | None:
    """The variable's value, or None when unset or empty."""
    return env.get(name) or None


def env_flag(env: Mapping[str, str], name: str) -> bool:
    """A boolean variable: 1/0, true/false, yes/no, on/off (unset is false)."""
    text = env.get(name, "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise OptionError(f"environment variable {name}: expected 1/0, true/false, yes/no or on/off")


def env_port(env: Mapping[str, str]) -> int | None:
    """`$REQLESS_UI_PORT` as a port number, or None when unset."""
    text = env.get("REQLESS_UI_PORT")
    if not text:
        return None
    try:
        return values.port(text)
    except ValueError as exc:
        raise OptionError(f"environment variable REQLESS_UI_PORT: {exc}") from None


def instances(given: Sequence[str] | None, env: Mapping[str, str]) -> dict[str, str]:
    """Instance name -> Redis URL, from `--url`/`--redis-url` or the environment."""
    return chosen_instances(given, env)[0]


def chosen_instances(
    given: Sequence[str] | None, env: Mapping[str, str]
) -> tuple[dict[str, str], str]:
    """Instance name -> Redis URL, and why: `--url`/`--redis-url`, else `$REQLESS_URL`
    or its alias `$REQLESS_REDIS_URL`, else the nearest running `reqless dev`, else
    the default (as every reqless command chooses, `reqless.cli.server_choice`)."""
    if given:
        source, items, reason = "argument --url/--redis-url", list(given), "from --url"
    else:
        try:
            from_env = env_url(env)
        except EnvConflict as exc:
            raise OptionError(str(exc)) from None
        if from_env is None:
            try:
                choice = implicit_choice(DEFAULT_REDIS_URL)
            except NoDevServer as exc:
                raise OptionError(str(exc)) from None
            return {"default": choice.url}, choice.reason
        value, variable = from_env
        source, reason = f"environment variable {variable}", f"from {variable}"
        items = [item for item in value.split(",") if item.strip()]
    return _named(source, items), reason


def _named(source: str, items: list[str]) -> dict[str, str]:
    named: dict[str, str] = {}
    for item in items:
        name, url = _split_named(item.strip())
        if name is None:
            if len(items) > 1:
                raise OptionError(f"{source}: name each instance (NAME=URL) when there are several")
            name = "default"
        if not INSTANCE_NAME.match(name):
            raise OptionError(
                f"{source}: instance name {name!r} must be 1-32 characters of A-Z a-z 0-9 _ -"
            )
        if name in named:
            raise OptionError(f"{source}: instance name {name!r} is given twice")
        named[name] = _redis_url(source, url)
    return named


def _split_named(item: str) -> tuple[str | None, str]:
    # A URL may hold "=" in its query, so only text before "://" can be a name.
    head, equals, rest = item.partition("=")
    if equals and "://" not in head:
        return head, rest
    return None, item


def _redis_url(source: str, url: str) -> str:
    try:
        return values.server_url(url)
    except ValueError as exc:
        raise OptionError(f"{source}: {exc}") from None


def root_path(text: str) -> str:
    """The `--root-path`: empty, or `/a/b` without a trailing slash."""
    text = text.strip()
    if not text or text == "/":
        return ""
    if not text.startswith("/") or "?" in text or "#" in text or "//" in text:
        raise OptionError(f"argument --root-path: {text!r} must be a path such as /reqless")
    return text.rstrip("/")


def _role(source: str, text: str) -> Role:
    try:
        return Role.parse(text)
    except ValueError as exc:
        raise OptionError(f"{source}: {exc}") from None


def basic_user(source: str, text: str) -> BasicUser:
    """One `USER:PASSWORD[:ROLE]`; with a role given, the password may hold colons."""
    name, colon, rest = text.strip().partition(":")
    if not colon or not name or not rest:
        raise OptionError(f"{source}: expected USER:PASSWORD[:ROLE], got {name or '?'}:…")
    password, colon, role_text = rest.rpartition(":")
    if not colon:
        return BasicUser(name, rest)
    # With a role given, the password may itself hold colons.
    if not password:
        raise OptionError(f"{source}: user {name!r} has an empty password")
    return BasicUser(name, password, _role(source, role_text))


def read_basic_users(path: str) -> list[BasicUser]:
    """The users of a `--basic-auth-file`: one `user:password:role` per line."""
    return [
        basic_user(f"argument --basic-auth-file: {path} line {number}", line)
        for number, line in _lines("argument --basic-auth-file", path)
    ]


def read_tokens(path: str | None) -> tuple[BearerToken, ...]:
    """The tokens of a `--token-file`: one `token:role:label` per line."""
    if not path:
        return ()
    tokens = []
    for number, line in _lines("argument --token-file", path):
        source = f"argument --token-file: {path} line {number}"
        token, colon, rest = line.partition(":")
        role_text, _, label = rest.partition(":")
        if not colon or not token or any(c.isspace() for c in token):
            raise OptionError(f"{source}: expected token:role:label")
        tokens.append(BearerToken(token, _role(source, role_text), label.strip()))
    if len({t.token for t in tokens}) != len(tokens):
        raise OptionError(f"argument --token-file: {path} holds the same token twice")
    return tuple(tokens)


def _lines(source: str, path: str) -> list[tuple[int, str]]:
    """The meaningful lines of a file (blank lines and `#` comments skipped)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OptionError(f"{source}: cannot read {path!r}: {why}") from None
    found = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not found:
        raise OptionError(f"{source}: {path!r} holds no entries")
    return found


def bulk_limits(items: tuple[str, ...] | list[str]) -> tuple[int, int]:
    """(operator, admin) limits from `--bulk-limit N` / `ROLE=N` values."""
    operator, admin = 1_000, 100_000
    for item in items:
        role_text, equals, number = item.rpartition("=")
        try:
            value = values.count(number)
        except ValueError as exc:
            raise OptionError(f"argument --bulk-limit: {exc}") from None
        if not equals:
            operator = admin = value
            continue
        role = _role("argument --bulk-limit", role_text)
        if role is Role.OPERATOR:
            operator = value
        elif role is Role.ADMIN:
            admin = value
        else:
            raise OptionError("argument --bulk-limit: viewers run no bulk actions")
    return operator, admin


def allowed_host(text: str) -> str:
    """One `--allowed-host`: a bare host name, lower-cased."""
    name = text.strip().lower()
    if not _HOST_NAME.match(name):
        raise OptionError(
            f"argument --allowed-host: {text!r} is not a host name (no scheme or port)"
        )
    return name


def external_url(text: str | None) -> str | None:
    """The `--external-url` without a trailing slash, or None."""
    if not text:
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OptionError(f"argument --external-url: {text!r} must be an http:// or https:// URL")
    return text.rstrip("/")


def redact_keys(text: str | None) -> tuple[str, ...]:
    """The `--redact-keys` list, or the defaults when absent."""
    if text is None:
        return DEFAULT_REDACT_KEYS
    keys = tuple(key.strip() for key in text.split(",") if key.strip())
    return keys


def color(text: str | None) -> str | None:
    """The `--environment-color`, limited to plain colour values."""
    if not text:
        return None
    if not _CSS_COLOR.match(text.strip()):
        raise OptionError(
            f"argument --environment-color: {text!r} is not a colour (#rrggbb, a name, rgb())"
        )
    return text.strip()
