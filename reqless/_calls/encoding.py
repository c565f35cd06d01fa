"""How job classes and job data are written for the core."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from reqless import _validate
from reqless.exceptions import ArgumentError

__all__ = ["class_string", "encode_data", "sized"]


def class_string(klass: type | str) -> str:
    """The dotted path a job class is stored under (strings pass through).

    Raises ReqlessError for anything but a class or a class path some worker
    could hold (`app.jobs.Report`, `Billing::Charge`), and for a class defined
    in `__main__` (no worker could import it).
    """
    return _validate.klass(klass)


def sized(text: str, limit: int | None, what: str = "job data") -> str:
    """`text` (encoded job data), refused when it is longer than `limit` bytes.

    A limit of None allows any size. Sent whole, data past the server's
    `proto-max-bulk-len` (512 MB by default) makes it drop the connection; the
    client's limit (`Client(max_data_bytes=...)`) refuses it first, by name.
    """
    # len() counts characters, at most as many as the UTF-8 bytes, and 4 times
    # fewer at worst: encode only text that may be over the limit.
    if limit is None or len(text) * 4 <= limit:
        return text
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise ArgumentError(
            f"{what} is {size} bytes, over the client's limit of {limit} bytes "
            "(Client(max_data_bytes=...) sets it; nothing was sent)"
        )
    return text


def encode_data(data: Any) -> str:
    """Job data as JSON text: a string must already be JSON; anything else is encoded.

    Raises ReqlessError (and sends nothing) for text that is not JSON or a value
    that cannot be JSON-encoded.
    """
    if isinstance(data, str):
        try:
            _DECODER.decode(data)
        except ValueError as exc:
            raise ArgumentError(f"job data is a string but not JSON text: {data!r}") from exc
        return data
    if isinstance(data, bytes | bytearray):
        try:
            return encode_data(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ArgumentError(f"job data is bytes but not UTF-8 text: {exc}") from exc
    if _FAST is not None:
        try:
            return _FAST(data)
        except Exception:  # the standard encoder below says what is wrong
            pass
    try:
        return _ENCODER.encode(data)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"job data is not JSON-serialisable: {exc}") from exc


def _reject_constant(name: str) -> Any:
    # json.loads accepts NaN and Infinity, which are not JSON.
    raise ValueError(f"{name} is not JSON")


# json.dumps and json.loads with these options would build one per call.
_ENCODER = json.JSONEncoder(allow_nan=False)
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _fast_encoder() -> Callable[[Any], str] | None:
    """The C encoder behind `_ENCODER`, made once instead of on every call.

    `JSONEncoder.encode` builds a new C encoder per call, which was two thirds
    of the cost of encoding a small job (1.0 against 0.4 µs) and the largest
    part of what `put_many` spends per job. This one skips the check for
    circular references (a value that has one fails here and is then encoded
    by `_ENCODER`, which names the problem). It is used only if it writes
    exactly what `_ENCODER` writes for a sample; otherwise None.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    reference = _ENCODER
    try:
        made = make(
            None, reference.default, json.encoder.encode_basestring_ascii, None,
            reference.key_separator, reference.item_separator, reference.sort_keys,
            reference.skipkeys, reference.allow_nan,
        )  # fmt: skip
    except Exception:  # another Python's private API: do without it
        return None

    def encode(data: Any) -> str:
        return "".join(made(data, 0))

    sample = {"a": [1, 2.5, "é\n\u2028", None, True, {"b": -0.0, "c": 1e300}], "d": (7,)}
    try:
        same = encode(sample) == reference.encode(sample)
    except Exception:
        same = False
    return encode if same else None


_FAST = _fast_encoder()
