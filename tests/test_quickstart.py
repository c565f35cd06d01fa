"""The README's first command: the quick start runs end to end on an embedded Valkey."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quickstart_runs_the_gnome_pipeline_with_a_real_worker() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples" / "quickstart.py")],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    done = [line for line in result.stdout.splitlines() if "state='complete'" in line]
    assert len(done) == 3, result.stdout
    assert all("underpants -> unknown -> profit, then done" in line for line in done)
