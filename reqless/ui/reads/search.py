"""Search (docs/ui.md, Reading the pages): jids, jid prefixes, names, plain text (search_text), and
capped
scans of a scope with filters (without a scope: every state, or the failure groups
for `data:` and `error:`).

A scoped scan examines at most `settings.scan_limit` jobs per request, in list
order, and returns the matches with its progress (`examined` of `scope_total`)
and a `next_cursor` to continue where it stopped. It never claims to have covered
more than it did. Filters see payloads and messages after redaction (docs/ui.md, Reading the pages),
so a
masked value never matches.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import quote

from reqless._calls import server as server_calls
from reqless.ui.errors import ApiError
from reqless.ui.reads import failed
from reqless.ui.reads.payload import parse_payload
from reqless.ui.reads.redact import redact, redact_text
from reqless.ui.reads.rows import as_list, load_rows, rows_of
from reqless.ui.reads.search_query import Query, parse
from reqless.ui.reads.search_scopes import phases
from reqless.ui.reads.search_text import text_search
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["MAX_MATCHES", "search", "select_jids"]

#: Most matches one request returns (jid prefix and scoped scans).
MAX_MATCHES = 1000
#: Jobs loaded per core call while scanning.
CHUNK = 250
_GLOB = re.compile(r"([*?\[\]\\])")
_JOB_KEY_SUFFIXES = ("-history", "-dependencies", "-dependents")


def _encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, size: int) -> list[int] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        raise ApiError.invalid("cursor", "is not a cursor this server gave") from None
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values)
    ):
        raise ApiError.invalid("cursor", "is not a cursor this server gave")
    return values


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(p) for p in text.split("*")), re.IGNORECASE)


# -- lookups (no scan) ---------------------------------------------------------


def _redirect(query: Query, kind: str, path: str, **target: Any) -> dict[str, Any]:
    return {
        "query": query.text,
        "kind": "redirect",
        "path": path,
        "target": {"kind": kind, **target},
    }


def _quote(segment: str) -> str:
    return quote(segment, safe="")


def _jid_prefix(
    inst: Instance, settings: UISettings, query: Query, prefix: str, cursor: str | None
) -> dict[str, Any]:
    """Jobs whose jid starts with `prefix`: a SCAN capped at scan_limit keys, 1,000 matches."""
    state = _decode_cursor(cursor, 2) or [0, 0]
    scan_cursor, examined_before = state
    database = inst.client.database
    job_prefix = inst.client.keys.JOB_PREFIX
    match = job_prefix + _GLOB.sub(r"\\\1", prefix) + "*"
    keys: list[str] = []
    examined = 0
    while True:
        # COUNT is only a hint: a batch may overshoot the limit a little, and
        # the cursor cannot resume inside a batch, so keep batches small near it.
        hint = max(1, min(1000, settings.scan_limit - examined))
        scan_cursor, batch = database.scan(scan_cursor, match=match, count=hint)
        examined += len(batch)
        keys.extend(str(k) for k in batch)
        if scan_cursor == 0 or examined >= settings.scan_limit or len(keys) >= MAX_MATCHES:
            break
    candidates = [k[len(job_prefix) :] for k in keys if not k.endswith(_JOB_KEY_SUFFIXES)]
    # A jid may itself end in "-history": the key type decides.
    suffixed = [k for k in keys if k.endswith(_JOB_KEY_SUFFIXES)]
    if suffixed:
        pipe = database.pipeline(transaction=False)
        for key in suffixed:
            pipe.type(key)
        jid_of = len(job_prefix)
        found = zip(suffixed, pipe.execute(), strict=True)
        candidates += [k[jid_of:] for k, t in found if t == "hash"]
    candidates = sorted(set(candidates))[:MAX_MATCHES]
    rows, _missing = load_rows(inst, settings, candidates)
    done = scan_cursor == 0
    return {
        "query": query.text,
        "kind": "jobs",
        "mode": "jid_prefix",
        "scope": {"kind": "keys", "prefix": prefix},
        "items": rows,
        "matches": len(rows),
        "examined": examined_before + examined,
        "scope_total": None,
        "capped": not done,
        "next_cursor": None
        if done
        else _encode_cursor([int(scan_cursor), examined_before + examined]),
    }


def _lookup(
    inst: Instance, settings: UISettings, query: Query, cursor: str | None
) -> dict[str, Any] | None:
    """Single-term queries that name a thing rather than filter jobs; None otherwise."""
    terms = query.terms
    if query.filters or query.tracked or len(terms) + len(query.bare) != 1:
        return None
    if query.bare:
        jid = query.bare[0]
        if inst.client._run(server_calls.get_job(jid)) is not None:
            return _redirect(query, "job", f"/jobs/{_quote(jid)}", jid=jid)
        if inst.client._run(server_calls.get_recurring(jid)) is not None:
            return _redirect(query, "recurring", f"/jobs/{_quote(jid)}", jid=jid)
        # Not a jid: search what a person may have typed it for.
        return text_search(inst, settings, jid, _by_jid, _by_scan)
    key, value = next(iter(terms.items()))
    if key == "jid":
        return _jid_prefix(inst, settings, query, value, cursor)
    if key == "tag":
        return _redirect(query, "tag", f"/tags/{_quote(value)}", tag=value)
    if key == "queue":
        if "*" not in value:
            return _redirect(query, "queue", f"/queues/{_quote(value)}", queue=value)
        names = [str(n) for n in as_list(inst.client._run(server_calls.queue_names()))]
        regex = _pattern(value)
        found = [{"name": n, "path": f"/queues/{_quote(n)}"} for n in names if regex.fullmatch(n)]
        return {"query": query.text, "kind": "queues", "items": found, "matches": len(found)}
    if key == "worker":
        raw = as_list(inst.client._run(server_calls.workers_counts()))
        needle = value.lower()
        found = [
            {"name": str(w["name"]), "path": f"/workers/{_quote(str(w['name']))}"}
            for w in raw
            if needle in str(w["name"]).lower()
        ]
        return {"query": query.text, "kind": "workers", "items": found, "matches": len(found)}
    if key == "group":
        counts = failed.group_counts(inst)
        needle = value.lower()
        groups: list[dict[str, Any]] = [
            {"group": g, "count": n, "path": f"/failed/{_quote(g)}"}
            for g, n in sorted(counts.items())
            if needle in g.lower()
        ]
        return {"query": query.text, "kind": "groups", "items": groups, "matches": len(groups)}
    return None


# -- scoped scans --------------------------------------------------------------


def _scope(query: Query) -> tuple[str, str, str | None, bool]:
    """(kind, name, state, defaulted): the list to walk, by precedence of the terms."""
    terms = query.terms
    state = terms.get("state", "").lower() or None
    if "queue" in terms and state in ("failed", "complete"):
        # Failed and completed jobs sit in no queue list: walk the failure groups
        # or the completed list, and keep the queue as a filter.
        return ("failed" if state == "failed" else "completed"), "", state, False
    for kind in ("queue", "group", "tag"):
        if kind in terms:
            return kind, terms[kind], state, False
    if query.tracked:
        return "tracked", "", state, False
    if "data" in terms or "error" in terms or query.data_paths:
        # Failed jobs are what people search payloads and messages for most (docs/ui.md, Reading the
        # pages).
        return "failed", "", state, True
    # A class, state or priority alone: every job, in every state.
    return "all", "", state, False


def _follow(value: Any, path: list[str]) -> tuple[bool, Any]:
    for part in path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif (
            isinstance(value, list)
            and part.lstrip("-").isdigit()
            and -len(value) <= int(part) < len(value)
        ):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def _scalar_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class _Matcher:
    """The AND of a query's filters over one core job object."""

    def __init__(self, query: Query, scope_kind: str, settings: UISettings) -> None:
        terms = query.terms
        self.keys = settings.redact_keys
        self.klass = terms.get("class", "").lower() if scope_kind != "class" else ""
        self.data = terms.get("data", "").lower()
        self.paths = [(path, value.lower()) for path, value in query.data_paths]
        self.error = terms.get("error", "").lower()
        self.state = terms.get("state", "").lower()
        self.priority = int(terms["priority"]) if "priority" in terms else None
        # Scope words given besides the scope act as filters.
        self.queue = terms.get("queue") if scope_kind != "queue" else None
        self.group = terms.get("group") if scope_kind != "group" else None
        self.tag = terms.get("tag") if scope_kind != "tag" else None
        self.worker = terms.get("worker", "").lower()
        self.tracked = query.tracked and scope_kind != "tracked"

    def matches(self, job: dict[str, Any], row: dict[str, Any]) -> bool:
        if self.klass and self.klass not in str(row["klass"]).lower():
            return False
        if self.state and not self._state_ok(row):
            return False
        if self.priority is not None and row["priority"] != self.priority:
            return False
        if self.queue is not None and self.queue.lower() not in (
            (row["queue"] or "").lower(),
            (row["put_queue"] or "").lower() if row["state"] == "complete" else "",
        ):
            return False
        if self.group is not None and ((row["failure"] or {}).get("group") or "") != self.group:
            return False
        if self.tag is not None and self.tag not in row["tags"]:
            return False
        if self.worker and self.worker not in (row["worker"] or "").lower():
            return False
        if self.tracked and not row["tracked"]:
            return False
        if self.error and self.error not in ((row["failure"] or {}).get("message") or "").lower():
            return False
        if self.data or self.paths:
            return self._data_ok(str(job.get("data", "")))
        return True

    def _state_ok(self, row: dict[str, Any]) -> bool:
        stalled = row["lock_expired"] or row["state"] == "stalled"
        if self.state == "stalled":
            return bool(stalled)
        if self.state == "running":
            return row["state"] == "running" and not row["lock_expired"]
        return bool(row["state"] == self.state)

    def _data_ok(self, text: str) -> bool:
        parsed, is_json = parse_payload(text)
        if is_json:
            parsed, _paths = redact(parsed, self.keys)
            shown = json.dumps(parsed, ensure_ascii=False)
        else:
            shown, _masked = redact_text(parsed, self.keys)
        if self.data and self.data not in shown.lower():
            return False
        for path, wanted in self.paths:
            found, value = _follow(parsed if is_json else None, path)
            if not found or _scalar_text(value).lower() != wanted:
                return False
        return True


