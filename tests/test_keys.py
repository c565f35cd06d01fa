"""reqless.keys mirrors the core's key library, and is the only Python that spells `ql:`."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

from reqless import keys
from reqless.core.build import LUA_DIR

KEYS_LUA = LUA_DIR / "src" / "lib" / "keys.lua"
PACKAGE = Path(keys.__file__).resolve().parent

_CONSTANT_RE = re.compile(r"^Keys\.([A-Z_]+) = '([^']*)'$", re.MULTILINE)
_FUNCTION_RE = re.compile(r"^function Keys\.(\w+)\(([^)]*)\) return (.+) end$", re.MULTILINE)

#: Names of keys.py that the core does not have, and why.
PYTHON_ONLY = {
    "PREFIX": "the prefix itself, for channel names",
    "UI_AUDIT": "written by the web UI, never by the core",
    "JOB_PREFIX": "the start of job(), for SCAN patterns",
    "THROTTLE_PREFIX": "the start of throttle(), for SCAN patterns",
    "channel_event": "the inverse of channel(), for the UI's event relay",
}

#: Modules that still spell `ql:` in code: none; a module that needs a key name
#: asks reqless.keys. Do not add to it.
NOT_YET_ON_KEYS: set[str] = set()


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _lua_eval(expression: str, values: dict[str, str]) -> str:
    """The value of a Lua concatenation of string literals and parameters."""
    out = []
    for part in (p.strip() for p in expression.split("..")):
        if part.startswith("'") and part.endswith("'"):
            out.append(part[1:-1])
        else:
            out.append(values[part])
    return "".join(out)


def _lua_source() -> str:
    return KEYS_LUA.read_text(encoding="utf-8")


def test_every_constant_of_the_core_is_mirrored() -> None:
    constants = dict(_CONSTANT_RE.findall(_lua_source()))
    assert len(constants) >= 10  # the pattern still reads the file
    for name, value in constants.items():
        assert getattr(keys, name, None) == value, f"keys.{name} should be {value!r}"


def test_every_function_of_the_core_gives_the_same_names() -> None:
    functions = _FUNCTION_RE.findall(_lua_source())
    assert len(functions) >= 15
    for name, params, expression in functions:
        mirror: Callable[..., str] | None = getattr(keys, _snake(name), None)
        assert mirror is not None, f"keys.py has no {_snake(name)} for Keys.{name}"
        names = [p.strip() for p in params.split(",") if p.strip()]
        samples = {param: f"<{param}-{i}>" for i, param in enumerate(names)}
        expected = _lua_eval(expression, samples)
        assert mirror(*samples.values()) == expected, f"keys.{_snake(name)} differs from Lua"


def test_keys_py_has_nothing_the_core_lacks_but_the_listed_names() -> None:
    source = _lua_source()
    lua_names = set(dict(_CONSTANT_RE.findall(source)))
    lua_names |= {_snake(name) for name, _, _ in _FUNCTION_RE.findall(source)}
    assert set(keys.__all__) - lua_names == set(PYTHON_ONLY)


def test_the_helpers_that_are_python_only_agree_with_the_core_names() -> None:
    assert keys.job("x") == keys.JOB_PREFIX + "x"
    assert keys.throttle("x") == keys.THROTTLE_PREFIX + "x"
    assert keys.channel_event(keys.channel("completed")) == "completed"
    assert keys.UI_AUDIT.startswith(keys.PREFIX)


def _docstring_nodes(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _spells_a_key(path: Path) -> bool:
    """Whether the module's code (docstrings and comments aside) holds `ql:` text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstring_nodes(tree)
    for node in ast.walk(tree):
        text = node.value if isinstance(node, ast.Constant) else None
        spelled = isinstance(text, str) and ("ql:" in text or "qmore:" in text)
        if spelled and id(node) not in docstrings:
            return True
    return False


def test_no_other_module_spells_a_key() -> None:
    spelling = {
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if path != PACKAGE / "keys.py" and _spells_a_key(path)
    }
    assert spelling - NOT_YET_ON_KEYS == set(), "use reqless.keys instead"


def test_the_allow_list_holds_only_modules_that_still_need_it() -> None:
    # So that the lead sees which entries can go.
    for name in NOT_YET_ON_KEYS:
        path = PACKAGE.parent / name
        assert path.exists() and _spells_a_key(path), f"{name} no longer needs the allow-list"
