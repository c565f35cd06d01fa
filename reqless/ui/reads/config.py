"""Configuration: every option with its value, default, source and meaning."""

from __future__ import annotations

from typing import Any

from reqless._calls import config as config_calls
from reqless._calls import server as server_calls
from reqless.ui.reads.rows import as_list
from reqless.ui.state import Instance

__all__ = ["DEFAULTS", "DESCRIPTIONS", "QUEUE_SUFFIXES", "config"]

#: The core's built-in defaults (docs/configuration.md).
DEFAULTS = {
    "application": "reqless",
    "grace-period": "10",
    "heartbeat": "60",
    "jobs-history": "604800",
    "jobs-history-count": "50000",
    "max-job-history": "100",
    "max-pop-retry": "1",
    "max-worker-age": "86400",
}
DESCRIPTIONS = {
    "application": "Name shown in the UI header and title.",
    "grace-period": "Seconds between noticing a lost lock and handing the job to another worker.",
    "heartbeat": "Length in seconds of the lock a pop or heartbeat gives.",
    "jobs-history": "Seconds completed jobs are kept.",
    "jobs-history-count": "Most completed jobs kept.",
    "max-job-history": "Most history entries kept per job (the first one is always kept).",
    "max-pop-retry": "Passes one pop makes over the work set when jobs are throttled.",
    "max-worker-age": "Seconds without a pop after which a worker is forgotten.",
}
#: Per-queue override keys: `<queue>-<suffix>`.
QUEUE_SUFFIXES = ("heartbeat", "max-pop-retry")


def _queue_of(key: str, queues: list[str]) -> tuple[str, str] | None:
    """(queue, option) when `key` overrides an option for a known queue."""
    for suffix in QUEUE_SUFFIXES:
        end = f"-{suffix}"
        if key.endswith(end) and key[: -len(end)] in queues:
            return key[: -len(end)], suffix
    return None


def config(inst: Instance) -> dict[str, Any]:
    """Every option from `config.getAll`; per-queue overrides grouped under their queue.

    The core does not say whether a value equal to its default was set
    explicitly, so such a value reads as `default`.
    """
    values: dict[str, str] = inst.client._run(config_calls.get_all()) or {}
    queues = [str(q) for q in as_list(inst.client._run(server_calls.queue_names()))]
    options: list[dict[str, Any]] = []
    grouped: dict[str, list[dict[str, Any]]] = {}
    for key in sorted(values):
        value = values[key]
        default = DEFAULTS.get(key)
        owner = _queue_of(key, queues)
        item = {
            "key": key,
            "value": value,
            "default": default,
            "source": "default" if default is not None and value == default else "set",
            "description": DESCRIPTIONS.get(key),
        }
        if owner is not None:
            queue, option = owner
            item["option"] = option
            item["description"] = f"Override of {option} for queue {queue}."
            grouped.setdefault(queue, []).append(item)
        else:
            options.append(item)
    return {"options": options, "queues": grouped, "defaults": DEFAULTS}
