"""Queue resolution: turn a worker's queue identifiers into the queue names it polls.

Identifiers are queue names or patterns: `*` matches any run of characters, a
leading `!` removes matching queues, and `@name` stands for the patterns stored
under `name` (see `QueuePatterns`). Every other character matches itself; the
original built the regular expression without escaping, so a `.` or `+` in a
queue name kept its regex meaning. Escaping them is an intended-behaviour fix.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from reqless import defaults
from reqless.queue_windows import ReadyQueues

if TYPE_CHECKING:
    from reqless.abstract import AbstractQueueIdentifiersTransformer
    from reqless.client import Client
    from reqless.models import QueuePriorityPattern

__all__ = [
    "REFRESH_SECONDS",
    "DynamicMappingQueueIdentifiersTransformer",
    "DynamicPriorityQueueIdentifiersTransformer",
    "TransformingQueueResolver",
]

T = TypeVar("T")

#: How long (seconds) `TransformingQueueResolver.pop_order` keeps a resolution:
#: a queue that appears and matches a worker's pattern is served within this.
REFRESH_SECONDS = 1.0


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """`*` matches any run of characters; every other character matches itself."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


class TransformingQueueResolver:
    """Resolves queue identifiers by passing them through transformers in order.

    Args:
        queue_identifiers: the worker's queue names and patterns.
        transformers: applied in order; with none, `resolve()` returns the
            identifiers list itself.
        refresh_seconds: how long `pop_order()` keeps a resolution (default
            `REFRESH_SECONDS`).
        client: asks the core which queues are ready when there are many
            (see `reqless.queue_windows`); by default the first transformer's
            `client`. Without one every pop names every queue.
    """

    def __init__(
        self,
        queue_identifiers: list[str],
        transformers: Sequence[AbstractQueueIdentifiersTransformer] | None = None,
        *,
        refresh_seconds: float | None = None,
        client: Client | None = None,
    ) -> None:
        self.queue_identifiers = queue_identifiers
        self.transformers = list(transformers or [])
        if refresh_seconds is None:
            refresh_seconds = REFRESH_SECONDS
        if not refresh_seconds >= 0:
            raise ValueError(f"refresh_seconds must be 0 or more, got {refresh_seconds!r}")
        self.refresh_seconds = refresh_seconds
        if client is None:
            client = next((t.client for t in self.transformers if hasattr(t, "client")), None)
        self._windows = None if client is None else ReadyQueues(client)
        self._resolved: list[str] | None = None
        self._resolved_until = 0.0

    def __repr__(self) -> str:
        return (
            f"<reqless.TransformingQueueResolver {self.queue_identifiers!r} "
            f"transformers={self.transformers!r}>"
        )

    def resolve(self) -> list[str]:
        """The queue names to poll, in order."""
        names = self.queue_identifiers
        for transformer in self.transformers:
            names = transformer.transform(names)
        return names

    def pop_order(self) -> list[str]:
        """The queues a worker's next pop names, in order.

        The resolution is kept for `refresh_seconds`, not made again for every
        pop (with patterns that reads every known queue name). When it holds
        many queues, the result is a `QueueWindow` of ready ones.
        """
        now = time.monotonic()
        if self._resolved is None or now >= self._resolved_until:
            self._resolved = self.resolve()
            self._resolved_until = now + self.refresh_seconds
            if self._windows is not None:
                self._windows.reset(self._resolved)
        if self._windows is None:
            # A copy, so a caller may change it; a slice costs a fraction of `list()`
            # (this runs once per job a worker pops).
            return self._resolved[:]
        return self._windows.current()


class _Cached(Generic[T]):
    """A value fetched again once it is empty or older than the refresh period."""

    def __init__(self, fetch: Callable[[], T], refresh_milliseconds: int | None) -> None:
        self._fetch = fetch
        milliseconds = refresh_milliseconds or defaults.QUEUE_PATTERNS_REFRESH_MILLISECONDS
        self._lifetime = milliseconds / 1000
        self._value: T | None = None
        self._expires_at = 0.0

    def get(self) -> T:
        # The monotonic clock, so a wall-clock jump neither freezes nor floods refreshes.
        if not self._value or time.monotonic() >= self._expires_at:
            self._value = self._fetch()
            self._expires_at = time.monotonic() + self._lifetime
        return self._value


