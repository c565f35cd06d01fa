"""A user's strictly typed script of README calls type-checks against an install.

mypy runs from a temporary directory holding only the script, so it has to find
`reqless` the way a user's mypy would: through the installed package (`py.typed`),
not through this checkout. Once against this environment's (editable) install,
once against a normal install into a fresh virtual environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "typed_user.py"
# Signs that pip could not reach the package index (for setuptools, a build requirement).
OFFLINE = ("NewConnectionError", "Temporary failure in name resolution", "No matching distribution")


def _clean_env() -> dict[str, str]:
    # Neither variable may point mypy or Python at the checkout.
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}


def _strict_mypy(python: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    shutil.copy(EXAMPLE, workdir / "user.py")
    command = [str(python), "-m", "mypy", "--strict", "--cache-dir", str(workdir / "cache")]
    return subprocess.run(
        [*command, "user.py"],
        cwd=workdir, env=_clean_env(), capture_output=True, text=True, timeout=240,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_typed_example_passes_against_this_environment(tmp_path: Path) -> None:
    result = _strict_mypy(Path(sys.executable), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_typed_example_passes_against_a_normal_install(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    # The dependencies (redis, mypy, pip) come from this environment. Its own
    # reqless is not seen: the .pth files of a directory added this way are not run.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    source = tmp_path / "src"
    shutil.copytree(ROOT / "reqless", source / "reqless",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(source)],
        cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=400,
    )  # fmt: skip
    if installed.returncode != 0 and any(sign in installed.stderr for sign in OFFLINE):
        pytest.skip(f"no package index to build from: {installed.stderr[-500:]}")
    assert installed.returncode == 0, installed.stderr
    found = subprocess.check_output(
        [str(python), "-c", "import reqless; print(reqless.__file__)"],
        cwd=tmp_path, env=_clean_env(), text=True,
    )  # fmt: skip
    assert Path(found.strip()).is_relative_to(site), found

    work = tmp_path / "work"
    work.mkdir()
    result = _strict_mypy(python, work)
    assert result.returncode == 0, result.stdout + result.stderr
