"""Checks of the arguments the client sends to the server, shared by every call.

One policy, whatever is wrong with an argument (its type or its value): a
`ReqlessError` whose message names the argument, raised before anything is sent.
The server checks most of these too, but only after a round trip, with messages
about its own argument positions, and it cannot see what the transport already
turned into text (a bool becomes `True`, `inf` becomes `inf`).

The error is an `ArgumentError`, a `ReqlessError` that tells "refused before
sending" apart from a refusal by the server (the CLI exits 2 for the one, 1 for
the other).
"""

from __future__ import annotations

import functools
import math
import numbers
import re

# ArgumentError lives with the other exceptions; it stays importable from here.
from reqless.exceptions import ArgumentError
from reqless.keys import check_namespace

__all__ = [
    "ArgumentError",
    "data_limit",
    "klass",
    "name",
    "names",
    "nonnegative_int",
    "number",
    "positive",
    "text",
]


def _fail(argument: str, wanted: str, value: object) -> ArgumentError:
    return ArgumentError(f"{argument} must be {wanted}, not {value!r}")


def name(argument: str, value: object) -> str:
    """A non-empty string: queue names, jids, job classes, failure groups."""
    if not isinstance(value, str) or not value:
        raise _fail(argument, "a non-empty string", value)
    return value


def text(argument: str, value: object) -> str:
    """Any string, the empty one included (failure messages)."""
    if not isinstance(value, str):
        raise _fail(argument, "a string", value)
    return value


def names(argument: str, values: object) -> list[str]:
    """A list (or tuple) of non-empty strings: tags, jids, throttle names."""
    # A bare string is iterable too, and would be split into characters.
    if not isinstance(values, list | tuple):
        raise _fail(argument, "a list of non-empty strings", values)
    if not all(isinstance(value, str) and value for value in values):
        raise _fail(argument, "a list of non-empty strings", values)
    return list(values)


def number(argument: str, value: object, minimum: float | None = None) -> int | float:
    """A finite real number (a bool is not one), at least `minimum` when given.

    Integers stay integers, so that the server stores `5` rather than `5.0`.
    """
    wanted = "a finite number" if minimum is None else f"a finite number >= {minimum:g}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(argument, wanted, value)
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int too large for a float
        finite = False
    if not finite or (minimum is not None and value < minimum):
        raise _fail(argument, wanted, value)
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def positive(argument: str, value: object) -> int | float:
    """A finite number greater than 0 (recurring intervals)."""
    result = number(argument, value)
    if result <= 0:
        raise _fail(argument, "a finite number > 0", value)
    return result


def nonnegative_int(argument: str, value: object) -> int:
    """A whole number of at least 0 (retries, backlog); 2.0 is not one."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise _fail(argument, "a non-negative integer", value)
    return int(value)


def namespace(value: object) -> str | None:
    """A client's namespace: None, or a name the core accepts (`reqless.keys.check_namespace`)."""
    if value is None:
        return None
    try:
        return check_namespace(value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ArgumentError(f"namespace: {exc}") from None


def data_limit(value: object) -> int | None:
    """A client's job data limit: a whole number of bytes above 0, or None (no limit)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise _fail("max_data_bytes", "a whole number of bytes > 0, or None", value)
    return int(value)


def klass(value: object) -> str:
    """A job class as its dotted path: a class, or the path itself.

    The path must be a class name some worker could hold: identifiers joined by
    `.` (Python, Java: `app.jobs.Report`), `::` (Ruby) or `\\` (PHP), since workers
    in other languages share the queues. A class defined in `__main__` (the script
    being run) is refused too: a worker's `__main__` is the worker, so it cannot
    find it.
    """
    if isinstance(value, type):
        path = f"{value.__module__}.{value.__name__}"
    elif isinstance(value, str) and value:
        path = value
    else:
        raise _fail("job class", "a class or a non-empty dotted path", value)
    problem = _path_problem(path)
    if problem is not None:
        raise ArgumentError(problem)
    return path


#: What joins the parts of a class path in the languages reqless workers are written in.
_CLASS_SEPARATORS = re.compile(r"\.|::|\\")


@functools.lru_cache(maxsize=256)
def _path_problem(path: str) -> str | None:
    """What makes `path` a class no worker can import, or None.

    Cached: a program puts jobs of a few classes, and a put should not pay for
    splitting the same path again (the cache holds only the verdicts).
    """
    parts = _CLASS_SEPARATORS.split(path)
    if not all(part.replace("$", "_").isidentifier() for part in parts):
        return (
            "job class must be a class path such as app.jobs.Report (or Billing::Charge "
            f"for a worker in Ruby), not {path!r}"
        )
    if path.startswith("__main__."):
        return (
            f"job class {path} is defined in __main__, the script being run, which no "
            "worker can import: move it into a module and import it from there"
        )
    return None
