"""The server's configuration as a mutable mapping (`client.config`)."""

from __future__ import annotations

import json
import math
from collections.abc import (
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    MutableMapping,
    ValuesView,
)
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reqless.exceptions import ReqlessError
from reqless.logger import logger

if TYPE_CHECKING:
    from reqless.client import Client

__all__ = ["Config"]


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
# `<queue>-max-pop-retry` follows the rule of its global option.
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


class Config(MutableMapping[str, Any]):
    """The server's global configuration (`client.config`), read fresh on every access.

    Reading an option JSON-decodes it (`"60"` gives 60; free text stays text) and gives
    None for an option that is neither set nor has a server default. Listing
    (`all`, `keys()`, `values()`, `items()`, iteration) shows the raw strings, server
    defaults included. Values are written as text; deleting an option restores its
    default, so options with a default never disappear: use `clear()` rather than a
    `popitem()` loop to reset everything.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<reqless.Config of {self._client!r}>"

    @property
    def all(self) -> dict[str, str]:
        """Every option: server defaults overlaid with the values set, all as strings."""
        result: dict[str, str] = json.loads(self._client("config.getAll"))
        for option, text in result.items():
            _warn_if_unusable(option, text)
        return result

    def __getitem__(self, option: str) -> Any:
        """The decoded value of `option`, or None when it is unset and has no default."""
        name = _option(option)
        text = self._client("config.get", name)
        _warn_if_unusable(name, text)
        return _decode(text)

    def __setitem__(self, option: str, value: str | int | float) -> None:
        """Store `value` (a string or a finite number) as the text of `option`."""
        name = _option(option)
        self._client("config.set", name, _value(name, value))

    def __delitem__(self, option: str) -> None:
        """Unset `option`; absent options are fine, defaulted ones revert to the default."""
        self._client("config.unset", _option(option))

    def __contains__(self, option: object) -> bool:
        return option in self.all

    def __iter__(self) -> Iterator[str]:
        return iter(self.all)

    def __len__(self) -> int:
        return len(self.all)

    def keys(self) -> KeysView[str]:
        """The option names of a freshly fetched `all`."""
        return self.all.keys()

    def values(self) -> ValuesView[Any]:
        """The raw (string) values of a freshly fetched `all`."""
        return self.all.values()

    def items(self) -> ItemsView[str, Any]:
        """The (option, raw string value) pairs of a freshly fetched `all`."""
        return self.all.items()

    def get(self, option: str, default: Any = None) -> Any:
        """The decoded value of `option`, or `default` when it is None.

        Unlike the original, a falsy default such as 0 is honoured too.
        """
        value = self[option]
        return default if value is None else value

    def pop(self, option: str, default: Any = None) -> Any:
        """Read `option` (as `get` does), then unset it."""
        value = self.get(option, default)
        del self[option]
        return value

    def setdefault(self, option: str, default: Any = None) -> Any:
        """The decoded value of `option`; when it is None, store `default` and return it."""
        value = self[option]
        if value is None and default is not None:
            self[option] = default
            return default
        return value

    def update(  # type: ignore[override]
        self, other: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), /, **kwargs: Any
    ) -> None:
        """Set several options: `kwargs` first, then `other` (which wins on collisions).

        Every option and value is checked before the first one is written.
        """
        merged: dict[str, Any] = dict(kwargs)
        merged.update(other)
        texts = {_option(name): _value(name, value) for name, value in merged.items()}
        for name, text in texts.items():
            self._client("config.set", name, text)

    def clear(self) -> None:
        """Unset every option, which restores the server defaults."""
        for option in self.all:
            self._client("config.unset", option)
