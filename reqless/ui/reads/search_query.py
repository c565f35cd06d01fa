"""Parsing of search queries (docs/ui.md, Reading the pages): terms, scope and filters.

Terms are separated by spaces and combined with AND; values with spaces are
quoted ("..." or '...'). `tracked` is a bare scope word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reqless.ui.errors import ApiError

__all__ = ["MAX_QUERY", "STATES", "Query", "parse"]

MAX_QUERY = 500
STATES = (
    "waiting",
    "running",
    "scheduled",
    "stalled",
    "depends",
    "throttled",
    "failed",
    "complete",
)
_KEYS = ("jid", "tag", "queue", "worker", "group", "class", "data", "error", "state", "priority")


@dataclass
class Query:
    """A parsed query: bare words, `key:value` terms, `data.<path>` terms, `tracked`."""

    text: str
    bare: list[str] = field(default_factory=list)
    terms: dict[str, str] = field(default_factory=dict)
    data_paths: list[tuple[list[str], str]] = field(default_factory=list)
    tracked: bool = False

    @property
    def filters(self) -> dict[str, Any]:
        """The job filters present (class, data, data paths, error, state, priority)."""
        found: dict[str, Any] = {
            key: self.terms[key]
            for key in ("class", "data", "error", "state", "priority")
            if key in self.terms
        }
        if self.data_paths:
            found["data_paths"] = self.data_paths
        return found


def _split(text: str) -> list[str]:
    """Split on spaces outside quotes; quotes may open anywhere (`data:"a b"`)."""
    out: list[str] = []
    current: list[str] = []
    quote: str | None = None
    started = False
    for char in text:
        if quote:
            if char == quote:
                quote = None
            else:
                current.append(char)
        elif char in "\"'":
            quote, started = char, True
        elif char.isspace():
            if started:
                out.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
            started = True
    if quote:
        raise ApiError.invalid("q", "a quote is not closed")
    if started:
        out.append("".join(current))
    return out


def _path(raw: str) -> list[str]:
    parts = raw.split(".")
    if any(part == "" for part in parts):
        raise ApiError.invalid("q", f"data.{raw}: empty path segment")
    return parts


def parse(text: str) -> Query:
    """The terms of a query; 400 naming `q` for anything malformed."""
    if len(text) > MAX_QUERY:
        raise ApiError.invalid("q", f"at most {MAX_QUERY} characters, got {len(text)}")
    query = Query(text=text)
    for token in _split(text.strip()):
        if token.lower() == "tracked":
            query.tracked = True
            continue
        key, sep, value = token.partition(":")
        if not sep:
            query.bare.append(token)
            continue
        lowered = key.lower()
        if lowered.startswith("data."):
            query.data_paths.append((_path(key[5:]), value))
            continue
        if lowered not in _KEYS:
            # Not a qualifier: a jid or word that happens to hold a colon.
            query.bare.append(token)
            continue
        if lowered in query.terms:
            raise ApiError.invalid("q", f"{lowered}: given twice")
        if value == "" and lowered != "data":
            raise ApiError.invalid("q", f"{lowered}: needs a value")
        query.terms[lowered] = value
    if "state" in query.terms and query.terms["state"].lower() not in STATES:
        raise ApiError.invalid("q", f"state: must be one of {', '.join(STATES)}")
    if "priority" in query.terms:
        try:
            int(query.terms["priority"])
        except ValueError:
            raise ApiError.invalid("q", "priority: must be an integer") from None
    if not query.bare and not query.terms and not query.data_paths and not query.tracked:
        raise ApiError.invalid("q", "the query is empty")
    return query
