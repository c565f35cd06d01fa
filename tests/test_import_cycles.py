"""No two reqless modules import each other, directly or around a circle.

Read with `ast`, so nothing is imported. Every import counts, those inside
functions too: an import moved into a function to dodge a circle still ties the two
modules together. Imports under `if TYPE_CHECKING:` do not run and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reqless

PACKAGE = Path(reqless.__file__).resolve().parent

#: Circles the lead still has to cut. Empty it; do not add to it.
KNOWN_CYCLES: list[set[str]] = []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, here: str, is_package: bool) -> list[tuple[str, str | None]]:
    """(module, name or None) for every import in `tree`, outside `if TYPE_CHECKING:`."""
    found: list[tuple[str, str | None]] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            todo.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(base, alias.name) for alias in node.names]
        todo.extend(ast.iter_child_nodes(node))
    return found


class _Graph:
    """Module -> the reqless modules it imports. A name imported from a package is
    followed to the module that defines it (its submodule, or the module the
    package's `__init__` took it from), so that `from reqless import Job` ties the
    importer to reqless.job, not to every module the package `__init__` loads."""

    def __init__(self) -> None:
        self.paths = _modules()
        self.imports = {
            name: _imports(
                ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py"
            )
            for name, path in self.paths.items()
        }

    def home(self, module: str, name: str | None, seen: frozenset[str] = frozenset()) -> str:
        """The module that `from module import name` (or `import module`) depends on."""
        if name is None or f"{module}.{name}" in self.paths:
            return module if name is None else f"{module}.{name}"
        if self.paths.get(module, Path()).name == "__init__.py" and module not in seen:
            for source, imported in self.imports[module]:
                if imported == name and source in self.paths:
                    return self.home(source, name, seen | {module})
        return module

    def edges(self) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {}
        for here, found in self.imports.items():
            targets = {self.home(module, name) for module, name in found if module in self.paths}
            graph[here] = targets - {here}
        return graph


def import_graph() -> dict[str, set[str]]:
    """Module -> the reqless modules it imports."""
    return _Graph().edges()


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_among_reqless_modules() -> None:
    unexpected = [cycle for cycle in cycles(import_graph()) if cycle not in KNOWN_CYCLES]
    assert unexpected == [], "import circles: " + "; ".join(
        " <-> ".join(sorted(cycle)) for cycle in unexpected
    )


def test_the_known_cycles_are_still_there() -> None:
    found = cycles(import_graph())
    for cycle in KNOWN_CYCLES:
        assert cycle in found, f"{sorted(cycle)} is cut: remove it from KNOWN_CYCLES"


def test_the_cycle_finder_sees_a_circle_through_a_function_level_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [{"a", "b", "c"}]
    tree = ast.parse("def f():\n    from reqless.ui import pages\n")
    assert _imports(tree, "reqless.ui.security", False) == [("reqless.ui", "pages")]
    relative = ast.parse("from .pages import render\n")
    assert _imports(relative, "reqless.ui", True) == [("reqless.ui.pages", "render")]
    typing_only = ast.parse("if TYPE_CHECKING:\n    import reqless.client\n")
    assert _imports(typing_only, "reqless.job", False) == []
