"""The package logger: one logger named `reqless`, quiet unless configured."""

from __future__ import annotations

import logging
import os

__all__ = ["LOG_FORMAT", "logger"]

LOG_FORMAT = "%(asctime)s | PID %(process)d | [%(levelname)s] %(message)s"

logger = logging.getLogger("reqless")


def _configure() -> None:
    # A stream handler at DEBUG with the logger itself at FATAL: silent by
    # default, and `logger.setLevel(logging.DEBUG)` is all it takes to see output.
    if not any(getattr(h, "_reqless", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler._reqless = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        level = os.environ.get("REQLESS_LOG_LEVEL", "CRITICAL").upper()
        logger.setLevel(getattr(logging, level, logging.CRITICAL))
        logger.propagate = False


_configure()
