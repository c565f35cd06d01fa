"""Write the synchronous twins of the asyncio modules that differ only by `await`.

The asyncio module is the one source: `async def` becomes `def`, `await ` goes,
`reqless.aio.` becomes `reqless.` and `AsyncQueue` becomes `Queue` (and so on for
every `Async` name). The result is sorted and formatted by ruff, with the
project's settings, and starts with a header naming its source. Modules whose
sync and async APIs differ by design (properties against coroutine methods, the
mapping protocol, threads against tasks) stay hand-written; their shared methods
live in the generated pairs below, as base classes.

Run `scripts/unasync` after editing a source; `scripts/unasync --check` (run by
`scripts/test`) fails when a generated file is stale.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["PAIRS", "ROOT", "StaleError", "check", "main", "unasync", "write"]

ROOT = Path(__file__).resolve().parents[2]
#: Each asyncio source and the sync module made from it, relative to ROOT.
PAIRS = {
    "reqless/aio/throttle.py": "reqless/throttle.py",
    "reqless/aio/_job_actions.py": "reqless/_job_actions.py",
    "reqless/aio/_queue_base.py": "reqless/_queue_base.py",
    "reqless/aio/_collections_base.py": "reqless/_collections_base.py",
    "reqless/aio/batch.py": "reqless/batch.py",
    "reqless/aio/batch_context.py": "reqless/batch_context.py",
}
#: Renames the general `AsyncX` -> `X` rule gets wrong.
_NAMES = {"AsyncQueueJobs": "Jobs"}
_SUBS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\basync (def|with|for)\b"), r"\1"),
    (re.compile(r"\bawait "), ""),
    (re.compile(r"\b__a(enter|exit)__\b"), r"__\1__"),
    (re.compile(r"\breqless\.aio\."), "reqless."),
    *((re.compile(rf"\b{old}\b"), new) for old, new in _NAMES.items()),
    (re.compile(r"\b(_?)Async([A-Z]\w*)"), r"\1\2"),
]
#: What must not survive in a sync module: a sign the source is not `await`-only.
_LEFTOVER = re.compile(r"\basync\b|\bawait\b|\basyncio\b|\breqless\.aio\b|\bAsync[A-Z]")


class StaleError(Exception):
    """A generated module differs from what its source makes."""


def _header(source: str) -> str:
    return f"# GENERATED from {source} by scripts/unasync: edit that file, then run it.\n"


def _ruff() -> str:
    # The venv's ruff first: the one scripts/test checks the result with.
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        raise RuntimeError("ruff is not installed: run scripts/install")
    return found


def _ruff_pipe(args: list[str], text: str, target: str) -> str:
    done = subprocess.run(
        [_ruff(), *args, "--stdin-filename", target, "-"],
        input=text, capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"ruff {args[0]} failed on {target}: {done.stderr.strip()}")
    return done.stdout


def unasync(text: str, source: str, target: str) -> str:
    """The sync module made from asyncio source `text` (read from `source`)."""
    for pattern, replacement in _SUBS:
        text = pattern.sub(replacement, text)
    for number, line in enumerate(text.splitlines(), 1):
        if _LEFTOVER.search(line):
            raise ValueError(f"{source}: line {number} is still async once made sync: {line!r}")
    text = _header(source) + text
    text = _ruff_pipe(["check", "--fix-only", "--select", "I,RUF022"], text, target)
    return _ruff_pipe(["format"], text, target)


def _made(source: str, target: str, root: Path) -> str:
    return unasync((root / source).read_text(), source, target)


def write(root: Path = ROOT) -> list[str]:
    """Regenerate every sync module; returns those whose text changed."""
    changed = []
    for source, target in PAIRS.items():
        text = _made(source, target, root)
        path = root / target
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed.append(target)
    return changed


def check(root: Path = ROOT) -> None:
    """Raise StaleError naming every generated module that differs from its source."""
    stale = [target for source, target in PAIRS.items()
             if not (root / target).exists()
             or (root / target).read_text() != _made(source, target, root)]  # fmt: skip
    if stale:
        raise StaleError(f"stale generated modules: {', '.join(stale)}: run scripts/unasync")


def main(argv: list[str] | None = None) -> int:
    """The command line: regenerate, or with `--check` only compare."""
    parser = argparse.ArgumentParser(
        prog="scripts/unasync", description="Write the sync twins of the asyncio modules."
    )
    parser.add_argument("--check", action="store_true", help="fail when a file is stale")
    args = parser.parse_args(argv)
    if args.check:
        try:
            check()
        except StaleError as exc:
            print(exc, file=sys.stderr)
            return 1
        return 0
    for target in write():
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
