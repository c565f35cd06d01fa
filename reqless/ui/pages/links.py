"""Links back to the current page with some query parameters changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request

__all__ = ["Linker", "current_path", "linker"]

Linker = Callable[..., str]


def current_path(request: Request) -> str:
    """The request path as a link: `%2F` and `%25` stay encoded, the rest re-encoded."""
    return quote(str(request.scope["path"]), safe="/%")


def linker(request: Request) -> Linker:
    """`link(offset=0, sort="name")`: this page with those parameters changed.

    A value of None or "" drops the parameter.
    """
    path = current_path(request)

    def link(**changes: Any) -> str:
        query: dict[str, Any] = dict(request.query_params)
        query.update(changes)
        kept = {k: v for k, v in query.items() if v is not None and v != ""}
        return path + ("?" + urlencode(kept) if kept else "")

    return link
