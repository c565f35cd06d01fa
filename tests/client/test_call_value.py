"""`Call` keeps the dataclass's contract with its own, cheaper `__init__`
(reqless/_calls/call.py says why): every field is set, with the same defaults,
keyword-only fields and frozen value."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from reqless._calls.call import Call, _unchanged


def test_the_init_takes_every_field_in_the_dataclass_order_and_kind() -> None:
    parameters = list(inspect.signature(Call.__init__).parameters.values())[1:]
    fields = dataclasses.fields(Call)
    assert [p.name for p in parameters] == [f.name for f in fields]
    for parameter, field in zip(parameters, fields, strict=True):
        assert (parameter.kind is inspect.Parameter.KEYWORD_ONLY) == field.kw_only, field.name
        default = inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default
        assert parameter.default is default, field.name


def test_every_field_is_set_and_the_value_stays_frozen() -> None:
    parse, translate = int, (lambda exc: exc)
    call = Call("queue.length", ("q",), parse, translate, repeatable=True, acknowledged=True)
    assert dataclasses.astuple(call) == ("queue.length", ("q",), parse, translate, True, True)
    assert call == Call("queue.length", ("q",), parse, translate, repeatable=True,
                        acknowledged=True)  # fmt: skip
    plain = Call("queue.length", ("q",), parse, repeatable=False)
    assert (plain.translate, plain.acknowledged) == (_unchanged, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plain.command = "other"  # type: ignore[misc]
    assert hash(plain) == hash(Call("queue.length", ("q",), parse, repeatable=False))
