"""Every shell and console block of the README and docs/ runs as written, in order.

How a page's blocks run, the markers a page uses for the blocks that cannot run here
and the placeholders of shown output are described in `tests/docs_blocks.py`. A page
that starts its own server (`reqless dev` in the background) runs against it; every
other page runs against one Valkey server of this module, flushed for each page,
through `$REQLESS_URL` (the commands act alike on Redis 7, which the client and CLI
tests cover; one kind keeps this test short). `reqless dev` in
a background block gets `--ui-port` of a free port, so that runs at the same time
do not collide on 9393.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reqless.server import LocalServer, free_port, start_server
from tests.docs_blocks import Block, Command, blocks, matches, normalise

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
KNOWN_MARKERS = ("not run", "in the background until", "output of the program", "eventually")
#: Longest wait for a background program to be ready, or for an `eventually` block.
WAIT_S = 30.0


def _runs(page: Path) -> bool:
    return any(b.not_run is None and not b.file for b in blocks(page))


def _background(page: Path) -> bool:
    return any(b.background_ready for b in blocks(page))


SERVER_PAGES = [p for p in PAGES if _runs(p) and not _background(p)]
OWN_SERVER_PAGES = [p for p in PAGES if _background(p)]


class Background:
    """A long-running program of a background block, its output gathered as it comes."""

    def __init__(self, script: str, workdir: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            ["bash", "-c", script], cwd=workdir, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.output = ""
        self.ready_output = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in iter(self.process.stdout.readline, b""):
            self.output += raw.decode(errors="replace")

    def wait_for(self, text: str, where: str) -> None:
        """Return once the output shows `text`; fail when the program ends or is slow."""
        deadline = time.monotonic() + WAIT_S
        while text not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"{where}: the program never printed {text!r}:\n{self.output}")
            time.sleep(0.1)
        end = self.output.index(text) + len(text)
        self.ready_output = self.output[: self.output.find("\n", end) + 1 or None]

    def stop(self) -> None:
        """Ctrl-C, as the reader would press it; kill the process group if that fails."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


