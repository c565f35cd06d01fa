# GENERATED from reqless/aio/batch.py by scripts/unasync: edit that file, then run it.
"""Batches: jobs put together, with a callback job when they have all finished
(docs/batches.md). A batch object and the part of `client.batches` both clients share."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from reqless._calls import follow
from reqless.exceptions import ReqlessError

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.types import BatchCallback, BatchPayload

__all__ = ["Batch", "BatchesBase"]


class Batch:
    """A batch as the server last reported it, and what can be done to it.

    `state` is "open" (jobs may join), "closed" (no more may, some are pending)
    or "finished" (its callbacks were put); the counts are of its jobs.
    """

    id: str
    state: str
    total: int
    pending: int
    complete: int
    failed: int
    canceled: int
    #: When it was opened and finished (epoch seconds; `finished` None until then).
    created: float
    finished: float | None
    on_success: BatchCallback | None
    on_complete: BatchCallback | None

    def __init__(self, client: Client, payload: BatchPayload) -> None:
        self.client = client
        self._read(payload)

    def _read(self, payload: BatchPayload) -> None:
        self.id, self.state = payload["id"], payload["state"]
        self.total, self.pending = payload["total"], payload["pending"]
        self.complete, self.failed = payload["complete"], payload["failed"]
        self.canceled = payload["canceled"]
        self.created, self.finished = payload["created"], payload["finished"]
        self.on_success, self.on_complete = payload["on_success"], payload["on_complete"]

    def __repr__(self) -> str:
        return (
            f"<Batch {self.id} state={self.state!r} total={self.total} pending={self.pending} "
            f"complete={self.complete} failed={self.failed} canceled={self.canceled}>"
        )

    def refresh(self) -> None:
        """Read the batch again; ReqlessError when it no longer exists (it expired)."""
        payload = self.client._run(follow.batch_get(self.id))
        if payload is None:
            raise ReqlessError(f"batch {self.id} does not exist")
        self._read(payload)

    def put(self, queue: str, klass: type | str, data: Any, **options: Any) -> str:
        """Put a job into `queue` as a member of this (open) batch; returns its jid.

        `options` are those of `Queue.put`.
        """
        return self.client.queues[queue].put(klass, data, batch=self.id, **options)

    def jobs(self, offset: int = 0, limit: int = 25) -> builtins.list[str]:
        """Jids of the batch's jobs, sorted, `limit` of them from `offset`."""
        return self.client._run(follow.batch_jobs(self.id, offset, limit))

    def canceled_jids(self, jids: builtins.list[str]) -> builtins.list[str]:
        """Those of `jids` (1 to 1000) canceled as jobs of this batch, in their order:
        a canceled job is deleted, so this tells it from one whose record expired."""
        return self.client._run(follow.batch_canceled(self.id, jids))

    def cancel(self) -> builtins.list[str]:
        """Cancel every unfinished job of the batch; returns the canceled jids."""
        canceled = self.client._run(follow.batch_cancel(self.id))
        self.refresh()
        return canceled

    def close(self) -> None:
        """Let no more jobs join; the callbacks are put once every job has finished
        (at once when none is pending)."""
        self._read(self.client._run(follow.batch_close(self.id)))


class BatchesBase:
    """Batches by id (`client.batches`): the lookups both clients share."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, bid: str) -> Batch | None:
        """Batch `bid`, or None when it is unknown (or expired)."""
        payload = self.client._run(follow.batch_get(bid))
        return None if payload is None else Batch(self.client, payload)

    def list(self, offset: int = 0, limit: int = 25) -> builtins.list[Batch]:
        """Batches, newest first, `limit` of them from `offset`."""
        payloads = self.client._run(follow.batch_list(offset, limit))
        return [Batch(self.client, payload) for payload in payloads]
