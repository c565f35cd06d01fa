"""The JSON shapes the UI's API sends, as `TypedDict`s.

Each is built in one place (named below) and sent as is by `reads/api_read.py`
and the action endpoints; the pages render the same dicts. Shapes that callers
extend with extra keys stay plain dicts until their extensions have types too.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = [
    "Batch",
    "BatchCallbackView",
    "ErrorBody",
    "ErrorDetail",
    "Group",
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
    #: The rate window: at most `rate` starts in any `per` seconds (None: no window).
    rate: int | None
    per: float | None
    #: Starts logged in the window now, and when a full window next admits one.
    used: int | None
    reopens_at: float | None
    #: The pattern of the template that defines the throttle, if one does.
    template: str | None


class BatchCallbackView(TypedDict):
    """A job a batch puts when it finishes; `data` redacted as payloads are."""

    klass: str
    queue: str
    data: Any
    priority: float | None


class Batch(TypedDict):
    """A batch of jobs (`reads.batches.batch_row`); docs/ui.md, Batches."""

    id: str
    #: open (jobs may join), closed (waits for its jobs) or finished (callbacks put).
    state: Literal["open", "closed", "finished"]
    total: int
    pending: int
    complete: int
    failed: int
    canceled: int
    created_at: float
    #: When its last job finished and its callbacks were put; None until then.
    finished_at: float | None
    on_success: BatchCallbackView | None
    on_complete: BatchCallbackView | None
    #: Jids of the callback jobs, once put: `<id>-success`, `<id>-complete`.
    callback_jids: list[str]


class Group(TypedDict):
    """A fair group of a queue (`reads.groups.groups`); docs/concepts.md, Fair groups."""

    group: str
    #: 1 is served next.
    position: int
    waiting: int
    #: Jobs the group takes per turn (1 unless set).
    weight: int
    #: When the group was last served (its turn); the earliest goes first.
    turn_at: float
    #: The held job the group waits on (it is parked), or None.
    parked_jid: str | None


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
