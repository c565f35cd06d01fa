"""The 503 page's layout shows the outage: a red live dot and no counts (docs/ui.md, Reading the
pages).

The browser side (the script leaves the dot red and opens no stream) is checked
in tests/ui/browser/test_outage.py.
"""

from __future__ import annotations

import re

from reqless.client import Client
from tests.ui.conftest import MakeUI


def test_503_page_has_a_red_dot_and_unavailable_counts(make_ui: MakeUI) -> None:
    dead = Client("redis://127.0.0.1:1/0", hostname="w", retry_window=0)
    try:
        response = make_ui(clients=dead).get("/failed")
    finally:
        dead.database.close()
    assert response.status_code == 503
    html = response.text
    assert 'data-outage="redis"' in html
    assert re.search(
        r'<span class="live red" data-live-indicator[^>]*title="Redis unreachable', html
    )
    nav = html[html.index('<nav id="nav"') : html.index("</nav>")]
    # No live slot the script could fill with counts from before the outage.
    assert "data-live=" not in nav
    counts = re.findall(r'<span class="count[^"]*"[^>]*>([^<]*)</span>', nav)
    assert counts and set(counts) == {"—"}
    assert nav.count("count unavailable: Redis is unreachable") == len(counts)


def test_pages_that_render_keep_their_live_counts(make_ui: MakeUI, ui_client: Client) -> None:
    html = make_ui().get("/failed").text
    assert "data-outage" not in html
    nav = html[html.index('<nav id="nav"') : html.index("</nav>")]
    assert 'data-live="failed_total"' in nav and "unavailable" not in nav
