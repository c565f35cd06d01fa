"""What the admin commands print: rich tables for people, JSON for scripts."""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

__all__ = ["PIPE_WIDTH", "done", "emit_json", "key_values", "print_table", "stdout", "when"]


#: Line width of tables written to a pipe or file (a terminal's own width is used otherwise).
PIPE_WIDTH = 200


def stdout() -> Console:
    """A console on standard output; plain text (no colour) when piped."""
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Rich assumes 80 columns off a terminal, which folds wide tables for grep.
        console = Console(highlight=False, soft_wrap=False, width=PIPE_WIDTH)
    return console


def emit_json(value: Any) -> None:
    """Print `value` as one JSON document (UTF-8: text is not escaped as `\\uXXXX`)."""
    click.echo(json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False))


def done(as_json: bool, text: str, value: Any) -> None:
    """Report a change: `text` for people, or `value` as JSON."""
    if as_json:
        emit_json(value)
    else:
        click.echo(text)


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value) if value else "-"
    return str(value)


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None,
    empty: str = "nothing to show",
) -> None:  # fmt: skip
    """Print rows under the given column headings, or `empty` when there are none."""
    rows = list(rows)
    if not rows:
        click.echo(empty)
        return
    table = Table(title=title, title_justify="left")
    for index, name in enumerate(columns):
        # The first column is an identifier (a jid, a name): never wrapped.
        table.add_column(name, no_wrap=index == 0, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    stdout().print(table)


def key_values(pairs: Iterable[tuple[str, Any]], *, title: str | None = None) -> None:
    """Print a two-column table of names and values."""
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for name, value in pairs:
        table.add_row(name, _cell(value))
    stdout().print(table)


def when(timestamp: float | None) -> str:
    """A Unix time as local ISO-8601 text to the second ('-' for none or 0)."""
    if not timestamp:
        return "-"
    moment = datetime.datetime.fromtimestamp(float(timestamp)).astimezone()
    return moment.isoformat(timespec="seconds")
