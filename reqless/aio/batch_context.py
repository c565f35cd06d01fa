"""`async with client.batch(...) as batch:`: open a batch, put its jobs, close it on the
way out."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from reqless._batch_spec import callback_spec, new_batch_id
from reqless._calls import follow
from reqless.aio.batch import AsyncBatch
from reqless.exceptions import ReqlessError

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient

__all__ = ["AsyncBatchContext"]


class AsyncBatchContext:
    """Opens a batch on entry and closes it on exit, also when the body raises: the
    jobs put by then are real and run, and the callbacks follow them (docs/batches.md).

    Every argument is checked when this is made, before anything is written.
    """

    def __init__(
        self, client: AsyncClient, on_success: Any = None, on_complete: Any = None,
        bid: str | None = None,
    ) -> None:  # fmt: skip
        self.client = client
        self._open = follow.batch_open(
            new_batch_id() if bid is None else bid,
            callback_spec("on_success", on_success),
            callback_spec("on_complete", on_complete),
        )
        self.batch: AsyncBatch | None = None

    async def __aenter__(self) -> AsyncBatch:
        bid = await self.client._run(self._open)
        payload = await self.client._run(follow.batch_get(bid))
        if payload is None:  # it expired at once: only a jobs-history of 0 does that
            raise ReqlessError(f"batch {bid} does not exist")
        self.batch = AsyncBatch(self.client, payload)
        return self.batch

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:  # fmt: skip
        if self.batch is not None:
            await self.batch.close()
