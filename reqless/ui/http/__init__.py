"""The UI's HTTP edge: the security gate in front of every request (authentication,
CSRF, host check, body limits, response headers), request context, paths and paging
parameters, the audit trail and the OpenAPI document.

Import the modules themselves (`from reqless.ui.http import security`); this package
re-exports nothing, so importing one part does not load the others.
"""

from __future__ import annotations

__all__: list[str] = []
