"""Parsing of request parameters within their bounds; bad values give 400."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reqless.ui.errors import ApiError
from reqless.ui.reads.shapes import ListPage

__all__ = ["MAX_LIMIT", "Page", "int_param", "list_response", "number", "page"]

MAX_LIMIT = 500
TEN_YEARS_S = 10 * 365.25 * 86400


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int


def int_param(
    query: Mapping[str, str],
    name: str,
    default: int,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError.invalid(name, f"{raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ApiError.invalid(name, f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ApiError.invalid(name, f"must be at most {maximum}, got {value}")
    return value


def page(query: Mapping[str, str], default_limit: int = 25) -> Page:
    """`offset` (>= 0, default 0) and `limit` (1..500, default 25); never clamped."""
    return Page(
        offset=int_param(query, "offset", 0, minimum=0),
        limit=int_param(query, "limit", default_limit, minimum=1, maximum=MAX_LIMIT),
    )


def number(value: Any, name: str, minimum: float = 0.0, maximum: float = TEN_YEARS_S) -> float:
    """A finite JSON number within bounds (delays, expiries, intervals)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiError.invalid(name, f"must be a number, got {value!r}")
    if not math.isfinite(value) or value < minimum or value > maximum:
        raise ApiError.invalid(name, f"must be between {minimum:g} and {maximum:g}")
    return float(value)


def list_response(
    items: list[Any], pg: Page, total: int | None, has_more: bool | None = None
) -> ListPage:
    """The shape of every list answer."""
    if has_more is None:
        has_more = total is not None and pg.offset + len(items) < total
    return {
        "items": items,
        "offset": pg.offset,
        "limit": pg.limit,
        "total": total,
        "has_more": has_more,
    }
