"""Job data encoding: the kept C encoder writes what json.dumps writes, and refuses alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reqless._calls import encoding
from reqless._calls.encoding import encode_data
from reqless.exceptions import ReqlessError

_scalars = (
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


def test_the_kept_encoder_is_in_use_on_this_python() -> None:
    assert encoding._FAST is not None


@settings(max_examples=300, derandomize=True, database=None)
@given(data=_values.filter(lambda value: not isinstance(value, str)))
def test_data_is_written_as_json_dumps_writes_it(data: Any) -> None:
    assert encode_data(data) == json.dumps(data, allow_nan=False)


def _circular() -> list[Any]:
    loop: list[Any] = []
    loop.append(loop)
    return loop


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (float("nan"), "Out of range float"),
        ({"x": [float("inf")]}, "Out of range float"),
        (_circular(), "Circular reference"),
        ({"x": object()}, "not JSON serializable"),
        ({(1, 2): 3}, "keys must be"),
    ],
    ids=["nan", "infinity", "circular", "object", "tuple-key"],
)
def test_what_json_refuses_is_refused_with_its_reason(data: Any, match: str) -> None:
    with pytest.raises(ReqlessError, match=f"job data is not JSON-serialisable: .*{match}"):
        encode_data(data)
