"""Job payloads as the UI shows them: parsed, redacted and cut at 256 KiB (docs/ui.md, Reading the
pages)."""

from __future__ import annotations

import json
from typing import Any

from reqless.ui.reads.redact import redact, redact_text

__all__ = ["VIEW_LIMIT", "parse_payload", "payload_view"]

#: Payloads larger than this are cut in the job view; `/data` returns them whole.
VIEW_LIMIT = 256 * 1024


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, and the API could not send them back.
    raise ValueError(f"not JSON: {name}")


def parse_payload(text: str) -> tuple[Any, bool]:
    """The parsed payload and True, or the text itself and False when it is not JSON."""
    try:
        return json.loads(text, parse_constant=_reject_constant), True
    except (ValueError, RecursionError):
        return text, False


def payload_view(
    text: str, keys: tuple[str, ...], limit: int | None = VIEW_LIMIT, reveal: bool = False
) -> dict[str, Any]:
    """`data`, `data_is_json`, `data_truncated`, `data_size` and `redacted_paths`.

    `data_size` is the stored size in bytes. A payload over `limit` comes back as
    the first `limit` characters of its redacted JSON text (a string), so the
    viewer can show the start and offer to load the rest. `reveal` masks nothing,
    not even URL passwords (an admin's audited reveal).
    """
    size = len(text.encode("utf-8"))
    data, is_json = parse_payload(text)
    paths: list[str] = []
    if is_json and not reveal:
        data, paths = redact(data, keys)
    elif not reveal:
        data, masked = redact_text(data, keys)
        paths = ["(text)"] if masked else []
    truncated = False
    if limit is not None and size > limit:
        shown = json.dumps(data, ensure_ascii=False) if is_json else data
        data, truncated = shown[:limit], True
    return {
        "data": data,
        "data_is_json": is_json,
        "data_truncated": truncated,
        "data_size": size,
        "redacted_paths": paths,
    }
