"""reqless.workers.util: dealing jobs, sandboxes that are emptied, process titles."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reqless.workers.util import clean, create_sandbox, divide, get_title, set_title


@pytest.mark.parametrize(
    ("items", "count", "expected"),
    [
        ([], 3, [[], [], []]),
        ([1], 1, [[1]]),
        ([1, 2, 3, 4, 5], 2, [[1, 3, 5], [2, 4]]),
        ([1, 2, 3, 4, 5, 6, 7], 3, [[1, 4, 7], [2, 5], [3, 6]]),
        ([1, 2], 4, [[1], [2], [], []]),
    ],
)
def test_divide_deals_round_robin(items: list[int], count: int, expected: list[list[int]]) -> None:
    assert divide(items, count) == expected


def test_divide_takes_any_iterable_and_keeps_sizes_within_one() -> None:
    groups = divide(iter(range(23)), 5)
    assert sorted(len(group) for group in groups) == [4, 4, 5, 5, 5]
    assert sorted(job for group in groups for job in group) == list(range(23))


@pytest.mark.parametrize("count", [0, -1])
def test_divide_refuses_fewer_than_one_group(count: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        divide([1], count)


def _fill(path: Path) -> None:
    (path / "file.txt").write_text("x")
    (path / ".hidden").write_text("x")
    (path / "nested" / "deeper").mkdir(parents=True)
    (path / "nested" / "deeper" / "f").write_text("x")


def test_clean_empties_the_directory_but_keeps_it(tmp_path: Path) -> None:
    _fill(tmp_path)
    clean(tmp_path)
    assert tmp_path.is_dir()
    assert list(tmp_path.iterdir()) == []


def test_clean_removes_links_without_following_them(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("precious")
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    (sandbox / "dir-link").symlink_to(outside, target_is_directory=True)
    (sandbox / "file-link").symlink_to(outside / "keep.txt")
    clean(str(sandbox))
    assert list(sandbox.iterdir()) == []
    assert (outside / "keep.txt").read_text() == "precious"


def test_create_sandbox_makes_missing_parents_and_cleans_before_and_after(
    tmp_path: Path,
) -> None:
    sandbox = tmp_path / "a" / "b" / "sandbox"
    with create_sandbox(sandbox):
        assert sandbox.is_dir()
        assert list(sandbox.iterdir()) == []
        _fill(sandbox)
    assert sandbox.is_dir()
    assert list(sandbox.iterdir()) == []


def test_create_sandbox_cleans_an_existing_directory_first(tmp_path: Path) -> None:
    _fill(tmp_path)
    with create_sandbox(tmp_path):
        assert list(tmp_path.iterdir()) == []


def test_create_sandbox_cleans_up_when_the_body_raises(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="boom"), create_sandbox(tmp_path):
        (tmp_path / "left-over").write_text("x")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_create_sandbox_known_empty_skips_the_work_before_but_cleans_after(
    tmp_path: Path,
) -> None:
    calls: list[str] = []
    with create_sandbox(tmp_path, clean_fn=lambda path: calls.append("clean"), known_empty=True):
        calls.append("body")
    assert calls == ["body", "clean"]


def test_create_sandbox_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "not-a-dir"
    path.write_text("x")
    with pytest.raises(FileExistsError), create_sandbox(path):
        pytest.fail("the body must not run")
    assert path.read_text() == "x"


def test_create_sandbox_uses_the_given_clean_function(tmp_path: Path) -> None:
    calls: list[str] = []
    (tmp_path / "kept").write_text("x")
    with create_sandbox(tmp_path, clean_fn=lambda path: calls.append(os.fspath(path))):
        calls.append("body")
    assert calls == [os.fspath(tmp_path), "body", os.fspath(tmp_path)]
    assert (tmp_path / "kept").exists()


@pytest.fixture
def restore_title() -> Iterator[None]:
    """Put the test process's title back after a test changed it."""
    import setproctitle

    before = setproctitle.getproctitle()
    yield
    setproctitle.setproctitle(before)


@pytest.mark.usefixtures("restore_title")
def test_set_title_prefixes_the_program_name() -> None:
    set_title("Sleeping for 1.000000s")
    assert get_title() == "reqless-py-worker Sleeping for 1.000000s"


@pytest.mark.usefixtures("restore_title")
def test_titles_are_a_no_op_without_setproctitle(monkeypatch: pytest.MonkeyPatch) -> None:
    set_title("before")
    # A None entry in sys.modules makes `import setproctitle` raise ImportError.
    monkeypatch.setitem(sys.modules, "setproctitle", None)
    set_title("ignored")
    assert get_title() == ""
    monkeypatch.undo()
    assert get_title() == "reqless-py-worker before"
