"""Where the browser tests find Chromium, and how they start it."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "chromium_path"]

#: Headless in a container: no sandbox, no GPU, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> Path | None:
    """The Chromium binary: `$REQLESS_CHROMIUM`, else /usr/bin/chromium, if it exists."""
    path = Path(os.environ.get("REQLESS_CHROMIUM", "/usr/bin/chromium"))
    return path if path.exists() else None
