"""The Overview page and the environment-badge stylesheet."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reqless.ui.http.context import instance, ui, user
from reqless.ui.live import relay
from reqless.ui.pages import charts
from reqless.ui.pages.render import render
from reqless.ui.reads import summary as summary_reads

__all__ = ["environment_css", "overview"]

# A colour the stylesheet may carry: a hex code, a CSS colour name, or rgb()/hsl()
# with plain numbers. Anything else is dropped rather than escaped into CSS.
_COLOUR = re.compile(
    r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/]{1,60}\))$"
)


def overview(request: Request) -> Response:
    """Health, totals, warnings, live throughput, busiest queues, top failure groups."""
    state = ui(request)
    inst = instance(request)
    data = summary_reads.summary(state, inst, user(request))
    flow = data.get("throughput") or _throughput(request)
    queue = request.query_params.get("queue") or None
    chart = charts.throughput((flow or {}).get("minutes", []), queue, (flow or {}).get("since_at"))
    queue_names = sorted(
        {name for minute in (flow or {}).get("minutes", []) for name in minute.get("by_queue", {})}
    )
    return render(
        request,
        "pages/overview.html",
        "overview",
        "Overview",
        summary=data,
        throughput=flow,
        chart=chart,
        chart_queue=queue,
        chart_queues=queue_names,
        stream_topics="counts",
    )


def _throughput(request: Request) -> dict[str, Any]:
    return relay.throughput(ui(request), instance(request))


def environment_css(request: Request) -> Response:
    """`--environment-color` as a stylesheet: the CSP forbids style attributes."""
    colour = ui(request).settings.environment_color or ""
    body = ""
    if _COLOUR.match(colour.strip()):
        body = f".env-badge {{ background: {colour.strip()}; color: #fff; }}\n"
    return Response(
        body, media_type="text/css; charset=utf-8", headers={"Cache-Control": "no-store"}
    )
