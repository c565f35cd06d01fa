"""The README's job class: a three-step pipeline of South Park's underpants gnomes.

Each static method handles the job when it is popped from the queue of the same
name and completes it into the next step's queue, as in the README.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reqless.job import Job


# In gnomes.py
class GnomesJob:
    """Collect underpants, ?, profit."""

    # This would be invoked when a GnomesJob is popped off the "underpants" queue
    @staticmethod
    def underpants(job: Job) -> None:
        """Step 1: collect underpants, then advance to "unknown"."""
        # 1) Collect Underpants
        ...
        # Complete and advance to the next step, "unknown"
        job.complete("unknown")

    @staticmethod
    def unknown(job: Job) -> None:
        """Step 2: ?, then advance to "profit"."""
        # 2) ?
        ...
        # Complete and advance to the next step, "profit"
        job.complete("profit")

    @staticmethod
    def profit(job: Job) -> None:
        """Step 3: profit, and the job is complete."""
        # 3) Profit
        ...
        # Complete the job
        job.complete()
