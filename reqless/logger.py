"""The package logger: one logger named `reqless`, which logs like a library.

The package adds only a `NullHandler` and lets records propagate, so the
application's logging configuration (`logging.basicConfig`, a JSON handler, an
error tracker) decides where reqless's warnings go and at which level. The
programs (`reqless-py-worker`, `reqless ui`) configure the root logger themselves.
"""

from __future__ import annotations

import logging
import os

__all__ = ["LOG_FORMAT", "LOG_LEVEL_ENV", "log_to_stderr", "logger"]

#: The line format of the programs' text logs.
LOG_FORMAT = "%(asctime)s | PID %(process)d | [%(levelname)s] %(message)s"

#: Environment variable that sets the level of `log_to_stderr` (e.g. `DEBUG`).
LOG_LEVEL_ENV = "REQLESS_LOG_LEVEL"

logger = logging.getLogger("reqless")
_null = logging.NullHandler()
# Above every level: the handler still counts as one, so Python's last-resort
# output stays off, but no record calls it (a call per record saved, every job).
_null.setLevel(logging.CRITICAL + 1)
logger.addHandler(_null)


def log_to_stderr(default: int = logging.INFO) -> None:
    """For programs, never the library: log every logger to standard error in `LOG_FORMAT`.

    The level is `$REQLESS_LOG_LEVEL` when it names a level, else `default`.
    Calling it again adds no second handler.
    """
    root = logging.getLogger()
    if not any(handler.name == "reqless-stderr" for handler in root.handlers):
        handler = logging.StreamHandler()
        handler.name = "reqless-stderr"
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
    named = logging.getLevelName(os.environ.get(LOG_LEVEL_ENV, "").upper())
    root.setLevel(named if isinstance(named, int) else default)
