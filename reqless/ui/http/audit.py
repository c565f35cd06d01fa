"""The audit trail (docs/ui.md, Audit trail): one record per state-changing request.

Each record goes to the logger `reqless.ui.http.audit` as one JSON line and, with
`--audit-redis`, to the capped list `ql:ui:audit` of the request's instance
(newest first, 10,000 kept) — the only key the UI writes outside core commands.
Long operations capture the `Actor` when they start and write their record when
they finish, from their own thread.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError
from starlette.requests import Request

from reqless.ui.http import context
from reqless.ui.reads.redact import redact
from reqless.ui.state import Instance, UIState

__all__ = ["KEEP", "Actor", "actor", "read", "record", "write"]

logger = logging.getLogger("reqless.ui.audit")

KEEP = 10_000
#: Targets listed in full; longer lists keep their first entries and a count.
LISTED_TARGETS = 20
#: Parameters whose JSON is longer than this are summarised (edited payloads).
MAX_PARAM_TEXT = 4096


@dataclass(frozen=True)
class Actor:
    """Who acted, from where, on which instance."""

    user: str
    role: str
    address: str | None
    instance: Instance
    state: UIState


def actor(request: Request) -> Actor:
    who = context.user(request)
    return Actor(
        user=who.name,
        role=who.role.label,
        address=request.client.host if request.client else None,
        instance=context.instance(request),
        state=context.ui(request),
    )


def summarise(targets: Iterable[str]) -> dict[str, Any]:
    """`{"count", "items"}` with at most 20 items."""
    items = list(targets)
    return {"count": len(items), "items": items[:LISTED_TARGETS]}


def _params(params: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    masked, _paths = redact(params, keys)
    out: dict[str, Any] = {}
    for key, value in masked.items():
        text = json.dumps(value, ensure_ascii=False, default=str)
        if len(text) > MAX_PARAM_TEXT:
            out[key] = {"summarised": True, "json_length": len(text)}
        else:
            out[key] = value
    return out


def write(
    who: Actor,
    action: str,
    targets: Iterable[str],
    params: dict[str, Any],
    outcome: str,
    counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Log one record (and push it to Redis with --audit-redis); returns it."""
    entry = {
        "at": time.time(),
        "user": who.user,
        "role": who.role,
        "address": who.address,
        "instance": who.instance.name,
        "action": action,
        "targets": summarise(targets),
        "params": _params(params, who.state.settings.redact_keys),
        "outcome": outcome,
        "counts": counts or {},
    }
    text = json.dumps(entry, ensure_ascii=False, default=str)
    logger.info("%s", text)
    if who.state.settings.audit_redis:
        database = who.instance.client.database
        audit_key = who.instance.client.keys.UI_AUDIT
        try:
            with database.pipeline(transaction=True) as pipe:
                pipe.lpush(audit_key, text)
                pipe.ltrim(audit_key, 0, KEEP - 1)
                pipe.execute()
        except RedisError:
            # The change is done and logged above; failing the request now would
            # make the user repeat an action that already happened.
            logger.exception("audit record not stored in %s", audit_key)
    return entry


def record(
    request: Request,
    action: str,
    targets: Iterable[str],
    params: dict[str, Any],
    outcome: str,
    counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The audit record of one state-changing request (docs/ui.md, Audit trail)."""
    return write(actor(request), action, targets, params, outcome, counts)


def read(
    inst: Instance, *, user: str = "", action: str = "", target: str = ""
) -> list[dict[str, Any]]:
    """Stored records, newest first, filtered (user and action exact, target substring)."""
    found: list[dict[str, Any]] = []
    for text in inst.client.database.lrange(inst.client.keys.UI_AUDIT, 0, KEEP - 1):
        try:
            entry = json.loads(text)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        if user and entry.get("user") != user:
            continue
        if action and entry.get("action") != action:
            continue
        if target and not any(target in str(t) for t in entry.get("targets", {}).get("items", [])):
            continue
        found.append(entry)
    return found
