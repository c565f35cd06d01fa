"""The write side of the UI: every action of docs/ui.md, Actions, behind its endpoint.

Modules, one concern each:
* `body`: reading the JSON body and bounding each field (400 naming it);
* `call`: what a handler gets (`Call`) and returns (`Done`);
* `jobs`: reading jobs, state checks and the requeue every retry/move uses;
* `cancel`: dependents closures and cascade cancels in as few calls as fit;
* `tally`: per-jid outcomes (ok / skipped / error) and the stop flag;
* `bulk`, `selectors`: multi-job actions and the sets behind "select all";
* `failed`: failure-group retry, unfail and cancel;
* `operations`: long actions in background threads (docs/ui.md, Actions);
* handlers, one module per area: `job_handlers`, `bulk_handlers`, `recurring`,
  `queues`, `throttles`, `admin` (config, workers), `patterns`.
`reqless.ui.actions.api_actions` wires the handlers to routes and writes the audit records.
"""

from __future__ import annotations

__all__: list[str] = []
