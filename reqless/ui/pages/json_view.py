"""Pretty-printed JSON with token classes for the payload viewer (docs/ui.md, Response headers).

Every piece of data goes through `markupsafe.escape` before it joins the output;
only the fixed span tags written here are markup. Objects and arrays are wrapped in
`span.j-obj` / `span.j-arr` with their depth, so the script can collapse levels.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from markupsafe import Markup, escape

__all__ = ["MAX_DEPTH", "json_markup", "visible_text"]

#: Deeper levels are shown as compact escaped text instead of nested spans.
MAX_DEPTH = 64
_INDENT = "  "
_HTTP_LINK = re.compile(r"^https?://[^\s\"'<>\\]{1,2000}$", re.IGNORECASE)


def visible_text(text: str) -> str:
    """`text` with control and format characters (NUL, RTL marks…) as `\\uXXXX`.

    Bidirectional overrides would otherwise reorder what the operator reads.
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"):
            out.append(char)
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


def _string(value: str) -> str:
    quoted = visible_text(json.dumps(value, ensure_ascii=False))
    if _HTTP_LINK.match(value):
        return (
            f'<a class="j-str" href="{escape(value)}" rel="noopener noreferrer" '
            f'target="_blank">{escape(quoted)}</a>'
        )
    return f'<span class="j-str">{escape(quoted)}</span>'


def _scalar(value: Any) -> str:
    if value is None:
        return '<span class="j-null">null</span>'
    if isinstance(value, bool):
        return f'<span class="j-bool">{"true" if value else "false"}</span>'
    if isinstance(value, (int, float)):
        return f'<span class="j-num">{escape(json.dumps(value))}</span>'
    if isinstance(value, str):
        return _string(value)
    return f'<span class="j-str">{escape(visible_text(repr(value)))}</span>'


def _render(value: Any, depth: int, out: list[str]) -> None:
    if not isinstance(value, (dict, list)):
        out.append(_scalar(value))
        return
    if depth >= MAX_DEPTH:
        text = json.dumps(value, ensure_ascii=False, default=str)
        out.append(f'<span class="j-deep">{escape(visible_text(text))}</span>')
        return
    is_dict = isinstance(value, dict)
    opener, closer, kind = ("{", "}", "j-obj") if is_dict else ("[", "]", "j-arr")
    if not value:
        out.append(f'<span class="{kind}" data-depth="{depth}">{opener}{closer}</span>')
        return
    inner = _INDENT * (depth + 1)
    out.append(
        f'<span class="{kind}" data-depth="{depth}" data-size="{len(value)}">'
        f'<span class="j-open">{opener}</span><span class="j-body">\n'
    )
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    for position, (key, item) in enumerate(items):
        out.append(inner)
        if is_dict:
            key_text = visible_text(json.dumps(str(key), ensure_ascii=False))
            out.append(f'<span class="j-key">{escape(key_text)}</span>: ')
        _render(item, depth + 1, out)
        out.append(",\n" if position < len(items) - 1 else "\n")
    out.append(f'{_INDENT * depth}</span><span class="j-close">{closer}</span></span>')


def json_markup(value: Any) -> Markup:
    """The value as indented, token-classed, escaped markup for a `<pre>`."""
    out: list[str] = []
    _render(value, 0, out)
    return Markup("".join(out))
