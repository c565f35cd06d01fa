"""Small helpers shared by the job and worker code."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["as_list", "import_class"]


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
