"""Every reference in the code and the tests points at something in this repository.

Section signs point at specification text that is not in the repository, so none
may appear: write the page of docs/ (for example "docs/ui.md, Actions") or the
plain name of the thing ("the queue.pop command"). UI action ids such as `A-J4` are
stable identifiers (the audit trail records them) and are listed in docs/ui.md,
Actions; an id that is not listed there is a dangling reference.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("reqless", "tests")
SUFFIXES = {".py", ".lua", ".js", ".html", ".css", ".md", ".txt", ".toml", ".cfg"}
SECTION_SIGN = "\u00a7"
ACTION_ID = re.compile(r"(?<![\w\[-])A-(?:[A-Z]{1,2})\d{1,2}\b")
ACTIONS_PAGE = ROOT / "docs" / "ui.md"

#: Paths whose references are still to be rewritten, skipped until then. Keep it
#: empty; a path listed here must still need it (tested below).
NOT_YET_REWRITTEN: tuple[str, ...] = ()


def _files() -> list[Path]:
    found: list[Path] = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and "__pycache__" not in path.parts:
                found.append(path)
    return found


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _allowed(name: str) -> bool:
    return name.startswith(NOT_YET_REWRITTEN)


def documented_action_ids() -> set[str]:
    """The ids in the first column of the actions table of docs/ui.md."""
    text = ACTIONS_PAGE.read_text(encoding="utf-8")
    section = text.split("\n## Actions\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE))


def dangling(text: str, known: set[str]) -> list[str]:
    """The section signs and unknown action ids in `text`, as `line N: ...`."""
    found: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        unknown = sorted(set(ACTION_ID.findall(line)) - known)
        if SECTION_SIGN in line or unknown:
            found.append(f"line {number}: {line.strip()[:120]}")
    return found


def test_no_section_sign_or_unknown_action_id_in_the_code_or_the_tests() -> None:
    known = documented_action_ids()
    problems = []
    for path in _files():
        name = _name(path)
        if _allowed(name):
            continue
        problems += [f"{name} {hit}" for hit in dangling(path.read_text(encoding="utf-8"), known)]
    assert problems == [], "references to text outside the repository:\n" + "\n".join(problems)


def test_the_allow_list_holds_only_paths_that_still_need_it() -> None:
    known = documented_action_ids()
    for prefix in NOT_YET_REWRITTEN:
        hits = [
            path
            for path in _files()
            if _name(path).startswith(prefix) and dangling(path.read_text(encoding="utf-8"), known)
        ]
        assert hits, f"{prefix} has no section sign or unknown id left: remove it from the list"


def test_the_actions_table_lists_the_ids_the_route_table_uses() -> None:
    table = ROOT / "reqless" / "ui" / "actions" / "api_actions.py"
    used = set(ACTION_ID.findall(table.read_text(encoding="utf-8")))
    assert used and used <= documented_action_ids()


def test_the_check_finds_a_section_sign_and_an_unknown_action_id() -> None:
    known = {"A-J4"}
    assert dangling("retry (A-J4)", known) == []
    assert dangling("see " + SECTION_SIGN + "6.4", known) == [f"line 1: see {SECTION_SIGN}6.4"]
    unknown = "A-J" + "99"
    assert dangling(f"x\nmove ({unknown})", known) == [f"line 2: move ({unknown})"]
    assert dangling("names match [A-Z0-9]", known) == []
