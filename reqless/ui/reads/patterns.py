"""Queue patterns: the stored sets and a preview of what they expand to.

The preview uses the workers' own expansion (`reqless.queue_resolvers`), so it
shows exactly the queues a worker started with `@name` would poll now.
"""

from __future__ import annotations

import json
from typing import Any

from reqless._calls import server as server_calls
from reqless.models import QueuePriorityPattern
from reqless.queue_resolvers import (
    DynamicMappingQueueIdentifiersTransformer,
    DynamicPriorityQueueIdentifiersTransformer,
)
from reqless.ui.errors import ApiError
from reqless.ui.reads.rows import as_list
from reqless.ui.state import Instance

__all__ = ["parse_identifiers", "parse_priorities", "patterns", "preview"]


def _strings(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ApiError.invalid(name, "must be a list of non-empty strings")
    return list(value)


def parse_identifiers(text: str | None) -> dict[str, list[str]] | None:
    """`{"name": ["q1", "q*", "!q2"]}` from JSON text; None when not given."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise ApiError.invalid("identifiers", "is not valid JSON") from None
    if not isinstance(value, dict):
        raise ApiError.invalid("identifiers", "must be a JSON object of name -> list")
    out = {}
    for name, items in value.items():
        if not name:
            raise ApiError.invalid("identifiers", "names must not be empty")
        out[name] = _strings("identifiers", items)
    return out


def parse_priorities(text: str | None) -> list[QueuePriorityPattern] | None:
    """`[{"pattern": ["q*"], "fair": bool}, ...]` from JSON text; None when not given."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise ApiError.invalid("priorities", "is not valid JSON") from None
    if not isinstance(value, list):
        raise ApiError.invalid("priorities", "must be a JSON list")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise ApiError.invalid("priorities", 'items must be {"pattern": [...], "fair": bool}')
        fair = item.get("fair", item.get("fairly", False))
        if not isinstance(fair, bool):
            raise ApiError.invalid("priorities", "fair must be true or false")
        out.append(QueuePriorityPattern(_strings("priorities", item.get("pattern")), fair))
    return out


def _priorities_shape(items: list[QueuePriorityPattern]) -> list[dict[str, Any]]:
    return [{"pattern": list(p.patterns), "fair": p.should_distribute_fairly} for p in items]


def preview(
    inst: Instance,
    identifiers: dict[str, list[str]] | None,
    priorities: list[QueuePriorityPattern] | None,
) -> dict[str, Any]:
    """What proposed (or, for None, the stored) patterns expand to against the known queues.

    Fair tiers are shown in stored order: a worker shuffles them on every pass.
    """
    stored = inst.client.queue_patterns
    mapping = stored.get_queue_identifier_patterns() if identifiers is None else identifiers
    tiers = stored.get_queue_priority_patterns() if priorities is None else priorities
    known = [str(q) for q in as_list(inst.client._run(server_calls.queue_names()))]
    resolve = DynamicMappingQueueIdentifiersTransformer.resolve_queue_names
    expanded = {name: resolve(mapping, known, [f"@{name}"]) for name in mapping}
    unshuffled = [QueuePriorityPattern(list(t.patterns), False) for t in tiers]
    order = DynamicPriorityQueueIdentifiersTransformer.prioritize_queues(known, unshuffled)
    return {"identifiers": expanded, "order": order, "queues": known}


def patterns(inst: Instance) -> dict[str, Any]:
    """Both stored pattern sets and their expansion now."""
    stored = inst.client.queue_patterns
    identifiers = stored.get_queue_identifier_patterns()
    priorities = stored.get_queue_priority_patterns()
    return {
        "identifiers": identifiers,
        "priorities": _priorities_shape(priorities),
        "preview": preview(inst, identifiers, priorities),
    }
