"""The stored queue patterns that workers resolve their queues with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from reqless._calls import server as calls
from reqless.models import QueuePriorityPattern

if TYPE_CHECKING:
    from reqless.client import Client

__all__ = ["QueuePatterns"]


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
        return self.client._run(calls.identifier_patterns())

    def set_queue_identifier_patterns(self, identifier_patterns: Mapping[str, list[str]]) -> None:
        """Replace every identifier mapping; identifiers with no patterns are dropped.

        `{}` resets to `{"default": ["*"]}`. Everything is checked before anything is
        sent: identifiers are non-empty strings, values lists of strings.
        """
        self.client._run(calls.set_identifier_patterns(identifier_patterns))

    def get_queue_priority_patterns(self) -> list[QueuePriorityPattern]:
        """The priority tiers in order; `[QueuePriorityPattern(["default"], False)]` when unset."""
        return self.client._run(calls.priority_patterns())

    def set_queue_priority_patterns(
        self, queue_priority_patterns: Sequence[QueuePriorityPattern]
    ) -> None:
        """Replace the priority tiers; `[]` restores the default.

        The server appends the `["default"]` tier when no entry is one.
        """
        self.client._run(calls.set_priority_patterns(queue_priority_patterns))
