"""Reading jobs from a JSON-lines file for `reqless put-many`.

One JSON object per line (blank lines are skipped), holding `Queue.put`'s
arguments: `klass` (required), `data` (any JSON value, default `{}`), `queue`
(default: the command's `--queue`), `priority`, `delay`, `retries`, `jid`,
`tags`, `depends`, `throttles`, `group`, and for a unique job `unique`, `on_conflict`,
`unique_until`, `unique_for`. Every line is checked before anything is put.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reqless import _validate
from reqless._calls.queue import group_name, unique_options
from reqless._validate import ArgumentError
from reqless.cli.admin.params import reject_constant

__all__ = ["FIELDS", "BadLine", "JobLine", "read_jobs"]

#: The fields a line may hold.
FIELDS = (
    "queue", "klass", "data", "priority", "delay", "retries", "jid", "tags", "depends",
    "throttles", "group", "unique", "on_conflict", "unique_until", "unique_for",
)  # fmt: skip


#: The fields of a unique job (checked as `Queue.put` checks them).
UNIQUE = ("unique", "on_conflict", "unique_until", "unique_for")


@dataclass(frozen=True, slots=True)
class JobLine:
    """A valid line: the queue to put into and `Queue.put_many`'s item."""

    number: int
    queue: str
    item: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that cannot be put, and why."""

    number: int
    problem: str


class _Problem(Exception):
    """What is wrong with one line (caught per line)."""


def _name(line: dict[str, Any], key: str) -> str | None:
    value = line.get(key)
    if value is None and key not in line:
        return None
    if not isinstance(value, str) or not value:
        raise _Problem(f'"{key}" must be a non-empty string, not {json.dumps(value)}')
    return value


def _number(line: dict[str, Any], key: str, minimum: float | None = None) -> int | float | None:
    if key not in line:
        return None
    value = line[key]
    good = isinstance(value, int | float) and not isinstance(value, bool)
    if not good or not math.isfinite(value) or (minimum is not None and value < minimum):
        wanted = "a number" if minimum is None else f"a number >= {minimum:g}"
        raise _Problem(f'"{key}" must be {wanted}, not {json.dumps(value)}')
    return value  # type: ignore[no-any-return]


def _names(line: dict[str, Any], key: str) -> list[str] | None:
    if key not in line:
        return None
    value = line[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _Problem(f'"{key}" must be a list of non-empty strings, not {json.dumps(value)}')
    return value


def _group(line: dict[str, Any]) -> str | None:
    if "group" not in line:
        return None
    try:
        return group_name(line["group"])
    except ArgumentError:
        raise _Problem(
            '"group" must be 1 to 256 characters without control characters, not '
            f"{json.dumps(line['group'])}"
        ) from None


def _retries(line: dict[str, Any]) -> int | None:
    if "retries" not in line:
        return None
    value = line["retries"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Problem(f'"retries" must be a whole number >= 0, not {json.dumps(value)}')
    return value


def _parse(text: str, default_queue: str | None) -> tuple[str, dict[str, Any]]:
    text = text.rstrip("\r\n")
    try:
        line = json.loads(text, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        raise _Problem(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    except ValueError as exc:  # NaN or Infinity
        raise _Problem(f"not valid JSON ({exc})") from exc
    if not isinstance(line, dict):
        raise _Problem(f"not a JSON object but {type(line).__name__}")
    unknown = sorted(set(line) - set(FIELDS))
    if unknown:
        raise _Problem(f"unknown field(s) {', '.join(map(json.dumps, unknown))}")
    queue = _name(line, "queue") or default_queue
    if queue is None:
        raise _Problem('no "queue" (give one in the line, or --queue for the whole file)')
    klass = _name(line, "klass")
    if klass is None:
        raise _Problem('no "klass" (the dotted path of the job class)')
    try:
        _validate.klass(klass)
    except ArgumentError as exc:
        raise _Problem(f'"klass": {exc}') from exc
    options: dict[str, Any] = {
        "priority": _number(line, "priority"),
        "delay": _number(line, "delay", minimum=0),
        "retries": _retries(line),
        "jid": _name(line, "jid"),
        "tags": _names(line, "tags"),
        "depends": _names(line, "depends"),
        "throttles": _names(line, "throttles"),
        "group": _group(line),
    }
    unique = {key: line[key] for key in UNIQUE if key in line}
    try:
        unique_options(*(line.get(key) for key in UNIQUE))
    except ArgumentError as exc:
        raise _Problem(str(exc)) from exc
    options.update(unique)
    item = {"klass": klass, "data": json.dumps(line.get("data", {}))}
    item.update({key: value for key, value in options.items() if value is not None})
    return queue, item


def read_jobs(
    lines: Iterable[str], default_queue: str | None
) -> tuple[list[JobLine], list[BadLine]]:
    """Check every line; returns the good ones and the bad ones, by line number (from 1)."""
    good: list[JobLine] = []
    bad: list[BadLine] = []
    seen: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            queue, item = _parse(text, default_queue)
            jid = item.get("jid")
            if jid is not None and jid in seen:
                raise _Problem(f"jid {json.dumps(jid)} is already used on line {seen[jid]}")
        except _Problem as exc:
            bad.append(BadLine(number, str(exc)))
            continue
        if jid is not None:
            seen[jid] = number
        good.append(JobLine(number, queue, item))
    return good, bad
