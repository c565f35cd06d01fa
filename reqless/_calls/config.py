"""Calls on the server's configuration, and the checks of option names and values."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reqless._calls.call import Call
from reqless.exceptions import ReqlessError
from reqless.logger import logger

__all__ = [
    "decode",
    "get",
    "get_all",
    "get_text",
    "number_problem",
    "set",
    "set_many",
    "set_text",
    "unset",
]


def _option(option: object) -> str:
    if not isinstance(option, str) or not option:
        raise ReqlessError(f"config option names are non-empty strings, not {option!r}")
    return option


@dataclass(frozen=True, slots=True)
class _NumberRule:
    """What a numeric option accepts: a finite number, maybe whole, at least `least`."""

    least: float
    whole: bool
    meaning: str

    def problem(self, number: float) -> str | None:
        """Why `number` does not fit, or None."""
        if not math.isfinite(number):
            return "is not a finite number"
        if self.whole and number != int(number):
            return "must be a whole number"
        if number < self.least:
            return f"must be at least {self.least:g}"
        return None


# The options the core reads as numbers. A per-queue `<queue>-heartbeat` or
# `<queue>-max-pop-retry` follows the rule of its global option. The core's
# config.set applies the same rules (lib/config.lua), except that it takes any
# finite `heartbeat` and `jobs-history`, as the specification's examples need.
_NUMBER_RULES: dict[str, _NumberRule] = {
    "heartbeat": _NumberRule(0.001, False, "seconds a popped job's lock lasts"),
    "grace-period": _NumberRule(0, False, "seconds of grace after a lock expires"),
    "jobs-history": _NumberRule(0, False, "seconds completed jobs are kept"),
    "jobs-history-count": _NumberRule(0, True, "completed jobs kept"),
    "max-job-history": _NumberRule(0, True, "history entries kept per job (0: all)"),
    "max-pop-retry": _NumberRule(1, True, "passes a pop makes past throttled jobs"),
    "max-worker-age": _NumberRule(0.001, False, "seconds an idle worker stays listed"),
}
_PER_QUEUE = ("heartbeat", "max-pop-retry")


def _rule(option: str) -> _NumberRule | None:
    """The rule of numeric option `option` (itself or a per-queue form), or None."""
    if option in _NUMBER_RULES:
        return _NUMBER_RULES[option]
    for name in _PER_QUEUE:
        if option.endswith("-" + name) and len(option) > len(name) + 1:
            return _NUMBER_RULES[name]
    return None


def _number_problem(option: str, text: str) -> str | None:
    """Why `text` cannot be the value of numeric option `option`, or None."""
    rule = _rule(option)
    if rule is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return f"must be a number ({rule.meaning}), not {text!r}"
    problem = rule.problem(number)
    return None if problem is None else f"{problem} ({rule.meaning}), not {text!r}"


def _value(option: str, value: object) -> str:
    """The text stored for `value`, or ReqlessError naming the option."""
    # bool is an int subclass, but True would be stored as "True": refuse it.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ReqlessError(
            f"config option {option!r}: values are strings or numbers, not {value!r}"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ReqlessError(f"config option {option!r}: {value!r} is not a finite number")
    text = value if isinstance(value, str) else str(value)
    problem = _number_problem(option, text.strip())
    if problem is not None:
        raise ReqlessError(f"config option {option!r} {problem}")
    return text


def _warn_if_unusable(option: str, text: str | None) -> None:
    # Another client may have stored a value ours would refuse; the core then
    # uses the default (or the global option), which the user should know.
    if text is None:
        return
    problem = _number_problem(option, text.strip())
    if problem is not None:
        logger.warning(
            "config option %r %s; the server ignores it and uses %s",
            option,
            problem,
            "the global option" if option not in _NUMBER_RULES else "the default",
        )


def _decode(reply: str | None) -> Any:
    """A stored value as Python: JSON when it is JSON text, else the text itself."""
    if reply is None or reply == "":
        return None
    try:
        return json.loads(reply)
    except ValueError:
        # The original raised here for free text such as the default
        # `application` value "reqless"; returning the text is the intent.
        return reply


def _nothing(reply: Any) -> None:
    return None


def get_all() -> Call[dict[str, str]]:
    """Every option as raw text, server defaults included (unusable values are logged)."""

    def parse(reply: Any) -> dict[str, str]:
        result: dict[str, str] = json.loads(reply)
        for option, text in result.items():
            _warn_if_unusable(option, text)
        return result

    return Call("config.getAll", (), parse, repeatable=True)


def get(option: str) -> Call[Any]:
    """The decoded value of one option (None when unset without a default)."""
    name = _option(option)

    def parse(reply: Any) -> Any:
        _warn_if_unusable(name, reply)
        return _decode(reply)

    return Call("config.get", (name,), parse, repeatable=True)


def get_text(option: str) -> Call[str | None]:
    """The stored text of one option, undecoded (None when unset without a default)."""
    return Call("config.get", (_option(option),), lambda reply: reply, repeatable=True)


def set_text(option: str, text: str) -> Call[None]:
    """Store `text` as is; the core's own number rules (lib/config.lua) judge it.

    For callers that show the core's refusal (the web UI); `set` checks first.
    """
    if not isinstance(text, str):
        raise ReqlessError(f"config option {option!r}: the text must be a string, not {text!r}")
    return Call("config.set", (_option(option), text), _nothing, repeatable=True)


def set(option: str, value: object) -> Call[None]:
    """Store `value` as the text of `option` (checked first)."""
    name = _option(option)
    return Call("config.set", (name, _value(name, value)), _nothing, repeatable=True)


def set_many(
    other: Mapping[str, Any] | Iterable[tuple[str, Any]], kwargs: Mapping[str, Any]
) -> list[Call[None]]:
    """One `config.set` per option: `kwargs` first, `other` winning; all checked first."""
    merged: dict[str, Any] = dict(kwargs)
    merged.update(other)
    return [set(name, value) for name, value in merged.items()]


def unset(option: str) -> Call[None]:
    """Unset `option` (it reverts to its default, if it has one)."""
    return Call("config.unset", (_option(option),), _nothing, repeatable=True)


decode = _decode
number_problem = _number_problem
