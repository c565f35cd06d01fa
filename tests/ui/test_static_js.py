"""Static checks of the UI's first-party JavaScript (docs/ui.md, Response headers): every module
parses, no
HTML-from-strings or code-from-strings construct is used, imports resolve to
exported names, and the pure formatting helpers behave (run under node)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "reqless" / "ui" / "static"
JS = STATIC / "js"
MODULES = sorted(JS.glob("*.js"))
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")

_IMPORT = re.compile(r"""^\s*import\s+(?:\{([^}]*)\}\s+from\s+)?["']([^"']+)["'];?""", re.M)
_EXPORT = re.compile(
    r"^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)", re.M
)
_EXPORT_LIST = re.compile(r"^export\s*\{([^}]*)\}", re.M)

FORBIDDEN = {
    "innerHTML": re.compile(r"\binnerHTML\b"),
    "outerHTML": re.compile(r"\bouterHTML\b"),
    "insertAdjacentHTML": re.compile(r"\binsertAdjacentHTML\b"),
    "document.write": re.compile(r"\bdocument\.write(ln)?\s*\("),
    "eval": re.compile(r"(?<![\w.$])eval\s*\("),
    "new Function": re.compile(r"\bnew\s+Function\s*\("),
    "Function constructor call": re.compile(r"(?<![\w.$])Function\s*\("),
    "string timer": re.compile(r"\bset(Timeout|Interval)\s*\(\s*[\"'`]"),
    "inline style attribute": re.compile(r"""setAttribute\(\s*["']style["']"""),
    "inline event handler attribute": re.compile(r"""setAttribute\(\s*["']on[a-z]+["']"""),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "createContextualFragment": re.compile(r"\bcreateContextualFragment\b"),
    "debugger statement": re.compile(r"\bdebugger\b"),
    "console.log": re.compile(r"\bconsole\.log\b"),
    # Namespace names (SVG) are identifiers, not requests.
    "remote URL": re.compile(r"""["'`](https?:)?//(?!www\.w3\.org/)[A-Za-z]"""),
}


def _source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _exports(path: Path) -> set[str]:
    text = _source(path)
    names = set(_EXPORT.findall(text))
    for group in _EXPORT_LIST.findall(text):
        names.update(part.split(" as ")[-1].strip() for part in group.split(",") if part.strip())
    return names


def test_the_entry_module_and_stylesheet_exist() -> None:
    assert (JS / "app.js").is_file()
    assert (STATIC / "interactive.css").is_file()
    assert len(MODULES) > 5


@needs_node
@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_parses(module: Path, tmp_path: Path) -> None:
    # `.mjs` makes node parse the file as an ES module, as the browser does.
    copy = tmp_path / (module.stem + ".mjs")
    copy.write_text(_source(module), encoding="utf-8")
    result = subprocess.run(
        [str(NODE), "--check", str(copy)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_no_unsafe_constructs(module: Path) -> None:
    text = _source(module)
    found = [name for name, pattern in FORBIDDEN.items() if pattern.search(text)]
    assert not found, f"{module.name} uses {found}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_imports_resolve_to_exported_names(module: Path) -> None:
    for names, target in _IMPORT.findall(_source(module)):
        assert target.startswith("./"), f"{module.name}: non-local import {target!r}"
        path = (module.parent / target).resolve()
        assert path.is_file(), f"{module.name}: {target} does not exist"
        exported = _exports(path)
        for name in (n.split(" as ")[0].strip() for n in names.split(",")):
            if name:
                assert name in exported, f"{module.name}: {target} does not export {name}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_imported_names_are_used(module: Path) -> None:
    text = _source(module)
    body = _IMPORT.sub("", text)
    for names, _ in _IMPORT.findall(text):
        for name in (n.split(" as ")[-1].strip() for n in names.split(",")):
            if name:
                assert re.search(rf"(?<![\w$.]){re.escape(name)}\b", body), (
                    f"{module.name} imports {name} without using it"
                )


def test_every_module_is_reachable_from_the_entry() -> None:
    seen: set[Path] = set()
    todo = [JS / "app.js"]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for _, target in _IMPORT.findall(_source(current)):
            todo.append((current.parent / target).resolve())
    assert {p.resolve() for p in MODULES} == seen


def test_stylesheet_loads_nothing_external() -> None:
    css = (STATIC / "interactive.css").read_text(encoding="utf-8")
    assert "@import" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    # Both themes are covered: the OS preference and the manual override.
    assert "prefers-color-scheme: dark" in css
    assert ':root[data-theme="dark"]' in css
    assert "prefers-reduced-motion" in css


_FORMAT_PROBE = """
import * as f from "%s";
const now = 1000000;
const out = {
  span: [f.span(0), f.span(59), f.span(125), f.span(3600 + 120), f.span(90000), f.span(60),
         f.span(725), f.span(86400)],
  duration: [f.duration(0.85), f.duration(4.25), f.duration(42), f.duration(185),
             f.duration(3720), f.duration(2 * 86400 + 4 * 3600), f.duration(60),
             f.duration(3600), f.duration(86400), f.duration(null)],
  relative: [f.relative(now - 180, now), f.relative(now + 20, now), f.relative(now, now)],
  number: [f.number(1234567), f.number(-1234.5), f.number(12), f.number(null)],
  compact: [f.compact(12345), f.compact(999), f.compact(2500000)],
  bytes: [f.bytes(512), f.bytes(300 * 1024)],
  digits: f.digits("1,234"),
  backoff: [f.backoff(1, () => 0.5), f.backoff(3, () => 0.5), f.backoff(20, () => 1),
            f.backoff(1, () => 0)],
  absolute: f.absolute(0, true),
  iso: f.iso(90061.5, true),
  visible: f.visible("a\\u202eb\\u0000c\\nd\\te"),
  diff: f.lineDiff(["a", "b", "c"].join("\\n"), ["a", "c", "d"].join("\\n")),
  changed: f.changedLines(["  1", "  2", "  3", "- 4", "  5", "  6"]),
  fill: f.fill("/jobs/{jid}/x/{other}", {jid: "a/b"}, encodeURIComponent),
  typed: [f.parseTyped("25", "int"), f.parseTyped("1.5", "number"), f.parseTyped("a, b c", "list"),
          f.parseTyped('{"a": 1}', "json"), f.parseTyped("true", "bool")],
};
const bad = [];
const cases = [["1.5", "int"], ["x", "number"], ["{", "json"], ["99999999999", "int"]];
for (const [raw, type] of cases) {
  try { f.parseTyped(raw, type); bad.push(null); } catch (e) { bad.push(e.message); }
}
out.bad = bad;
console.log(JSON.stringify(out));
"""


@needs_node
def test_format_helpers(tmp_path: Path) -> None:
    probe = tmp_path / "probe.mjs"
    probe.write_text(_FORMAT_PROBE % (JS / "format.js").as_uri(), encoding="utf-8")
    result = subprocess.run([str(NODE), str(probe)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["span"] == [
        "0 s",
        "59 s",
        "2 min 05 s",
        "1 h 02 min",
        "1 d 01 h",
        "1 min",
        "12 min",
        "1 d",
    ]
    # Durations read as the server writes them (pages/format.py, same cases there).
    assert out["duration"] == [
        "850 ms",
        "4.2 s",
        "42 s",
        "3 min 05 s",
        "1 h 02 min",
        "2 d 04 h",
        "1 min",
        "1 h",
        "1 d",
        "—",
    ]
    assert out["relative"] == ["3 min ago", "in 20 s", "just now"]
    assert out["number"] == ["1,234,567", "-1,234.5", "12", ""]
    assert out["compact"] == ["12.3k", "999", "2.5M"]
    assert out["bytes"] == ["512 B", "300 KiB"]
    assert out["digits"] == "1234"
    # 1 s, doubling, capped at 30 s, never below 1 s, jitter within ±25 %.
    assert out["backoff"] == [1, 4, 30, 1]
    assert out["absolute"] == "1970-01-01 00:00:00 UTC"
    assert out["iso"] == "1970-01-02T01:01:01Z"
    # Bidi overrides and NUL are shown as escapes; newline and tab stay.
    assert out["visible"] == "a\\u202eb\\u0000c\nd\te"
    assert out["diff"] == ["  a", "- b", "  c", "+ d"]
    # Changed lines keep one line of context on each side.
    assert out["changed"] == ["  3", "- 4", "  5"]
    assert out["fill"] == "/jobs/a%2Fb/x/{other}"
    assert out["typed"] == [25, 1.5, ["a", "b", "c"], {"a": 1}, True]
    assert all(isinstance(message, str) for message in out["bad"])
