"""The JSON action endpoints (docs/ui.md, Actions) plus the operations and audit reads.

Every action endpoint reads its JSON body, checks the minimum role of its route
before anything else, then runs its handler (reqless/ui/actions/) in the thread
pool. A handler that succeeds gets one audit record (docs/ui.md, Audit trail); a core error gets one
too, since the core may have changed something before failing, and passes through
as 422 `core_error`. Rejected requests (400, 403, 404, 409, 413, 429) change
nothing and are not audited.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reqless.exceptions import CoreError
from reqless.ui.actions import (
    admin,
    batches,
    bulk_handlers,
    groups,
    job_handlers,
    operations,
    patterns,
    queues,
    recurring,
    throttles,
)
from reqless.ui.actions import body as fields
from reqless.ui.actions.call import Call, Done
from reqless.ui.errors import ApiError
from reqless.ui.http import audit, context, paging, paths, security
from reqless.ui.roles import Role
from reqless.ui.state import UIState

__all__ = ["routes", "shutdown"]

Handler = Callable[[Call], Done]
Endpoint = Callable[[Request], Awaitable[Response]]

API = "/api/v1"

logger = logging.getLogger("reqless.ui")


def _targets_of(request: Request) -> list[str]:
    return [paths.segment(request, key) for key in request.path_params if key != "instance"]


def _record_failure(request: Request, action: str, body: fields.Body, exc: Exception) -> None:
    """A failure after the handler began acting: part of the change may be done."""
    what = "core_error" if isinstance(exc, CoreError) else f"error: {type(exc).__name__}"
    try:
        audit.record(request, action, _targets_of(request), body, f"{what}: {exc}")
    except Exception:  # e.g. Redis is down: the original error is what the caller needs
        logger.exception("audit record of a failed %s not written", action)


def _execute(request: Request, action: str, handler: Handler, body: fields.Body) -> Response:
    call = Call(request, body)
    try:
        done = handler(call)
    except ApiError:
        raise  # refused before anything was written
    except Exception as exc:
        _record_failure(request, action, body, exc)
        raise
    if done.audit:
        audit.record(request, action, done.targets, done.params, "ok", done.counts)
    return security.json_response(done.body, status_code=done.status)


def _action(action: str, handler: Handler, minimum: Role) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        context.require(request, minimum)
        body = await fields.read(request)
        return await run_in_threadpool(_execute, request, action, handler, body)

    endpoint.__name__ = action.replace(".", "_").replace("-", "_")
    return endpoint


# (method, path, action id, handler, minimum role of the route)
_O, _A = Role.OPERATOR, Role.ADMIN
_TABLE: list[tuple[str, str, str, Handler, Role]] = [
    ("POST", "/jobs/bulk", "bulk", bulk_handlers.bulk_jobs, _O),
    ("POST", "/jobs/{jid}/retry", "A-J1", job_handlers.retry, _O),
    ("POST", "/jobs/{jid}/move", "A-J2", job_handlers.move, _O),
    ("POST", "/jobs/{jid}/cancel", "A-J3", job_handlers.cancel, _O),
    ("PUT", "/jobs/{jid}/priority", "A-J4", job_handlers.priority, _O),
    ("POST", "/jobs/{jid}/tags", "A-J5", job_handlers.add_tags, _O),
    ("DELETE", "/jobs/{jid}/tags/{tag}", "A-J6", job_handlers.remove_tag, _O),
    ("POST", "/jobs/{jid}/track", "A-J7", job_handlers.track, _O),
    ("DELETE", "/jobs/{jid}/track", "A-J8", job_handlers.untrack, _O),
    ("POST", "/jobs/{jid}/timeout", "A-J9", job_handlers.timeout, _O),
    ("POST", "/jobs/{jid}/free-unique", "A-J13", job_handlers.free_unique, _O),
    ("POST", "/jobs/{jid}/requeue-with-data", "A-J10", job_handlers.requeue_with_data, _A),
    ("DELETE", "/jobs/{jid}/dependencies/{dep}", "A-J11", job_handlers.remove_dependency, _O),
    ("DELETE", "/jobs/{jid}/dependencies", "A-J11", job_handlers.remove_dependency, _O),
    ("POST", "/jobs/{jid}/dependencies", "A-J12", job_handlers.add_dependencies, _O),
    ("PATCH", "/recurring/{jid}", "A-R1", recurring.update, _O),
    ("POST", "/recurring/{jid}/move", "A-R2", recurring.move, _O),
    ("POST", "/recurring/{jid}/tags", "A-R3", recurring.add_tags, _O),
    ("DELETE", "/recurring/{jid}/tags/{tag}", "A-R3", recurring.remove_tag, _O),
    ("DELETE", "/recurring/{jid}", "A-R4", recurring.delete, _O),
    ("POST", "/recurring/{jid}/pause", "A-R5", recurring.pause, _O),
    ("POST", "/recurring/{jid}/resume", "A-R6", recurring.resume, _O),
    ("POST", "/queues/bulk", "queues.bulk", queues.bulk, _O),
    ("POST", "/queues/{queue}/pause", "A-Q1", queues.pause, _O),
    ("POST", "/queues/{queue}/resume", "A-Q2", queues.resume, _O),
    ("DELETE", "/queues/{queue}", "A-Q5", queues.forget, _A),
    ("PUT", "/queues/{queue}/throttle", "A-T1", queues.set_throttle_of, _A),
    ("DELETE", "/queues/{queue}/throttle/rate", "A-T5", queues.clear_throttle_rate_of, _A),
    ("PUT", "/queues/{queue}/groups/{group}/weight", "A-G1", groups.set_weight, _O),
    ("PUT", "/queues/{queue}/settings", "A-C1", queues.settings, _A),
    ("POST", "/failed/{group}/retry", "A-FG1", bulk_handlers.retry_group, _O),
    ("POST", "/failed/{group}/unfail", "A-FG2", bulk_handlers.unfail_group, _O),
    ("POST", "/failed/{group}/cancel", "A-FG3", bulk_handlers.cancel_group, _O),
    ("POST", "/tracked/untrack-expired", "A-TR1", bulk_handlers.untrack_expired, _O),
    ("POST", "/batches/{id}/cancel", "A-B1", batches.cancel_rest, _O),
    ("POST", "/batches/{id}/close", "A-B2", batches.close, _O),
    ("PUT", "/throttles/{id}", "A-T1", throttles.update, _A),
    ("DELETE", "/throttles/{id}", "A-T3", throttles.delete, _A),
    ("DELETE", "/throttles/{id}/rate", "A-T5", throttles.clear_rate, _A),
    ("PUT", "/config/{key}", "A-C1", admin.config_set, _A),
    ("DELETE", "/config/{key}", "A-C2", admin.config_unset, _A),
    ("PUT", "/queue-patterns/identifiers", "A-P1", patterns.save_identifiers, _A),
    ("PUT", "/queue-patterns/priorities", "A-P2", patterns.save_priorities, _A),
    ("DELETE", "/workers/{worker}", "A-W1", admin.forget_worker, _A),
    ("POST", "/workers/forget-stale", "A-W2", admin.forget_stale, _A),
]


async def list_operations(request: Request) -> Response:
    """`GET /operations`: this instance's running and recent operations."""
    context.require(request, Role.VIEWER)
    name = context.instance(request).name
    items = [op for op in operations.list_operations(context.ui(request)) if op["instance"] == name]
    return security.json_response({"items": items})


