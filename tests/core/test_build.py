"""The Lua build: MANIFEST order, the shipped script, globals, `python -m reqless.core`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reqless.core import load_script
from reqless.core.build import (
    LUA_DIR,
    SCRIPT,
    WRITES,
    WRITES_ADDS_JOBS,
    WRITES_NONE,
    assemble,
    command_writes,
    read_manifest,
    source_location,
)
from reqless.core.reference import command_headers
from reqless.core.script import ADDING_COMMANDS, READ_COMMANDS

# Names the script may read from the global table: Redis's Lua environment.
ALLOWED_GLOBALS = {
    "redis", "cjson", "math", "string", "table", "ipairs", "pairs", "tonumber",
    "tostring", "type", "error", "pcall", "unpack", "select", "next", "KEYS", "ARGV",
    "setmetatable", "rawget",
}  # fmt: skip


def test_shipped_script_is_fresh() -> None:
    assert SCRIPT.read_text(encoding="utf-8") == assemble(), "run scripts/build-lua"


def test_manifest_lists_every_source_once() -> None:
    listed = read_manifest()
    on_disk = sorted(str(p.relative_to(LUA_DIR / "src")) for p in (LUA_DIR / "src").rglob("*.lua"))
    assert sorted(listed) == on_disk
    assert listed[0] == "prelude.lua" and listed[-1] == "dispatch.lua"


def test_manifest_rejects_repeats(tmp_path: Path) -> None:
    (tmp_path / "MANIFEST").write_text("a.lua\n# comment\nb.lua\na.lua\n")
    with pytest.raises(ValueError, match=r"names a\.lua twice"):
        read_manifest(tmp_path / "MANIFEST")


def test_assemble_marks_each_source(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "one.lua").write_text("local a = 1\nlocal b = 2\n")
    (tmp_path / "src" / "two.lua").write_text("return a")
    (tmp_path / "MANIFEST").write_text("one.lua\ntwo.lua\n")
    text = assemble(tmp_path)
    lines = text.splitlines()
    assert "-- >>> src/one.lua" in lines and "-- >>> src/two.lua" in lines
    assert text.endswith("return a\nreturn dispatch(KEYS, ARGV)\n")
    assert source_location(text, lines.index("local b = 2") + 1) == "src/one.lua:2"
    assert source_location(text, lines.index("return a") + 1) == "src/two.lua:1"
    assert source_location(text, 0) is None
    assert source_location(text, len(lines) + 5) is None


def test_python_m_reqless_core_prints_the_script() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "reqless.core"], capture_output=True, text=True, check=True
    )
    assert out.stdout == SCRIPT.read_text(encoding="utf-8")
    assert out.stderr == ""


def test_digest_is_sha1_of_the_text() -> None:
    import hashlib

    script = load_script()
    assert script.sha == hashlib.sha1(script.text.encode()).hexdigest()


def _luac() -> str | None:
    found = shutil.which("luac5.1") or shutil.which("luac")
    if found is None and os.environ.get("REQLESS_REQUIRE_REDIS") == "1":
        pytest.fail("luac5.1 is required in CI (apt-get install lua5.1)")
    return found


def test_script_uses_no_globals_but_redis_environment() -> None:
    luac = _luac()
    if luac is None:
        pytest.skip("luac is not installed")
    listing = subprocess.run(
        [luac, "-p", "-l", str(SCRIPT)], capture_output=True, text=True, check=True
    ).stdout
    assert "SETGLOBAL" not in listing
    used = set(re.findall(r"GETGLOBAL\s.*;\s*(\S+)", listing))
    assert used <= ALLOWED_GLOBALS, used - ALLOWED_GLOBALS


def test_command_reference_is_fresh() -> None:
    from reqless.core.reference import DOC, reference

    assert DOC.read_text(encoding="utf-8") == reference(), "run scripts/build-lua"


def test_every_command_has_a_header() -> None:
    from reqless.core.reference import command_headers

    headers = command_headers()
    missing = [command for _, command, body in headers if not body]
    assert missing == []
    documented = {command for _, command, _ in headers}
    registered = set(re.findall(r"^Commands\['([^']+)'\]", SCRIPT.read_text(), re.MULTILINE))
    assert documented == registered


def test_library_and_command_files_are_wrapped_for_lazy_loading(tmp_path: Path) -> None:
    (tmp_path / "src" / "lib").mkdir(parents=True)
    (tmp_path / "src" / "commands").mkdir()
    (tmp_path / "src" / "lib" / "keys.lua").write_text("function Keys.a() return 1 end\n")
    (tmp_path / "src" / "commands" / "c.lua").write_text(
        "local function helper() end\nCommands['x.y'] = function() end\n"
        "Commands['x.z'] = function() end\n"
    )
    (tmp_path / "MANIFEST").write_text("lib/keys.lua\ncommands/c.lua\n")
    text = assemble(tmp_path)
    lines = text.splitlines()
    assert "Lazy(Keys, function()" in lines
    assert "LazyCommands({ 'x.y', 'x.z' }, function()" in lines
    assert lines.count("end)") == 2
    assert source_location(text, lines.index("function Keys.a() return 1 end") + 1) == (
        "src/lib/keys.lua:1"
    )
    assert source_location(text, lines.index("Commands['x.z'] = function() end") + 1) == (
        "src/commands/c.lua:3"
    )


@pytest.mark.parametrize(
    ("name", "source", "message"),
    [
        ("lib/two.lua", "function Keys.a() end\nfunction Args.b() end\n", "exactly one namespace"),
        ("lib/none.lua", "local x = 1\n", "exactly one namespace"),
        ("commands/c.lua", "function Queue.f() end\nCommands['a.b'] = 1\n", "may not define"),
        ("commands/d.lua", "local x = 1\n", "defines no command"),
    ],
)
def test_wrapping_rejects_files_that_break_the_layout(
    tmp_path: Path, name: str, source: str, message: str
) -> None:
    (tmp_path / "src" / name).parent.mkdir(parents=True)
    (tmp_path / "src" / name).write_text(source)
    (tmp_path / "MANIFEST").write_text(f"{name}\n")
    with pytest.raises(ValueError, match=message):
        assemble(tmp_path)


# The hand-kept lists the headers replaced (issue 21): the derived sets must equal them.
OLD_READ_COMMANDS = {
    "config.get", "config.getAll", "queue.length", "jobs.completed",
    "failureGroups.counts", "jobs.failedByGroup", "queues.names",
    "queueIdentifierPatterns.getAll", "queuePriorityPatterns.getAll",
    "recurringJob.get", "queue.stats", "jobs.tagged", "tags.top", "throttle.get",
    "throttle.locks", "throttle.pending", "queue.throttle.get", "jobs.tracked",
    "queue.stalledJobs", "unique.holder", "cron.next",
    # Ours (issue 24): fair groups and throttle templates.
    "queue.groups", "queue.group.jobs", "throttle.templates",
    # Ours (issue 25): batches.
    "batch.canceled", "batch.get", "batch.jobs", "batch.list",
}  # fmt: skip
OLD_ADDING_COMMANDS = {
    "queue.put", "queue.putMany", "job.requeue", "queue.recurAtInterval",
    # Ours: a cron template adds jobs as an interval one does (docs/cron.md).
    "queue.recurOnCron",
    # Ours: closing a batch may put its callback jobs (docs/following-jobs.md).
    "batch.close",
}  # fmt: skip


def test_the_library_flags_come_from_the_command_headers() -> None:
    kinds = command_writes(SCRIPT.read_text(encoding="utf-8"))
    assert {command for command, kind in kinds.items() if kind == WRITES_NONE} == OLD_READ_COMMANDS
    adding = {command for command, kind in kinds.items() if kind == WRITES_ADDS_JOBS}
    assert adding == OLD_ADDING_COMMANDS
    assert READ_COMMANDS == OLD_READ_COMMANDS
    assert ADDING_COMMANDS == OLD_ADDING_COMMANDS


def test_the_reference_shows_each_writes_line() -> None:
    kinds = command_writes(SCRIPT.read_text(encoding="utf-8"))
    for _, command, body in command_headers():
        said = [line for line in body if line.startswith("Writes:")]
        expected = [] if kinds[command] == WRITES else [f"Writes: {kinds[command]}"]
        assert said == expected, command


def _one_command_file(tmp_path: Path, source: str) -> None:
    (tmp_path / "src" / "commands").mkdir(parents=True)
    (tmp_path / "src" / "commands" / "c.lua").write_text(source)
    (tmp_path / "MANIFEST").write_text("commands/c.lua\n")


def test_a_header_says_what_its_commands_write(tmp_path: Path) -> None:
    _one_command_file(
        tmp_path,
        "-- x.get / x.list\n--\n-- Keys: reads x.\n-- Writes: none\n"
        "Commands['x.get'] = function() end\nCommands['x.list'] = function() end\n"
        "-- x.put\n-- Writes: adds jobs\nCommands['x.put'] = function() end\n"
        "-- x.drop\n-- Keys: x.\nCommands['x.drop'] = function() end\n"
        "-- Writes: none (a comment that heads no command)\nlocal y = 1\n",
    )
    assert command_writes(assemble(tmp_path)) == {
        "x.get": WRITES_NONE,
        "x.list": WRITES_NONE,
        "x.put": WRITES_ADDS_JOBS,
        "x.drop": WRITES,
    }


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("-- Writes: nothing\n", r"src/commands/c\.lua:3: x\.get says 'Writes: nothing'"),
        ("-- Writes: writes\n", r"x\.get says 'Writes: writes'; write 'Writes: none'"),
        ("-- Writes: none\n-- Writes: none\n", r"c\.lua:4: the header of x\.get has more"),
    ],
)
def test_the_build_rejects_a_bad_writes_line(tmp_path: Path, header: str, message: str) -> None:
    _one_command_file(tmp_path, f"-- x.get\n--\n{header}Commands['x.get'] = function() end\n")
    with pytest.raises(ValueError, match=message):
        assemble(tmp_path)
