"""Watched browser tabs: what a page does that a safe UI never does fails the test.

A `Guard` records console errors, uncaught page errors, dialogs (alert/confirm/
prompt opened by data would be XSS), CSP violations and requests to any other
origin. `Tabs` opens contexts and pages that all report to one guard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Request,
)

__all__ = ["Guard", "Tabs"]

#: Reports CSP violations to the console, where the page guard hears them; init
#: scripts run through the DevTools protocol, so the CSP does not block this one.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + event.blockedURI);
});
"""

#: Keeps every EventSource the page opens in `window.__streams` so tests can see
#: whether a tab holds its stream open.
_STREAM_SPY = """
(() => {
  const Original = window.EventSource;
  if (!Original) return;
  window.__streams = [];
  window.EventSource = class extends Original {
    constructor(...args) { super(...args); window.__streams.push(this); }
  };
})();
"""


@dataclass
class Guard:
    """What the pages of one test did that a safe UI never does."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Tolerate console errors matching `pattern` (e.g. an expected 404)."""
        self.allowed.append(re.compile(pattern))

    def watch(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("dialog", self._dialog)
        page.on("request", self._request)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "assert") or "Content Security Policy" in message.text:
            self.console_errors.append(message.text)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _request(self, request: Request) -> None:
        url = request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(url)

    def problems(self) -> list[str]:
        errors = [
            text
            for text in self.console_errors
            if not any(pattern.search(text) for pattern in self.allowed)
        ]
        found = [f"console error: {text[:300]}" for text in errors]
        found += [f"page error: {text[:300]}" for text in self.page_errors]
        found += [f"dialog opened: {text[:300]}" for text in self.dialogs]
        found += [f"request to another origin: {url}" for url in self.foreign_requests]
        return found

    def check(self) -> None:
        """Fail now if anything went wrong so far."""
        problems = self.problems()
        assert not problems, "\n".join(problems)


class Tabs:
    """Browser contexts and pages for one test, all watched by one Guard."""

    def __init__(self, browser: Browser, guard: Guard) -> None:
        self.browser = browser
        self.guard = guard
        self.contexts: list[BrowserContext] = []

    def context(self, **options: Any) -> BrowserContext:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("base_url", self.guard.origin)
        made = self.browser.new_context(**options)
        made.add_init_script(_CSP_LISTENER)
        made.add_init_script(_STREAM_SPY)
        self.contexts.append(made)
        return made

    def page(self, context: BrowserContext | None = None) -> Page:
        made = (context or self.context()).new_page()
        made.set_default_timeout(15_000)
        return self.guard.watch(made)
