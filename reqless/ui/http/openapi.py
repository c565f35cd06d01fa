"""The OpenAPI 3.1 document of the JSON API, built from the app's routes.

Every `/api/v1` route is listed with its methods and path parameters; the read
endpoints also carry a summary and their query parameters. With several
instances the same paths also exist under `/i/{instance}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from starlette.routing import BaseRoute, Mount, Route

__all__ = ["document"]

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
            "required": ["code", "message"],
        }
    },
}


def _walk(routes: Iterable[BaseRoute], prefix: str = "") -> Iterable[tuple[str, Route]]:
    for route in routes:
        if isinstance(route, Route):
            yield prefix + route.path, route
        elif isinstance(route, Mount) and route.path == "/i/{instance}":
            # Instance mounts repeat the same API; list it once, unprefixed.
            yield from _walk(route.routes, prefix)


def _operation(
    route: Route, method: str, described: tuple[str, tuple[str, ...]] | None
) -> dict[str, Any]:
    summary = described[0] if described else (route.endpoint.__doc__ or "").strip()
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in route.param_convertors
    ]
    if described:
        parameters += [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in described[1]
        ]
    operation: dict[str, Any] = {
        "operationId": f"{method}{route.path}",
        "parameters": parameters,
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {}}},
            "default": {
                "description": "an error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
    if summary:
        operation["summary"] = summary.splitlines()[0]
    if method in ("post", "put", "patch", "delete"):
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    return operation


def document(
    routes: Iterable[BaseRoute],
    described: Mapping[str, tuple[str, tuple[str, ...]]],
    version: str,
) -> dict[str, Any]:
    """The OpenAPI document for the `/api/v1` routes among `routes`."""
    paths: dict[str, dict[str, Any]] = {}
    for path, route in _walk(routes):
        if not path.startswith("/api/v1/"):
            continue
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            entry = paths.setdefault(path, {})
            # Summaries and query parameters are given for the GET endpoints.
            about = described.get(path) if method == "GET" else None
            entry[method.lower()] = _operation(route, method.lower(), about)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "reqless UI API",
            "version": version,
            "description": "Every page's data and every action of the reqless web UI. "
            "With several Redis instances each path also exists under /i/{instance}.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Error": _ERROR}},
    }