def _operation(request: Request) -> operations.Operation:
    op = operations.registry(context.ui(request)).get(paths.segment(request, "id"))
    if op is None or op.actor.instance.name != context.instance(request).name:
        raise ApiError.not_found("no such operation (operations do not survive a restart)")
    return op


async def get_operation(request: Request) -> Response:
    """`GET /operations/{id}`: progress (docs/ui.md, Actions)."""
    context.require(request, Role.VIEWER)
    return security.json_response(_operation(request).view())


async def stop_operation(request: Request) -> Response:
    """`DELETE /operations/{id}`: stop after the current chunk."""
    context.require(request, Role.OPERATOR)
    body = await fields.read(request)
    fields.only(body, set())
    op = _operation(request)
    operations.stop(op)
    audit.record(request, "operation.stop", [op.id], {"action": op.action}, "ok")
    return security.json_response(op.view(), status_code=202)


def _audit_page(request: Request) -> Response:
    state = context.ui(request)
    if not state.settings.audit_redis:
        raise ApiError.not_found("the audit trail is kept in Redis only with --audit-redis")
    context.require(request, Role.ADMIN)
    query = request.query_params
    pg = paging.page(query)
    found = audit.read(
        context.instance(request),
        user=query.get("user", ""),
        action=query.get("action", ""),
        target=query.get("target", ""),
    )
    items = found[pg.offset : pg.offset + pg.limit]
    return security.json_response(paging.list_response(items, pg, len(found)))


async def audit_records(request: Request) -> Response:
    """`GET /audit?user=&action=&target=&offset&limit` (admins, --audit-redis only)."""
    return await run_in_threadpool(_audit_page, request)


def routes() -> list[BaseRoute]:
    made: list[BaseRoute] = [
        Route(API + path, _action(action, handler, role), methods=[method])
        for method, path, action, handler, role in _TABLE
    ]
    made += [
        Route(API + "/operations", list_operations, methods=["GET"]),
        Route(API + "/operations/{id}", get_operation, methods=["GET"]),
        Route(API + "/operations/{id}", stop_operation, methods=["DELETE"]),
        Route(API + "/audit", audit_records, methods=["GET"]),
    ]
    return made


def shutdown(state: UIState) -> None:
    """Stop running operations (app shutdown)."""
    operations.shutdown(state)
