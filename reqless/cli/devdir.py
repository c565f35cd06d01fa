"""The data directory of `reqless dev` / `reqless server` (`./.reqless` by default).

It holds the embedded server's append-only file and log, the worker's log, and two
small files other commands read: `url` (so `reqless ui` and the admin commands find
the dev server without options) and `dev.json` (the running processes, so a second
`reqless dev` in the same directory is refused and tests can check what is left).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click

__all__ = [
    "DEFAULT_DATA_DIR",
    "DevProcesses",
    "data_dir_option",
    "dev_url",
    "port_option",
    "running",
    "write_running",
    "write_url",
]

DEFAULT_DATA_DIR = Path(".reqless")


def data_dir_option(text: str) -> Callable[[Any], Any]:
    """`--data-dir`, as `reqless dev` and `reqless server` both take it."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_DATA_DIR,
        show_default=True,
        help=text,
    )


def port_option(text: str) -> Callable[[Any], Any]:
    """`--port` of the embedded server (0: a free one)."""
    return click.option("--port", type=click.IntRange(0, 65535), default=0, help=text)


@dataclass
class DevProcesses:
    """What a running `reqless dev` (or `reqless server`) started."""

    pid: int
    url: str
    server_pid: int | None = None
    worker_pid: int | None = None
    ui_url: str | None = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dev_url(directory: Path | None = None) -> str | None:
    """The URL of the dev server whose data directory is `directory` (default
    `./.reqless`), when that server is running; else None."""
    data_dir = directory or DEFAULT_DATA_DIR
    state = running(data_dir)
    return state.url if state is not None else None


def running(data_dir: Path) -> DevProcesses | None:
    """The processes recorded in `data_dir`, if the program that recorded them lives."""
    try:
        recorded = json.loads((data_dir / "dev.json").read_text())
        state = DevProcesses(**recorded)
    except (OSError, ValueError, TypeError):
        return None
    return state if _alive(state.pid) else None


def write_running(data_dir: Path, state: DevProcesses) -> None:
    (data_dir / "dev.json").write_text(json.dumps(asdict(state), indent=2) + "\n")
    write_url(data_dir, state.url)


def write_url(data_dir: Path, url: str) -> None:
    (data_dir / "url").write_text(url + "\n")


def clear_running(data_dir: Path) -> None:
    for name in ("dev.json", "url"):
        with contextlib.suppress(FileNotFoundError):
            (data_dir / name).unlink()
