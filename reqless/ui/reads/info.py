"""About and `GET /info`: versions, Redis highlights, settings, the user."""

from __future__ import annotations

from typing import Any

from reqless.ui.reads.health import core_version, redis_health, ui_version
from reqless.ui.roles import Role, User
from reqless.ui.state import Instance, UIState

__all__ = ["info", "permissions"]


def permissions(state: UIState, user: User) -> dict[str, Any]:
    """What this user may do, so the browser shows only usable controls (docs/ui.md, Roles and
    read-only mode)."""
    role = user.role
    return {
        "view": True,
        "operate": role >= Role.OPERATOR,
        "admin": role >= Role.ADMIN,
        "reveal": role >= Role.ADMIN,
        "bulk_limit": state.settings.bulk_limit(role),
    }


def info(state: UIState, inst: Instance, user: User) -> dict[str, Any]:
    """Versions, Redis INFO highlights, UI settings in effect, and the current user."""
    settings = state.settings
    return {
        "versions": {"ui": ui_version(), "core": core_version(inst)},
        "instance": {"name": inst.name, "names": list(state.instances)},
        "redis": redis_health(inst),
        "settings": {
            "read_only": settings.read_only,
            "auth_mode": settings.auth_mode,
            "refresh_floor_s": settings.refresh_floor,
            "operator_bulk_limit": settings.operator_bulk_limit,
            "admin_bulk_limit": settings.admin_bulk_limit,
            "scan_limit": settings.scan_limit,
            "redact_keys": list(settings.redact_keys),
            "environment_label": settings.environment_label,
            "environment_color": settings.environment_color,
            "metrics": settings.metrics,
            "audit_redis": settings.audit_redis,
            "worker_active_s": settings.worker_active_s,
            "worker_quiet_s": settings.worker_quiet_s,
            "backlog_threshold_s": settings.backlog_threshold_s,
        },
        "user": {"name": user.name, "role": user.role.label, "via": user.via},
        "permissions": permissions(state, user),
        # Core reads such as queue.counts promote scheduled jobs and workers.counts
        # expires workers: read-only mode stops users, not every Redis write.
        "housekeeping_writes": True,
    }
