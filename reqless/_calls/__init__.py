"""Every core call the clients make, as data: command, arguments, how to read the reply.

Building a call checks its arguments (a bad one raises before anything is sent)
and does no I/O, so the synchronous `reqless.Client` and the asyncio
`reqless.aio.AsyncClient` run the very same `Call` objects: the one with
`client._run(call)`, the other with `await client._run(call)`. Nothing about an
operation but the waiting can differ between the two.

A `Call` is the one description of a core command in Python: its arguments
and their checks, how its reply is read, how its errors read, and whether it
may be sent again after a lost reply (`Call.repeatable`). Everything else in
reqless (the UI, the command line, `reqless dev`, the workers) builds its core
calls here and runs them through a client's `_run`. Every command the core
registers has a builder, except those in `NOT_OFFERED` (tests/client/test_calls_cover.py).
"""

from __future__ import annotations

from reqless._calls.call import Call, lost_lock, owned, parse_json, parse_str

__all__ = ["NOT_OFFERED", "Call", "lost_lock", "owned", "parse_json", "parse_str"]

#: Core commands Python deliberately never sends, and why.
NOT_OFFERED: dict[str, str] = {
    "queue.pop": "Python pops with queues.pop, which also leaves out what a worker "
    "does not need and registers a waiting worker (reqless.pickup)",
    "queue.throttle.get": "a queue's throttle is the throttle named "
    "keys.queue_throttle_id(queue), read with throttle.get",
    "queue.throttle.set": "a queue's throttle is the throttle named "
    "keys.queue_throttle_id(queue), set with throttle.set",
}
