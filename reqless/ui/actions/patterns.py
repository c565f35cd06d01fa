"""Handlers of the queue-pattern saves (A-P1, A-P2; docs/ui.md, Actions).

Both replace a whole set, so the new set is checked in full first (no empty names,
no duplicates, lists of non-empty strings) and nothing is written on an error. The
core keeps a `default` entry in both sets: an identifier set without one gets
`default → ["*"]`, and a priority list without a `["default"]` pattern gets it
appended, so the UI accepts sets without it and says what was stored.
"""

from __future__ import annotations

import json
from typing import Any

from reqless._calls import server as server_calls
from reqless.models import QueuePriorityPattern
from reqless.ui.actions.call import Call, Done
from reqless.ui.errors import ApiError
from reqless.ui.roles import Role

__all__ = ["MAX_PATTERNS", "save_identifiers", "save_priorities"]

MAX_PATTERNS = 1_000


def _pattern_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ApiError.invalid(where, "must be a non-empty list of strings")
    if len(value) > MAX_PATTERNS:
        raise ApiError.invalid(where, f"at most {MAX_PATTERNS} patterns")
    seen: set[str] = set()
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ApiError.invalid(f"{where}[{index}]", "must be a non-empty string")
        if item in seen:
            raise ApiError.invalid(f"{where}[{index}]", f"duplicate pattern {item!r}")
        seen.add(item)
    return value


def _decoded(text: str) -> Any:
    # Legacy keys may hold texts another client wrote; show them rather than fail.
    try:
        return json.loads(text)
    except ValueError:
        return text


def _stored(call: Call) -> dict[str, Any]:
    client = call.inst.client
    identifiers = {
        name: _decoded(text)
        for name, text in client._run(server_calls.identifier_pattern_texts()).items()
    }
    priorities = [_decoded(text) for text in client._run(server_calls.priority_pattern_texts())]
    return {"identifiers": identifiers, "priorities": priorities}


def save_identifiers(call: Call) -> Done:
    """A-P1: replace the identifier patterns; an empty set restores the default."""
    call.require(Role.ADMIN)
    if set(call.body) != {"patterns"}:
        raise ApiError.invalid("patterns", 'the body is {"patterns": {name: [pattern, ...]}}')
    patterns = call.body["patterns"]
    if not isinstance(patterns, dict):
        raise ApiError.invalid("patterns", "must be an object of name -> list of patterns")
    if len(patterns) > MAX_PATTERNS:
        raise ApiError.invalid("patterns", f"at most {MAX_PATTERNS} names")
    checked: dict[str, list[str]] = {}
    stripped: set[str] = set()
    for name, value in patterns.items():
        if not name.strip():
            raise ApiError.invalid("patterns", "names must not be empty")
        if name.strip() in stripped:
            raise ApiError.invalid("patterns", f"duplicate name {name.strip()!r}")
        stripped.add(name.strip())
        checked[name] = _pattern_list(value, f"patterns.{name}")
    call.inst.client._run(server_calls.set_identifier_patterns(checked))
    stored = _stored(call)["identifiers"]
    return Done({"identifiers": stored}, ["identifiers"], {"patterns": patterns})


def save_priorities(call: Call) -> Done:
    """A-P2: replace the priority patterns, in order; `fair` maps to the core's `fairly`."""
    call.require(Role.ADMIN)
    if set(call.body) != {"patterns"}:
        raise ApiError.invalid(
            "patterns", 'the body is {"patterns": [{"pattern": [...], "fair": bool}]}'
        )
    patterns = call.body["patterns"]
    if not isinstance(patterns, list):
        raise ApiError.invalid("patterns", "must be a list of {pattern, fair} objects")
    if len(patterns) > MAX_PATTERNS:
        raise ApiError.invalid("patterns", f"at most {MAX_PATTERNS} entries")
    tiers: list[QueuePriorityPattern] = []
    seen: set[tuple[str, ...]] = set()
    for index, entry in enumerate(patterns):
        where = f"patterns[{index}]"
        if not isinstance(entry, dict) or not set(entry) <= {"pattern", "fair"}:
            raise ApiError.invalid(where, 'must be {"pattern": [...], "fair": bool}')
        pattern = _pattern_list(entry.get("pattern"), f"{where}.pattern")
        fair = entry.get("fair", False)
        if not isinstance(fair, bool):
            raise ApiError.invalid(f"{where}.fair", "must be true or false")
        if tuple(pattern) in seen:
            raise ApiError.invalid(where, f"duplicate pattern list {pattern}")
        seen.add(tuple(pattern))
        tiers.append(QueuePriorityPattern(pattern, should_distribute_fairly=fair))
    call.inst.client._run(server_calls.set_priority_patterns(tiers))
    stored = [
        {"pattern": item.get("pattern", []), "fair": bool(item.get("fairly", False))}
        if isinstance(item, dict)
        else {"raw": item}
        for item in _stored(call)["priorities"]
    ]
    return Done({"priorities": stored}, ["priorities"], {"patterns": patterns})
