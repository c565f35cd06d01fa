"""Rendering of pages: the Jinja environment and the context every page shares.

Autoescaping is on for every template (docs/ui.md, Response headers); the only markup made in Python
is
the escaped payload viewer (`json_view`). The environment is built once per app
and kept in `UIState.parts["pages"]`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from reqless.ui.errors import ApiError
from reqless.ui.http import paths, security
from reqless.ui.http.context import instance, ui, user
from reqless.ui.live import snapshot
from reqless.ui.pages import charts
from reqless.ui.pages import format as fmt
from reqless.ui.pages.json_view import json_markup, visible_text
from reqless.ui.pages.links import current_path, linker
from reqless.ui.roles import Role, User

__all__ = ["HTML_HEADERS", "environment", "page", "render"]

TEMPLATES = Path(__file__).parent.parent / "templates"
HTML_HEADERS = {"Cache-Control": "no-store"}
_APP_NAME_TTL_S = 10.0


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        auto_reload=False,
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=fmt.number,
        compact=fmt.compact,
        duration=fmt.duration,
        iso=fmt.iso,
        utc=fmt.utc_text,
        jid_cut=fmt.jid_cut,
        first_line=fmt.first_line,
        visible=lambda value: visible_text("" if value is None else str(value)),
        json_markup=json_markup,
    )
    env.globals["charts"] = charts
    return env


def environment(request: Request) -> Environment:
    """The app's Jinja environment (built on first use)."""
    parts = ui(request).parts
    env = parts.get("pages")
    if not isinstance(env, Environment):
        env = _environment()
        parts["pages"] = env
    return env


def _application(request: Request) -> str:
    inst = instance(request)

    def read() -> str:
        value = inst.client.config.get("application")
        return str(value) if value else "reqless"

    return inst.cache.get(("pages", "application"), _APP_NAME_TTL_S, read)


def _badges(request: Request) -> dict[str, Any]:
    """The shared counts snapshot for the navigation badges."""
    return snapshot.current(ui(request), instance(request))


def _switcher(request: Request) -> list[dict[str, Any]]:
    """The instance switcher entries: same page under another instance (docs/ui.md, Several
    instances)."""
    state = ui(request)
    if not state.multi:
        return []
    current = str(request.path_params.get("instance", ""))
    here = paths.url_prefix(request)
    rest = current_path(request)
    rest = rest[len(here) :] if rest.startswith(here) else "/"
    root = str(request.scope.get("reqless.root", ""))
    entries = []
    for name in state.instances:
        entries.append(
            {
                "name": name,
                "href": f"{root}/i/{quote(name, safe='')}{rest or '/'}",
                "current": name == current,
            }
        )
    return entries


def page(request: Request, quiet: bool = False) -> dict[str, Any]:
    """What base.html needs: prefixes, user, role flags, badges and helpers.

    `quiet` (error pages) touches neither Redis nor the user: the page must render
    when Redis is down or nobody is signed in.
    """
    state = ui(request)
    who: User | None
    try:
        who = user(request)
    except ApiError:
        who = None
    role = who.role if who is not None else Role.VIEWER
    prefix = paths.url_prefix(request)
    root = str(request.scope.get("reqless.root", request.scope.get("root_path", "")))
    now = time.time()
    try:
        inst_name = instance(request).name
        server_url = instance(request).url  # the footer says which server this is
    except ApiError:
        inst_name = server_url = ""
        quiet = True

    def url(*segments: Any, **query: Any) -> str:
        return paths.url(request, *(str(s) for s in segments), **query)

    def api_path(*segments: Any) -> str:
        """An API endpoint path for `data-endpoint`: each segment encoded whole."""
        return paths.url(request, "api", "v1", *(str(s) for s in segments)).rstrip("/")

    return {
        "request": request,
        "settings": state.settings,
        "user": who,
        "role": role.label,
        "can_operate": who is not None and who.may(Role.OPERATOR),
        "is_admin": who is not None and who.may(Role.ADMIN),
        "bulk_limit": state.settings.bulk_limit(role) if who is not None else 0,
        "prefix": prefix,
        "api": f"{prefix}/api/v1",
        "static": f"{root}/static",
        "instance_name": inst_name,
        "server_url": server_url,
        "instances": _switcher(request),
        "application": "reqless" if quiet else _application(request),
        "badges": None if quiet else _badges(request),
        "csrf_token": security.csrf_token(request),
        "now": now,
        "relative": lambda epoch: fmt.relative(epoch, now),
        "url": url,
        "api_path": api_path,
        "here": linker(request),
        "query": request.query_params,
    }


def render(
    request: Request,
    template: str,
    page_id: str,
    title: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    quiet: bool = False,
    **context: Any,
) -> HTMLResponse:
    """Render `templates/<template>` inside the shared layout."""
    values = page(request, quiet)
    values.update(page_id=page_id, title=title, **context)
    body = environment(request).get_template(template).render(values)
    return HTMLResponse(body, status_code=status_code, headers={**HTML_HEADERS, **(headers or {})})
