"""huey's own virtual environment (bench/.venvs/huey), made on first use.

huey is installed there for measuring only: the package and its tests never
import it. The same environment carries matplotlib (for the plot) and py-spy
(for the profile), so neither enters the project's dependencies.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.figures import Huey
from bench.harness import BENCH, HUEY_AGENT, run_agent

VENV = BENCH / ".venvs" / "huey"
REQUIREMENTS = BENCH / "requirements-peer.txt"


def ensure_venv(venv: Path = VENV) -> Path:
    """Create the environment and install the pinned requirements (once per change)."""
    python = venv / "bin" / "python"
    stamp = venv / ".installed"
    wanted = REQUIREMENTS.read_text()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    print(f"installing {REQUIREMENTS.name} into {venv}", file=sys.stderr)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(REQUIREMENTS),
        ],
        check=True,
    )
    stamp.write_text(wanted)
    return python


def huey_peer(url: str, venv: Path = VENV) -> Huey:
    """The huey peer, with the key and type of its queue for each storage."""
    python = ensure_venv(venv)
    storages = {}
    for storage in ("plain", "priority"):
        env = {"BENCH_REDIS_URL": url, "BENCH_HUEY_STORAGE": storage}
        storages[storage] = run_agent(python, HUEY_AGENT, "info", env=env)
    return Huey(
        python=python,
        consumer=python.parent / "huey_consumer",
        version=str(storages["plain"]["version"]),
        storages=storages,
    )
