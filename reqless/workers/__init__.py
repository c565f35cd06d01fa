"""The worker machinery: worker classes (one execution mode per module), signals, utilities.

The gevent worker lives in `reqless.workers.gevent_worker` and is never imported here,
so that gevent stays an optional dependency.
"""

from __future__ import annotations

__all__: list[str] = []
