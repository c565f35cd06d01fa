"""Checking the lines of a `put-many` file (no server needed)."""

from __future__ import annotations

import json

import pytest

from reqless.cli.admin.jobfile import read_jobs

MALFORMED = [
    ('{"klass": "a.B"', "not valid JSON (Expecting ',' delimiter at column 16)"),
    ('{"klass": "a.B", "priority": Infinity}', "not valid JSON (Infinity is not JSON)"),
    ('"a.B"', "not a JSON object but str"),
    ("{}", 'no "klass" (the dotted path of the job class)'),
    ('{"klass": null}', '"klass" must be a non-empty string, not null'),
    ('{"klass": "a.B", "queue": ""}', '"queue" must be a non-empty string, not ""'),
    ('{"klass": "a.B", "jid": 7}', '"jid" must be a non-empty string, not 7'),
    ('{"klass": "a.B", "priority": true}', '"priority" must be a number, not true'),
    ('{"klass": "a.B", "delay": -0.5}', '"delay" must be a number >= 0, not -0.5'),
    ('{"klass": "a.B", "retries": -1}', '"retries" must be a whole number >= 0, not -1'),
    (
        '{"klass": "a.B", "depends": [""]}',
        '"depends" must be a list of non-empty strings, not [""]',
    ),
    (
        '{"klass": "a.B", "throttles": {}}',
        '"throttles" must be a list of non-empty strings, not {}',
    ),
    ('{"klass": "a.B", "x": 1, "a": 2}', 'unknown field(s) "a", "x"'),
    ('{"klass": "a.B", "unique": ""}', "unique must be a non-empty string, not ''"),
    ('{"klass": "a.B", "unique_for": 5}', "unique_for needs a unique key (unique=...), not 5"),
    (
        '{"klass": "a.B", "unique": "k", "on_conflict": "merge"}',
        "on_conflict must be one of ('keep', 'replace', 'error'), not 'merge'",
    ),
]


@pytest.mark.parametrize(("line", "problem"), MALFORMED)
def test_a_malformed_line_is_explained(line: str, problem: str) -> None:
    good, bad = read_jobs([line + "\n"], "q")
    assert good == []
    assert [(b.number, b.problem) for b in bad] == [(1, problem)]


def test_good_lines_become_put_many_items() -> None:
    lines = [
        json.dumps({"klass": "a.B", "data": "text", "priority": 1.5, "tags": ["t"]}),
        "   ",
        json.dumps({"klass": "a.C", "queue": "other", "retries": 0, "jid": "j"}),
    ]
    good, bad = read_jobs(lines, "q")
    assert bad == []
    assert [(g.number, g.queue) for g in good] == [(1, "q"), (3, "other")]
    assert good[0].item == {"klass": "a.B", "data": '"text"', "priority": 1.5, "tags": ["t"]}
    assert good[1].item == {"klass": "a.C", "data": "{}", "retries": 0, "jid": "j"}


def test_unique_fields_go_into_the_item() -> None:
    line = {"klass": "a.B", "unique": "invoice:42", "on_conflict": "replace", "unique_for": 60}
    good, bad = read_jobs([json.dumps(line)], "q")
    assert bad == []
    assert good[0].item == {
        "klass": "a.B", "data": "{}", "unique": "invoice:42", "on_conflict": "replace",
        "unique_for": 60,
    }  # fmt: skip
