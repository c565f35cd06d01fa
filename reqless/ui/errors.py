"""Typed API errors and how they become responses."""

from __future__ import annotations

from typing import Any

from reqless.ui.reads.shapes import ErrorBody

__all__ = ["STATUS_OF", "ApiError"]

STATUS_OF: dict[str, int] = {
    "invalid_argument": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "read_only": 403,
    "csrf": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "unsupported_media_type": 415,
    "core_error": 422,
    "rate_limited": 429,
    "redis_unavailable": 503,
    #: The process is at a capacity limit (open streams); retry later.
    "unavailable": 503,
    "misdirected": 421,
}


class ApiError(Exception):
    """An error with one of the codes of docs/ui.md, Error answers; the status follows from the
    code."""

    def __init__(
        self,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        if code not in STATUS_OF:
            raise ValueError(f"unknown API error code {code!r}")
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}

    @property
    def status(self) -> int:
        return STATUS_OF[self.code]

    def body(self) -> ErrorBody:
        """The JSON error answer."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}

    @classmethod
    def invalid(cls, name: str, problem: str) -> ApiError:
        """400 for one parameter: the message names it."""
        return cls("invalid_argument", f"{name}: {problem}", {"parameter": name})

    @classmethod
    def not_found(cls, what: str) -> ApiError:
        return cls("not_found", what)
