"""How job classes and job data are written for the core."""

from __future__ import annotations

import json
from typing import Any

from reqless import _validate
from reqless.exceptions import ReqlessError

__all__ = ["class_string", "encode_data"]


def class_string(klass: type | str) -> str:
    """The dotted path a job class is stored under (strings pass through).

    Raises ReqlessError for anything but a class or a non-empty string.
    """
    return _validate.klass(klass)


def encode_data(data: Any) -> str:
    """Job data as JSON text: a string must already be JSON; anything else is encoded.

    Raises ReqlessError (and sends nothing) for text that is not JSON or a value
    that cannot be JSON-encoded.
    """
    if isinstance(data, str):
        try:
            _DECODER.decode(data)
        except ValueError as exc:
            raise ReqlessError(f"job data is a string but not JSON text: {data!r}") from exc
        return data
    if isinstance(data, bytes | bytearray):
        try:
            return encode_data(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ReqlessError(f"job data is bytes but not UTF-8 text: {exc}") from exc
    try:
        return _ENCODER.encode(data)
    except (TypeError, ValueError) as exc:
        raise ReqlessError(f"job data is not JSON-serialisable: {exc}") from exc


def _reject_constant(name: str) -> Any:
    # json.loads accepts NaN and Infinity, which are not JSON.
    raise ValueError(f"{name} is not JSON")


# json.dumps and json.loads with these options would build one per call.
_ENCODER = json.JSONEncoder(allow_nan=False)
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
