"""Import job classes by dotted path, re-importing a module when its file changes."""

from __future__ import annotations

import importlib
import os
import threading
from typing import Any, ClassVar

from reqless.logger import logger

__all__ = ["Importer"]


class Importer:
    """Imports job classes and reloads their module once per change of its file.

    The first import of a module records its file's modification time; when a
    later import finds a newer modification time the module is reloaded and the
    new time recorded, so each change causes exactly one reload. Only the module
    that defines the class is reloaded, not the modules it imports.
    """

    _loaded: ClassVar[dict[str, float]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def import_class(cls, class_name: str) -> Any:
        """Return the class named by the dotted path `class_name`."""
        module_name, _, name = class_name.rpartition(".")
        if not module_name:
            raise ValueError(f"not a dotted class path: {class_name!r}")
        module = importlib.import_module(module_name)
        path = getattr(module, "__file__", None)
        if path:
            try:
                mtime = os.stat(path).st_mtime
            except OSError as exc:
                logger.warning("cannot stat %s to check for changes: %s", path, exc)
            else:
                with cls._lock:
                    seen = cls._loaded.setdefault(module_name, mtime)
                    if seen < mtime:
                        logger.info("reloading %s: %s changed", module_name, path)
                        module = importlib.reload(module)
                        cls._loaded[module_name] = mtime
        return getattr(module, name)

    @classmethod
    def mark_for_reload_on_next_import(cls, class_name: str) -> None:
        """Force the module of `class_name` to be reloaded on its next import."""
        module_name = class_name.rpartition(".")[0]
        with cls._lock:
            cls._loaded[module_name] = 0.0
