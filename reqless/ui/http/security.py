"""The security gate in front of every UI request (docs/ui.md, Securing the UI).

One pure ASGI middleware (server-sent event streams pass through it untouched)
does, in order: the Host check of the no-auth mode, authentication (or the
embedding hook), the same-origin proof and body limits of changes, and the
response headers (docs/ui.md, Response headers) plus the CSRF cookie. A refused request never
reaches
the routes, so it changes nothing.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reqless.ui.errors import ApiError
from reqless.ui.http import csrf
from reqless.ui.http.auth import Authenticator, is_loopback, parse_ip
from reqless.ui.http.headers import NO_STORE, security_headers
from reqless.ui.roles import Role, User
from reqless.ui.state import UIState

__all__ = [
    "MAX_BODY",
    "MAX_EDITED_BODY",
    "ErrorPage",
    "csrf_token",
    "json_response",
    "middleware",
]

log = logging.getLogger("reqless.ui.security")

#: Largest JSON body of a change, and of an edited requeue.
MAX_BODY = 1 << 20
MAX_EDITED_BODY = 16 << 20
_EDITED_REQUEUE = re.compile(r"/api/v1/jobs/[^/]+/requeue-with-data/?$")


def json_response(
    body: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """JSON in UTF-8, never cached (docs/ui.md, Response headers)."""
    return Response(
        json.dumps(body, ensure_ascii=False, allow_nan=False),
        status_code=status_code,
        headers={"Cache-Control": "no-store", **(headers or {})},
        media_type="application/json; charset=utf-8",
    )


def csrf_token(request: Request) -> str:
    """The CSRF token to write into the page this request renders.

    It is the token of the request's cookie, or the fresh one the middleware sets
    on this very response when the request had none.
    """
    token = request.scope.get("reqless.csrf")
    if not isinstance(token, str):
        token = csrf.new_token()
        request.scope["reqless.csrf"] = token
    return token


#: Draws the styled page of a refused request; `create_app` passes the pages' one, so
#: that this module need not import the pages (which import it for `csrf_token`).
ErrorPage = Callable[[Request, ApiError], Response]


def middleware(state: UIState, error_page: ErrorPage | None = None) -> list[Middleware]:
    """The middleware `create_app` installs, inside the raw-path one.

    Args:
        state: the UI process state.
        error_page: draws the HTML page of a refused request (plain HTML when None).
    """
    return [Middleware(SecurityMiddleware, state=state, error_page=error_page)]


def _app_path(scope: Scope) -> str:
    """The path inside the UI, without the mount point or --root-path."""
    path = str(scope.get("path", ""))
    root = str(scope.get("reqless.root", scope.get("root_path", ""))).rstrip("/")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path or "/"


def _wants_json(path: str) -> bool:
    # Same rule as the app's exception handlers: the API and the probes speak JSON.
    return "/api/" in path or path.endswith("/healthz") or path.endswith("/metrics")


def _host_name(host: str) -> str | None:
    try:
        return urlsplit(f"//{host}").hostname
    except ValueError:
        return None


class SecurityMiddleware:
    """Authentication, CSRF, host check, body limits and security headers."""

    def __init__(self, app: ASGIApp, state: UIState, error_page: ErrorPage | None = None) -> None:
        self.app = app
        self.state = state
        self.error_page = error_page
        self.settings = state.settings
        self.auth = Authenticator(state.settings)
        self.headers = security_headers(state.settings)
        self._replaced = {name for name, _ in self.headers}
        allowed = {name.lower() for name in self.settings.allowed_hosts}
        if self.settings.external_url:
            external = urlsplit(self.settings.external_url).hostname
            if external:
                allowed.add(external.lower())
        self.allowed_hosts = frozenset(allowed)

    @property
    def open_mode(self) -> bool:
        """No authentication at all: only loopback callers are served (docs/ui.md, Running it)."""
        return (
            self.state.authorize is None
            and not self.auth.configured
            and not self.settings.insecure_no_auth
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # The UI pushes with server-sent events only; a socket would skip the gate.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path = _app_path(scope)
        client = scope.get("client")
        peer = str(client[0]) if client else None
        trusted = self.auth.trusted_peer(peer)
        origin = csrf.Origin.of(self.settings.external_url, scope["scheme"], headers, trusted)
        token = csrf.cookie_token(headers)
        cookie = None
        if token is None:
            token = csrf.new_token()
            root = str(scope.get("reqless.root", scope.get("root_path", ""))).rstrip("/")
            cookie = csrf.set_cookie_value(token, root or "/", origin.secure)
        scope["reqless.csrf"] = token
        send = self._decorate(send, path, cookie)
        try:
            await self._guard(scope, headers, path, peer, origin)
        except ApiError as error:
            await self._refuse(scope, receive, send, path, error)
            return
        if scope["method"] in csrf.MUTATING:
            limit = MAX_EDITED_BODY if _EDITED_REQUEUE.search(path) else MAX_BODY
            receive_body = await self._buffered(receive, headers, limit)
            if isinstance(receive_body, ApiError):
                await self._refuse(scope, receive, send, path, receive_body)
                return
            if receive_body is None:
                return  # the client went away while sending
            receive = receive_body
        await self.app(scope, receive, send)

    async def _guard(
        self, scope: Scope, headers: Headers, path: str, peer: str | None, origin: csrf.Origin
    ) -> None:
        """Raise the ApiError that refuses this request, or set its user."""
        if self.open_mode and path != "/healthz":
            self._check_local(headers, peer)
        if self._public(path):
            return
        who = await self._user(scope, headers, peer)
        if self.settings.read_only and who.role > Role.VIEWER:
            who = User(who.name, Role.VIEWER, who.via)
        scope["reqless.user"] = who
        if scope["method"] in csrf.MUTATING:
            bearer_only = who.via == "token" and "cookie" not in headers
            error = csrf.check(headers, origin, bearer_only)
            if error is not None:
                log.warning(
                    "refused %s %s from %s (user %s): %s",
                    scope["method"],
                    path,
                    peer,
                    who.name,
                    error.message,
                )
                raise error

    def _public(self, path: str) -> bool:
        """Paths served without authentication (docs/ui.md, Metrics and Authentication modes)."""
        if path == "/healthz" or path.startswith("/static/"):
            return True
        metrics = self.settings.metrics and not self.settings.metrics_auth
        return path == "/metrics" and metrics

    def _check_local(self, headers: Headers, peer: str | None) -> None:
        # A peer that is not an IP address (a test client, a unix socket) is local.
        if peer and not is_loopback(peer) and parse_ip(peer) is not None:
            raise ApiError(
                "forbidden",
                "no authentication is configured, so only loopback clients are served",
            )
        host = _host_name(headers.get("host", ""))
        if host is None or not (is_loopback(host) or host.lower() in self.allowed_hosts):
            # DNS rebinding: a web page whose name now points at 127.0.0.1.
            raise ApiError(
                "misdirected",
                f"unexpected Host {headers.get('host', '')!r}; "
                "add it with --allowed-host if this name is yours",
            )

    async def _user(self, scope: Scope, headers: Headers, peer: str | None) -> User:
        hook = self.state.authorize
        if hook is not None:
            return await self._hooked(hook, scope)
        if not self.auth.configured:
            return User("anonymous", Role.ADMIN, "none")
        address = self.auth.client_address(peer, headers)
        wait = self.auth.failures.blocked(address)
        if wait:
            raise ApiError(
                "rate_limited",
                "too many failed logins from this address; try again later",
                {"retry_after_s": int(wait) + 1},
                {"Retry-After": str(int(wait) + 1)},
            )
        found = self.auth.authenticate(peer, headers)
        if found.failed_login:
            self.auth.failures.record(address)
            log.warning("failed login from %s: %s", address, found.error)
        if found.user is None:
            raise found.error or self.auth.unauthenticated()
        return found.user

    async def _hooked(self, hook: Callable[[Request], Any], scope: Scope) -> User:
        request = Request(scope)
        if inspect.iscoroutinefunction(hook):
            role = await hook(request)
        else:
            # A synchronous hook may look up a session store: keep it off the loop.
            role = await run_in_threadpool(hook, request)
            if isinstance(role, Awaitable):
                role = await role
        if role is None:
            raise ApiError("forbidden", "the application does not allow you to use this UI")
        if not isinstance(role, Role):
            role = Role.parse(str(role))
        who = scope.get("user")
        name = str(getattr(who, "display_name", "") or "") or "user"
        return User(name, role, "hook")

    def _decorate(self, send: Send, path: str, cookie: str | None) -> Send:
        """`send` that adds the security headers (and the CSRF cookie) to the response."""
        static = path.startswith("/static/")

        async def decorated(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in self._replaced
                ]
                raw.extend(self.headers)
                if not any(name.lower() == b"cache-control" for name, _ in raw) and (
                    not static or _is_document(raw)
                ):
                    raw.append(NO_STORE)
                if cookie is not None:
                    raw.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": raw}
            await send(message)

        return decorated

    async def _buffered(
        self, receive: Receive, headers: Headers, limit: int
    ) -> Receive | ApiError | None:
        """Read the whole body (refusing more than `limit` bytes) and replay it."""
        too_large = ApiError(
            "too_large",
            f"the request body is over {limit // (1 << 20)} MiB",
            {"limit_bytes": limit},
        )
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return too_large
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return too_large
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, path: str, error: ApiError
    ) -> None:
        response = self._error_response(scope, path, error)
        await response(scope, receive, send)

    def _error_response(self, scope: Scope, path: str, error: ApiError) -> Response:
        if _wants_json(path):
            return json_response(error.body(), error.status, error.headers)
        render = self.error_page
        response: Response = _plain_error_page(error)
        if render is not None:
            try:
                response = render(Request(scope), error)
            except Exception:
                # The gate must answer even when a styled page cannot be drawn.
                log.exception("error page for %s failed; answering plain HTML", error.code)
        for name, value in error.headers.items():
            response.headers.setdefault(name, value)
        return response


def _is_document(raw: list[tuple[bytes, bytes]]) -> bool:
    for name, value in raw:
        if name.lower() == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind in (b"text/html", b"application/json", b"text/plain")
    return False


def _plain_error_page(error: ApiError) -> Response:
    text = escape(error.message)
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{error.status} · reqless</title></head>"
        f"<body><h1>{error.status}</h1><p>{text}</p></body></html>"
    )
    return HTMLResponse(body, status_code=error.status, headers=error.headers)
