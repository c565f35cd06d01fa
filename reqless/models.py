"""Value objects of the client library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reqless.exceptions import ReqlessError

__all__ = ["QueuePriorityPattern"]


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
