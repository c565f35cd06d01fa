"""Paths whose segments may hold any character, `/` included.

Servers decode `%2F` before routing, which would split a queue named `a/b` into two
segments. `RawPathMiddleware` rebuilds the routed path from the raw one, keeping
`%2F` and `%25` encoded, so a route's `{queue}` matches one segment; `segment()`
decodes it. `url()` builds links the other way round.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote, urlencode

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["RawPathMiddleware", "segment", "url", "url_prefix"]

_KEEP = re.compile(r"%(2[fF]|25)")


def _route_path(raw: str) -> str:
    # Decode everything except %2F and %25: split on them, decode the pieces.
    pieces = _KEEP.split(raw)
    out = []
    for index, piece in enumerate(pieces):
        out.append("%" + piece.upper() if index % 2 else unquote(piece))
    return "".join(out)


class RawPathMiddleware:
    """Route on the raw path so an encoded `/` stays inside its segment."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = dict(scope)
            root = str(scope.get("root_path", ""))
            # Our own mount point, before any inner Mount extends root_path.
            scope["reqless.root"] = root.rstrip("/")
            if scope.get("raw_path"):
                path = _route_path(scope["raw_path"].decode("latin-1").split("?", 1)[0])
                if root and not path.startswith(root):
                    path = root.rstrip("/") + path
                scope["path"] = path
        await self.app(scope, receive, send)


def segment(request: Request, name: str) -> str:
    """The decoded value of path parameter `name`."""
    return unquote(str(request.path_params[name]))


def url_prefix(request: Request) -> str:
    """The root path (mount point or --root-path) plus the instance prefix, if any."""
    root = str(request.scope.get("reqless.root", request.scope.get("root_path", "")))
    instance = request.path_params.get("instance")
    if instance is not None:
        return f"{root}/i/{quote(unquote(str(instance)), safe='')}"
    return root


def url(request: Request, *segments: str, **query: Any) -> str:
    """An absolute path inside this UI: each segment is percent-encoded whole.

    `url(request, "queues", "a/b")` -> `/queues/a%2Fb` (with the prefixes). Query
    values of None are left out; lists repeat the key.
    """
    path = url_prefix(request) + "".join("/" + quote(str(s), safe="") for s in segments)
    if not segments:
        path += "/"
    items: list[tuple[str, Any]] = []
    for key, value in query.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            items.extend((key, v) for v in value)
        else:
            items.append((key, value))
    return path + ("?" + urlencode(items) if items else "")
