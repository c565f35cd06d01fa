"""Every state-changing API endpoint (docs/ui.md, Actions), with a valid body and the least
role that may call it, filled in with the names of a `Dataset`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from reqless.ui.roles import Role
from tests.ui.browser.dataset import Dataset

__all__ = ["Mutation", "mutations"]

OP = Role.OPERATOR
AD = Role.ADMIN


@dataclass(frozen=True)
class Mutation:
    method: str
    path: str
    body: Any
    role: Role
    action: str

    def __str__(self) -> str:
        return f"{self.action} {self.method} {self.path}"


def _s(value: str) -> str:
    """One percent-encoded path segment (`/` included)."""
    return quote(value, safe="")


def mutations(data: Dataset, api: str = "/api/v1") -> list[Mutation]:
    """Every mutation endpoint, aimed at real objects of `data`."""
    n = data.names
    failed = _s(data.failed[0])
    waiting = _s(data.waiting[2])
    running = _s(data.running)
    child = _s(data.depends_child)
    parent = _s(data.depends_parent)
    recurring = _s(data.recurring)
    queue = _s(n.queue)
    group = _s(n.group)
    count = len(data.failed)
    rows: list[tuple[str, str, Any, Role, str]] = [
        ("POST", f"/jobs/{failed}/retry", {}, OP, "A-J1"),
        ("POST", f"/jobs/{waiting}/move", {"queue": n.other_queue}, OP, "A-J2"),
        ("POST", f"/jobs/{waiting}/cancel", {}, OP, "A-J3"),
        ("PUT", f"/jobs/{waiting}/priority", {"priority": 25}, OP, "A-J4"),
        ("POST", f"/jobs/{waiting}/tags", {"tags": ["added"]}, OP, "A-J5"),
        ("DELETE", f"/jobs/{waiting}/tags/{_s(n.tag)}", {}, OP, "A-J6"),
        ("POST", f"/jobs/{waiting}/track", {}, OP, "A-J7"),
        ("DELETE", f"/jobs/{_s(data.tracked)}/track", {}, OP, "A-J8"),
        ("POST", f"/jobs/{running}/timeout", {}, OP, "A-J9"),
        (
            "POST",
            f"/jobs/{failed}/requeue-with-data",
            {"data": {"edited": True}, "expected_data_sha256": "0" * 64},
            AD,
            "A-J10",
        ),
        ("DELETE", f"/jobs/{child}/dependencies/{parent}", {}, OP, "A-J11"),
        ("DELETE", f"/jobs/{child}/dependencies", {}, OP, "A-J11"),
        ("POST", f"/jobs/{child}/dependencies", {"jids": [data.waiting[3]]}, OP, "A-J12"),
        ("PATCH", f"/recurring/{recurring}", {"interval_s": 60}, AD, "A-R1"),
        ("PATCH", f"/recurring/{recurring}", {"priority": 5}, OP, "A-R1 priority"),
        ("POST", f"/recurring/{recurring}/move", {"queue": n.other_queue}, OP, "A-R2"),
        ("POST", f"/recurring/{recurring}/tags", {"tags": ["added"]}, OP, "A-R3"),
        ("DELETE", f"/recurring/{recurring}/tags/{_s(n.tag)}", {}, OP, "A-R3"),
        ("POST", f"/recurring/{recurring}/pause", {}, OP, "A-R5"),
        ("POST", f"/recurring/{recurring}/resume", {}, OP, "A-R6"),
        ("DELETE", f"/recurring/{recurring}", {}, OP, "A-R4"),
        ("POST", f"/queues/{queue}/pause", {}, OP, "A-Q1"),
        ("POST", f"/queues/{queue}/resume", {}, OP, "A-Q2"),
        ("POST", "/queues/bulk", {"action": "pause", "queues": [n.queue]}, OP, "A-Q1 bulk"),
        ("DELETE", f"/queues/{queue}", {"force": True}, AD, "A-Q5"),
        ("PUT", f"/queues/{queue}/throttle", {"maximum": 3}, AD, "A-T1 queue"),
        ("PUT", f"/queues/{queue}/throttle", {"rate": 10, "per": 60}, AD, "A-T4 queue"),
        ("DELETE", f"/queues/{queue}/throttle/rate", {}, AD, "A-T5 queue"),
        ("PUT", f"/queues/{queue}/groups/fair-1/weight", {"weight": 3}, OP, "A-G1"),
        ("PUT", f"/queues/{queue}/settings", {"heartbeat": 120}, AD, "A-C1 queue"),
        ("POST", f"/failed/{group}/retry", {"expected_total": count}, OP, "A-FG1"),
        (
            "POST",
            f"/failed/{group}/unfail",
            {"queue": n.other_queue, "expected_total": count},
            OP,
            "A-FG2",
        ),
        ("POST", f"/failed/{group}/cancel", {"expected_total": count}, OP, "A-FG3"),
        ("POST", "/tracked/untrack-expired", {}, OP, "A-TR1"),
        ("PUT", f"/throttles/{_s(n.throttle)}", {"maximum": 5}, AD, "A-T1"),
        ("PUT", f"/throttles/{_s(n.throttle)}", {"rate": 10, "per": 60}, AD, "A-T4"),
        ("DELETE", f"/throttles/{_s(n.throttle)}/rate", {}, AD, "A-T5"),
        ("DELETE", f"/throttles/{_s(n.throttle)}", {}, AD, "A-T3"),
        ("PUT", "/config/heartbeat", {"value": 90}, AD, "A-C1"),
        ("DELETE", f"/config/{_s(n.config_key)}", {}, AD, "A-C2"),
        ("PUT", "/queue-patterns/identifiers", {"patterns": {"x": ["q*"]}}, AD, "A-P1"),
        (
            "PUT",
            "/queue-patterns/priorities",
            {
                "patterns": [
                    {"pattern": ["q*"], "fair": False},
                    {"pattern": ["default"], "fair": False},
                ]
            },
            AD,
            "A-P2",
        ),
        ("DELETE", f"/workers/{_s(n.worker)}", {}, AD, "A-W1"),
        ("POST", "/workers/forget-stale", {}, AD, "A-W2"),
        ("POST", "/jobs/bulk", {"action": "track", "jids": [data.waiting[4]]}, OP, "bulk"),
    ]
    return [
        Mutation(method, api + path, body, role, action)
        for method, path, body, role, action in rows
    ]
