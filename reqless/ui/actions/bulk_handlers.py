"""Handlers of the multi-job endpoints: `POST /jobs/bulk` (docs/ui.md, Actions), the failure-group
actions (A-FG1..3) and untrack-expired (A-TR1).

Anything that may touch more than 1,000 jobs runs as an operation (docs/ui.md, Actions): the reply
is 202 with `operation_id`, and the audit record is written when it ends.
"""

from __future__ import annotations

from typing import Any

from reqless._calls import job as job_calls
from reqless.exceptions import CoreError
from reqless.ui.actions import body as fields
from reqless.ui.actions import bulk, failed, operations, selectors
from reqless.ui.actions.call import Call, Done
from reqless.ui.actions.tally import Tally
from reqless.ui.errors import ApiError
from reqless.ui.http import audit
from reqless.ui.roles import Role

__all__ = [
    "OPERATION_THRESHOLD",
    "bulk_jobs",
    "cancel_group",
    "check_expected",
    "retry_group",
    "unfail_group",
    "untrack_expired",
]

#: Actions on more jobs than this run as operations (docs/ui.md, Actions).
OPERATION_THRESHOLD = 1_000


def check_expected(call: Call, size: int) -> int:
    """The caller's `expected_total` (required); 409 when the set moved too far.

    Off by more than 5 % and by more than 10 jobs means the user confirmed a count
    that no longer holds: they must see the new one and confirm again.
    """
    if "expected_total" not in call.body:
        raise ApiError.invalid("expected_total", "is required with a set of jobs")
    expected = fields.integer(call.body["expected_total"], "expected_total", 0)
    off = abs(size - expected)
    if off > 10 and off > 0.05 * expected:
        raise ApiError(
            "conflict",
            f"the set now holds {size} jobs, not {expected}; confirm again",
            {"current_total": size, "expected_total": expected},
        )
    return expected


def _check_limit(call: Call, size: int) -> None:
    limit = call.settings.bulk_limit(call.user.role)
    if size > limit:
        raise ApiError(
            "too_large",
            f"{size} jobs is over your bulk limit of {limit}",
            {"total": size, "limit": limit},
        )


def _launch(
    call: Call,
    action: str,
    targets: list[str],
    params: dict[str, Any],
    total: int,
    work: operations.Work,
) -> Done:
    op = operations.start(
        call.state, audit.actor(call.request), action, targets, params, total, work
    )
    body = {"operation_id": op.id, "total": total, "state": op.state}
    return Done(body, targets, params, status=202, audit=False)


def _finish(tally: Tally, targets: list[str], params: dict[str, Any]) -> Done:
    return Done(tally.result(), targets, params, tally.counts())


def bulk_jobs(call: Call) -> Done:
    """`POST /jobs/bulk`: one action on explicit jids or on a selector's set."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"action", "params", "jids", "selector", "expected_total"})
    plan = bulk.plan(call.body.get("action"), call.body.get("params"))
    has_jids, has_selector = "jids" in call.body, "selector" in call.body
    if has_jids == has_selector:
        raise ApiError.invalid("jids", 'give either "jids" or "selector"')
    limit = call.settings.bulk_limit(call.user.role)
    if has_jids:
        jids = fields.jid_list(call.body)
        _check_limit(call, len(jids))
        described: dict[str, Any] = {"jids": len(jids)}
    else:
        selection = selectors.resolve(call.inst, call.settings, call.body["selector"], limit + 1)
        check_expected(call, selection.size)
        _check_limit(call, selection.size)
        jids = selection.collect(limit)
        described = {"selector": selection.describe}
    action = f"bulk.{plan.action}"
    params = {**plan.summary, **described}
    inst = call.inst
    if len(jids) > OPERATION_THRESHOLD:

        def work(tally: Tally) -> None:
            bulk.run(inst, plan, jids, tally)

        return _launch(call, action, jids, params, len(jids), work)
    tally = Tally(len(jids))
    bulk.run(inst, plan, jids, tally)
    return _finish(tally, jids, params)


def retry_group(call: Call) -> Done:
    """A-FG1: retry every job of the group into its own queue (an operation)."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"expected_total"})
    group = call.segment("group")
    total = failed.group_total(call.inst, group)
    check_expected(call, total)
    if total == 0:
        raise ApiError.not_found(f"failure group {group!r} is empty")
    inst = call.inst

    def work(tally: Tally) -> None:
        failed.retry_group(inst, group, tally)

    return _launch(call, "failed.retry", [group], {"group": group}, total, work)


def unfail_group(call: Call) -> Done:
    """A-FG2: move the oldest `count` (or all) jobs of the group into `queue`."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"queue", "count", "expected_total"})
    queue = fields.name(call.body, "queue")
    count = call.body.get("count")
    if count is not None:
        count = fields.integer(count, "count", 1)
    group = call.segment("group")
    total = failed.group_total(call.inst, group)
    check_expected(call, total)
    if total == 0:
        raise ApiError.not_found(f"failure group {group!r} is empty")
    wanted = min(total, count) if count is not None else total
    params = {"group": group, "queue": queue, "count": count}
    inst = call.inst

    def work(tally: Tally) -> None:
        failed.unfail_group(inst, group, queue, wanted, tally)

    if wanted > OPERATION_THRESHOLD:
        return _launch(call, "failed.unfail", [group], params, wanted, work)
    tally = Tally(wanted)
    work(tally)
    return _finish(tally, [group], params)


def cancel_group(call: Call) -> Done:
    """A-FG3: cancel every job of the group; over the operator bulk limit, admins only."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"expected_total", "with_dependents"})
    cascade = fields.boolean(call.body, "with_dependents")
    group = call.segment("group")
    total = failed.group_total(call.inst, group)
    check_expected(call, total)
    if total == 0:
        raise ApiError.not_found(f"failure group {group!r} is empty")
    if total > call.settings.bulk_limit(Role.OPERATOR):
        call.require(Role.ADMIN)
    _check_limit(call, total)
    jids = failed.group_jids(call.inst, group, total)
    params = {"group": group, "with_dependents": cascade}
    inst = call.inst

    def work(tally: Tally) -> None:
        failed.cancel_group(inst, jids, tally, with_dependents=cascade)

    if len(jids) > OPERATION_THRESHOLD:
        return _launch(call, "failed.cancel", [group], params, len(jids), work)
    tally = Tally(len(jids))
    work(tally)
    return _finish(tally, [group], params)


def untrack_expired(call: Call) -> Done:
    """A-TR1: untrack every tracked jid whose job no longer exists."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    selection = selectors.resolve(
        call.inst, call.settings, {"tracked_state": "expired"}, selectors.TRACKED_CAP
    )
    jids = selection.collect(selectors.TRACKED_CAP)
    tally = Tally(len(jids))
    for jid in jids:
        try:
            untracked = call.inst.client._run(job_calls.untrack(jid))
        except CoreError as exc:
            tally.error(jid, str(exc))
            continue
        if untracked:
            tally.succeeded()
        else:
            tally.skip(jid, "was not tracked")
    return _finish(tally, jids, {})
