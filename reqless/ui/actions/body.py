"""Reading an action's JSON body and bounding each field.

Every check raises `ApiError.invalid(name, problem)` (400 naming the field) before
anything is written, so a rejected request changes nothing.
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn

from starlette.requests import Request

from reqless.ui.errors import ApiError
from reqless.ui.http import paging

__all__ = [
    "INT32_MAX",
    "INT32_MIN",
    "MAX_JIDS",
    "Body",
    "boolean",
    "integer",
    "jid_list",
    "name",
    "only",
    "optional_name",
    "read",
    "seconds",
    "string_list",
]

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
#: Jids per request.
MAX_JIDS = 500

Body = dict[str, Any]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A JSON object with a repeated key would silently keep the last value; for a
    # pattern set that means a lost row, so refuse it instead.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ApiError.invalid("body", f"duplicate key {key!r}")
        out[key] = value
    return out


def _finite(text: str) -> NoReturn:
    raise ApiError.invalid("body", f"{text} is not a finite JSON number")


async def read(request: Request) -> Body:
    """The request body as a JSON object; 400 for anything else."""
    raw = await request.body()
    try:
        parsed = json.loads(
            raw or b"null", object_pairs_hook=_no_duplicate_keys, parse_constant=_finite
        )
    except ValueError as exc:
        raise ApiError.invalid("body", f"not valid JSON ({exc})") from None
    if not isinstance(parsed, dict):
        raise ApiError.invalid("body", "must be a JSON object ({} when there are no parameters)")
    return parsed


def only(body: Body, allowed: set[str]) -> None:
    """400 for a field this action does not know (a typo must not be ignored)."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError.invalid(unknown[0], f"unknown field (expected one of {sorted(allowed)})")


def name(body: Body, field: str, label: str | None = None) -> str:
    """A required non-empty string (queue, group, tag, key...)."""
    value = body.get(field)
    if value is None:
        raise ApiError.invalid(label or field, "is required")
    return _name_value(value, label or field)


def optional_name(body: Body, field: str) -> str | None:
    value = body.get(field)
    return None if value is None else _name_value(value, field)


def _name_value(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise ApiError.invalid(field, f"must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ApiError.invalid(field, "must not be empty")
    return value


def boolean(body: Body, field: str, default: bool = False) -> bool:
    value = body.get(field, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ApiError.invalid(field, f"must be true or false, got {value!r}")
    return value


def integer(value: Any, field: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """A JSON integer (not a bool, not 1.5) within bounds."""
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError.invalid(field, f"must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ApiError.invalid(field, f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ApiError.invalid(field, f"must be at most {maximum}, got {value}")
    return value


def seconds(body: Body, field: str, default: float = 0.0) -> float:
    """A delay, expiry or interval: a non-negative number up to 10 years."""
    value = body.get(field)
    return default if value is None else paging.number(value, field)


def string_list(body: Body, field: str, limit: int = MAX_JIDS) -> list[str]:
    """A required, non-empty list of non-empty strings, duplicates dropped."""
    value = body.get(field)
    if not isinstance(value, list):
        raise ApiError.invalid(field, "must be a list of strings")
    if not value:
        raise ApiError.invalid(field, "must not be empty")
    if len(value) > limit:
        raise ApiError("too_large", f"{field}: at most {limit} entries, got {len(value)}")
    seen: dict[str, None] = {}
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ApiError.invalid(f"{field}[{index}]", "must be a non-empty string")
        seen.setdefault(item, None)
    return list(seen)


def jid_list(body: Body, field: str = "jids") -> list[str]:
    return string_list(body, field, MAX_JIDS)
