"""Where the Lua sources live and the order MANIFEST gives them.

Both the builder (`build.py`) and the command reference (`reference.py`) read the
sources in this order; keeping it here lets the builder import the reference
without the reference importing the builder back.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["LUA_DIR", "MANIFEST", "SCRIPT", "read_manifest"]

LUA_DIR = Path(__file__).parent / "lua"
MANIFEST = LUA_DIR / "MANIFEST"
SCRIPT = LUA_DIR / "reqless.lua"


def read_manifest(manifest: Path = MANIFEST) -> list[str]:
    """Return the source files named in MANIFEST, in order, rejecting repeats."""
    names: list[str] = []
    for raw in manifest.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line in names:
            raise ValueError(f"MANIFEST names {line} twice")
        names.append(line)
    return names
