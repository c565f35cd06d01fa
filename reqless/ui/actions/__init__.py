"""The write side of the UI: every action of §5 behind the endpoints of §6.4-6.8.

Modules, one concern each:
* `body`: reading the JSON body and bounding each field (400 naming it);
* `call`: what a handler gets (`Call`) and returns (`Done`);
* `jobs`: reading jobs, state checks and the requeue every retry/move uses;
* `cancel`: dependents closures and cascade cancels in as few calls as fit;
* `tally`: per-jid outcomes (ok / skipped / error) and the stop flag;
* `bulk`, `selectors`: multi-job actions and the sets behind "select all";
* `failed`: failure-group retry, unfail and cancel;
* `operations`: long actions in background threads (§6.8);
* handlers, one module per area: `job_handlers`, `bulk_handlers`, `recurring`,
  `queues`, `throttles`, `admin` (config, workers), `patterns`.
`reqless.ui.api_actions` wires the handlers to routes and writes the audit records.
"""

from __future__ import annotations

__all__: list[str] = []
