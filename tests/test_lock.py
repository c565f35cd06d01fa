"""The lock files: scripts/install puts exactly requirements/dev.lock into a fresh
virtual environment, the locks agree with pyproject.toml, and requirements/lowest.lock
holds the library's dependencies at exactly the floors pyproject.toml declares (which
scripts/test-lowest runs the suites against)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "requirements"


def _locked(lock: Path) -> dict[str, Version]:
    """The pins of a lock file that apply to this interpreter and platform."""
    pins: dict[str, Version] = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;]+)(?:\s*;\s*(.+))?$", line)
        if match and (match[3] is None or Marker(match[3]).evaluate()):
            pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def _declared(*, extras: bool = False, group: str | None = None) -> list[Requirement]:
    """The library's requirements (with every extra's), or a dependency group's;
    an extra that names reqless itself (`reqless[ui]`) is left out."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    if group is not None:
        texts = pyproject["dependency-groups"][group]
    else:
        texts = list(project["dependencies"])
        if extras:
            texts += [t for e in project["optional-dependencies"].values() for t in e]
    found = [Requirement(text) for text in texts]
    return [r for r in found if canonicalize_name(r.name) != "reqless"]


def test_every_declared_dependency_is_locked_within_its_range() -> None:
    pins = _locked(LOCKS / "dev.lock")
    for requirement in [*_declared(extras=True), *_declared(group="test")]:
        name = canonicalize_name(requirement.name)
        assert name in pins, (
            f"{name} is declared in pyproject.toml but not in dev.lock: run scripts/lock"
        )
        assert pins[name] in requirement.specifier, (
            f"dev.lock's {name} {pins[name]} is outside {requirement}"
        )


def test_the_lowest_lock_holds_each_library_dependency_at_its_declared_floor() -> None:
    pins = _locked(LOCKS / "lowest.lock")
    for requirement in _declared(extras=True):
        floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert len(floors) == 1, f"{requirement} should declare one floor (>=)"
        name = canonicalize_name(requirement.name)
        assert pins.get(name) == floors[0], (
            f"lowest.lock has {name} {pins.get(name)} but pyproject.toml declares {requirement}: "
            "a floor that is not a release is not tested; run scripts/lock"
        )


def test_this_environment_has_exactly_the_locked_versions() -> None:
    """The suite itself runs on the lock (scripts/test installs it before running)."""
    import importlib.metadata as metadata

    if not os.environ.get("CI") and sys.prefix != str(ROOT / ".venv"):
        pytest.skip("not running in the checkout's .venv")
    for name, version in _locked(LOCKS / "dev.lock").items():
        assert Version(metadata.version(name)) == version, (
            f"{name}: installed {metadata.version(name)}, locked {version}"
        )


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_scripts_install_puts_exactly_the_locked_versions_into_a_fresh_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run(
        [str(ROOT / "scripts" / "install")],
        env={**os.environ, "VENV": str(venv), "PYTHON": sys.executable},
        check=True, capture_output=True, timeout=580,
    )  # fmt: skip
    freeze = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        check=True, capture_output=True, text=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    ).stdout  # fmt: skip
    installed = {
        canonicalize_name(name): Version(version)
        for name, version in (line.split("==") for line in freeze.splitlines() if "==" in line)
    }
    installed.pop(canonicalize_name("reqless"), None)
    assert installed == _locked(LOCKS / "dev.lock")
