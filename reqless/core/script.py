"""The packaged core: the EVALSHA script, its digest, and the function library made from it.

Other reqless clients run `reqless.lua` with EVALSHA, which makes the server run the
whole script body (namespace tables, lazy loaders) on every call. The same text,
wrapped as a Redis function library, builds all of that once per server and then
only dispatches: about 25 µs less server time per call. The library and its one
function are named after the digest of the library text, so two releases can be
loaded side by side on one server without replacing each other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from reqless.core.build import SCRIPT_TRAILER

__all__ = ["LIBRARY_PREAMBLE_LINES", "CoreScriptText", "library_text", "load_script"]

#: Lines the library puts before the first line of the script text.
LIBRARY_PREAMBLE_LINES = 2


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def library_text(script: str, name: str) -> str:
    """The function library (for FUNCTION LOAD) holding `script` as function `name`.

    Redis runs a library's top level with only `redis.register_function` available,
    so the script body goes into `build()`, run by the first FCALL, which returns
    the dispatcher that every later FCALL calls.
    """
    if not script.endswith(SCRIPT_TRAILER):
        raise ValueError("the core script does not end with its dispatch line")
    body = script[: -len(SCRIPT_TRAILER)]
    return (
        f"#!lua name={name}\n"
        "local function build()\n"
        f"{body}"
        "return dispatch\n"
        "end\n"
        "local dispatch\n"
        f"redis.register_function('{name}', function(keys, argv)\n"
        "  if dispatch == nil then dispatch = build() end\n"
        "  return dispatch(keys, argv)\n"
        "end)\n"
    )


@dataclass(frozen=True, slots=True)
class CoreScriptText:
    """The script text as shipped and its digest; the library made from it and its name."""

    text: str
    sha: str
    library: str
    library_name: str


@cache
def load_script() -> CoreScriptText:
    """Read `reqless.lua` from the package data (once per process)."""
    text = resources.files("reqless.core").joinpath("lua/reqless.lua").read_text("utf-8")
    if not text:
        raise RuntimeError("the packaged core script reqless.lua is empty")
    # The name depends on the library text only through the script's digest and
    # the wrapper above, which is versioned with the package.
    name = f"reqless_{_sha1(library_text(text, 'reqless'))[:16]}"
    return CoreScriptText(
        text=text, sha=_sha1(text), library=library_text(text, name), library_name=name
    )
