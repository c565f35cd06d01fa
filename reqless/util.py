"""Small helpers shared by the job and worker code."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

__all__ = ["as_list", "import_class", "read_timeout"]


def import_class(klass: str) -> Any:
    """Import `package.module.Class` and return the class (no reload bookkeeping)."""
    module_name, _, class_name = klass.rpartition(".")
    if not module_name:
        raise ValueError(f"not a dotted class path: {klass!r}")
    module = importlib.import_module(module_name)
    return getattr(module, class_name)


def as_list(value: Any) -> list[Any]:
    """A list from the core's JSON: it writes empty lists nested in objects as `{}`."""
    return list(value) if isinstance(value, list) else []


def read_timeout(redis: Any) -> float | None:
    """The socket timeout of `redis`'s connections (None: none, or not known)."""
    pool = getattr(redis, "connection_pool", None)
    kwargs = getattr(pool, "connection_kwargs", None)
    if pool is None or kwargs is None:
        return None  # a cluster client: its nodes have their own
    if "socket_timeout" in kwargs:
        return kwargs["socket_timeout"]  # type: ignore[no-any-return]
    # Not given: redis-py's own default (5 s in redis-py 5 to 8), on the connection
    # class or the base class that takes it.
    classes: tuple[type, ...] = getattr(pool, "connection_class", object).__mro__
    for klass in classes:
        parameter = inspect.signature(vars(klass).get("__init__", object)).parameters.get(
            "socket_timeout"
        )
        if parameter is not None:
            return parameter.default  # type: ignore[no-any-return]
    return None