def _scan(
    inst: Instance,
    settings: UISettings,
    query: Query,
    cursor: list[int] | None,
    budget: int,
    max_matches: int,
) -> dict[str, Any]:
    kind, name, state, defaulted = _scope(query)
    # A state that is no queue list (failed, complete) walks every list and filters.
    walk = phases(inst, kind, name, state)
    matcher = _Matcher(query, kind, settings)
    phase, offset, examined_before = cursor or [0, 0, 0]
    scope_total = sum(p.total for p in walk)
    examined = 0
    matches: list[dict[str, Any]] = []
    while phase < len(walk) and examined < budget and len(matches) < max_matches:
        size = min(CHUNK, budget - examined)
        jobs = walk[phase].read(offset, size)
        if not jobs:
            phase, offset = phase + 1, 0
            continue
        rows = rows_of(inst, settings, jobs)
        for job, row in zip(jobs, rows, strict=True):
            examined += 1
            offset += 1
            if matcher.matches(job, row):
                matches.append(row)
                if len(matches) >= max_matches:
                    break
        if len(jobs) < size and len(matches) < max_matches:
            phase, offset = phase + 1, 0
    done = phase >= len(walk)
    classes: dict[str, int] = {}
    for row in matches:
        classes[row["klass"]] = classes.get(row["klass"], 0) + 1
    return {
        "query": query.text,
        "kind": "jobs",
        "mode": "scan",
        "scope": {"kind": kind, "name": name or None, "state": state},
        "defaulted_to_failed": defaulted,
        "items": matches,
        "matches": len(matches),
        "classes": classes,
        "examined": examined_before + examined,
        "scope_total": scope_total,
        "scan_limit": budget,
        "capped": not done,
        "next_cursor": None
        if done
        else _encode_cursor([phase, offset, examined_before + examined]),
    }


