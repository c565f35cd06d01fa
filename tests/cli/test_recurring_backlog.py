"""`reqless recurring add --backlog N`: its default is shown and stored, and the listing
shows each recurring job's backlog (0 reads "all") in its catch-up column."""

from __future__ import annotations

from reqless.client import Client
from tests.cli.process import Reqless


def test_add_stores_the_default_backlog_or_the_one_given(reqless: Reqless, client: Client) -> None:
    add = ("recurring", "add", "reports", "app.Report", "--interval", "60")
    assert reqless(*add, "--jid", "default").code == 0
    assert reqless(*add, "--jid", "all", "--backlog", "0").code == 0
    assert reqless(*add, "--jid", "five", "--backlog", "5").code == 0
    stored = {
        jid: client.database.hget(f"ql:r:{jid}", "backlog") for jid in ("default", "all", "five")
    }
    assert stored == {"default": "0", "all": "0", "five": "5"}
    listed = {
        r["jid"]: r["backlog"] for r in reqless("recurring", "list", "reports", "--json").json()
    }
    assert listed == {"default": 0, "all": 0, "five": 5}


def test_the_listing_has_a_backlog_column(reqless: Reqless, client: Client) -> None:
    client.queues["reports"].recur("app.Report", {}, 60, jid="every", backlog=0)
    client.queues["reports"].recur("app.Report", {}, 60, jid="last-3", backlog=3)
    table = reqless("recurring", "list", "reports").out.splitlines()
    assert any("catch-up" in line for line in table[:3])
    rows = {line.split()[1]: line.split() for line in table if "app.Report" in line}
    assert "all" in rows["every"] and "3" in rows["last-3"]


def test_help_names_the_default_and_a_bad_backlog_changes_nothing(
    reqless: Reqless, client: Client
) -> None:
    assert "the default 0 catches up all of them" in " ".join(
        reqless("recurring", "add", "--help").out.split()
    )
    bad = reqless(
        "recurring", "add", "reports", "app.Report", "--interval", "60", "--backlog", "-1"
    )
    assert bad.code == 2 and "--backlog" in bad.err
    assert client.database.keys("*") == []
