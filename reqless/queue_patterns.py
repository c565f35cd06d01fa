"""The stored queue patterns that workers resolve their queues with."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from reqless.exceptions import ReqlessError
from reqless.models import QueuePriorityPattern

if TYPE_CHECKING:
    from reqless.client import Client

__all__ = ["QueuePatterns"]


def _string_list(what: str, value: object) -> list[str]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise ReqlessError(f"{what} must be a list of strings, not {value!r}")
    if not all(isinstance(item, str) for item in value):
        raise ReqlessError(f"{what} must be a list of strings, not {value!r}")
    return list(value)


class QueuePatterns:
    """Identifier and priority patterns stored on the server (`client.queue_patterns`).

    Identifier patterns name groups of queues (`@name` in a worker's queue list);
    priority patterns order the queues a worker polls. The server only stores them.
    """

    def __init__(self, client: Client) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"<reqless.QueuePatterns of {self.client!r}>"

    def get_queue_identifier_patterns(self) -> dict[str, list[str]]:
        """`{identifier: [pattern, ...]}`; `default` is `["*"]` unless it was set."""
        stored: dict[str, str] = json.loads(self.client("queueIdentifierPatterns.getAll"))
        return {name: json.loads(text) for name, text in stored.items()}

    def set_queue_identifier_patterns(self, identifier_patterns: Mapping[str, list[str]]) -> None:
        """Replace every identifier mapping; identifiers with no patterns are dropped.

        `{}` resets to `{"default": ["*"]}`. Everything is checked before anything is
        sent: identifiers are non-empty strings, values lists of strings.
        """
        if not isinstance(identifier_patterns, Mapping):
            raise ReqlessError(
                f"identifier patterns must be a mapping of lists, not {identifier_patterns!r}"
            )
        args: list[str] = []
        for name, patterns in identifier_patterns.items():
            if not isinstance(name, str) or not name:
                raise ReqlessError(f"queue identifiers are non-empty strings, not {name!r}")
            args += [name, json.dumps(_string_list(f"patterns of identifier {name!r}", patterns))]
        self.client("queueIdentifierPatterns.setAll", *args)

    def get_queue_priority_patterns(self) -> list[QueuePriorityPattern]:
        """The priority tiers in order; `[QueuePriorityPattern(["default"], False)]` when unset."""
        texts: list[str] = json.loads(self.client("queuePriorityPatterns.getAll"))
        patterns = []
        for text in texts:
            stored = json.loads(text)
            patterns.append(
                QueuePriorityPattern(
                    patterns=stored["pattern"],
                    should_distribute_fairly=bool(stored.get("fairly", False)),
                )
            )
        return patterns

    def set_queue_priority_patterns(
        self, queue_priority_patterns: Sequence[QueuePriorityPattern]
    ) -> None:
        """Replace the priority tiers; `[]` restores the default.

        The server appends the `["default"]` tier when no entry is one.
        """
        if isinstance(queue_priority_patterns, str | bytes) or not isinstance(
            queue_priority_patterns, Sequence
        ):
            raise ReqlessError(
                f"priority patterns must be a list of QueuePriorityPattern, "
                f"not {queue_priority_patterns!r}"
            )
        args = []
        for pattern in queue_priority_patterns:
            if not isinstance(pattern, QueuePriorityPattern):
                raise ReqlessError(f"not a QueuePriorityPattern: {pattern!r}")
            fairly = pattern.should_distribute_fairly
            args.append(json.dumps({"fairly": fairly, "pattern": pattern.patterns}))
        self.client("queuePriorityPatterns.setAll", *args)