def _by_jid(
    inst: Instance, settings: UISettings, query: Query, cursor: str | None
) -> dict[str, Any]:
    return _jid_prefix(inst, settings, query, query.terms["jid"], cursor)


def _by_scan(
    inst: Instance, settings: UISettings, query: Query, cursor: str | None
) -> dict[str, Any]:
    budget = settings.scan_limit
    return _scan(inst, settings, query, _decode_cursor(cursor, 3), budget, MAX_MATCHES)


def search(
    inst: Instance, settings: UISettings, q: str, cursor: str | None = None
) -> dict[str, Any]:
    """Typed results for a query (see the module docstring; docs/ui.md, Reading the pages)."""
    query = parse(q)
    found = _lookup(inst, settings, query, cursor)
    if found is not None:
        return found
    if query.bare:
        raise ApiError.invalid(
            "q",
            f"unexpected term {query.bare[0]!r}: use a qualifier such as data:, "
            "or quote words that belong together",
        )
    return _scan(inst, settings, query, _decode_cursor(cursor, 3), settings.scan_limit, MAX_MATCHES)


def select_jids(
    inst: Instance, settings: UISettings, query: str, cap: int
) -> tuple[list[str], int]:
    """The jids a search matches (for bulk selectors), at most `cap` of them, and the count.

    The scan covers what one search request covers (at most `scan_limit` jobs),
    so "select all matches" selects exactly what the search showed. When more
    than `cap` match, the count is `cap + 1` so callers can refuse the request.
    """
    parsed = parse(query)
    found = _lookup(inst, settings, parsed, None)
    if found is None:
        if parsed.bare:
            raise ApiError.invalid("q", f"unexpected term {parsed.bare[0]!r}")
        found = _scan(inst, settings, parsed, None, settings.scan_limit, cap + 1)
    if found.get("kind") == "redirect":
        target = found["target"]
        if target["kind"] == "job":
            return [target["jid"]], 1
        raise ApiError.invalid("q", "this query names a page, not a set of jobs")
    if found.get("kind") != "jobs":
        raise ApiError.invalid("q", "this query does not select jobs")
    jids = [row["jid"] for row in found["items"]]
    return jids[:cap], len(jids)
