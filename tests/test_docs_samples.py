"""Every Python sample in the README and in docs/ runs as written, against a real server.

The blocks of one page run in order in one fresh module (so a later block may use
what an earlier one defined, and job classes defined in a sample can be imported by
name), from an empty working directory. Server URLs on the default local port are
pointed at the test server; nothing else in a sample is changed. A block that
cannot run here says why in an HTML comment on the line before it:
`<!-- sample: not run, <reason> -->`.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis

from reqless.server import LocalServer

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NOT_RUN = "<!-- sample: not run"
LOCAL_URL = re.compile(r"redis://(?:localhost|127\.0\.0\.1)(?::\d+)?(?:/0)?(?=[\"'])")


@dataclass(frozen=True)
class Sample:
    page: Path
    line: int
    code: str


def samples(page: Path) -> list[Sample]:
    """The page's ```python blocks that are meant to run, with their first line."""
    found: list[Sample] = []
    lines = page.read_text().splitlines()
    previous = ""
    index = 0
    while index < len(lines):
        text = lines[index]
        if text.strip() == "```python":
            start = index + 1
            end = start
            while lines[end].strip() != "```":
                end += 1
            if not previous.startswith(NOT_RUN):
                found.append(Sample(page, start + 1, "\n".join(lines[start:end]) + "\n"))
            index = end
        elif text.strip():
            previous = text.strip()
        index += 1
    return found


PAGES_WITH_SAMPLES = [page for page in PAGES if samples(page)]


def test_the_docs_have_samples_to_run() -> None:
    names = {page.name for page in PAGES_WITH_SAMPLES}
    assert {"README.md", "quickstart.md", "concepts.md", "client.md"} <= names


def test_a_failing_sample_is_reported_with_its_page_and_line(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "text\n\n```python\nx = 1\n```\n\n<!-- sample: not run, demo -->\n```python\nboom\n```\n"
    )
    found = samples(page)
    assert [(sample.line, sample.code) for sample in found] == [(4, "x = 1\n")]


@pytest.mark.parametrize("page", PAGES_WITH_SAMPLES, ids=lambda page: page.name)
def test_every_sample_of_the_page_runs(
    page: Path,
    server: LocalServer,
    redis: Redis,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "docs_sample_" + re.sub(r"\W", "_", page.stem)
    module = types.ModuleType(name)
    monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.chdir(tmp_path)
    for sample in samples(page):
        code = LOCAL_URL.sub(server.url, sample.code)
        code = code.replace("reqless.Client()", f"reqless.Client({server.url!r})")
        where = f"{page.relative_to(ROOT)}:{sample.line}"
        try:
            exec(compile(code, where, "exec"), module.__dict__)
        except Exception as exc:
            pytest.fail(f"the sample at {where} raised {type(exc).__name__}: {exc}")
    otel = sys.modules.get("reqless.otel")
    if otel is not None and otel.is_instrumented():
        otel.uninstrument()  # docs/opentelemetry.md turns it on, as a user would
    for value in list(vars(module).values()):
        database = getattr(value, "database", None)
        if isinstance(database, Redis):
            database.close()
