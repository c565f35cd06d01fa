# GENERATED from reqless/aio/batch_context.py by scripts/unasync: edit that file, then run it.
"""`with client.batch(...) as batch:`: open a batch, put its jobs, close it on the
way out."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from reqless._batch_spec import callback_spec, new_batch_id
from reqless._calls import follow
from reqless.batch import Batch
from reqless.exceptions import ReqlessError

if TYPE_CHECKING:
    from reqless.client import Client

__all__ = ["BatchContext"]


class BatchContext:
    """Opens a batch on entry and closes it on exit, also when the body raises: the
    jobs put by then are real and run, and the callbacks follow them (docs/batches.md).

    Every argument is checked when this is made, before anything is written.
    """

    def __init__(
        self, client: Client, on_success: Any = None, on_complete: Any = None,
        bid: str | None = None,
    ) -> None:  # fmt: skip
        self.client = client
        self._open = follow.batch_open(
            new_batch_id() if bid is None else bid,
            callback_spec("on_success", on_success),
            callback_spec("on_complete", on_complete),
        )
        self.batch: Batch | None = None

    def __enter__(self) -> Batch:
        bid = self.client._run(self._open)
        payload = self.client._run(follow.batch_get(bid))
        if payload is None:  # it expired at once: only a jobs-history of 0 does that
            raise ReqlessError(f"batch {bid} does not exist")
        self.batch = Batch(self.client, payload)
        return self.batch

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:  # fmt: skip
        if self.batch is not None:
            self.batch.close()
