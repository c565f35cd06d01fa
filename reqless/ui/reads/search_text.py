"""Plain-text search (docs/ui.md, Reading the pages): a word that is not a jid, matched against what
a person
may have typed it for.

Names are matched as case-insensitive substrings: queues, workers and failure
groups from one core call each, tags by a SCAN of `ql:tags` capped at
`scan_limit` entries. Jobs are matched twice, each within the limits of its own
query: jids that start with the word (`jid:<word>`) and classes that contain it
in every state (`class:<word>`). Each part says whether it stopped at its limit;
the page links to the full query of each, which continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from reqless._calls import server as server_calls
from reqless.ui.reads import failed
from reqless.ui.reads.rows import as_list
from reqless.ui.reads.search_query import Query, parse
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["text_search"]

#: Most names of each kind listed.
MAX_NAMES = 100

#: (inst, settings, query, cursor) -> a jobs result; the scans of reqless.ui.reads.search.
Scan = Callable[[Instance, UISettings, Query, str | None], dict[str, Any]]


def _path(kind: str, name: str) -> str:
    return f"/{kind}/{quote(name, safe='')}"


def _containing(names: list[str], needle: str) -> list[str]:
    return sorted(n for n in names if needle in n.lower())[:MAX_NAMES]


def _glob_anycase(text: str) -> str:
    """A Redis MATCH pattern for `*text*`, letters in either case, specials literal."""
    out = []
    for char in text:
        if char.lower() != char.upper():
            out.append(f"[{char.lower()}{char.upper()}]")
        elif char in "*?[]\\^-":
            out.append("\\" + char)
        else:
            out.append(char)
    return "*" + "".join(out) + "*"


def _tags(inst: Instance, settings: UISettings, needle: str) -> tuple[list[str], bool]:
    """Tags containing `needle` (a capped SCAN of ql:tags) and whether the cap cut it."""
    database = inst.client.database
    cursor, seen = 0, 0
    found: set[str] = set()
    match = _glob_anycase(needle)
    while True:
        cursor, batch = database.zscan(inst.client.keys.TAGS, cursor, match=match, count=500)
        seen += 500
        found.update(str(tag) for tag, _score in batch)
        if cursor == 0 or seen >= settings.scan_limit or len(found) >= MAX_NAMES:
            break
    return sorted(found)[:MAX_NAMES], cursor != 0


def text_search(
    inst: Instance, settings: UISettings, word: str, jid_prefix: Scan, scan: Scan
) -> dict[str, Any]:
    """Every kind of thing `word` may name (see the module docstring)."""
    needle = word.lower()
    queues = _containing(
        [str(n) for n in as_list(inst.client._run(server_calls.queue_names()))], needle
    )
    workers = _containing(
        [str(w["name"]) for w in as_list(inst.client._run(server_calls.workers_counts()))], needle
    )
    counts = failed.group_counts(inst)
    tags, tags_capped = _tags(inst, settings, needle)
    by_jid = jid_prefix(inst, settings, parse(f"jid:{_quoted(word)}"), None)
    by_class = scan(inst, settings, parse(f"class:{_quoted(word)}"), None)
    found: dict[str, Any] = {
        "queues": [{"name": n, "path": _path("queues", n)} for n in queues],
        "workers": [{"name": n, "path": _path("workers", n)} for n in workers],
        "groups": [
            {"group": g, "count": counts[g], "path": _path("failed", g)}
            for g in _containing(list(counts), needle)
        ],
        "tags": [{"tag": t, "path": _path("tags", t)} for t in tags],
        "tags_capped": tags_capped,
        "jid_jobs": {**by_jid, "search": f"jid:{_quoted(word)}"},
        "class_jobs": {**by_class, "search": f"class:{_quoted(word)}"},
    }
    names = len(queues) + len(workers) + len(found["groups"]) + len(tags)
    return {
        "query": word,
        "kind": "text",
        "text": word,
        "exact_match": False,
        "matches": names + by_jid["matches"] + by_class["matches"],
        **found,
    }


def _quoted(word: str) -> str:
    # The word becomes one term of a query again: quote it when it needs quotes.
    if any(c.isspace() or c in "\"'" for c in word):
        quote_char = "'" if '"' in word else '"'
        return f"{quote_char}{word}{quote_char}"
    return word
