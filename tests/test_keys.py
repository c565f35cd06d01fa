"""reqless.keys mirrors the core's key library, and is the only Python that spells `ql:`."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from reqless import keys
from reqless.core.build import LUA_DIR

KEYS_LUA = LUA_DIR / "src" / "lib" / "keys.lua"
PACKAGE = Path(keys.__file__).resolve().parent

_CONSTANT_RE = re.compile(r"^  Keys\.([A-Z_]+) = (.+)$", re.MULTILINE)
_FUNCTION_RE = re.compile(r"^function Keys\.(\w+)\(([^)]*)\) return (.+) end$", re.MULTILINE)

#: Names of KeySpace that the core does not have, and why.
PYTHON_ONLY = {
    "UI_AUDIT": "written by the web UI, never by the core",
    "JOB_PREFIX": "the start of job(), for SCAN patterns",
    "THROTTLE_PREFIX": "the start of throttle(), for SCAN patterns",
    "channel_event": "the inverse of channel(), for the UI's event relay",
}
#: Names of the core's key library that are not key names.
LUA_ONLY = {"PUBLISH", "NAMESPACED", "use", "namespace_prefix"}

#: Modules that still spell `ql:` in code: none; a module that needs a key name
#: asks reqless.keys. Do not add to it.
NOT_YET_ON_KEYS: set[str] = set()

SPACES = [keys.KeySpace(), keys.KeySpace("orders"), keys.KeySpace("a:b-c.d")]


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _lua_eval(expression: str, values: dict[str, str], prefix: str) -> str:
    """The value of a Lua expression of keys.lua: a concatenation of string
    literals, parameters and the prefix P, or `plain and A or B`."""
    choice = re.fullmatch(r"plain and (.+) or (.+)", expression)
    if choice:
        return _lua_eval(choice.group(1 if prefix == "ql:" else 2), values, prefix)
    out = []
    for part in (p.strip() for p in expression.split("..")):
        if part.startswith("'") and part.endswith("'"):
            out.append(part[1:-1])
        elif part == "P":
            out.append(prefix)
        else:
            out.append(values[part])
    return "".join(out)


def _lua_source() -> str:
    return KEYS_LUA.read_text(encoding="utf-8")


@pytest.mark.parametrize("space", SPACES, ids=repr)
def test_every_constant_of_the_core_is_mirrored(space: keys.KeySpace) -> None:
    constants = dict(_CONSTANT_RE.findall(_lua_source()))
    assert len(constants) >= 10  # the pattern still reads the file
    for name, expression in constants.items():
        if name in LUA_ONLY:
            continue
        value = _lua_eval(expression, {}, space.prefix)
        assert getattr(space, name, None) == value, f"{space}.{name} should be {value!r}"


@pytest.mark.parametrize("space", SPACES, ids=repr)
def test_every_function_of_the_core_gives_the_same_names(space: keys.KeySpace) -> None:
    functions = _FUNCTION_RE.findall(_lua_source())
    assert len(functions) >= 15
    for name, params, expression in functions:
        mirror: Callable[..., str] | None = getattr(space, _snake(name), None)
        assert mirror is not None, f"KeySpace has no {_snake(name)} for Keys.{name}"
        names = [p.strip() for p in params.split(",") if p.strip()]
        samples = {param: f"<{param}-{i}>" for i, param in enumerate(names)}
        expected = _lua_eval(expression, samples, space.prefix)
        assert mirror(*samples.values()) == expected, f"{_snake(name)} differs from Lua"


def test_the_module_names_are_those_of_the_default_space() -> None:
    for name in keys.__all__:
        value = getattr(keys, name)
        if isinstance(value, str) and hasattr(keys.DEFAULT, name):
            assert value == getattr(keys.DEFAULT, name), name
    assert keys.job("x") == keys.DEFAULT.job("x")


def test_keyspace_has_nothing_the_core_lacks_but_the_listed_names() -> None:
    source = _lua_source()
    lua_names = set(dict(_CONSTANT_RE.findall(source))) - LUA_ONLY
    lua_names |= {_snake(name) for name, _, _ in _FUNCTION_RE.findall(source)} - LUA_ONLY
    ours = {
        name
        for name in vars(keys.KeySpace) | vars(keys.DEFAULT)
        if not name.startswith("_")
        and (name.isupper() or callable(getattr(keys.KeySpace, name, None)))
    }
    assert ours - lua_names == set(PYTHON_ONLY)


@pytest.mark.parametrize("space", SPACES, ids=repr)
def test_the_helpers_that_are_python_only_agree_with_the_core_names(space: keys.KeySpace) -> None:
    assert space.job("x") == space.JOB_PREFIX + "x"
    assert space.throttle("x") == space.THROTTLE_PREFIX + "x"
    assert space.channel_event(space.channel("completed")) == "completed"
    assert space.UI_AUDIT.startswith(space.prefix)


def test_a_namespace_puts_every_name_in_one_cluster_slot() -> None:
    space = keys.KeySpace("orders")
    names = [
        *(space.job("j1"), space.queue("q", "work"), space.QUEUES, space.channel("log")),
        *(space.worker_channel("w"), space.LEGACY_PRIORITY_PATTERNS, space.unique("u")),
    ]
    assert all(name.startswith("ql:{orders}:") for name in names)
    assert space.call_keys == ("ql:{orders}:",) and space.sharded
    assert keys.DEFAULT.call_keys == () and not keys.DEFAULT.sharded


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "non-empty"),
        ("a{b", "braces"),
        ("a}b", "braces"),
        ("a b", "spaces"),
        ("a\nb", "control"),
        ("x" * 65, "at most 64"),
    ],
)
def test_a_bad_namespace_is_refused_with_its_reason(name: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        keys.KeySpace(name)  # type: ignore[arg-type]


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


#: The names of reqless.keys other modules may use: the class and the checker,
#: and the names that are the same in every space. The rest are the default
#: space's, which would silently ignore a client's namespace.
SHARED_NAMES = {
    "KeySpace",
    "check_namespace",
    "queue_throttle_id",
    "NAMESPACE_MAX",
    "QUEUE_THROTTLE_IDS",
}


def default_space_uses(path: Path) -> list[str]:
    """Where a module uses a module-level name of reqless.keys other than SHARED_NAMES
    (`keys.job(...)`, `from reqless.keys import TRACKED`), as `line: name`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("reqless", "reqless.keys"):
            for name in node.names:
                if node.module == "reqless" and name.name == "keys":
                    aliases.add(name.asname or name.name)
                elif node.module == "reqless.keys" and name.name not in SHARED_NAMES:
                    found.append(f"{node.lineno}: {name.name}")
        elif isinstance(node, ast.Import):
            for name in node.names:
                if name.name == "reqless.keys":
                    aliases.add(name.asname or "reqless.keys")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr not in SHARED_NAMES:
            owner = ast.unparse(node.value)
            if owner in aliases:
                found.append(f"{node.lineno}: {owner}.{node.attr}")
    return found


def test_no_other_module_uses_the_default_space_names() -> None:
    using = {
        str(path.relative_to(PACKAGE.parent)): uses
        for path in PACKAGE.rglob("*.py")
        if path != PACKAGE / "keys.py" and (uses := default_space_uses(path))
    }
    assert using == {}, "use the client's space (client.keys) instead"


def test_the_default_space_check_sees_each_way_of_naming_them(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from reqless import keys\nfrom reqless import keys as k\nimport reqless.keys\n"
        "from reqless.keys import TRACKED, KeySpace\n"
        "keys.job('x'); k.WORKERS; reqless.keys.channel('log'); keys.queue_throttle_id('q')\n"
    )
    assert sorted(default_space_uses(module)) == [
        "4: TRACKED", "5: k.WORKERS", "5: keys.job", "5: reqless.keys.channel",
    ]  # fmt: skip
