"""Value objects of the client library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reqless.exceptions import ReqlessError

__all__ = ["Progress", "QueuePriorityPattern", "ThrottleInfo", "ThrottleTemplate"]


@dataclass(frozen=True, slots=True)
class QueuePriorityPattern:
    """One tier of queue priorities: the queues matching `patterns`, in order.

    Args:
        patterns: queue-name patterns (`*` matches anything, a leading `!` excludes);
            the single pattern `["default"]` marks where unmatched queues go.
        should_distribute_fairly: shuffle the tier's queues on every resolution
            instead of keeping their order.

    The patterns are copied into a new list. Instances compare equal when their
    class, patterns and flag are equal, and hash accordingly.
    """

    patterns: list[str]
    should_distribute_fairly: bool = False

    def __post_init__(self) -> None:
        patterns: Any = self.patterns
        if isinstance(patterns, str | bytes) or not isinstance(patterns, list | tuple):
            raise ReqlessError(f"queue priority patterns are a list of strings, not {patterns!r}")
        if not all(isinstance(pattern, str) for pattern in patterns):
            raise ReqlessError(f"queue priority patterns are a list of strings, not {patterns!r}")
        flag: Any = self.should_distribute_fairly
        if not isinstance(flag, bool):
            raise ReqlessError(f"should_distribute_fairly is a bool, not {flag!r}")
        # Frozen: bypass the generated __setattr__ to store the private copy.
        object.__setattr__(self, "patterns", list(patterns))

    def __repr__(self) -> str:
        return (
            f"<QueuePriorityPattern patterns={self.patterns!r} "
            f"should_distribute_fairly={self.should_distribute_fairly!r}>"
        )

    def __hash__(self) -> int:
        return hash((tuple(self.patterns), self.should_distribute_fairly))


@dataclass(frozen=True, slots=True)
class ThrottleTemplate:
    """A throttle template: the definition of every throttle whose id starts with the
    pattern's prefix and that has none of its own (docs/concepts.md, Throttles).

    `maximum` is 0 when the template sets no concurrency limit; `rate` and `per`
    are None when it sets no rate window.
    """

    pattern: str
    maximum: int
    rate: int | None = None
    per: float | None = None

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ThrottleTemplate:
        """The template as `throttle.templates` describes it."""
        rate, per = payload.get("rate"), payload.get("per")
        return cls(
            pattern=str(payload["pattern"]),
            maximum=int(payload.get("maximum", 0)),
            rate=None if rate is None else int(rate),
            per=None if per is None else _seconds(per),
        )


@dataclass(frozen=True, slots=True)
class ThrottleInfo:
    """What a throttle is now, read in one call (`throttle.info()`).

    `maximum` is 0 for no concurrency limit; `ttl` is -1 when the definition never
    expires and -2 when the throttle has no definition of its own. `rate`, `per`
    and `used` (starts in the current window) are None without a rate window;
    `reopens` (epoch seconds when the full window next admits a start) is None
    unless the window is full; `template` is the pattern of the template that
    defines the throttle, or None.
    """

    name: str
    maximum: int
    ttl: int
    rate: int | None = None
    per: float | None = None
    used: int | None = None
    reopens: float | None = None
    template: str | None = None

    @classmethod
    def from_payload(cls, name: str, payload: dict[str, Any]) -> ThrottleInfo:
        """The throttle as `throttle.get` describes it."""
        rate, per, used = payload.get("rate"), payload.get("per"), payload.get("used")
        reopens, template = payload.get("reopens"), payload.get("template")
        return cls(
            name=name,
            maximum=int(payload.get("maximum", 0)),
            ttl=int(payload.get("ttl", -2)),
            rate=None if rate is None else int(rate),
            per=None if per is None else _seconds(per),
            used=None if used is None else int(used),
            reopens=None if reopens is None else float(reopens),
            template=template if isinstance(template, str) else None,
        )


def _seconds(value: Any) -> float:
    # A whole number of seconds reads as an int (60, not 60.0) in reprs and the CLI.
    number = float(value)
    return int(number) if number.is_integer() else number


@dataclass(frozen=True, slots=True)
class Progress:
    """A running job's last progress report (`job.progress_info`; docs/progress.md).

    `fraction` is from 0 to 1, `message` what the job said with it (may be
    empty), `at` when it was reported (epoch seconds, the server's clock).
    """

    fraction: float
    message: str
    at: float

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Progress:
        """The progress as the job object's `progress` field holds it."""
        return cls(
            fraction=float(payload.get("fraction", 0)),
            message=str(payload.get("message", "")),
            at=float(payload.get("at", 0)),
        )
