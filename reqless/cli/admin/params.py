"""Click parameter types of the admin commands: each checks one kind of value.

The number, seconds, port and count types are the shared checks of
`reqless.cli.click_types`, so every command words a refusal the same way. Also
`ValueCommand`, the command class of commands whose arguments may be
negative numbers (`reqless config set heartbeat -5`).
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from typing import Any

import click

from reqless.cli.click_types import (
    COUNT,
    NUMBER,
    PORT,
    POSITIVE_SECONDS,
    SECONDS,
    WHOLE_NUMBER,
)

__all__ = [
    "COUNT",
    "JSON_INPUT",
    "JSON_TEXT",
    "NUMBER",
    "PORT",
    "POSITIVE_SECONDS",
    "SECONDS",
    "WHOLE_NUMBER",
    "ValueCommand",
    "reject_constant",
]


def reject_constant(name: str) -> Any:
    """For `json.loads(parse_constant=...)`: NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not JSON")


class _JsonText(click.ParamType[Any, Any]):
    """JSON text, passed on as given (the job's data)."""

    name = "json"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            json.loads(value, parse_constant=reject_constant)
        except ValueError as exc:
            self.fail(f"{_shown(value)} is not JSON text ({exc})", param, ctx)
        return value


def _shown(value: Any) -> str:
    # Data read from a file may be megabytes long: a message shows its start.
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


class _JsonInput(_JsonText):
    """JSON text given as is, `@PATH` (read from a file) or `-` (read from stdin)."""

    name = "json"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        # Neither `-` nor text starting with `@` is JSON, so these cannot clash.
        if value == "-":
            value = self._read("standard input", sys.stdin.buffer.read, param, ctx)
        elif isinstance(value, str) and value.startswith("@"):
            path = value[1:]
            value = self._read(path, lambda: _read_file(path), param, ctx)
        return super().convert(value, param, ctx)

    def _read(
        self, name: str, read: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        try:
            return str(read().decode("utf-8"))
        except OSError as exc:
            self.fail(f"cannot read {name}: {exc.strerror or exc}", param, ctx)
        except UnicodeDecodeError as exc:
            self.fail(f"{name} is not UTF-8 text ({exc})", param, ctx)


def _read_file(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


#: A negative number, as an argument: `-5`, `-2.5`, `-.5`, `-1e3`.
_NEGATIVE = re.compile(r"-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


class ValueCommand(click.Command):
    """A command whose arguments may be negative numbers: `-5` is a value, not an option.

    Click reads every word starting with `-` as an option, so `reqless throttle set
    x -1` failed with "No such option: -1" and the value never reached its check.
    Here a negative number is an argument, while an unknown option is still
    refused, with the close matches.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Click's parser then keeps words it does not know (the numbers) as arguments.
        self.context_settings.setdefault("ignore_unknown_options", True)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: set[str] = set()
        names: set[str] = set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                names.update(param.opts + param.secondary_opts)
                if not param.is_flag and not param.count:
                    takes_value.update(param.opts)
        skip = False
        for arg in args:
            if arg == "--":
                break
            if skip:
                skip = False
                continue
            name = arg.split("=", 1)[0]
            if name in takes_value and "=" not in arg:
                skip = True
            elif _unknown_option(arg, name, names, takes_value):
                close = difflib.get_close_matches(name, sorted(names), n=3)
                raise click.NoSuchOption(name, possibilities=close, ctx=ctx)
        return super().parse_args(ctx, args)


def _unknown_option(arg: str, name: str, names: set[str], takes_value: set[str]) -> bool:
    """Whether `arg` reads as an option the command does not have.

    Not a negative number, nor a short option glued to its value (`-tnightly`).
    """
    if not arg.startswith("-") or len(arg) == 1 or name in names:
        return False
    glued = not arg.startswith("--") and arg[:2] in takes_value
    return not glued and _NEGATIVE.fullmatch(arg) is None


#: JSON text.
JSON_TEXT = _JsonText()
#: JSON text, `@PATH` for a file's content or `-` for standard input.
JSON_INPUT = _JsonInput()
