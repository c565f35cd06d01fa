"""Throttles: every queue and named throttle and one throttle's job lists.

Named throttles have no registry: they are found by scanning `ql:th:*` (capped,
cached 60 s); a per-key throttle that a template defines has no settings key, and
is found by its locks, pending or starts-log key while it is in use. Values
(maximum, in use, pending, expiry, rate window) are read for the rows shown, so
they stay current.
"""

from __future__ import annotations

from typing import Any

from reqless._calls import server as server_calls
from reqless.keys import KeySpace
from reqless.ui.errors import ApiError
from reqless.ui.http.paging import Page, list_response
from reqless.ui.reads.rows import as_list, load_rows, number
from reqless.ui.reads.shapes import Throttle, ThrottleMembership
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = [
    "DISCOVERY_TTL_S",
    "LISTS",
    "discover",
    "membership",
    "throttle_detail",
    "throttle_info",
    "throttles",
]

DISCOVERY_TTL_S = 60.0
SCAN_CAP = 10_000
LISTS = ("locks", "pending")
_QUEUE_PREFIX = KeySpace.queue_throttle_id("")


def throttle_info(inst: Instance, tid: str) -> Throttle:
    """The Throttle shape, plus `expired_holding` (never a raw TTL code).

    `expired_holding`: the settings are gone (expired or deleted) while jobs still
    wait in the pending set; they stay blocked until something releases them.
    A throttle with a rate window has `rate`, `per`, `used` (starts in the window
    now) and, while the window is full, `reopens_at`; one without a definition of
    its own that a template defines names it in `template` (docs/concepts.md).
    """
    got = inst.client._run(server_calls.throttle_get(tid))
    space = inst.client.keys
    pipe = inst.client.database.pipeline(transaction=False)
    pipe.zcard(space.throttle_locks(tid))
    pipe.zcard(space.throttle_pending(tid))
    in_use, pending = (int(n) for n in pipe.execute())
    ttl = int(number(got.get("ttl")) or -2)
    template = got.get("template")
    rate = number(got.get("rate"))
    return {
        "id": tid,
        "kind": "queue" if tid.startswith(_QUEUE_PREFIX) else "named",
        "queue": tid[len(_QUEUE_PREFIX) :] if tid.startswith(_QUEUE_PREFIX) else None,
        "maximum": int(number(got.get("maximum")) or 0),
        "in_use": in_use,
        "pending": pending,
        "expires_in_s": ttl if ttl >= 0 else None,
        # A throttle defined by a template stores nothing of its own.
        "exists": ttl != -2 or template is not None,
        "expired_holding": ttl == -2 and template is None and pending > 0,
        "rate": int(rate) if rate else None,
        "per": number(got.get("per")) if rate else None,
        "used": int(number(got.get("used")) or 0) if rate else None,
        "reopens_at": number(got.get("reopens")) if rate else None,
        "template": str(template) if template is not None else None,
    }


def membership(inst: Instance, tid: str, jid: str) -> ThrottleMembership:
    """Whether `jid` holds a slot of the throttle or waits for one."""
    space = inst.client.keys
    pipe = inst.client.database.pipeline(transaction=False)
    pipe.zscore(space.throttle_locks(tid), jid)
    pipe.zscore(space.throttle_pending(tid), jid)
    holding, waiting = pipe.execute()
    return {"holding": holding is not None, "waiting": waiting is not None}


def _scan(inst: Instance, cap: int) -> tuple[list[str], int, bool]:
    """Throttle ids found under the instance's `ql:th:*`, keys examined, and whether
    the cap was hit."""
    database = inst.client.database
    prefix = inst.client.keys.THROTTLE_PREFIX
    keys: list[str] = []
    capped = False
    for key in database.scan_iter(match=f"{prefix}*", count=1000):
        if len(keys) >= cap:
            capped = True
            break
        keys.append(key)
    pipe = database.pipeline(transaction=False)
    for key in keys:
        pipe.type(key)
    ids: set[str] = set()
    for key, kind in zip(keys, pipe.execute(), strict=True):
        tid = key[len(prefix) :]
        # The locks and pending sets are sorted sets; the settings a hash. A
        # throttle may itself be named `x-locks`, so the type decides.
        if kind == "zset":
            for suffix in ("-locks", "-pending", "-starts"):
                if tid.endswith(suffix):
                    tid = tid[: -len(suffix)]
                    break
        ids.add(tid)
    return sorted(ids), len(keys), capped


def discover(inst: Instance, cap: int = SCAN_CAP, fresh: bool = False) -> dict[str, Any]:
    """Every throttle id: each known queue's own, and those found by the capped scan."""

    def compute() -> dict[str, Any]:
        found, scanned, capped = _scan(inst, cap)
        queues = as_list(inst.client._run(server_calls.queue_names()))
        queue_ids = [f"{_QUEUE_PREFIX}{name}" for name in queues]
        named = [tid for tid in found if not tid.startswith(_QUEUE_PREFIX)]
        extra_queue_ids = [t for t in found if t.startswith(_QUEUE_PREFIX) and t not in queue_ids]
        return {
            "ids": [*queue_ids, *extra_queue_ids, *named],
            "scanned_keys": scanned,
            "capped": capped,
        }

    found: dict[str, Any] = inst.cache.get(("throttles", cap), DISCOVERY_TTL_S, compute, fresh)
    return found


def throttles(
    inst: Instance, page: Page | None = None, *, cap: int = SCAN_CAP, fresh: bool = False
) -> dict[str, Any]:
    """A page of all throttles (queue throttles first), with the scan's cap flags."""
    page = page or Page(0, 500)
    found = discover(inst, cap, fresh)
    ids: list[str] = found["ids"]
    items = [throttle_info(inst, tid) for tid in ids[page.offset : page.offset + page.limit]]
    return {
        **list_response(items, page, len(ids)),
        "scanned_keys": found["scanned_keys"],
        "capped": found["capped"],
        "scan_cap": cap,
    }


def throttle_detail(
    inst: Instance, settings: UISettings, tid: str, list_name: str, page: Page
) -> dict[str, Any]:
    """One throttle and a page of the jobs holding its locks or pending on it.

    The page is read by rank from the locks or pending set (bounded), in the
    core's order: locks by jid, pending by waiting time.
    """
    if list_name not in LISTS:
        raise ApiError.invalid("list", "must be locks or pending")
    info = throttle_info(inst, tid)
    space = inst.client.keys
    key = space.throttle_locks(tid) if list_name == "locks" else space.throttle_pending(tid)
    jids = [
        str(j) for j in inst.client.database.zrange(key, page.offset, page.offset + page.limit - 1)
    ]
    rows, _missing = load_rows(inst, settings, jids)
    by_jid = {row["jid"]: row for row in rows}
    items = [by_jid.get(jid) or {"kind": "expired", "jid": jid} for jid in jids]
    total = info["in_use"] if list_name == "locks" else info["pending"]
    return {"throttle": info, "list": list_name, "jobs": list_response(items, page, total)}
