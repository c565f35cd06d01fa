"""The UI acceptance checks in headless Chromium (marked `browser`).

Run them with `.venv/bin/python -m pytest tests/ui/browser` (or `-m browser`).
Chromium is `$REQLESS_CHROMIUM` or /usr/bin/chromium; without it the tests skip,
unless `CI` is set, when they fail. The checks that need no browser are in
tests/ui/test_acceptance_api.py and tests/ui/test_acceptance_actions.py.
`python -m tests.ui.browser.screenshots` redraws docs/screenshots/.
"""
