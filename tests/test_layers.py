"""The layers hold: only the clients reach the gateway, and every error lives in
reqless.exceptions. Read with `ast`, module by module, so nothing is imported."""

from __future__ import annotations

import ast
from pathlib import Path

import reqless
from reqless import _validate, core, exceptions, extras
from reqless.core import runner

PACKAGE = Path(reqless.__file__).resolve().parent

#: The modules that may import the gateway (reqless.core): the two clients.
CLIENTS = {"reqless/client.py", "reqless/aio/client.py"}

#: Modules that still reach the gateway themselves, for the lead to move onto a
#: client's `_run`. Empty it; do not add to it.
NOT_YET_THROUGH_A_CLIENT: set[str] = set()


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _imports(path: Path) -> set[str]:
    """Every module `path` imports (TYPE_CHECKING imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _reaches_the_gateway(path: Path) -> bool:
    return any(
        name == "reqless.core" or name.startswith("reqless.core.") for name in _imports(path)
    )


def _modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "core" not in p.relative_to(PACKAGE).parts[:1]]


def test_only_the_clients_import_the_gateway() -> None:
    reaching = {_name(path) for path in _modules() if _reaches_the_gateway(path)}
    assert reaching - CLIENTS - NOT_YET_THROUGH_A_CLIENT == set()


def test_the_ui_the_calls_and_the_workers_never_import_the_gateway() -> None:
    for part in ("ui", "_calls", "workers"):
        for path in (PACKAGE / part).rglob("*.py"):
            if _name(path) not in NOT_YET_THROUGH_A_CLIENT:
                assert not _reaches_the_gateway(path), f"{_name(path)} imports reqless.core"


def test_the_allow_list_holds_only_modules_that_still_need_it() -> None:
    for name in NOT_YET_THROUGH_A_CLIENT:
        assert _reaches_the_gateway(PACKAGE.parent / name), f"{name} no longer needs it"


def _error_names() -> set[str]:
    return {
        name
        for name in exceptions.__all__
        if isinstance(getattr(exceptions, name), type)
        and issubclass(getattr(exceptions, name), Exception)
    }


def test_no_module_defines_a_reqless_error_outside_exceptions() -> None:
    ours = _error_names()
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "exceptions.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                bases |= {b.attr for b in node.bases if isinstance(b, ast.Attribute)}
                assert not bases & ours, f"{_name(path)}: {node.name} belongs in reqless.exceptions"


def test_the_moved_errors_live_in_exceptions_and_keep_their_old_paths() -> None:
    moved = {
        "CoreError": (core, runner),
        "ServerFullError": (core, runner),
        "ArgumentError": (_validate,),
        "MissingExtraError": (extras,),
    }
    for name, old_homes in moved.items():
        error = getattr(exceptions, name)
        assert error.__module__ == "reqless.exceptions"
        assert issubclass(error, exceptions.ReqlessError)
        for home in old_homes:
            assert getattr(home, name) is error, f"{home.__name__}.{name}"
