"""reqless.importer: import job classes by path; reload a module once per change of its file."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reqless.importer import Importer

# Each run of the module body counts itself: reload re-runs the body in the same
# namespace, so RUNS is 1 after the first import and grows by one per reload.
SOURCE = """
RUNS = globals().get("RUNS", 0) + 1
VERSION = {version}


class Job:
    pass
"""

Writer = Callable[[int], None]


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Writer]]:
    """A fresh importable module; yields its name and a function rewriting its VERSION."""
    name = f"reqless_importer_probe_{uuid.uuid4().hex}"
    path = tmp_path / f"{name}.py"
    stamp = [1_000_000_000.0]

    def write(version: int) -> None:
        path.write_text(SOURCE.format(version=version))
        # A strictly later mtime than any earlier write, whatever the clock resolution.
        stamp[0] += 10
        os.utime(path, (stamp[0], stamp[0]))

    write(1)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    yield name, write
    sys.modules.pop(name, None)


def _runs(name: str) -> int:
    runs: int = sys.modules[name].RUNS
    return runs


def _version(name: str) -> int:
    version: int = sys.modules[name].VERSION
    return version


def test_import_class_returns_the_class(module: tuple[str, Writer]) -> None:
    name, _ = module
    klass = Importer.import_class(f"{name}.Job")
    assert klass.__name__ == "Job"
    assert klass.__module__ == name
    assert _runs(name) == 1


def test_import_class_of_a_package_module() -> None:
    from reqless.queue import Queue

    assert Importer.import_class("reqless.queue.Queue") is Queue


def test_repeated_imports_do_not_reload(module: tuple[str, Writer]) -> None:
    name, _ = module
    first = Importer.import_class(f"{name}.Job")
    for _ in range(5):
        assert Importer.import_class(f"{name}.Job") is first
    assert _runs(name) == 1


def test_a_changed_file_is_reloaded_exactly_once(module: tuple[str, Writer]) -> None:
    name, write = module
    first = Importer.import_class(f"{name}.Job")
    write(2)
    second = Importer.import_class(f"{name}.Job")
    assert second is not first
    assert _version(name) == 2
    assert _runs(name) == 2
    for _ in range(3):
        assert Importer.import_class(f"{name}.Job") is second
    assert _runs(name) == 2


def test_each_change_causes_one_reload(module: tuple[str, Writer]) -> None:
    name, write = module
    Importer.import_class(f"{name}.Job")
    for version in (2, 3, 4):
        write(version)
        Importer.import_class(f"{name}.Job")
        Importer.import_class(f"{name}.Job")
        assert _version(name) == version
    assert _runs(name) == 4


def test_mark_for_reload_on_next_import(module: tuple[str, Writer]) -> None:
    name, _ = module
    first = Importer.import_class(f"{name}.Job")
    Importer.mark_for_reload_on_next_import(f"{name}.Job")
    second = Importer.import_class(f"{name}.Job")
    assert second is not first
    assert _runs(name) == 2
    Importer.import_class(f"{name}.Job")
    assert _runs(name) == 2


def test_a_vanished_file_skips_the_check(module: tuple[str, Writer], tmp_path: Path) -> None:
    name, _ = module
    first = Importer.import_class(f"{name}.Job")
    (tmp_path / f"{name}.py").unlink()
    assert Importer.import_class(f"{name}.Job") is first
    assert _runs(name) == 1


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("nodots", ValueError),
        ("", ValueError),
        (".Job", ValueError),
        ("no_such_module_for_reqless.Job", ModuleNotFoundError),
        ("reqless.no_such_module.Job", ModuleNotFoundError),
        ("reqless.queue.NoSuchClass", AttributeError),
    ],
)
def test_bad_paths_raise(path: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        Importer.import_class(path)


def test_a_module_with_a_syntax_error_raises(module: tuple[str, Writer], tmp_path: Path) -> None:
    name, _ = module
    (tmp_path / f"{name}.py").write_text("def broken(:\n")
    with pytest.raises(SyntaxError):
        Importer.import_class(f"{name}.Job")
