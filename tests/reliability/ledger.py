"""The fault tests' ledger: what each job did, kept apart from the server under test.

Each execution of a job appends `start` and `end` lines (wall-clock time, pid,
worker, jid) to a JSON-lines file, then `acked` once the server accepted its
complete (or `refused` when it did not). The test process adds `put` lines for
puts the server acknowledged and `kill` lines for processes it killed. A file
rather than keys in the server: a ledger inside the server under test would be
lost, and hide losses, when that server is killed.

`analyse` turns a ledger and the server's final view of the jobs into a
`Report`: lost jobs, failed jobs, jobs run more than once, overlapping
executions of one job, completes lost after being acknowledged, and recovery
times after kills.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Execution", "Ledger", "Report", "analyse", "executions"]


class Ledger:
    """An append-only JSON-lines file several processes write to at once."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def write(self, event: str, **fields: Any) -> None:
        """Append one line; one `write()` with O_APPEND, so lines never interleave."""
        line = json.dumps({"event": event, "t": time.time(), **fields}) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)

    def entries(self) -> list[dict[str, Any]]:
        """Every line so far, in file order (a torn last line is skipped)."""
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out


@dataclass
class Execution:
    """One run of a job in one process, from its `start` line."""

    jid: str
    pid: int
    worker: str
    start: float
    #: When it ended: its `end` line, else the time its process was killed, else None.
    end: float | None = None
    outcome: str = "unfinished"
    acked: float | None = None
    #: Spells its process spent stopped (SIGSTOP to SIGCONT): it did nothing then.
    stopped: list[tuple[float, float]] = field(default_factory=list)

    def active(self) -> list[tuple[float, float | None]]:
        """The spells it was actually running (None: to an unknown end)."""
        spells: list[tuple[float, float | None]] = []
        begin = self.start
        for stop, cont in self.stopped:
            spells.append((begin, stop))
            begin = cont
        spells.append((begin, self.end))
        return spells


def executions(entries: Iterable[Mapping[str, Any]]) -> dict[str, list[Execution]]:
    """The executions of each jid, in start order, with ends and kills applied."""
    runs: dict[str, list[Execution]] = defaultdict(list)
    open_by_pid: dict[int, Execution] = {}
    for entry in entries:
        event = entry["event"]
        if event == "start":
            run = Execution(entry["jid"], entry["pid"], entry["worker"], entry["t"])
            runs[run.jid].append(run)
            open_by_pid[run.pid] = run
        elif event == "end" and entry["pid"] in open_by_pid:
            run = open_by_pid.pop(entry["pid"])
            run.end, run.outcome = entry["t"], entry["outcome"]
        elif event in ("acked", "refused", "unacked"):
            for run in reversed(runs[entry["jid"]]):
                if run.pid == entry["pid"]:
                    run.acked = entry["t"] if event == "acked" else None
                    run.outcome = event
                    if event == "unacked":
                        run.outcome += f" ({entry['error']})"
                    break
        elif event == "stop":
            for pid in entry["pids"]:
                if pid in open_by_pid:
                    open_by_pid[pid].stopped.append((entry["t"], entry["t"]))
        elif event == "cont":
            for pid in entry["pids"]:
                if pid in open_by_pid and open_by_pid[pid].stopped:
                    stop, _ = open_by_pid[pid].stopped[-1]
                    open_by_pid[pid].stopped[-1] = (stop, entry["t"])
        elif event == "kill":
            for pid in entry["pids"]:
                killed = open_by_pid.pop(pid, None)
                if killed is not None:
                    killed.end, killed.outcome = entry["t"], "killed"
    return dict(runs)


@dataclass
class Report:
    """What a fault run did to its jobs. Lists hold jids."""

    scenario: str
    put: int = 0
    completed: int = 0
    lost: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    run_more_than_once: list[str] = field(default_factory=list)
    overlapping: list[str] = field(default_factory=list)
    #: Jobs started again after a complete the server had acknowledged.
    lost_completes: list[str] = field(default_factory=list)
    #: Seconds from each kill to the next start of a job it interrupted.
    recoveries: list[float] = field(default_factory=list)
    #: Scenario-specific figures (faults injected, seconds to recover, ...).
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def worst_recovery(self) -> float | None:
        """The longest recovery, None when no kill interrupted a job."""
        return max(self.recoveries) if self.recoveries else None

    def summary(self) -> dict[str, Any]:
        """The figures, counts instead of jid lists (for printing and docs)."""
        worst = self.worst_recovery
        return {
            "scenario": self.scenario,
            "put": self.put,
            "completed": self.completed,
            "lost": len(self.lost),
            "failed": len(self.failed),
            "run more than once": len(self.run_more_than_once),
            "overlapping": len(self.overlapping),
            "lost completes": len(self.lost_completes),
            "worst recovery (s)": None if worst is None else round(worst, 2),
            **self.notes,
        }


def _overlaps(runs: list[Execution]) -> bool:
    """Whether two executions of one job were running at the same moment.

    A spell with no known end (never ended, not killed) runs on for ever.
    """
    spells = sorted(
        (begin, end, index) for index, run in enumerate(runs) for begin, end in run.active()
    )
    reach: float | None = None  # the latest end seen so far (None: open-ended)
    owner = -1
    for begin, end, index in spells:
        if owner not in (-1, index) and (reach is None or reach > begin):
            return True
        if owner == -1 or (reach is not None and (end is None or end > reach)):
            reach, owner = end, index
    return False


def analyse(
    scenario: str,
    ledger: Ledger,
    states: Mapping[str, str | None],
) -> Report:
    """Compare the ledger with the final `states` (jid -> state, None if gone)."""
    entries = ledger.entries()
    runs = executions(entries)
    put = [entry["jid"] for entry in entries if entry["event"] == "put"]
    report = Report(scenario, put=len(put))
    report.completed = sum(1 for state in states.values() if state == "complete")
    for jid in put:
        state = states.get(jid)
        if state == "failed":
            report.failed.append(jid)
        elif state != "complete":
            report.lost.append(jid)
    for jid, job_runs in runs.items():
        if len(job_runs) > 1:
            report.run_more_than_once.append(jid)
        if _overlaps(job_runs):
            report.overlapping.append(jid)
        if any(run.acked is not None for run in job_runs[:-1]):
            report.lost_completes.append(jid)
    for job_runs in runs.values():
        for killed, following in itertools.pairwise(job_runs):
            if killed.outcome == "killed" and killed.end is not None:
                report.recoveries.append(following.start - killed.end)
    return report
