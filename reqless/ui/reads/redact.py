"""Display-only masking of secrets in payloads, failure messages and log entries (docs/ui.md,
Reading the pages).

Stored data is never changed: these functions return masked copies. Keys are
compared case-insensitively at any depth. Whatever the keys, the password of a
URL with userinfo (`postgres://user:pw@host/db`) is masked wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["MASK", "is_redacted_key", "redact", "redact_text", "redact_urls"]

MASK = "••••"

# scheme://user:password@host: the password runs to the last `@` before the host
# (an unencoded `@` in a password is common), never across whitespace, a quote
# or the path, query or fragment.
_URL_PASSWORD = re.compile(
    r"""(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#@"'<>]*:)(?P<pw>[^\s/?#"'<>]+)(?=@)"""
)


def _key_set(keys: Iterable[str]) -> frozenset[str]:
    return frozenset(key.lower() for key in keys if key)


def is_redacted_key(key: object, keys: Iterable[str]) -> bool:
    """Whether values under `key` are masked."""
    return isinstance(key, str) and key.lower() in _key_set(keys)


def redact(value: Any, keys: Iterable[str]) -> tuple[Any, list[str]]:
    """A copy of `value` with every value under a redacted key replaced by `••••`.

    Returns the copy and the paths that were masked, written like `a.b[2].password`.
    """
    wanted = _key_set(keys)
    paths: list[str] = []
    return _walk(value, wanted, "", paths), paths


def _walk(value: Any, wanted: frozenset[str], path: str, paths: list[str]) -> Any:
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and key.lower() in wanted:
                out[key] = MASK
                paths.append(here)
            else:
                out[key] = _walk(item, wanted, here, paths)
        return out
    if isinstance(value, list):
        return [_walk(item, wanted, f"{path}[{index}]", paths) for index, item in enumerate(value)]
    if isinstance(value, str):
        masked, count = redact_urls(value)
        if count:
            paths.append(path or "(text)")
        return masked
    return value


def redact_urls(text: str) -> tuple[str, int]:
    """`text` with the password of every URL with userinfo masked, and how many."""
    if "://" not in text:
        return text, 0
    return _URL_PASSWORD.subn(lambda m: m.group("head") + MASK, text)


def _text_pattern(wanted: frozenset[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(key) for key in sorted(wanted, key=len, reverse=True))
    # key=value, key: value, "key": "value" and 'key': 'value' forms; the value runs
    # to the closing quote when quoted, else to whitespace, comma, `&`, `;` or a bracket.
    return re.compile(
        rf"""(?P<head>(?P<q>["']?)\b(?:{names})\b(?P=q)\s*[:=]\s*)"""
        r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,&;}\])]+)""",
        re.IGNORECASE,
    )


def redact_text(text: str, keys: Iterable[str]) -> tuple[str, bool]:
    """Mask `key=value`-like fragments and URL passwords in free text (failure messages).

    Messages are not structured, so this catches the common spellings of a secret
    next to its name; returns the text and whether anything was masked.
    """
    wanted = _key_set(keys)
    if not text:
        return text, False
    masked, count = redact_urls(text)
    if wanted:
        masked, keyed = _text_pattern(wanted).subn(lambda m: m.group("head") + MASK, masked)
        count += keyed
    return masked, count > 0
