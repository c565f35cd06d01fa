"""Formatting of numbers, times and payloads for the pages."""

from __future__ import annotations

from reqless.ui.pages import format as fmt
from reqless.ui.pages.json_view import MAX_DEPTH, json_markup, visible_text


def test_numbers_and_badges() -> None:
    assert fmt.number(1234567) == "1,234,567"
    assert fmt.number(2.50) == "2.5"
    assert fmt.number(None) == "—"
    assert fmt.compact(999) == "999"
    assert fmt.compact(12_345) == "12.3k"
    assert fmt.compact(4_000_000) == "4M"


def test_durations() -> None:
    assert fmt.duration(0.85) == "850 ms"
    assert fmt.duration(4.25) == "4.2 s"
    assert fmt.duration(42) == "42 s"
    assert fmt.duration(185) == "3 min 05 s"
    assert fmt.duration(3720) == "1 h 02 min"
    assert fmt.duration(2 * 86400 + 4 * 3600) == "2 d 04 h"
    # A zero second unit is left out.
    assert fmt.duration(60) == "1 min"
    assert fmt.duration(3600) == "1 h"
    assert fmt.duration(86400) == "1 d"
    assert fmt.duration(None) == "—"


def test_times() -> None:
    assert fmt.iso(0) == "1970-01-01T00:00:00.000Z"
    assert fmt.utc_text(86400) == "1970-01-02 00:00:00 UTC"
    assert fmt.relative(100, now=280) == "3 min ago"
    assert fmt.relative(300, now=280) == "in 20 s"
    # The script's span (format.js) keeps these texts up to date: same wording.
    assert fmt.relative(280 - 185, now=280) == "3 min 05 s ago"
    assert fmt.relative(280 - 725, now=280) == "12 min ago"
    assert fmt.relative(280 + 90000, now=280) == "in 1 d 01 h"
    assert fmt.iso(float("nan")) == ""
    assert fmt.jid_cut("0123456789abcdef0123456789abcdef") == "01234567…89abcdef"


def test_json_markup_escapes_and_classes_tokens() -> None:
    value = {"<k>": ["<script>", 1, 2.5, True, None, {"a": []}], "url": "https://x.test/"}
    html = str(json_markup(value))
    assert "<script>" not in html
    assert '<span class="j-key">&#34;&lt;k&gt;&#34;</span>' in html
    assert '<span class="j-str">&#34;&lt;script&gt;&#34;</span>' in html
    assert '<span class="j-num">2.5</span>' in html
    assert '<span class="j-bool">true</span>' in html
    assert '<span class="j-null">null</span>' in html
    assert 'class="j-arr" data-depth="1"' in html
    assert 'href="https://x.test/" rel="noopener noreferrer"' in html


def test_json_markup_survives_deep_nesting() -> None:
    value: object = "end"
    for _ in range(MAX_DEPTH + 50):
        value = [value]
    html = str(json_markup(value))
    assert 'class="j-deep"' in html


def test_control_characters_become_visible() -> None:
    assert visible_text("a\u202eb\x00c\nd") == "a\\u202eb\\u0000c\nd"
    assert visible_text("plain") == "plain"
