"""The long fault runs: `python -m tests.reliability [--quick] [--kind valkey|redis] [--out FILE]`.

Runs every scenario of tests/reliability/scenarios.py at full size on each
installed server kind and prints a Markdown table of the figures (the table in
docs/reliability.md comes from here). `--quick` uses the CI sizes.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reqless.server import ServerKind
from tests.reliability import batches, scenarios
from tests.reliability.harness import installed_kinds
from tests.reliability.ledger import Report

Scenario = Callable[[ServerKind, Path], Report]


def _plan(quick: bool) -> list[tuple[str, Scenario]]:
    """The scenarios to run, at CI size (`quick`) or full size."""
    if quick:
        return [
            ("child kills", lambda k, d: scenarios.child_kills(k, d)),
            ("stop and continue", scenarios.stop_and_continue),
            ("server kill, always", lambda k, d: scenarios.server_kill(k, d, "always")),
            ("server kill, everysec", lambda k, d: scenarios.server_kill(k, d, "everysec")),
            ("network faults", lambda k, d: scenarios.network_faults(k, d)),
            ("unpopped queue", scenarios.unpopped_queue),
            ("batch kills", lambda k, d: batches.batch_kills(k, d, jobs=300, kills=10)),
            *_failovers(jobs=150),
        ]
    return [
        ("child kills", lambda k, d: scenarios.child_kills(k, d, jobs=5000, kills=60, workers=4)),
        ("stop and continue", scenarios.stop_and_continue),
        ("server kill, always",
         lambda k, d: scenarios.server_kill(k, d, "always", jobs=1500, kills=3)),
        ("server kill, everysec",
         lambda k, d: scenarios.server_kill(k, d, "everysec", jobs=1500, kills=3)),
        ("network faults", lambda k, d: scenarios.network_faults(k, d, jobs=1000, resets=30)),
        ("unpopped queue", scenarios.unpopped_queue),
        ("batch kills", lambda k, d: batches.batch_kills(k, d, jobs=1000, kills=20)),
        *_failovers(jobs=1500),
    ]  # fmt: skip


def _failovers(jobs: int) -> list[tuple[str, Scenario]]:
    """The primary killed and its replica promoted: Sentinel and cluster, with and
    without durable acknowledgement."""
    return [
        (f"{topology} failover, {'durable' if durable else 'plain'}",
         functools.partial(_failover, topology=topology, durable=durable, jobs=jobs))
        for topology in ("sentinel", "cluster")
        for durable in (True, False)
    ]  # fmt: skip


def _failover(kind: ServerKind, workdir: Path, **options: Any) -> Report:
    from tests.reliability.failover import failover

    return failover(kind, workdir, **options)


_COLUMNS = ["put", "completed", "lost", "failed", "run more than once", "overlapping",
            "lost completes", "worst recovery (s)"]  # fmt: skip


def _row(kind: str, report: Report, seconds: float) -> str:
    summary = report.summary()
    cells = [kind, report.scenario, *(str(summary[name]) for name in _COLUMNS)]
    extras = {k: v for k, v in summary.items() if k not in _COLUMNS and k != "scenario"}
    notes = "; ".join(f"{k}: {v}" for k, v in extras.items() if k != "history")
    return "| " + " | ".join([*cells, f"{seconds:.0f}", notes]) + " |"


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print the table; exit status 1 if any lost or overlapped a job."""
    parser = argparse.ArgumentParser(prog="python -m tests.reliability", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the CI sizes")
    parser.add_argument("--kind", choices=["valkey", "redis"], action="append",
                        help="server kind (repeatable; default: every installed one)")  # fmt: skip
    parser.add_argument(
        "--only", action="append", help="run only scenarios with this in their name"
    )
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    options = parser.parse_args(argv)
    kinds: list[ServerKind] = options.kind or installed_kinds()
    header = ["server", "scenario", *_COLUMNS, "run (s)", "notes"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    print("\n".join(lines), flush=True)
    bad = False
    for kind in kinds:
        for name, run in _plan(options.quick):
            if options.only and not any(part in name for part in options.only):
                continue
            with tempfile.TemporaryDirectory(prefix="reqless-faults-") as tmp:
                began = time.monotonic()
                try:
                    report = run(kind, Path(tmp))
                except AssertionError as exc:
                    line = f"| {kind} | {name} | failed: {str(exc).splitlines()[0]} |"
                    bad = True
                else:
                    line = _row(kind, report, time.monotonic() - began)
                    bad |= bool(report.lost or report.overlapping or report.failed)
                    bad |= bool(report.notes.get("problems"))
                    if name == "server kill, always":
                        bad |= bool(report.lost_completes)
            lines.append(line)
            print(line, flush=True)
    if options.out:
        options.out.write_text("\n".join(lines) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
