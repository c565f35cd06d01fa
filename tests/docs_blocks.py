"""The shell and console blocks of a docs page, and how the docs test runs them.

A page's ```bash, ```sh and ```console blocks run in order, in one working
directory, as a reader would type them. What the HTML comment on the line before a
fenced block says (a marker) changes that:

- `<!-- shell: not run, REASON -->`: the block is not run (a reason is required).
- `<!-- shell: in the background until "TEXT" -->`: the block is one long-running
  program (a server, `reqless dev`); it is started, and the next block runs once
  its output shows TEXT. A later background block first stops it with Ctrl-C
  (SIGINT), as the reader would; the page's end stops what is left.
- `<!-- shell: output of the program in the background -->`: a console block with
  no `$` lines, compared with what the background program has printed.
- `<!-- shell: eventually -->`: a console block about work in progress; its
  commands are run again until the output matches (30 s at most).
- `<!-- file: NAME -->`: any fenced block, written to NAME in the working
  directory (a job module, an input file) before the blocks after it run.

In a console block, `$ ` starts a command (a line ending in a backslash goes on) and
the lines up to the next command are its output. Shown output matches what the
command printed after both are normalised: a 32-hex job id reads `<jid>`, the port
of a loopback URL reads `<port>`, a date and time reads `<time>`, trailing spaces
are dropped, and a line `...` stands for any number of lines. Shell variables set in
one block (`jid=$(reqless put ...)`) are there in the blocks after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Block", "Command", "blocks", "matches", "normalise"]

SHELL_LANGUAGES = ("bash", "sh", "console")
_MARKER = re.compile(r"<!--\s*(shell|file):\s*(.*?)\s*-->")
_BACKGROUND = re.compile(r'in the background until "([^"]+)"')
_ASSIGNED = re.compile(r"^\s*(?:export\s+)?([A-Za-z_]\w*)=", re.MULTILINE)


@dataclass(frozen=True)
class Command:
    """One `$` command of a console block, with the output the page shows for it."""

    text: str
    shown: list[str]


@dataclass(frozen=True)
class Block:
    """A fenced block of a page, what its marker asks, and where it starts (1-based)."""

    page: Path
    line: int
    language: str
    code: str
    marker: str = ""
    file: str = ""
    commands: list[Command] = field(default_factory=list)

    @property
    def where(self) -> str:
        """`page:line`, for messages."""
        return f"{self.page.name}:{self.line}"

    @property
    def not_run(self) -> str | None:
        """The reason the block is not run, or None when it runs."""
        if not self.marker.startswith("not run"):
            return None
        return self.marker.removeprefix("not run").strip(" ,")

    @property
    def background_ready(self) -> str | None:
        """The text a background block's program prints once it is ready."""
        found = _BACKGROUND.fullmatch(self.marker)
        return found.group(1) if found else None

    @property
    def assigned(self) -> list[str]:
        """Shell variables the block sets, to carry into the blocks after it."""
        return sorted(set(_ASSIGNED.findall(self.code)))


def _console_commands(code: str) -> list[Command]:
    commands: list[Command] = []
    lines = code.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].startswith("$ "):
            index += 1
            continue
        text = [lines[index][2:]]
        while text[-1].endswith("\\") and index + 1 < len(lines):
            index += 1
            text.append(lines[index])
        index += 1
        shown: list[str] = []
        while index < len(lines) and not lines[index].startswith("$ "):
            shown.append(lines[index])
            index += 1
        commands.append(Command("\n".join(text), shown))
    return commands


def blocks(page: Path) -> list[Block]:
    """The page's shell and console blocks, and the blocks marked as files, in order."""
    found: list[Block] = []
    lines = page.read_text().splitlines()
    previous = ""
    index = 0
    while index < len(lines):
        text = lines[index].strip()
        if text.startswith("```"):
            language = text[3:].strip()
            start = index + 1
            end = start
            while lines[end].strip() != "```":
                end += 1
            code = "\n".join(lines[start:end]) + "\n"
            marker = _MARKER.fullmatch(previous)
            kind, said = marker.groups() if marker else ("", "")
            if kind == "file":
                found.append(Block(page, start, language, code, file=said))
            elif language in SHELL_LANGUAGES:
                commands = _console_commands(code) if language == "console" else []
                found.append(Block(page, start, language, code, said, commands=commands))
            index = end
            previous = ""
        elif text:
            previous = text
        index += 1
    return found


_NORMAL = [
    (re.compile(r"\b[0-9a-f]{32}\b"), "<jid>"),
    (re.compile(r"\b(127\.0\.0\.1|localhost):\d+"), r"\1:<port>"),
    (re.compile(r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"), "<time>"),
]


def normalise(text: str) -> list[str]:
    """Lines of output with job ids, loopback ports and times replaced by placeholders."""
    lines = []
    for line in text.splitlines():
        for pattern, placeholder in _NORMAL:
            line = pattern.sub(placeholder, line)
        lines.append(line.rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(shown: list[str], printed: str) -> bool:
    """Whether a command's output matches the output the page shows (`...`: any lines)."""
    return _match(normalise("\n".join(shown)), normalise(printed))


def _match(shown: list[str], actual: list[str]) -> bool:
    if not shown:
        return not actual
    if shown[0] == "...":
        return any(_match(shown[1:], actual[skip:]) for skip in range(len(actual) + 1))
    return bool(actual) and shown[0] == actual[0] and _match(shown[1:], actual[1:])
