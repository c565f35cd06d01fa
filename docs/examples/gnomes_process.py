"""The README's alternative gnomes.py: one `process` method for every queue.

Kept under another module name so that both versions can be imported side by
side. `job.queue` is the job's Queue object; it compares equal to the queue's
name, so the README's `job.queue == "underpants"` works as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reqless.job import Job


# Alternative gnomes.py
class GnomesJob:
    """Handles every stage in one method."""

    # This method would be invoked at every stage
    @staticmethod
    def process(job: Job) -> None:
        """Advance the job according to the queue it was popped from."""
        if job.queue == "underpants":
            ...
            # As printed in the README: this puts the job back into "underpants"
            # (the pipeline version above advances it to "unknown" instead).
            job.complete("underpants")
        elif job.queue == "unknown":
            ...
            job.complete("profit")
        elif job.queue == "profit":
            ...
            job.complete()
        else:
            job.fail("unknown-stage", "What what?")
