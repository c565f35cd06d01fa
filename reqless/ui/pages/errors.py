"""The styled error pages (401, 403, 404, 409, 503 and the rest)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from reqless.ui.errors import ApiError
from reqless.ui.http.context import ui
from reqless.ui.pages.render import render

__all__ = ["error_page"]

_TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    409: "The state changed",
    413: "Too large",
    415: "Unsupported request",
    421: "Wrong host",
    422: "Refused by the core",
    429: "Too many requests",
    503: "Redis unreachable",
}
_RETRY_AFTER_S = 5


def error_page(request: Request, error: ApiError, offer: str | None = None) -> Response:
    """An escaped HTML page for `error`, with the status and headers it carries.

    `offer` is a search query to suggest (the jid prefix search).
    """
    headers = dict(error.headers)
    settings = ui(request).settings
    if error.status == 401 and settings.basic_users:
        headers.setdefault("WWW-Authenticate", 'Basic realm="reqless", charset="UTF-8"')
    if error.status == 503:
        headers.setdefault("Retry-After", str(_RETRY_AFTER_S))
    title = _TITLES.get(error.status, "Error")
    quiet = error.status in (401, 421, 503) or error.code == "csrf"
    return render(
        request,
        "error.html",
        "error",
        f"{error.status} {title}",
        status_code=error.status,
        headers=headers,
        quiet=quiet,
        error=error,
        offer=offer,
        retry_after=_RETRY_AFTER_S,
        # The layout shows the outage too: a red live dot, no counts (base.html).
        outage=error.code == "redis_unavailable",
    )
