"""The examples of docs/progress.md, docs/results.md and docs/batches.md run as written."""

from __future__ import annotations

import reqless
from reqless.job import Job
from reqless.server import LocalServer
from tests.client.test_readme import client, run_example  # noqa: F401 - the fixture too


def test_progress_example(server: LocalServer, client: reqless.Client) -> None:  # noqa: F811
    assert run_example(server, "follow_progress.py") == "100% row 4 of 4\n"


def test_results_example(server: LocalServer, client: reqless.Client) -> None:  # noqa: F811
    out = run_example(server, "follow_results.py").splitlines()
    assert out[0] == "complete 30"
    assert out[1].startswith("gave up: job ") and out[1].endswith("(it is waiting)")


def test_batches_example(server: LocalServer, client: reqless.Client) -> None:  # noqa: F811
    out = run_example(server, "follow_batches.py").splitlines()
    bid = out[0].split()[0]
    assert out[0] == f"{bid} closed 3"
    assert out[1:] == ["finished", f"batch {bid}: 3 of 3 complete"]
    summary = client.jobs[f"{bid}-success"]
    assert isinstance(summary, Job) and summary.state == "complete"
