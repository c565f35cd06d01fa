"""The project module of the README's "Debugging / Developing" section."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reqless.job import Job as ReqlessJob


class Job:
    """A job class handling the "foo" queue."""

    @staticmethod
    def foo(job: ReqlessJob) -> None:
        """Echo the job's data back into it and complete it."""
        data = json.loads(job.data)
        data["seen"] = True
        job.data = json.dumps(data)
        job.complete()
