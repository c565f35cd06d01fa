"""What the UI keeps live: the server-sent event stream and its relay (one pubsub
subscription per instance), the shared counts snapshot, and the `/healthz` and
`/metrics` endpoints built on that snapshot.

Import the modules themselves (`from reqless.ui.live import stream`); this package
re-exports nothing, so importing one part does not load the others.
"""

from __future__ import annotations

__all__: list[str] = []
