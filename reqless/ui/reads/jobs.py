"""Jobs: the job view, several jobs by jid, the full payload and the graph."""

from __future__ import annotations

import json
from typing import Any

from reqless._calls import server as server_calls
from reqless.ui.errors import ApiError
from reqless.ui.reads import recurring, throttles
from reqless.ui.reads.payload import payload_view
from reqless.ui.reads.rows import (
    as_list,
    history_entries,
    load_jobs,
    load_rows,
    rows_of,
)
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["MAX_GRAPH_NODES", "MAX_JIDS", "job_data", "job_graph", "job_view", "jobs_multi"]

MAX_JIDS = 500
MAX_GRAPH_NODES = 200
#: Related jobs shown by name and state in the job view (dependencies, dependents).
MAX_RELATED = 500


def _brief(job: dict[str, Any]) -> dict[str, Any]:
    return {
        "jid": job["jid"],
        "klass": job.get("klass", ""),
        "state": job.get("state", ""),
        "queue": job.get("queue") or None,
    }


def _related(inst: Instance, row: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Dependencies and dependents by jid, class and state (one `job.getMulti`)."""
    wanted = {
        "dependencies": row["dependencies"][:MAX_RELATED],
        "dependents": row["dependents"][:MAX_RELATED],
    }
    found = load_jobs(inst, sorted({*wanted["dependencies"], *wanted["dependents"]}))
    out = {}
    for name, jids in wanted.items():
        out[name] = [
            _brief(found[jid]) if jid in found else {"jid": jid, "klass": None, "state": None}
            for jid in sorted(jids)
        ]
    return out


def job_view(inst: Instance, settings: UISettings, jid: str) -> dict[str, Any]:
    """A job (the Job shape) or a recurring template; 404 when neither exists."""
    job = inst.client._run(server_calls.get_job(jid))
    if job is None:
        template = recurring.get_template(inst, jid)
        if template is None:
            raise ApiError.not_found(f"job {jid!r} does not exist")
        return recurring.template_view(inst, settings, template)
    view = rows_of(inst, settings, [job])[0]
    view.update(payload_view(str(job.get("data", "")), settings.redact_keys))
    view["history"] = history_entries(job, settings.redact_keys)
    related = _related(inst, view)
    view["dependency_jobs"] = related["dependencies"]
    view["dependent_jobs"] = related["dependents"]
    view["throttle_states"] = [
        {**throttles.throttle_info(inst, tid), **throttles.membership(inst, tid, jid)}
        for tid in view["throttles"]
    ]
    view["unique"] = _unique_state(inst, job)
    view.update(_result_view(job, settings.redact_keys))
    trace = job.get("trace")
    view["trace"] = trace if isinstance(trace, str) and trace else None
    return view


def _result_view(job: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The completed job's result (`job.complete ... result`), redacted and cut as data is."""
    if "result" not in job:
        return {
            "has_result": False,
            "result": None,
            "result_is_json": True,
            "result_truncated": False,
            "result_size": 0,
            "result_redacted_paths": [],
        }
    shown = payload_view(json.dumps(job["result"], ensure_ascii=False), keys)
    return {
        "has_result": True,
        "result": shown["data"],
        "result_is_json": shown["data_is_json"],
        "result_truncated": shown["data_truncated"],
        "result_size": shown["data_size"],
        "result_redacted_paths": shown["redacted_paths"],
    }


def _unique_state(inst: Instance, job: dict[str, Any]) -> dict[str, Any] | None:
    """The unique key the job was put with and whether it holds it now, or None."""
    key = job.get("unique")
    if not isinstance(key, str) or not key:
        return None
    holder = inst.client._run(server_calls.unique_holder(key))
    expires = job.get("unique_expires")
    return {
        "key": key, "until": job.get("unique_until") or "finish",
        "expires_at": expires if isinstance(expires, int | float) else None,
        "holder": holder, "held": holder == job["jid"],
    }  # fmt: skip


def jobs_multi(inst: Instance, settings: UISettings, jids: list[str]) -> dict[str, Any]:
    """Rows in the order asked (at most 500 jids); jids that do not exist in `missing`."""
    if not jids:
        raise ApiError.invalid("jid", "give at least one jid")
    if len(jids) > MAX_JIDS:
        raise ApiError.invalid("jid", f"at most {MAX_JIDS} jids, got {len(jids)}")
    rows, missing = load_rows(inst, settings, list(dict.fromkeys(jids)))
    return {"items": rows, "missing": missing}


def job_data(
    inst: Instance, settings: UISettings, jid: str, reveal: bool = False
) -> dict[str, Any]:
    """The whole payload of a job or template (`reveal`: nothing masked; admins only)."""
    job = inst.client._run(server_calls.get_job(jid))
    if job is None:
        job = recurring.get_template(inst, jid)
        if job is None:
            raise ApiError.not_found(f"job {jid!r} does not exist")
    view = payload_view(str(job.get("data", "")), settings.redact_keys, limit=None, reveal=reveal)
    return {"jid": jid, "revealed": reveal, **view}


def job_graph(inst: Instance, jid: str, depth: int = 1) -> dict[str, Any]:
    """The dependency graph around `jid`, `depth` (1..3) steps each way, <= 200 nodes.

    Edges point from a dependency to its dependent. Each step loads the new
    frontier with one `job.getMulti`.
    """
    if not 1 <= depth <= 3:
        raise ApiError.invalid("depth", f"must be between 1 and 3, got {depth}")
    root = inst.client._run(server_calls.get_job(jid))
    if root is None:
        raise ApiError.not_found(f"job {jid!r} does not exist")
    nodes: dict[str, dict[str, Any]] = {jid: {**_brief(root), "depth": 0}}
    edges: set[tuple[str, str]] = set()
    missing: list[str] = []
    truncated = False
    frontier = [root]
    for level in range(1, depth + 1):
        wanted: list[str] = []
        for job in frontier:
            for dep in as_list(job.get("dependencies")):
                edges.add((dep, job["jid"]))
                wanted.append(dep)
            for child in as_list(job.get("dependents")):
                edges.add((job["jid"], child))
                wanted.append(child)
        new = [j for j in dict.fromkeys(wanted) if j not in nodes and j not in missing]
        room = MAX_GRAPH_NODES - len(nodes)
        if len(new) > room:
            new, truncated = new[:room], True
        found = load_jobs(inst, new)
        frontier = []
        for node in new:
            if node in found:
                nodes[node] = {**_brief(found[node]), "depth": level}
                frontier.append(found[node])
            else:
                missing.append(node)
        if truncated or not frontier:
            break
    known = set(nodes) | set(missing)
    return {
        "root": jid,
        "depth": depth,
        "nodes": list(nodes.values()),
        "edges": [{"from": a, "to": b} for a, b in sorted(edges) if a in known and b in known],
        "missing": missing,
        "truncated": truncated,
    }
