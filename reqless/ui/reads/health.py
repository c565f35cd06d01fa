"""Redis health for the overview strip and the About page.

Reads `INFO` and `CONFIG GET maxmemory-policy` (which managed servers may refuse;
then the policy comes from INFO, else reads "unknown").
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from redis.exceptions import ResponseError

from reqless.ui.state import Instance

__all__ = ["core_version", "redis_health", "ui_version"]


def ui_version() -> str:
    """The installed version of the reqless package (the UI ships inside it)."""
    try:
        return metadata.version("reqless")
    except metadata.PackageNotFoundError:
        return "unknown"


def core_version(inst: Instance) -> dict[str, str]:
    """The core script this UI runs: its digest and the function library name."""
    # The script the client's gateway runs; the UI never imports the gateway.
    script = inst.client._runner.script
    return {"sha": script.sha, "library": script.library_name}


def _policy(inst: Instance, info: dict[str, Any]) -> str:
    try:
        reply = inst.client.database.config_get("maxmemory-policy")
        if reply.get("maxmemory-policy"):
            return str(reply["maxmemory-policy"])
    except ResponseError:
        pass  # CONFIG may be disabled or renamed on managed servers
    return str(info.get("maxmemory_policy") or "unknown")


def redis_health(inst: Instance) -> dict[str, Any]:
    """Version, mode, uptime, clients, memory, eviction policy and persistence."""
    info: dict[str, Any] = inst.client.node.info()
    maxmemory = int(info.get("maxmemory", 0) or 0)
    policy = _policy(inst, info)
    server = (
        "valkey" if info.get("valkey_version") or info.get("server_name") == "valkey" else "redis"
    )
    return {
        "reachable": True,
        "url": inst.url,
        "server": server,
        "version": str(info.get("valkey_version") or info.get("redis_version") or "unknown"),
        "redis_version": str(info.get("redis_version", "unknown")),
        "mode": str(info.get("redis_mode", "standalone")),
        "uptime_s": int(info.get("uptime_in_seconds", 0) or 0),
        "connected_clients": int(info.get("connected_clients", 0) or 0),
        "used_memory": int(info.get("used_memory", 0) or 0),
        "used_memory_human": str(info.get("used_memory_human", "")),
        "maxmemory": maxmemory,
        "eviction_policy": policy,
        # Jobs can silently disappear when Redis may evict keys.
        "eviction_warning": maxmemory > 0 and policy != "noeviction",
        "persistence": {
            "aof_enabled": bool(int(info.get("aof_enabled", 0) or 0)),
            "rdb_last_save_at": info.get("rdb_last_save_time"),
            "rdb_last_status": info.get("rdb_last_bgsave_status"),
            "rdb_changes_since_save": info.get("rdb_changes_since_last_save"),
            "aof_last_status": info.get("aof_last_write_status"),
        },
    }
