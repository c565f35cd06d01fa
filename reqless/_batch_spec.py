"""What a batch is opened with (`client.batch(...)`): its id and callbacks, checked
before anything is written (docs/batches.md)."""

from __future__ import annotations

import inspect
import sys
import uuid
from typing import Any

from reqless._calls.encoding import class_string
from reqless.exceptions import ArgumentError

__all__ = ["callback_spec", "nameable_class", "new_batch_id"]


def new_batch_id() -> str:
    """A random batch id (a uuid4 in hex, as jids are)."""
    return uuid.uuid4().hex


def nameable_class(option: str, value: Any) -> str:
    """The dotted path a worker imports `value` (a class, a function or a path) by.

    A lambda, a nested or a local class has no such path: ArgumentError naming it.
    """
    if isinstance(value, str):
        return class_string(value)
    if not (isinstance(value, type) or inspect.isfunction(value)):
        raise ArgumentError(f"{option} class must be a class or its dotted path, not {value!r}")
    qualname: str = getattr(value, "__qualname__", "")
    name: str = getattr(value, "__name__", "")
    module = sys.modules.get(value.__module__)
    if "." in qualname or "<" in qualname or getattr(module, name, None) is not value:
        raise ArgumentError(
            f"{option} class {value.__module__}.{qualname} cannot be named: a batch callback "
            "must be a class (or function) defined at the top level of a module, which a "
            "worker can import; not a lambda, a nested or a local one"
        )
    return class_string(f"{value.__module__}.{name}")


def callback_spec(option: str, value: Any) -> dict[str, Any] | None:
    """`(klass, data, queue)` or `(klass, data, queue, priority)` as the mapping
    `batch.open` takes, or None for None."""
    if value is None:
        return None
    if not isinstance(value, tuple | list) or len(value) not in (3, 4):
        raise ArgumentError(
            f"{option} must be (klass, data, queue) or (klass, data, queue, priority), "
            f"not {value!r}"
        )
    klass, data, queue, *rest = value
    spec: dict[str, Any] = {"klass": nameable_class(option, klass), "queue": queue, "data": data}
    if rest:
        spec["priority"] = rest[0]
    return spec