class DynamicMappingQueueIdentifiersTransformer:
    """Expands `@name` references and `*`/`!` patterns against the known queues.

    Args:
        client: the client whose stored identifier patterns and queues are used.
        dynamic_queue_mapping_refresh_frequency_milliseconds: how long the stored
            mapping is cached (default 5 minutes). Known queue names are fetched
            on every `transform()`.
    """

    def __init__(
        self,
        client: Client,
        dynamic_queue_mapping_refresh_frequency_milliseconds: int | None = None,
    ) -> None:
        self.client = client
        self._mapping: _Cached[dict[str, list[str]]] = _Cached(
            client.queue_patterns.get_queue_identifier_patterns,
            dynamic_queue_mapping_refresh_frequency_milliseconds,
        )

    def _get_dynamic_queue_mapping(self) -> dict[str, list[str]]:
        return self._mapping.get()

    def transform(self, queue_identifiers: list[str]) -> list[str]:
        """The queue names the identifiers stand for, in order of first match."""
        # queues.names reads one sorted set; queues.counts would count (and promote
        # scheduled jobs in) every queue on every pass of every worker.
        known = self.client.queues.names
        return self.resolve_queue_names(self._get_dynamic_queue_mapping(), known, queue_identifiers)

    @staticmethod
    def resolve_queue_names(
        dynamic_queue_mapping: dict[str, list[str]],
        known_queue_names: list[str],
        patterns: list[str],
    ) -> list[str]:
        """Resolve `patterns` against `known_queue_names` (see the module docstring).

        `@name` expands to the mapped patterns (each negated when written `!@name`).
        Then, in order: a plain name is added even if no such queue exists; a
        pattern adds the known names it matches; a `!pattern` removes them. A name
        keeps the position where it was first added.
        """
        expanded: list[str] = []
        for pattern in patterns:
            negated = pattern.startswith("!")
            rest = pattern[1:] if negated else pattern
            if not rest.startswith("@"):
                expanded.append(pattern)
                continue
            for mapped in dynamic_queue_mapping.get(rest[1:], []):
                if negated:
                    mapped = mapped[1:] if mapped.startswith("!") else f"!{mapped}"
                expanded.append(mapped)

        # A dict keeps the order names were first added in and answers "added?"
        # at once: with thousands of matching queues, list membership made
        # every resolution quadratic.
        result: dict[str, None] = {}
        for pattern in expanded:
            if "!" not in pattern and "*" not in pattern:
                result.setdefault(pattern)
                continue
            negated = pattern.startswith("!")
            regex = _pattern_regex(pattern[1:] if negated else pattern)
            for name in known_queue_names:
                if not regex.fullmatch(name):
                    continue
                # The original used list.remove, which raised ValueError for a
                # matching name that was never added; doing nothing is the intent.
                if negated:
                    result.pop(name, None)
                else:
                    result.setdefault(name)
        return list(result)


class DynamicPriorityQueueIdentifiersTransformer:
    """Orders queue names by the stored priority patterns.

    Args:
        client: the client whose stored priority patterns are used.
        dynamic_queue_priorities_refresh_frequency_milliseconds: how long the
            stored patterns are cached (default 5 minutes).
    """

    def __init__(
        self,
        client: Client,
        dynamic_queue_priorities_refresh_frequency_milliseconds: int | None = None,
    ) -> None:
        self.client = client
        self._priorities: _Cached[list[QueuePriorityPattern]] = _Cached(
            client.queue_patterns.get_queue_priority_patterns,
            dynamic_queue_priorities_refresh_frequency_milliseconds,
        )

    def _get_dynamic_queue_priorities(self) -> list[QueuePriorityPattern]:
        return self._priorities.get()

    def transform(self, queue_identifiers: list[str]) -> list[str]:
        """The queue names reordered by priority tier."""
        return self.prioritize_queues(queue_identifiers, self._get_dynamic_queue_priorities())

    @staticmethod
    def prioritize_queues(
        queue_identifiers: list[str], queue_priority_patterns: list[QueuePriorityPattern]
    ) -> list[str]:
        """Group the names tier by tier; names no tier claims go where `["default"]` is.

        Within a tier, `pattern` adds the remaining names it matches and `!pattern`
        removes members matched so far. A fair tier (and a fair default) is shuffled.
        """
        shuffle = random.SystemRandom().shuffle
        remaining = list(queue_identifiers)
        groups: list[list[str]] = []
        default_position: int | None = None
        default_fairly = False
        for priority in queue_priority_patterns:
            if priority.patterns == ["default"]:
                default_position = len(groups)
                default_fairly = priority.should_distribute_fairly
                continue
            members: dict[str, None] = {}  # ordered, with set-speed membership
            for pattern in priority.patterns:
                if pattern.startswith("!"):
                    regex = _pattern_regex(pattern[1:])
                    members = {name: None for name in members if not regex.fullmatch(name)}
                    continue
                regex = _pattern_regex(pattern)
                for name in remaining:
                    if regex.fullmatch(name):
                        members.setdefault(name)
            group = list(members)
            remaining = [name for name in remaining if name not in members]
            if priority.should_distribute_fairly:
                shuffle(group)
            groups.append(group)
        if default_fairly:
            shuffle(remaining)
        groups.insert(len(groups) if default_position is None else default_position, remaining)
        return [name for group in groups for name in group]
