"""The docs site loads nothing from other hosts, and the docs name only what exists:
job attributes of the client, paths inside the repository, the port `reqless dev` uses."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from reqless.aio.job import AsyncJob, AsyncRecurringJob
from reqless.job import Job, RecurringJob

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Pages about the core, whose `job.<name>` are script commands, not Python attributes.
CORE_PAGES = {"core-commands.md", "core-decisions.md", "core-design.md", "benchmarks.md"}
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
_LOADS = re.compile(
    r"<script\b[^>]*\bsrc=\"([^\"]+)\"|(<link\b[^>]*>)"
    r"|@import\s+(?:url\()?['\"]?([^'\")\s]+)|url\(\s*['\"]?([^'\")\s]+)",
    re.I,
)
#: `<link>` kinds a browser loads; others (canonical, alternate) are only references.
_LOADED_LINK = re.compile(r"\brel=\"[^\"]*\b(stylesheet|preload|modulepreload|icon)\b", re.I)
_HREF = re.compile(r"\bhref=\"([^\"]+)\"", re.I)


def external_loads(text: str) -> list[str]:
    """URLs on other hosts that an HTML or CSS text makes a browser load."""
    found = []
    for match in _LOADS.finditer(text):
        script, link, imported, css_url = match.groups()
        url = script or imported or css_url
        if link is not None:
            href = _HREF.search(link)
            url = href.group(1) if href and _LOADED_LINK.search(link) else None
        if url is not None and EXTERNAL.match(url):
            found.append(url)
    return found


def test_an_external_script_or_style_is_found() -> None:
    page = (
        '<script src="https://cdn.example/x.js"></script><script src="js/local.js"></script>'
        '<link href="//cdn.example/s.css" rel="stylesheet"><a href="https://www.mkdocs.org/">'
        '<link rel="canonical" href="https://example.org/">'
    )
    css = "@import url('https://fonts.example/f.css'); .a { background: url(img/a.png) }"
    assert external_loads(page) == ["https://cdn.example/x.js", "//cdn.example/s.css"]
    assert external_loads(css) == ["https://fonts.example/f.css"]


@pytest.mark.timeout(120)
def test_the_built_site_loads_no_script_or_style_from_another_host(tmp_path: Path) -> None:
    site = tmp_path / "site"
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=110, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    files = [*site.rglob("*.html"), *site.rglob("*.css")]
    assert len(files) > len(PAGES)
    loads = {str(f.relative_to(site)): external_loads(f.read_text()) for f in files}
    assert {name: urls for name, urls in loads.items() if urls} == {}


def _attributes(*classes: type) -> set[str]:
    names: set[str] = set()
    for cls in classes:
        names |= set(dir(cls))
        for base in cls.__mro__:
            names |= set(getattr(base, "__annotations__", {}))
    return names


JOB_ATTRIBUTES = _attributes(Job, RecurringJob, AsyncJob, AsyncRecurringJob)
_CODE = re.compile(r"```python\n(.*?)```|`([^`\n]+)`", re.S)
_JOB_NAME = re.compile(r"\bjob\.([A-Za-z_]\w*)\b(?!\.)")


def documented_job_attributes(text: str) -> set[str]:
    """Names used as `job.<name>` in the code of a page (inline or in Python blocks)."""
    names: set[str] = set()
    for match in _CODE.finditer(text):
        code = match.group(1) or match.group(2)
        # camelCase names (`job.completeAndPop`) are core commands, files are not attributes.
        found = _JOB_NAME.findall(code)
        names |= {n for n in found if n not in ("py", "lua") and n == n.lower()}
    return names


@pytest.mark.parametrize(
    "page", [p for p in PAGES if p.name not in CORE_PAGES], ids=lambda page: page.name
)
def test_every_job_attribute_a_page_names_exists(page: Path) -> None:
    named = documented_job_attributes(page.read_text())
    assert named - JOB_ATTRIBUTES == set(), f"{page.name} names job attributes that do not exist"


def test_the_concepts_page_lists_a_jobs_fields_by_their_attribute_names() -> None:
    text = (ROOT / "docs" / "concepts.md").read_text()
    section = text.split("## Jobs", 1)[1].split("```", 1)[0]
    fields = re.findall(r"\*\*([^*]+)\*\*|`([a-z_]+)`", section)
    names = {bold or code for bold, code in fields}
    assert "retries_left" in names
    assert names - JOB_ATTRIBUTES == set()


def test_a_reader_of_the_docs_is_not_sent_to_a_path_of_one_machine() -> None:
    machine = f"{ROOT.parent}/"
    assert machine != "/", "the checkout sits at the root; nothing to check"
    named = [page.name for page in PAGES if machine in page.read_text()]
    assert named == [], f"pages naming {machine}: use paths relative to the repository"


def test_a_client_of_reqless_dev_does_not_assume_the_default_port() -> None:
    wrong = [
        f"{page.name}: {line.strip()}"
        for page in PAGES
        for line in page.read_text().splitlines()
        if "reqless dev" in line and re.search(r"Client\(\s*[\"']redis://[^\"']*:6379", line)
    ]
    assert wrong == []
