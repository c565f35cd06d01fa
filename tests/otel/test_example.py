"""docs/examples/otel_console.py runs and prints a put and a run span in one trace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from reqless.server import LocalServer

ROOT = Path(__file__).resolve().parents[2]


def test_the_console_example_prints_one_trace(
    server: LocalServer, redis: object, tmp_path: Path
) -> None:
    environ = {**os.environ, "REQLESS_URL": server.url}
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "docs" / "examples"), str(ROOT)])
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples" / "otel_console.py")],
        cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    decoder = json.JSONDecoder()
    spans, text = [], result.stdout.lstrip()
    while text.startswith("{"):
        value, end = decoder.raw_decode(text)
        if "context" in value and "kind" in value:
            spans.append(value)
        text = text[end:].lstrip()
    by_name = {span["name"]: span for span in spans}
    put, run = by_name["send greetings"], by_name["process greetings"]
    assert put["kind"] == "SpanKind.PRODUCER" and run["kind"] == "SpanKind.CONSUMER"
    assert run["context"]["trace_id"] == put["context"]["trace_id"]
    assert run["parent_id"] == put["context"]["span_id"]
    assert "reqless.jobs.completed" in result.stdout
