"""The packaged core: the EVALSHA script, its digest, and the function library made from it.

Other reqless clients run `reqless.lua` with EVALSHA, which makes the server run the
whole script body (namespace tables, lazy loaders) on every call. The same text,
wrapped as a Redis function library, builds all of that once per server and then
only dispatches: about 25 µs less server time per call. The library and its
functions are named after the digest of the library text, so two releases can be
loaded side by side on one server without replacing each other.

The library registers three functions over the one dispatcher, which differ only
in the flags the server sees before it runs them (docs/operations.md, "When the
server is full"): `<name>` (no flags: refused once used memory is over
`maxmemory`) for the commands that add jobs, `<name>_read` (`no-writes`) for the
commands that only read, and `<name>_drain` (`allow-oom`) for every other command,
so that a full server can still hand out, finish, fail, cancel and count work.
Each function refuses the commands of the others' kind, so the flags cannot be
bypassed. The EVALSHA script form is unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from reqless.core.build import SCRIPT_TRAILER, WRITES_ADDS_JOBS, WRITES_NONE, command_writes

__all__ = [
    "ADDING_COMMANDS",
    "LIBRARY_PREAMBLE_LINES",
    "READ_COMMANDS",
    "CoreScriptText",
    "library_text",
    "load_script",
]


@cache
def _packaged_text() -> str:
    text = resources.files("reqless.core").joinpath("lua/reqless.lua").read_text("utf-8")
    if not text:
        raise RuntimeError("the packaged core script reqless.lua is empty")
    return text


# Derived from the `-- Writes:` line of each command's header in lua/src/commands
# (see build.command_writes), so the flags cannot drift from the Lua.
_WRITES = command_writes(_packaged_text())

#: Commands that add jobs (or templates that spawn them), `Writes: adds jobs`:
#: refused when the server is over `maxmemory`, before they run.
ADDING_COMMANDS = frozenset(name for name, kind in _WRITES.items() if kind == WRITES_ADDS_JOBS)

#: Commands that never write (no path of theirs does), `Writes: none`:
#: `no-writes`, so they also run on a full server and on a read-only replica.
#: Counts, `queue.jobsByState`, `queue.peek` and `job.get` are not among them:
#: they may promote scheduled jobs, forget idle workers or move a legacy
#: history, so they run as draining calls.
READ_COMMANDS = frozenset(name for name, kind in _WRITES.items() if kind == WRITES_NONE)

_READ_SUFFIX = "_read"
_DRAIN_SUFFIX = "_drain"

#: Lines the library puts before the first line of the script text.
LIBRARY_PREAMBLE_LINES = 2


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _lua_set(names: frozenset[str]) -> str:
    return "{ " + ", ".join(f"['{name}'] = true" for name in sorted(names)) + " }"


def library_text(script: str, name: str) -> str:
    """The function library (for FUNCTION LOAD) holding `script` as functions `name*`.

    Redis runs a library's top level with only `redis.register_function` available,
    so the script body goes into `build()`, run by the first FCALL, which returns
    the dispatcher that every later FCALL calls. `kind` is which function was
    called: each refuses the commands that belong to another (see the module doc).
    """
    if not script.endswith(SCRIPT_TRAILER):
        raise ValueError("the core script does not end with its dispatch line")
    body = script[: -len(SCRIPT_TRAILER)]
    read, drain = name + _READ_SUFFIX, name + _DRAIN_SUFFIX
    return (
        f"#!lua name={name}\n"
        "local function build()\n"
        f"{body}"
        "return dispatch\n"
        "end\n"
        "local dispatch\n"
        f"local READS = {_lua_set(READ_COMMANDS)}\n"
        f"local ADDS = {_lua_set(ADDING_COMMANDS)}\n"
        "local function run(kind, keys, argv)\n"
        "  local command = argv[1]\n"
        "  if command ~= nil and kind == 'read' and not READS[command] then\n"
        f"    error('Function {read} runs only reading commands, not ' .. command)\n"
        "  elseif command ~= nil and kind == 'drain' and ADDS[command] then\n"
        f"    error('Function {drain} does not run ' .. command .. ', which adds jobs')\n"
        "  end\n"
        "  if dispatch == nil then dispatch = build() end\n"
        "  return dispatch(keys, argv)\n"
        "end\n"
        f"redis.register_function('{name}', function(keys, argv)\n"
        "  return run('add', keys, argv)\n"
        "end)\n"
        "redis.register_function({\n"
        f"  function_name = '{read}', flags = {{ 'no-writes' }},\n"
        "  callback = function(keys, argv) return run('read', keys, argv) end,\n"
        "})\n"
        "redis.register_function({\n"
        f"  function_name = '{drain}', flags = {{ 'allow-oom' }},\n"
        "  callback = function(keys, argv) return run('drain', keys, argv) end,\n"
        "})\n"
    )


@dataclass(frozen=True, slots=True)
class CoreScriptText:
    """The script text as shipped and its digest; the library made from it and its name."""

    text: str
    sha: str
    library: str
    library_name: str

    _functions: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def function_for(self, command: str) -> str:
        """The library function that runs `command` (with the server flags it needs)."""
        # Remembered per command: this runs on every call of every client.
        found = self._functions.get(command)
        if found is None:
            if command in ADDING_COMMANDS:
                found = self.library_name
            elif command in READ_COMMANDS:
                found = self.library_name + _READ_SUFFIX
            else:
                found = self.library_name + _DRAIN_SUFFIX
            self._functions[command] = found
        return found


@cache
def load_script() -> CoreScriptText:
    """Read `reqless.lua` from the package data (once per process)."""
    text = _packaged_text()
    # The name depends on the library text only through the script's digest and
    # the wrapper above, which is versioned with the package.
    name = f"reqless_{_sha1(library_text(text, 'reqless'))[:16]}"
    return CoreScriptText(
        text=text, sha=_sha1(text), library=library_text(text, name), library_name=name
    )
