"""reqless.importer remembers where each class path led: a worker imports the same
class for every job, and an unchanged module is not looked up again through the
import machinery (docs/worker.md, Automatic re-import)."""

from __future__ import annotations

import importlib
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reqless.importer import Importer

SOURCE = """
VERSION = {version}


class Job:
    pass
"""

Writer = Callable[[int], None]


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Writer]]:
    """A fresh importable module; yields its name and a function rewriting its VERSION."""
    name = f"reqless_importer_memo_{uuid.uuid4().hex}"
    path = tmp_path / f"{name}.py"
    stamp = [1_000_000_000.0]

    def write(version: int) -> None:
        path.write_text(SOURCE.format(version=version))
        stamp[0] += 10  # a strictly later mtime, whatever the clock resolution
        os.utime(path, (stamp[0], stamp[0]))

    write(1)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    yield name, write
    sys.modules.pop(name, None)


@pytest.fixture
def imports(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The module names `importlib.import_module` is asked for from here on."""
    asked: list[str] = []
    real = importlib.import_module

    def counting(name: str, package: str | None = None) -> Any:
        asked.append(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", counting)
    return asked


def test_an_unchanged_class_is_found_without_the_import_machinery(
    module: tuple[str, Writer], imports: list[str]
) -> None:
    name, _ = module
    first = Importer.import_class(f"{name}.Job")
    assert imports == [name]
    for _ in range(3):
        assert Importer.import_class(f"{name}.Job") is first
    assert imports == [name]


def test_a_change_after_it_was_remembered_still_reloads_once(
    module: tuple[str, Writer], imports: list[str]
) -> None:
    name, write = module
    first = Importer.import_class(f"{name}.Job")
    Importer.import_class(f"{name}.Job")
    write(2)
    second = Importer.import_class(f"{name}.Job")
    assert second is not first
    assert sys.modules[name].VERSION == 2
    assert Importer.import_class(f"{name}.Job") is second
    assert imports == [name, name]


def test_a_module_dropped_from_sys_modules_is_imported_again(module: tuple[str, Writer]) -> None:
    name, _ = module
    first = Importer.import_class(f"{name}.Job")
    del sys.modules[name]
    second = Importer.import_class(f"{name}.Job")
    assert second is not first
    assert sys.modules[name].Job is second


def test_a_class_rebound_in_its_module_is_the_one_returned(module: tuple[str, Writer]) -> None:
    name, _ = module
    Importer.import_class(f"{name}.Job")

    class Other:
        pass

    loaded: Any = sys.modules[name]
    loaded.Job = Other
    assert Importer.import_class(f"{name}.Job") is Other


def test_a_vanished_file_is_still_warned_about_on_every_import(
    module: tuple[str, Writer], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    name, _ = module
    first = Importer.import_class(f"{name}.Job")
    (tmp_path / f"{name}.py").unlink()
    with caplog.at_level("WARNING", logger="reqless"):
        assert Importer.import_class(f"{name}.Job") is first
        assert Importer.import_class(f"{name}.Job") is first
    assert [r.message.startswith("cannot stat") for r in caplog.records] == [True, True]
