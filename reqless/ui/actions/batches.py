"""Handlers of the batch endpoints: cancel the rest of a batch (A-B1) and close an
open batch (A-B2); docs/ui.md, Actions."""

from __future__ import annotations

from reqless._calls import follow
from reqless.ui.actions import body as fields
from reqless.ui.actions.call import Call, Done
from reqless.ui.reads.batches import batch_row, get_batch
from reqless.ui.roles import Role

__all__ = ["cancel_rest", "close"]


def cancel_rest(call: Call) -> Done:
    """A-B1: `POST /batches/{id}/cancel`: cancel every job of the batch that has not
    finished; the batch then finishes with them counted as canceled."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    bid = call.segment("id")
    before = get_batch(call.inst, call.settings, bid)  # 404 before anything is written
    canceled = call.inst.client._run(follow.batch_cancel(bid))
    body = {"id": bid, "canceled": canceled, "count": len(canceled)}
    params = {"pending_before": before["pending"]}
    return Done(body, [bid], params, counts={"canceled": len(canceled)})


def close(call: Call) -> Done:
    """A-B2: `POST /batches/{id}/close`: no more jobs join the batch; its callbacks are
    put now when none of its jobs is pending, else when the last one finishes."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    bid = call.segment("id")
    before = get_batch(call.inst, call.settings, bid)
    after = call.inst.client._run(follow.batch_close(bid))
    return Done(
        {"batch": batch_row(after, call.settings)}, [bid], {"previous_state": before["state"]}
    )