class PageRun:
    """Runs one page's blocks in order, in one working directory."""

    def __init__(self, workdir: Path, state: Path, url: str | None) -> None:
        self.workdir = workdir
        self.state = state
        state.write_text("")
        self.env = {
            k: v for k, v in os.environ.items()
            if k not in ("REQLESS_URL", "REQLESS_PASSWORD", "COLUMNS")
        }  # fmt: skip
        self.env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{self.env['PATH']}"
        if url is not None:
            self.env["REQLESS_URL"] = url
        self.background: Background | None = None

    def _script(self, code: str, keep: list[str]) -> str:
        saved = f"\ndeclare -p {' '.join(keep)} >> {self.state}" if keep else ""
        return f"set -e -o pipefail\nsource {self.state}\n{code}{saved}\n"

    def _shell(self, code: str, keep: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", self._script(code, keep)], cwd=self.workdir, env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=60, check=False,
        )  # fmt: skip

    def run(self, block: Block) -> None:
        """Run (or write, or check) one block, failing the test when it is not true."""
        if block.file:
            (self.workdir / block.file).write_text(block.code)
        elif block.not_run is not None:
            return
        elif ready := block.background_ready:
            self.stop()
            code = block.code.strip().replace("reqless dev", f"reqless dev --ui-port {free_port()}")
            self.background = Background(self._script(f"exec {code}", []), self.workdir, self.env)
            self.background.wait_for(ready, block.where)
        elif block.marker.startswith("output of the program"):
            printed = self.background.ready_output if self.background else ""
            if not matches(block.code.splitlines(), printed):
                pytest.fail(_differs(block.where, block.code.splitlines(), printed))
        elif block.language == "console":
            for command in block.commands:
                self._console(block, command)
        else:
            done = self._shell(block.code, block.assigned)
            if done.returncode != 0:
                pytest.fail(f"{block.where}: exit status {done.returncode}:\n{done.stdout}")

    def _console(self, block: Block, command: Command) -> None:
        deadline = time.monotonic() + (WAIT_S if block.marker == "eventually" else 0)
        while True:
            done = self._shell(command.text, Block(block.page, 0, "", command.text).assigned)
            if done.returncode == 0 and matches(command.shown, done.stdout):
                return
            if time.monotonic() > deadline:
                where = f"{block.where} `{command.text}` (exit status {done.returncode})"
                pytest.fail(_differs(where, command.shown, done.stdout))
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop the program in the background, if any."""
        if self.background is not None:
            self.background.stop()
            self.background = None


def _differs(where: str, shown: list[str], printed: str) -> str:
    return (
        f"{where}: the output differs from the page.\n--- shown\n"
        + "\n".join(normalise("\n".join(shown)))
        + "\n--- printed\n"
        + "\n".join(normalise(printed))
    )


def _run_page(page: Path, tmp_path: Path, url: str | None) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    run = PageRun(workdir, tmp_path / "shell-state.sh", url)
    try:
        for block in blocks(page):
            run.run(block)
    finally:
        run.stop()


@pytest.fixture(scope="module")
def valkey() -> Iterator[LocalServer]:
    """One Valkey server for the pages of this module."""
    running = start_server("valkey")
    yield running
    running.stop()


@pytest.mark.parametrize("page", SERVER_PAGES, ids=lambda page: page.name)
def test_every_shell_block_of_the_page_runs(
    page: Path, valkey: LocalServer, tmp_path: Path
) -> None:
    database = valkey.client()
    database.flushall()
    database.close()
    _run_page(page, tmp_path, valkey.url)


@pytest.mark.timeout(150)
@pytest.mark.parametrize("page", OWN_SERVER_PAGES, ids=lambda page: page.name)
def test_a_page_that_starts_its_own_server_runs_against_it(page: Path, tmp_path: Path) -> None:
    _run_page(page, tmp_path, None)


def test_the_pages_with_commands_are_run() -> None:
    names = {page.name for page in SERVER_PAGES + OWN_SERVER_PAGES}
    assert {"README.md", "cli.md", "quickstart.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_marker_is_known_and_a_block_not_run_says_why(page: Path) -> None:
    for block in blocks(page):
        if block.marker:
            assert block.marker.startswith(KNOWN_MARKERS), f"{block.where}: {block.marker!r}"
        if block.not_run is not None:
            assert len(block.not_run) > 10, f"{block.where}: a block not run must say why"


def test_blocks_markers_and_console_commands_are_read(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- file: jobs.py -->\n```python\nx = 1\n```\n\n"
        "<!-- shell: not run, starts a server for ever -->\n```bash\nreqless server\n```\n\n"
        "```console\n$ echo a \\\n  b\na b\n$ true\n```\n\n```python\nignored = 1\n```\n"
    )
    found = blocks(page)
    assert [(b.line, b.file, b.not_run) for b in found] == [
        (2, "jobs.py", None),
        (7, "", "starts a server for ever"),
        (11, "", None),
    ]
    assert found[2].commands == [Command("echo a \\\n  b", ["a b"]), Command("true", [])]


def test_shown_output_matches_with_placeholders_and_only_then() -> None:
    shown = ["server redis://127.0.0.1:34215/0", "...", "put 0f3c5b9e8d7a4c2b9f1e6d5c4b3a2918"]
    printed = "server redis://127.0.0.1:40001/0\nnoise\nmore\nput " + "ab" * 16 + "\n"
    assert matches(shown, printed)
    assert matches(["2026-11-28 05:01:59,263 started"], "2024-01-02 03:04:05,006 started  \n")
    assert not matches(shown, printed.replace("put", "got"))
    assert not matches(["state waiting"], "state complete\n")
    assert not matches([], "something\n")


def test_a_false_page_fails_with_its_line(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```bash\ntrue\n```\n\n```console\n$ echo 1\n2\n```\n")
    with pytest.raises(pytest.fail.Exception, match=r"page\.md:5 `echo 1`"):
        _run_page(page, tmp_path, None)


def test_variables_carry_from_one_block_to_the_next(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text('```bash\njid=$(echo abc)\n```\n\n```console\n$ echo "$jid"\nabc\n```\n')
    _run_page(page, tmp_path, None)
