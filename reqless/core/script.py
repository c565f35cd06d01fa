"""The packaged core script: its text and its SHA1 digest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["CoreScriptText", "load_script"]


@dataclass(frozen=True, slots=True)
class CoreScriptText:
    """The script text as shipped, and the digest Redis will know it by."""

    text: str
    sha: str


@cache
def load_script() -> CoreScriptText:
    """Read `reqless.lua` from the package data (once per process)."""
    text = resources.files("reqless.core").joinpath("lua/reqless.lua").read_text("utf-8")
    if not text:
        raise RuntimeError("the packaged core script reqless.lua is empty")
    return CoreScriptText(text=text, sha=hashlib.sha1(text.encode("utf-8")).hexdigest())
