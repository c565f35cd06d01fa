"""GET /api/v1/search (docs/ui.md, Reading the pages) and `search.select_jids`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from reqless.client import Client
from reqless.ui import UISettings
from reqless.ui.reads.search import select_jids
from reqless.ui.state import Instance
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_reads_world import build_world


def find(ui: UI, q: str, cursor: str | None = None) -> Any:
    path = f"/api/v1/search?q={quote(q)}"
    if cursor:
        path += f"&cursor={cursor}"
    response = ui.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def test_existing_jid_and_template_redirect(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    assert find(ui, "w1") == {
        "query": "w1",
        "kind": "redirect",
        "path": "/jobs/w1",
        "target": {"kind": "job", "jid": "w1"},
    }
    assert find(ui, "rec1")["target"]["kind"] == "recurring"
    ui_client.queues["q"].put("K", {}, jid="a/b c")
    assert find(ui, '"a/b c"')["path"] == "/jobs/a%2Fb%20c"


def test_jid_prefix_scan(make_ui: MakeUI, ui_client: Client) -> None:
    queue = ui_client.queues["q"]
    for jid in ("abc-1", "abc-2", "abd-1", "a*c"):
        queue.put("K", {}, jid=jid)
    queue.put("K", {}, jid="abc-3", depends=["abc-1"])  # has -dependencies keys too
    ui = make_ui()
    body = find(ui, "jid:abc")
    assert sorted(r["jid"] for r in body["items"]) == ["abc-1", "abc-2", "abc-3"]
    assert body["capped"] is False and body["next_cursor"] is None
    # Glob characters in the prefix are literal.
    assert [r["jid"] for r in find(ui, "jid:a*")["items"]] == ["a*c"]
    # An unknown bare word is plain text: its jid part is a prefix search.
    fallback = find(ui, "abd")
    assert fallback["exact_match"] is False and fallback["kind"] == "text"
    assert [r["jid"] for r in fallback["jid_jobs"]["items"]] == ["abd-1"]


def test_jid_prefix_scan_is_capped_with_cursor(make_ui: MakeUI, ui_client: Client) -> None:
    queue = ui_client.queues["q"]
    for index in range(30):
        queue.put("K", {}, jid=f"p{index:02d}")
    ui = make_ui(UISettings(scan_limit=5))
    seen: set[str] = set()
    body = find(ui, "jid:p")
    rounds = 1
    while True:
        seen.update(r["jid"] for r in body["items"])
        if not body["next_cursor"]:
            break
        assert body["capped"] is True
        body = find(ui, "jid:p", body["next_cursor"])
        rounds += 1
    assert seen == {f"p{index:02d}" for index in range(30)}
    assert rounds > 1


def test_name_lookups(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    assert find(ui, "tag:t1")["path"] == "/tags/t1"
    assert find(ui, "queue:q")["path"] == "/queues/q"
    queues = find(ui, "queue:*q")
    assert queues["kind"] == "queues" and {q["name"] for q in queues["items"]} == {"q", "tq", "sq"}
    workers = find(ui, "worker:TEST")
    assert [w["name"] for w in workers["items"]] == ["ui-test-worker"]
    groups = find(ui, "group:G")
    assert groups["items"] == [{"group": "g1", "count": 1, "path": "/failed/g1"}]


def test_scoped_queue_scan_with_filters(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    body = find(ui, "queue:q class:pkg.run")
    assert [r["jid"] for r in body["items"]] == ["r1"]
    assert body["scope"] == {"kind": "queue", "name": "q", "state": None}
    assert body["scope_total"] == 4 and body["examined"] == 4 and body["capped"] is False
    assert body["classes"] == {"pkg.Run": 1}
    waiting = find(ui, "queue:q state:waiting")
    assert [r["jid"] for r in waiting["items"]] == ["w1"] and waiting["scope_total"] == 1
    assert [r["jid"] for r in find(ui, "queue:sq state:stalled")["items"]] == ["st1"]
    assert [r["jid"] for r in find(ui, "queue:q priority:100")["items"]] == ["r1"]
    assert [r["jid"] for r in find(ui, "queue:q data.n:1")["items"]] == ["w1"]
    assert find(ui, "queue:q data.n:2")["items"] == []


def test_default_scope_is_failure_groups(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    body = find(ui, "error:BOOM")
    assert body["defaulted_to_failed"] is True and [r["jid"] for r in body["items"]] == ["f1"]
    assert find(ui, "group:g1 class:fail")["scope"]["kind"] == "group"
    assert [r["jid"] for r in find(ui, "tag:t1 class:pkg.fail")["items"]] == ["f1"]


def test_redacted_values_never_match(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    assert find(ui, "queue:q data:hunter2")["items"] == []
    assert find(ui, "queue:q data.password:hunter2")["items"] == []
    assert find(ui, "error:hunter2")["items"] == []
    assert find(ui, "error:boom")["items"] != []


def test_tracked_scope(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    ui_client.track("w1")
    ui_client.track("r1")
    body = find(ui, "tracked class:waiting")
    assert body["scope"]["kind"] == "tracked" and [r["jid"] for r in body["items"]] == ["w1"]
    assert body["scope_total"] == 2


def test_scan_cap_and_continue(make_ui: MakeUI, ui_client: Client) -> None:
    queue = ui_client.queues["big"]
    queue.put_many([{"klass": "K", "data": {"i": i}, "jid": f"j{i:02d}"} for i in range(12)])
    ui = make_ui(UISettings(scan_limit=5))
    body = find(ui, "queue:big data:i")
    assert body["examined"] == 5 and body["scope_total"] == 12 and body["capped"] is True
    matched = [r["jid"] for r in body["items"]]
    while body["next_cursor"]:
        body = find(ui, "queue:big data:i", body["next_cursor"])
        matched += [r["jid"] for r in body["items"]]
    assert matched == [f"j{i:02d}" for i in range(12)]
    assert body["examined"] == 12 and body["capped"] is False


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        'data:"open',
        "state:nope",
        "priority:high",
        "data.a..b:1",
        "class:a class:b",
        "x" * 501,
    ],
)
def test_bad_queries(ui: UI, q: str) -> None:
    response = ui.get(f"/api/v1/search?q={quote(q)}")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "q"


def test_bad_cursor(ui: UI) -> None:
    response = ui.get("/api/v1/search?q=error:x&cursor=garbage")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "cursor"


def test_select_jids(ui_client: Client) -> None:
    build_world(ui_client)
    inst = Instance("x", ui_client)
    assert select_jids(inst, UISettings(), "queue:q class:pkg", 100) == (
        ["w1", "r1", "s1", "d1"],
        4,
    )
    jids, total = select_jids(inst, UISettings(), "queue:q class:pkg", 2)
    assert len(jids) == 2 and total == 3  # more than the cap: the caller refuses
    assert select_jids(inst, UISettings(), "w1", 10) == (["w1"], 1)


def test_queue_scope_with_failed_or_complete_state(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    failed = find(ui, "queue:q state:failed")
    assert failed["scope"]["kind"] == "failed" and [r["jid"] for r in failed["items"]] == ["f1"]
    assert find(ui, "queue:tq state:failed")["items"] == []
    complete = find(ui, "queue:q state:complete")
    assert complete["scope"]["kind"] == "completed"
    assert [r["jid"] for r in complete["items"]] == ["c1"]
