"""The `Call` value and the reply parsers and error translations calls share."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from reqless.exceptions import LostLockError, ReqlessError
from reqless.types import Arg

__all__ = ["Call", "lost_lock", "owned", "parse_json", "parse_str"]

T = TypeVar("T")

# Server messages that mean "this worker no longer holds the job".
_LOST_LOCK_MARKERS = (
    "not currently running",
    "another worker",
    "another queue",
    "does not exist",
)


def lost_lock(exc: ReqlessError) -> bool:
    """Whether the core refused a call because this worker no longer holds the job."""
    return any(marker in str(exc) for marker in _LOST_LOCK_MARKERS)


def _unchanged(exc: ReqlessError) -> ReqlessError:
    return exc


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One core command ready to send, and what to make of its reply.

    `translate` turns the error the core raised into the one the caller sees
    (it may return the same error). `repeatable` says whether the call may be
    sent again after its reply was lost (it may have run): true for reads, and
    for writes that leave the same state when run twice. Every builder states
    it, next to the command it builds. `acknowledged` says the write is one that
    durable acknowledgement waits for (a client made with `durability=`, see
    `reqless.durability`): put, put_many, complete, fail and retry.
    """

    command: str
    args: tuple[Arg, ...]
    parse: Callable[[Any], T]
    translate: Callable[[ReqlessError], ReqlessError] = _unchanged
    repeatable: bool = field(kw_only=True)
    acknowledged: bool = field(default=False, kw_only=True)


# A Call is made for every command sent, and the frozen dataclass's own __init__
# sets each field through `object.__setattr__`, about 1.3k instructions a field.
# This one has the same signature and writes the slots directly, for half that;
# tests/client/test_call_value.py holds it to the dataclass's fields.
_set_command = Call.__dict__["command"].__set__
_set_args = Call.__dict__["args"].__set__
_set_parse = Call.__dict__["parse"].__set__
_set_translate = Call.__dict__["translate"].__set__
_set_repeatable = Call.__dict__["repeatable"].__set__
_set_acknowledged = Call.__dict__["acknowledged"].__set__


def _init(
    self: Call[Any],
    command: str,
    args: tuple[Arg, ...],
    parse: Callable[[Any], Any],
    translate: Callable[[ReqlessError], ReqlessError] = _unchanged,
    *,
    repeatable: bool,
    acknowledged: bool = False,
) -> None:
    _set_command(self, command)
    _set_args(self, args)
    _set_parse(self, parse)
    _set_translate(self, translate)
    _set_repeatable(self, repeatable)
    _set_acknowledged(self, acknowledged)


_init.__qualname__ = "Call.__init__"
Call.__init__ = _init  # type: ignore[method-assign]


def owned(jid: str) -> Callable[[ReqlessError], ReqlessError]:
    """Translate "not yours any more" refusals of job `jid` into LostLockError."""

    def translate(exc: ReqlessError) -> ReqlessError:
        return LostLockError(jid, str(exc)) if lost_lock(exc) else exc

    return translate


def parse_json(reply: Any) -> Any:
    """The reply decoded from JSON."""
    return json.loads(reply)


def parse_str(reply: Any) -> str:
    """The reply as text."""
    return str(reply)
