"""Job classes of the progress, results and batches examples (docs/progress.md,
docs/results.md, docs/batches.md): importable by name, as a worker imports them."""

import json


class Report:
    """Reports its progress row by row; what it returns is the job's result."""

    @staticmethod
    def process(job):
        rows = json.loads(job.data)["rows"]
        for done in range(1, rows + 1):
            job.progress(done / rows, f"row {done} of {rows}")
        return {"rows": rows, "total": rows * 10}


class Summary:
    """A batch's callback: its data carries the batch's counts."""

    @staticmethod
    def process(job):
        batch = json.loads(job.data)["batch"]
        print(f"batch {batch['id']}: {batch['complete']} of {batch['total']} complete")
        job.complete()
