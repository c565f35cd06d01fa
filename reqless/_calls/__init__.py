"""Every core call the clients make, as data: command, arguments, how to read the reply.

Building a call checks its arguments (a bad one raises before anything is sent)
and does no I/O, so the synchronous `reqless.Client` and the asyncio
`reqless.aio.AsyncClient` run the very same `Call` objects: the one with
`client._run(call)`, the other with `await client._run(call)`. Nothing about an
operation but the waiting can differ between the two.
"""

from __future__ import annotations

from reqless._calls.call import Call, lost_lock, owned, parse_json, parse_str

__all__ = ["Call", "lost_lock", "owned", "parse_json", "parse_str"]
