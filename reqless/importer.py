"""Import job classes by dotted path, re-importing a module when its file changes."""

from __future__ import annotations

import importlib
import os
import sys
import threading
from types import ModuleType
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
    # Per class path, what its last import found: the module's name, the module,
    # its file and the class's name in it. A worker imports the same class for
    # every job; with this, an unchanged file costs one stat and no import machinery.
    _found: ClassVar[dict[str, tuple[str, ModuleType, str | None, str]]] = {}

    @classmethod
    def import_class(cls, class_name: str) -> Any:
        """Return the class named by the dotted path `class_name`."""
        found = cls._found.get(class_name)
        if found is not None:
            module_name, module, path, name = found
            # Still the module the import system holds (not removed or replaced since).
            if sys.modules.get(module_name) is module:
                if path is None:
                    return getattr(module, name)
                try:
                    mtime = os.stat(path).st_mtime
                except OSError:
                    pass  # the full import below says so
                else:
                    seen = cls._loaded.get(module_name)
                    if seen is not None and seen >= mtime:
                        return getattr(module, name)
        return cls._import(class_name)

    @classmethod
    def _import(cls, class_name: str) -> Any:
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
        klass = getattr(module, name)
        cls._found[class_name] = (module_name, module, path or None, name)
        return klass

    @classmethod
    def mark_for_reload_on_next_import(cls, class_name: str) -> None:
        """Force the module of `class_name` to be reloaded on its next import."""
        module_name = class_name.rpartition(".")[0]
        with cls._lock:
            cls._loaded[module_name] = 0.0
