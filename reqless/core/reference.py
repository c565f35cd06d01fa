"""Build docs/core-commands.md from the header comment of every command handler.

Each handler in lua/src/commands opens with a comment block whose first line names
the command (or several, `a / b`, for a shared header), followed by Arguments,
Reply, Errors, Events and Keys. The reference lists them in source order, so the
documentation cannot drift from the code it describes.
"""

from __future__ import annotations

import re
from pathlib import Path

from reqless.core.manifest import LUA_DIR, read_manifest

__all__ = ["DOC", "command_headers", "reference"]

DOC = Path(__file__).resolve().parents[2] / "docs" / "core-commands.md"
_HANDLER_RE = re.compile(r"^Commands\['([^']+)'\]")
_NAME_RE = re.compile(r"^[A-Za-z]+(\.[A-Za-z]+)+( / [A-Za-z]+(\.[A-Za-z]+)+)*$")


def command_headers(lua_dir: Path = LUA_DIR) -> list[tuple[str, str, list[str]]]:
    """(source file, command, header lines) for every handler, in MANIFEST order."""
    found: list[tuple[str, str, list[str]]] = []
    for name in read_manifest(lua_dir / "MANIFEST"):
        if not name.startswith("commands/"):
            continue
        headers: dict[str, list[str]] = {}
        current: list[str] | None = None
        for line in (lua_dir / "src" / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("--"):
                text = line[2:].removeprefix(" ")
                if _NAME_RE.match(text):
                    current = []
                    for command in text.split(" / "):
                        headers[command] = current
                elif current is not None:
                    current.append(text)
                continue
            current = None
            match = _HANDLER_RE.match(line)
            if match:
                body = [t for t in headers.get(match.group(1), []) if t.strip()]
                found.append((name, match.group(1), body))
    return found


def reference(lua_dir: Path = LUA_DIR) -> str:
    """The Markdown reference text."""
    out = [
        "# Core commands",
        "",
        "Generated from the handler headers in `reqless/core/lua/src/commands/` by",
        "`scripts/build-lua`; do not edit by hand. Every command is called as",
        "`EVALSHA <sha> 0 <command> <now> args...` with zero keys. The behaviour is",
        "specified in `core-jobs.md` and `core-extras.md`; our deliberate differences",
        "are listed in [core-decisions.md](core-decisions.md).",
        "",
    ]
    for source, command, body in command_headers(lua_dir):
        out += [f"## `{command}`", "", f"Source: `src/{source}`", ""]
        if body:
            out += ["```", *body, "```", ""]
    return "\n".join(out)
