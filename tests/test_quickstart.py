"""The README's first command: the quick start runs end to end on an embedded Valkey."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quickstart_completes_the_gnome_pipeline() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples" / "quickstart.py")],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "ran profit" in result.stdout
    assert "state='complete'" in result.stdout
    assert "history: put, popped, done, put, popped, done, put, popped, done" in result.stdout
