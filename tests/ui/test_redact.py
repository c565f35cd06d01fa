"""Redaction of payloads and free text (docs/ui.md, Reading the pages)."""

from __future__ import annotations

from reqless.ui.reads.redact import MASK, redact, redact_text

KEYS = ("password", "token", "api_key")


def test_redact_masks_keys_at_any_depth_case_insensitively() -> None:
    value = {
        "user": "ann",
        "Password": "x",
        "nested": {"list": [{"TOKEN": "t"}, {"ok": 1}], "api_key": {"deep": "secret"}},
    }
    masked, paths = redact(value, KEYS)
    assert masked == {
        "user": "ann",
        "Password": MASK,
        "nested": {"list": [{"TOKEN": MASK}, {"ok": 1}], "api_key": MASK},
    }
    assert paths == ["Password", "nested.list[0].TOKEN", "nested.api_key"]


def test_redact_leaves_the_original_untouched() -> None:
    value = {"password": "x"}
    redact(value, KEYS)
    assert value == {"password": "x"}


def test_redact_without_keys_or_matches() -> None:
    assert redact({"a": 1}, ()) == ({"a": 1}, [])
    assert redact([1, "password"], KEYS) == ([1, "password"], [])
    assert redact("password", KEYS) == ("password", [])


def test_redact_text_masks_common_spellings() -> None:
    text = 'login failed password=hunter2, token: abc "api_key": "k 1" other=1'
    masked, changed = redact_text(text, KEYS)
    assert changed
    assert "hunter2" not in masked and "abc" not in masked and "k 1" not in masked
    assert "other=1" in masked
    assert masked.count(MASK) == 3


def test_redact_text_without_secrets() -> None:
    assert redact_text("all fine", KEYS) == ("all fine", False)
    assert redact_text("", KEYS) == ("", False)
    # A word that merely contains a key is not a key.
    assert redact_text("passwords=3", KEYS) == ("passwords=3", False)
