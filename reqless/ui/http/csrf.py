"""Same-origin proof for every change (docs/ui.md, CSRF protection).

A change (POST, PUT, PATCH, DELETE) must carry a JSON body, must not come from
another site (`Sec-Fetch-Site`, `Origin`), and must echo the token of the
`reqless_csrf` cookie in `X-CSRF-Token`. A bearer-token request that carries no
cookies skips the token: browsers never attach bearer tokens on their own.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import cookie_parser

from reqless.ui.errors import ApiError

__all__ = [
    "COOKIE",
    "HEADER",
    "MUTATING",
    "Origin",
    "check",
    "cookie_token",
    "new_token",
    "normalize_origin",
    "set_cookie_value",
]

COOKIE = "reqless_csrf"
HEADER = "X-CSRF-Token"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# `secrets.token_urlsafe(32)`: 32 random bytes, 43 characters.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def new_token() -> str:
    """A fresh token: 32 random bytes, URL-safe base64."""
    return secrets.token_urlsafe(32)


def cookie_token(headers: Headers) -> str | None:
    """The request's CSRF cookie, when it holds a token of the right shape."""
    value = cookie_parser(headers.get("cookie", "")).get(COOKIE)
    return value if value and _TOKEN_SHAPE.match(value) else None


def set_cookie_value(token: str, path: str, secure: bool) -> str:
    """The `Set-Cookie` value: strict same-site, hidden from scripts, for the whole UI."""
    parts = [f"{COOKIE}={token}", f"Path={path or '/'}", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def normalize_origin(text: str) -> str | None:
    """`scheme://host[:port]` in lower case, default ports dropped; None if not an origin."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


@dataclass(frozen=True)
class Origin:
    """How the UI is reached by this request: its origin and whether over HTTPS."""

    origin: str | None
    secure: bool

    @classmethod
    def of(
        cls,
        external_url: str | None,
        scheme: str,
        headers: Headers,
        trusted_proxy: bool,
    ) -> Origin:
        """The configured external URL, else the request's own scheme and Host, with
        `X-Forwarded-Proto` / `X-Forwarded-Host` only from a trusted proxy."""
        if external_url:
            origin = normalize_origin(external_url)
            return cls(origin, bool(origin and origin.startswith("https:")))
        host = headers.get("host", "")
        if trusted_proxy:
            scheme = _first(headers.get("x-forwarded-proto")) or scheme
            host = _first(headers.get("x-forwarded-host")) or host
        scheme = "https" if scheme.lower() in ("https", "wss") else "http"
        return cls(normalize_origin(f"{scheme}://{host}") if host else None, scheme == "https")


def _first(value: str | None) -> str:
    return (value or "").split(",", 1)[0].strip()


def _media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def check(headers: Headers, origin: Origin, bearer_without_cookies: bool) -> ApiError | None:
    """Why this change must be refused, or None when it carries its proof."""
    if _media_type(headers) != "application/json":
        return ApiError(
            "unsupported_media_type",
            "changes must send a JSON body (Content-Type: application/json; {} when empty)",
        )
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.strip().lower() != "same-origin":
        return ApiError("csrf", f"cross-site request refused (Sec-Fetch-Site: {fetch_site})")
    sent_origin = headers.get("origin")
    if sent_origin is not None and (
        origin.origin is None or normalize_origin(sent_origin) != origin.origin
    ):
        return ApiError("csrf", f"cross-origin request refused (Origin: {sent_origin})")
    if bearer_without_cookies:
        return None
    cookie = cookie_token(headers)
    sent = headers.get(HEADER, "")
    if cookie is None:
        return ApiError("csrf", f"missing CSRF cookie {COOKIE}; reload the page")
    if not sent:
        return ApiError("csrf", f"missing {HEADER} header")
    if not hmac.compare_digest(sent.encode("utf-8"), cookie.encode("utf-8")):
        return ApiError("csrf", f"{HEADER} does not match the CSRF cookie; reload the page")
    return None
