"""The README's data-update example: job data is JSON text, updated step by step.

The README writes `job.data = json.dumps(job.data)` in `underpants`, which
re-encodes the old text and drops the change; the evident intent, kept here, is
`json.dumps(data)`. The README's `...` placeholders are filled with a count of
collected underpants and a decision based on it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reqless.job import Job


class GnomesJob:
    """Records how many underpants were collected, then decides on it."""

    @staticmethod
    def underpants(job: Job) -> None:
        """Record how many underpants we collected and move on to "unknown"."""
        # Record how many underpants we collected
        data = json.loads(job.data)
        data["collected"] = 3
        job.data = json.dumps(data)  # the README re-encodes `job.data` here (a typo)
        job.complete("unknown")

    @staticmethod
    def unknown(job: Job) -> None:
        """Make some decision based on how many we've collected."""
        # Make some decision based on how many we've collected.
        data = json.loads(job.data)
        if data["collected"] > 2:
            job.complete("profit")
        else:
            job.complete("underpants")
