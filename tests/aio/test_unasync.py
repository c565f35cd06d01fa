"""reqless.aio.unasync: the sync modules made from their asyncio source stay in step."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reqless.aio import unasync

SNIPPET = '''"""Widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient
    from reqless.aio.queue import AsyncQueueJobs

__all__ = ["AsyncWidget", "_AsyncHelper"]


class _AsyncHelper:
    """Helps."""


class AsyncWidget(_AsyncHelper):
    """A widget (`await widget.spin()`)."""

    def __init__(self, client: AsyncClient, jobs: AsyncQueueJobs) -> None:
        self.client = client

    def __repr__(self) -> str:
        return "<reqless.aio.AsyncWidget>"

    async def spin(self, turns: int = 1) -> int:
        """Spin."""
        return await self.client._run(
            turns
        )
'''


def _copy_tree(root: Path) -> Path:
    for source, target in unasync.PAIRS.items():
        for name in (source, target):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(unasync.ROOT / name, root / name)
    return root


def test_every_generated_module_is_up_to_date() -> None:
    unasync.check()


def test_a_generated_module_names_its_source() -> None:
    for source, target in unasync.PAIRS.items():
        first = (unasync.ROOT / target).read_text().splitlines()[0]
        assert first.startswith(f"# GENERATED from {source} by scripts/unasync")


def test_async_becomes_sync() -> None:
    made = unasync.unasync(SNIPPET, "reqless/aio/widget.py", "reqless/widget.py")
    body = made.split("\n", 1)[1]
    assert "from reqless.client import Client" in body
    assert "from reqless.queue import Jobs" in body
    assert '__all__ = ["Widget", "_Helper"]' in body
    assert "class Widget(_Helper):" in body
    assert '"""A widget (`widget.spin()`)."""' in body
    assert "def __init__(self, client: Client, jobs: Jobs) -> None:" in body
    assert 'return "<reqless.Widget>"' in body
    # Formatted as ruff would: the call that fits on one line now is joined.
    assert "    def spin(self, turns: int = 1) -> int:\n" in body
    assert "        return self.client._run(turns)\n" in body


def test_a_source_that_is_not_await_only_is_refused() -> None:
    source = SNIPPET.replace("return await", "await asyncio.sleep(0)\n        return await")
    with pytest.raises(ValueError, match=r"reqless/aio/widget.py: line 29 is still async"):
        unasync.unasync(source, "reqless/aio/widget.py", "reqless/widget.py")


def test_a_stale_module_fails_the_check_until_written(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    source, target = next(iter(unasync.PAIRS.items()))
    edited = (root / source).read_text().replace('"""The throttle\'s id."""', '"""Its id."""')
    assert edited != (root / source).read_text()
    (root / source).write_text(edited)
    with pytest.raises(unasync.StaleError, match=rf"stale generated modules: {target}: run"):
        unasync.check(root)
    assert unasync.write(root) == [target]
    assert '"""Its id."""' in (root / target).read_text()
    unasync.check(root)
    assert unasync.write(root) == []


def test_a_missing_module_fails_the_check(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    target = next(iter(unasync.PAIRS.values()))
    (root / target).unlink()
    with pytest.raises(unasync.StaleError, match=target):
        unasync.check(root)


def test_the_script_checks_and_scripts_test_runs_it() -> None:
    done = subprocess.run([unasync.ROOT / "scripts" / "unasync", "--check"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "scripts/unasync --check" in (unasync.ROOT / "scripts" / "test").read_text()
