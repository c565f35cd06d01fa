"""Job classes the worker program runs for tests/aio/test_wait_many.py.

Job data: `n` (a number) and `fail` (raise instead of completing).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["Answer", "NoAnswer"]


class NoAnswer(ValueError):
    """What a job raises when its data says `fail`: the worker fails it for good."""


class Answer:
    """Completes with the result `{"jid", "n", "square"}`, or raises NoAnswer."""

    @staticmethod
    def process(job: Any) -> None:
        """Complete the job with its result (or fail it)."""
        data = json.loads(job.data)
        n = int(data["n"])
        if data.get("fail"):
            raise NoAnswer(f"no answer for {n}")
        job.complete(result={"jid": job.jid, "n": n, "square": n * n})
