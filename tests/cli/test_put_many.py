"""`reqless put-many`: a JSON-lines file is checked whole before anything is put."""

from __future__ import annotations

import json
from pathlib import Path

from reqless.client import Client
from tests.cli.process import Reqless


def _lines(*items: object) -> str:
    return "".join((item if isinstance(item, str) else json.dumps(item)) + "\n" for item in items)


def test_puts_every_line(reqless: Reqless, client: Client, tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(
        _lines(
            {"queue": "a", "klass": "app.A", "data": {"n": 1}, "jid": "j1", "priority": 3},
            "",
            {"klass": "app.B", "tags": ["t"], "delay": 30, "retries": 0, "jid": "j2"},
            {"queue": "a", "klass": "app.A", "depends": ["j1"], "throttles": ["th"], "jid": "j3"},
        )
    )
    result = reqless("put-many", str(path), "--queue", "b", "--json")
    assert result.code == 0, result.err
    assert result.json() == {"put": ["j1", "j3", "j2"], "skipped": []}
    one, two, three = client.jobs.get("j1", "j2", "j3")
    assert (one.queue_name, one.priority, json.loads(one.data)) == ("a", 3, {"n": 1})
    assert (two.queue_name, two.state, two.tags, two.original_retries) == (
        "b",
        "scheduled",
        ["t"],
        0,
    )
    assert (three.state, three.dependencies) == ("depends", ["j1"])


def test_reads_standard_input(reqless: Reqless, client: Client) -> None:
    stdin = _lines(*({"klass": "app.A", "data": {"n": n}} for n in range(1200)))
    result = reqless("put-many", "-", "-q", "bulk", stdin=stdin)
    assert result.code == 0, result.err
    assert result.out.strip() == "put 1200 job(s)"
    assert len(client.queues["bulk"]) == 1200


def test_a_malformed_line_is_named_and_nothing_is_put(
    reqless: Reqless, client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(_lines({"klass": "app.A"}, {"klass": "app.A"}, '{"klass": "app.A",', "[1]"))
    result = reqless("put-many", str(path), "-q", "q")
    assert result.code == 2
    assert f"{path}:3: not valid JSON" in result.err
    assert f"{path}:4: not a JSON object" in result.err
    assert "2 bad line(s); nothing was put" in result.err
    assert client.queues.counts == []


def test_every_kind_of_bad_line_is_explained(
    reqless: Reqless, client: Client, tmp_path: Path
) -> None:
    bad = [
        ({"data": {}}, 'no "klass"'),
        ({"klass": "app.A", "colour": "red"}, 'unknown field(s) "colour"'),
        ({"klass": ""}, '"klass" must be a non-empty string'),
        ({"klass": "app.A", "priority": "high"}, '"priority" must be a number'),
        ({"klass": "app.A", "delay": -1}, '"delay" must be a number >= 0'),
        ({"klass": "app.A", "retries": 1.5}, '"retries" must be a whole number >= 0'),
        ({"klass": "app.A", "tags": "urgent"}, '"tags" must be a list of non-empty strings'),
        ({"klass": "app.A", "queue": 5}, '"queue" must be a non-empty string'),
        ('{"klass": "app.A", "priority": NaN}', "not valid JSON"),
    ]
    path = tmp_path / "jobs.jsonl"
    path.write_text(_lines(*(line for line, _ in bad)))
    result = reqless("put-many", str(path), "-q", "q")
    assert result.code == 2
    for number, (_, message) in enumerate(bad, start=1):
        assert f"{path}:{number}: {message}" in result.err
    assert client.queues.counts == []


def test_a_queue_is_needed_and_a_jid_is_used_once(
    reqless: Reqless, client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.jsonl"
    x = {"klass": "app.A", "jid": "x", "queue": "q"}
    path.write_text(_lines(x, {"klass": "app.A"}, x))
    result = reqless("put-many", str(path))
    assert result.code == 2
    assert f'{path}:2: no "queue"' in result.err
    assert f'{path}:3: jid "x" is already used on line 1' in result.err
    assert client.queues.counts == []


def test_skip_bad_puts_the_good_lines(reqless: Reqless, client: Client, tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(_lines({"klass": "app.A", "jid": "a"}, "oops", {"klass": "app.A", "jid": "b"}))
    result = reqless("put-many", str(path), "-q", "q", "--skip-bad", "--json")
    assert result.code == 1
    assert f"{path}:2: not valid JSON" in result.err
    report = result.json()
    assert report["put"] == ["a", "b"]
    assert [s["line"] for s in report["skipped"]] == [2]
    assert len(client.queues["q"]) == 2


def test_a_missing_file_is_a_usage_error(reqless: Reqless, tmp_path: Path) -> None:
    result = reqless("put-many", str(tmp_path / "nope.jsonl"))
    assert result.code == 2
    assert "nope.jsonl" in result.err


def test_lines_with_one_unique_key_put_one_job(
    reqless: Reqless, client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(
        _lines(
            {"klass": "app.A", "jid": "first", "unique": "invoice:42"},
            {"klass": "app.A", "jid": "second", "unique": "invoice:42"},
        )
    )
    result = reqless("put-many", str(path), "--queue", "q", "--json")
    assert result.code == 0, result.err
    assert result.json()["put"] == ["first", "first"]
    assert client.jobs.unique_holder("invoice:42") == "first"
    assert client.jobs["second"] is None
