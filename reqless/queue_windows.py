"""Windows over many queues: where a worker serving a pattern sends its pops.

A pop names every queue it may take from, and the core looks into each in
turn. With thousands of queues (`-q 'tenant-*'`) that is thousands of names
sent, and thousands of looks, for every job. So when a worker resolves more
than `WINDOW_SIZE` queues, it asks the core once which of them hold anything
(`queues.ready`) and sends each pop to a window of at most `WINDOW_SIZE` of
those ready queues, in the resolved order. A pop that finds nothing in its
window moves to the next window; once the ready queues are used up they are
asked for again, and when none is ready the worker waits on all its queues
(the blocking pickup of `reqless.pickup`), which wakes it as soon as any of
them gets a job.

Queues that become ready while the worker works through its windows are seen
when the resolver refreshes (`TransformingQueueResolver.pop_order`), every
`reqless.queue_resolvers.REFRESH_SECONDS`, or when the windows run out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from reqless._calls import queue as queue_calls

if TYPE_CHECKING:
    from reqless.client import Client

__all__ = ["WINDOW_SIZE", "QueueWindow", "ReadyQueues"]

#: The most queues one pop names when a worker serves many queues; a worker that
#: resolves this many queues or fewer names them all in every pop.
WINDOW_SIZE = 16


class QueueWindow(list[str]):
    """A few ready queues out of many; a pop that finds nothing here asks `exhausted()`."""

    def __init__(self, names: Iterable[str], source: ReadyQueues) -> None:
        super().__init__(names)
        self.source = source

    def served(self) -> None:
        """Note that a pop from this window found jobs."""
        self.source.found = True

    def exhausted(self) -> list[str]:
        """The queues to pop next: the next window, or every queue when none is ready."""
        return self.source.after(self)


class ReadyQueues:
    """Cuts a long list of resolved queues into windows of ready ones.

    Args:
        client: the client that asks the core which queues are ready.
        size: the most queues in one window.
    """

    def __init__(self, client: Client, size: int = WINDOW_SIZE) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, got {size!r}")
        self.client = client
        self.size = size
        self.resolved: list[str] = []
        #: The ready queues of the last `queues.ready`, None until it is asked.
        self.ready: list[str] | None = None
        self.position = 0
        #: Whether a window found jobs since the ready queues were last asked for.
        self.found = False

    def __repr__(self) -> str:
        return f"<reqless.ReadyQueues of {len(self.resolved)} queues, windows of {self.size}>"

    def reset(self, resolved: list[str]) -> None:
        """Start again over `resolved` (a fresh resolution): ready queues are asked anew."""
        self.resolved = resolved
        self.ready = None

    def current(self) -> list[str]:
        """The queues the next pop names: all of them when few, else the current window."""
        if len(self.resolved) <= self.size:
            return list(self.resolved)
        if self.ready is None:
            self._ask()
        assert self.ready is not None
        if self.position >= len(self.ready):
            # Nothing ready: wait on every queue (and ask again next time).
            self.ready = None
            return list(self.resolved)
        return QueueWindow(self._window(), self)

    def _window(self) -> list[str]:
        assert self.ready is not None
        return self.ready[self.position : self.position + self.size]

    def after(self, window: QueueWindow) -> list[str]:
        """The queues to pop once `window` gave nothing."""
        if self.ready is not None and window == self._window():
            self.position += self.size
            if self.position >= len(self.ready) and self.found:
                self.ready = None  # some were served: ask which are still ready
        return self.current()

    def _ask(self) -> None:
        self.ready = self.client._run(queue_calls.ready(self.resolved))
        self.position = 0
        self.found = False
