"""The one-line form of a failure message, shared by the CLI and the web UI.

A Python worker stores the whole traceback as a job's failure message. Its first
line, "Traceback (most recent call last):", is the same for every failure, so
listings and "group by message" show the exception line instead.
"""

from __future__ import annotations

__all__ = ["exception_line"]

_TRACEBACK = "Traceback"


def exception_line(message: str) -> str:
    """The line of `message` that names what went wrong.

    For a traceback, the exception line: the first unindented line after the last
    `Traceback` header (a chained traceback ends with the exception that was
    raised last; an exception message of several lines shows its first). For any
    other message, its first non-empty line. Stripped; "" for an empty message.
    """
    lines = [line.rstrip() for line in message.splitlines()]
    filled = [line for line in lines if line.strip()]
    if not filled:
        return ""
    if not filled[0].lstrip().startswith(_TRACEBACK):
        return filled[0].strip()
    header = max(i for i, line in enumerate(lines) if line.lstrip().startswith(_TRACEBACK))
    for line in lines[header + 1 :]:
        if line and not line[0].isspace():
            return line.strip()
    # No unindented line (an exception group's frames are all indented): the last line.
    return filled[-1].strip()
