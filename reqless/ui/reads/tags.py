"""Tags: the top tags and the jobs carrying one tag."""

from __future__ import annotations

from typing import Any

from reqless._calls import server as server_calls
from reqless.ui.http.paging import Page, list_response
from reqless.ui.reads.rows import as_list, load_rows
from reqless.ui.reads.shapes import ListPage
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["tag_jobs", "top_tags"]


def top_tags(inst: Instance, page: Page) -> ListPage:
    """A page of `tags.top` (tags carried by two or more jobs, most used first).

    Each tag's count is the total `jobs.tagged` reports. The core reports no total
    of tags; one extra tag is asked for to know whether more follow.
    """
    found = [
        str(t) for t in as_list(inst.client._run(server_calls.tags(page.offset, page.limit + 1)))
    ]
    items = []
    for tag in found[: page.limit]:
        tagged = inst.client._run(server_calls.tagged(tag, 0, 1))
        items.append({"tag": tag, "count": int(tagged.get("total", 0) or 0)})
    return list_response(items, page, None, has_more=len(found) > page.limit)


def tag_jobs(inst: Instance, settings: UISettings, tag: str, page: Page) -> dict[str, Any]:
    """A page of the jobs tagged `tag` (`jobs.tagged`, tagging order) with the total."""
    raw = inst.client._run(server_calls.tagged(tag, page.offset, page.limit))
    jids = [str(j) for j in as_list(raw.get("jobs"))]
    rows, missing = load_rows(inst, settings, jids)
    return {
        **list_response(rows, page, int(raw.get("total", 0) or 0)),
        "tag": tag,
        "missing": missing,
    }
