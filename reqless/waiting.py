"""Waiting for a job to finish (`client.jobs.wait`): the outcome and the time-out error.

How the wait works (docs/results.md): `job.wait` says whether the job has
finished already; if not, it names a list the core pushes the job's final state
onto when it finishes for good, and the client BLPOPs that list for what is left
of the time-out. Nothing polls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from reqless.exceptions import JobResultError, WaitTimeoutError

__all__ = ["FINAL_STATES", "JobOutcome", "JobResultError", "WaitTimeoutError"]

#: The states a waited-for job ends in.
FINAL_STATES = ("complete", "failed", "canceled")

J = TypeVar("J")


@dataclass(frozen=True, slots=True)
class JobOutcome(Generic[J]):
    """How a waited-for job ended (`client.jobs.wait`).

    `state` is "complete", "failed" or "canceled"; `job` is the job as it is
    now, or None when it no longer exists (a canceled job, or a completed one
    already expired from the history).
    """

    jid: str
    state: str
    job: J | None

    @property
    def ok(self) -> bool:
        """Whether the job completed."""
        return self.state == "complete"

    @property
    def result(self) -> Any:
        """What the job returned (docs/results.md), or None."""
        return getattr(self.job, "result", None) if self.state == "complete" else None

    @property
    def failure(self) -> dict[str, Any] | None:
        """The failed job's failure (group, message, when, worker), or None."""
        if self.state != "failed" or self.job is None:
            return None
        failure: dict[str, Any] = getattr(self.job, "failure", {}) or {}
        return failure or None
