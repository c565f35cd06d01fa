"""Long operations (docs/ui.md, Actions): actions on more than 1,000 jobs, run in the UI process.

Each operation runs in its own daemon thread, started when the operation is, and
keeps a `Tally` that `GET /operations/{id}` and the stream read while it runs. At
most two run at once per process (429 beyond). `DELETE /operations/{id}` raises the
stop flag, which the work checks between chunks. Finished operations stay listed
for a while; none survive a restart, and the audit record says what was done.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reqless.ui.actions.tally import Tally
from reqless.ui.errors import ApiError
from reqless.ui.http import audit
from reqless.ui.state import UIState

__all__ = [
    "MAX_RUNNING",
    "Operation",
    "Operations",
    "list_operations",
    "registry",
    "shutdown",
    "start",
    "stop",
]

logger = logging.getLogger("reqless.ui")

MAX_RUNNING = 2
#: Finished operations kept for `GET /operations`.
KEEP_FINISHED = 50
#: Skipped and error entries shown per operation in the list (the detail has more).
LISTED_IN_SUMMARY = 20
_PART = "operations"

Work = Callable[[Tally], None]


@dataclass
class Operation:
    """One long action and its progress."""

    id: str
    action: str
    actor: audit.Actor
    targets: list[str]
    params: dict[str, Any]
    tally: Tally
    started_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    state: str = "running"
    message: str | None = None
    thread: threading.Thread | None = None

    def view(self, listed: int = 1_000) -> dict[str, Any]:
        """The operation's public view plus `id`, `action`, `instance`, `user` and `targets`."""
        result = self.tally.result(listed)
        return {
            "id": self.id,
            "action": self.action,
            "instance": self.actor.instance.name,
            "user": self.actor.user,
            "targets": audit.summarise(self.targets),
            "state": self.state,
            "total": self.tally.total,
            **result,
            "message": self.message,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


class Operations:
    """The operations of one UI process (kept in `state.parts["operations"]`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Operation] = {}

    def running(self) -> list[Operation]:
        with self._lock:
            return [op for op in self._items.values() if op.state in ("running", "stopping")]

    def get(self, op_id: str) -> Operation | None:
        with self._lock:
            return self._items.get(op_id)

    def all(self) -> list[Operation]:
        """Newest first."""
        with self._lock:
            return sorted(self._items.values(), key=lambda op: op.started_at, reverse=True)

    def add(self, op: Operation) -> None:
        with self._lock:
            busy = sum(1 for one in self._items.values() if one.state in ("running", "stopping"))
            if busy >= MAX_RUNNING:
                raise ApiError(
                    "rate_limited",
                    f"{busy} operations are running; at most {MAX_RUNNING} run at once",
                    {"running": busy},
                    {"Retry-After": "10"},
                )
            self._items[op.id] = op
            finished = [one for one in self._items.values() if one.finished_at is not None]
            finished.sort(key=lambda one: one.finished_at or 0)
            for old in finished[: max(0, len(finished) - KEEP_FINISHED)]:
                del self._items[old.id]


def registry(state: UIState) -> Operations:
    found = state.parts.get(_PART)
    if found is None:
        found = state.parts.setdefault(_PART, Operations())
    assert isinstance(found, Operations)
    return found


def _run(op: Operation, work: Work) -> None:
    try:
        work(op.tally)
    except Exception as exc:  # a process boundary: the thread must record, not die
        logger.exception("operation %s (%s) failed", op.id, op.action)
        op.message = f"{type(exc).__name__}: {exc}"
        op.state = "failed"
    else:
        op.state = "stopped" if op.tally.stopping else "done"
    op.finished_at = time.time()
    outcome = op.state if op.message is None else f"{op.state}: {op.message}"
    try:
        audit.write(
            op.actor,
            op.action,
            op.targets,
            {**op.params, "operation_id": op.id},
            outcome,
            op.tally.counts(),
        )
    except Exception:  # Redis may be gone; the log line above still says what happened
        logger.exception("operation %s: audit record not written", op.id)


def start(
    state: UIState,
    who: audit.Actor,
    action: str,
    targets: list[str],
    params: dict[str, Any],
    total: int,
    work: Work,
) -> Operation:
    """Start `work` in a background thread; 429 when two are already running."""
    op = Operation(
        id=secrets.token_hex(8),
        action=action,
        actor=who,
        targets=targets,
        params=params,
        tally=Tally(total),
    )
    registry(state).add(op)
    op.thread = threading.Thread(
        target=_run, args=(op, work), name=f"reqless-ui-op-{op.id}", daemon=True
    )
    op.thread.start()
    return op


def stop(op: Operation) -> None:
    """Ask the operation to stop after its current chunk."""
    if op.state == "running":
        op.state = "stopping"
    op.tally.stop()


def list_operations(state: UIState) -> list[dict[str, Any]]:
    """Running and recent operations, newest first (their view plus "id")."""
    return [op.view(LISTED_IN_SUMMARY) for op in registry(state).all()]


def shutdown(state: UIState, timeout: float = 5.0) -> None:
    """Stop every running operation and wait for it (app shutdown)."""
    found = state.parts.get(_PART)
    if not isinstance(found, Operations):
        return
    running = found.running()
    for op in running:
        stop(op)
    deadline = time.monotonic() + timeout
    for op in running:
        if op.thread is not None:
            op.thread.join(max(0.0, deadline - time.monotonic()))
