"""The defaults of `reqless ui`, apart from the command so that its option checks
(`ui_args`, `ui_values`) and the command (`ui_command`) can share them without
importing each other."""

from __future__ import annotations

__all__ = ["DEFAULT_PORT", "DEFAULT_REDIS_URL", "PROGRAM"]

PROGRAM = "reqless ui"
DEFAULT_PORT = 9393
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
