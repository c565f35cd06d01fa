"""The JSON shapes the UI's API sends, as `TypedDict`s.

Each is built in one place (named below) and sent as is by `reads/api_read.py`
and the action endpoints; the pages render the same dicts. Shapes that callers
extend with extra keys stay plain dicts until their extensions have types too.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = [
    "ErrorBody",
    "ErrorDetail",
    "ListPage",
    "Throttle",
    "ThrottleMembership",
    "Worker",
    "WorkerStatus",
]

WorkerStatus = Literal["active", "quiet", "stale"]


class ErrorDetail(TypedDict):
    """The `error` member of every error answer (`errors.ApiError.body`)."""

    code: str
    message: str
    details: dict[str, Any]


class ErrorBody(TypedDict):
    """Every error answer: `{"error": {"code", "message", "details"}}`."""

    error: ErrorDetail


class ListPage(TypedDict):
    """One page of a list (`http.paging.list_response`)."""

    items: list[Any]
    offset: int
    limit: int
    total: int | None
    has_more: bool


class Throttle(TypedDict):
    """A queue or named throttle (`reads.throttles.throttle_info`)."""

    id: str
    kind: Literal["queue", "named"]
    queue: str | None
    maximum: int
    in_use: int
    pending: int
    expires_in_s: int | None
    exists: bool
    #: The settings are gone while jobs still wait in the pending set.
    expired_holding: bool


class ThrottleMembership(TypedDict):
    """Whether a job holds a slot of a throttle or waits for one."""

    holding: bool
    waiting: bool


class Worker(TypedDict):
    """One worker of the registry (`reads.workers`)."""

    name: str
    running: int
    stalled: int
    last_seen_at: float | None
    status: str
