"""Click parameter types of the admin commands: each checks one kind of value."""

from __future__ import annotations

import json
import math
from typing import Any

import click

__all__ = ["JSON_TEXT", "NUMBER", "POSITIVE_SECONDS", "SECONDS", "reject_constant"]


def reject_constant(name: str) -> Any:
    """For `json.loads(parse_constant=...)`: NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not JSON")


class _Number(click.ParamType[Any, Any]):
    """A finite number (whole numbers stay int), at least or above a bound."""

    def __init__(self, name: str, minimum: float | None = None, exclusive: bool = False) -> None:
        self.name = name
        self.minimum = minimum
        self.exclusive = exclusive

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number: int | float = value
        else:
            text = str(value).strip()
            try:
                number = int(text)
            except ValueError:
                try:
                    number = float(text)
                except ValueError:
                    self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        if self.minimum is not None:
            low = number <= self.minimum if self.exclusive else number < self.minimum
            if low:
                bound = ">" if self.exclusive else ">="
                self.fail(f"must be {bound} {self.minimum:g}, not {value!r}", param, ctx)
        return number


class _JsonText(click.ParamType[Any, Any]):
    """JSON text, passed on as given (the job's data)."""

    name = "json"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            json.loads(value, parse_constant=reject_constant)
        except ValueError as exc:
            self.fail(f"{value!r} is not JSON text ({exc})", param, ctx)
        return value


#: Any finite number (priorities).
NUMBER = _Number("number")
#: A finite number of seconds, 0 or more (delays, offsets, expirations).
SECONDS = _Number("seconds", minimum=0)
#: A finite number of seconds above 0 (recurring intervals).
POSITIVE_SECONDS = _Number("seconds", minimum=0, exclusive=True)
#: JSON text.
JSON_TEXT = _JsonText()
