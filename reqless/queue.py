"""A queue, and the per-queue job listings."""

from __future__ import annotations

from reqless._calls import queue as calls
from reqless._calls.encoding import class_string, encode_data
from reqless._calls.queue import ReplacedJobWarning
from reqless._queue_base import Jobs, QueueBase
from reqless.types import QueueCounts

__all__ = ["Jobs", "Queue", "ReplacedJobWarning", "class_string", "encode_data"]


class Queue(QueueBase):
    """A named queue. No server call is made until a method needs one.

    A Queue compares equal to its name, so `job.queue == "underpants"` reads as
    the README intends, while `job.queue.name` (or `job.queue_name`) is the text.
    """

    def __len__(self) -> int:
        return self.client._run(calls.length(self._name))

    @property
    def counts(self) -> QueueCounts:
        """Job counts of this queue by state, and whether it is paused."""
        return self.client._run(calls.counts(self._name))

    @property
    def heartbeat(self) -> int:
        """Seconds a popped job's lock lasts in this queue."""
        return calls.heartbeat_of(self._name, self.client.config.all)

    @heartbeat.setter
    def heartbeat(self, value: int) -> None:
        self.client.config[f"{self._name}-heartbeat"] = value
