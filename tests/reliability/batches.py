"""The batch scenario (issue 25): batches whose workers are SIGKILLed mid-run.

Two batches of short jobs go into one queue through the core (`batch.open`,
`queue.putMany` with the `batch` option, `batch.close`): in the first, one job
in `fail_every` raises on purpose, so only its `on_complete` callback may be
put; in the second none fails, so both are. One worker program runs the members
while the test SIGKILLs one of its children at random moments, and every
`program_every`-th time the whole program (parent and children, whose locks
then expire), starting it again. A second program, never killed, runs the
callbacks. Every run is in the ledger (tests/reliability/ledger.py), callbacks'
runs with the batch counts the core gave them.

`problems(...)` lists every broken promise: a callback put twice, not put, put
when it must not be, or run more or less than once; batch counts that differ
from what the ledger says the members ended as; a member that never ran to an
end or ended otherwise than planned.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

from reqless.client import Client
from reqless.exceptions import ReqlessError
from reqless.server import ServerKind, start_server
from tests.reliability.batch_jobs import FAILED_OUTCOME
from tests.reliability.harness import PATIENCE, Fleet, states, wait_until
from tests.reliability.ledger import Execution, Ledger, Report, analyse, executions

__all__ = ["FAILING", "SUCCEEDING", "batch_kills"]

#: The batch with jobs that fail on purpose, and the one without.
FAILING, SUCCEEDING = "with-failures", "all-ok"
#: The lock length (seconds): short, so that a killed program's jobs come back soon.
HEARTBEAT = 2
MEMBERS, CALLBACKS = "members", "callbacks"
JOBS = "tests.reliability.batch_jobs"
#: Jobs per queue.putMany call.
CHUNK = 100
#: Enough retries that no job runs out of them however often its worker dies.
RETRIES = 50
#: The counts the core writes into a callback's data (with the batch's id).
BATCH_DATA = ("total", "complete", "failed", "canceled")


@contextmanager
def _world(kind: ServerKind, workdir: Path) -> Iterator[tuple[Client, Ledger]]:
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    server = start_server(kind, workdir=workdir / "data", timeout=PATIENCE)
    client = Client(server.url, hostname="batch-test")
    client.config["heartbeat"] = HEARTBEAT
    client.config["grace-period"] = 0
    try:
        yield client, Ledger(workdir / "ledger.jsonl")
    finally:
        client.database.close()
        server.stop()


def _open(client: Client, bid: str, ledger: Ledger) -> None:
    data = {"ledger": str(ledger.path)}
    callback = json.dumps({"klass": f"{JOBS}.BatchCallback", "queue": CALLBACKS, "data": data})
    client("batch.open", bid, "on_success", callback, "on_complete", callback)


def _put(client: Client, bid: str, ledger: Ledger, jobs: int, fail_every: int) -> dict[str, bool]:
    """Put `jobs` members of batch `bid`; returns jid -> whether it fails on purpose."""
    planned: dict[str, bool] = {}
    for start in range(0, jobs, CHUNK):
        args: list[str | int] = []
        for n in range(start, min(start + CHUNK, jobs)):
            jid = f"{bid}-{n:04d}"
            planned[jid] = fail_every > 0 and n % fail_every == fail_every // 2
            data = {"ledger": str(ledger.path), "sleep": 0.02, "fail": planned[jid]}
            args += [jid, f"{JOBS}.BatchMember", json.dumps(data), 0,
                     4, "retries", RETRIES, "batch", bid]  # fmt: skip
        for jid in json.loads(client("queue.putMany", client.worker_name, MEMBERS, *args)):
            ledger.write("put", jid=jid)
    client("batch.close", bid)
    return planned


def _batch(client: Client, bid: str) -> dict[str, Any]:
    reply = client("batch.get", bid)
    return {} if reply is None else dict(json.loads(reply))


def _finished(client: Client, bids: list[str]) -> bool:
    try:
        return all(_batch(client, bid).get("state") == "finished" for bid in bids)
    except (RedisError, ReqlessError):
        return False


def _kill_program(fleet: Fleet, ledger: Ledger) -> None:
    """SIGKILL the whole program and note it: its runs end now, its locks live on."""
    known = {fleet.pid, *fleet.children()}
    fleet.stop()
    # A child forked after the listing above died too: its open runs end here as well.
    for runs in executions(ledger.entries()).values():
        known.update(run.pid for run in runs if run.end is None and not _alive(run.pid))
    ledger.write("kill", pids=sorted(known))


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def batch_kills(
    kind: ServerKind, workdir: Path, jobs: int = 1000, kills: int = 20, program_every: int = 5,
    fail_every: int = 50, workers: int = 3, seed: int = 25,
) -> Report:  # fmt: skip
    """Run a failing and a succeeding batch of `jobs` each under `kills` SIGKILLs."""
    chooser = random.Random(seed)
    with _world(kind, workdir) as (client, ledger):
        callbacks = Fleet(_url(client), workdir, [CALLBACKS], workers=1, name="callbacks")
        fleet = Fleet(_url(client), workdir, [MEMBERS], workers, name="members")
        callbacks.start()
        fleet.start()
        started = time.monotonic()
        try:
            fleet.wait_for_children()
            planned: dict[str, bool] = {}
            for bid, every in ((FAILING, fail_every), (SUCCEEDING, 0)):
                _open(client, bid, ledger)
                planned |= _put(client, bid, ledger, jobs, every)
            done = programs = 0
            while done < kills and not _finished(client, [FAILING, SUCCEEDING]):
                time.sleep(chooser.uniform(0.1, 0.5))
                done += 1
                if done % program_every == 0:
                    _kill_program(fleet, ledger)
                    programs += 1
                    fleet.start()
                elif children := fleet.children():
                    fleet.kill([chooser.choice(children)], ledger)
            wait_until(lambda: _finished(client, [FAILING, SUCCEEDING]),
                       60 + jobs * 0.05, "both batches to finish")  # fmt: skip
            expected = [f"{FAILING}-complete", f"{SUCCEEDING}-success", f"{SUCCEEDING}-complete"]
            wait_until(lambda: set(states(client, expected).values()) == {"complete"},
                       PATIENCE, "the callbacks to run")  # fmt: skip
            run_time = time.monotonic() - started
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{fleet.log_tail()}\n{callbacks.log_tail()}") from None
        finally:
            fleet.stop()
            callbacks.stop()
        callback_jids = [f"{bid}-{which}" for bid in (FAILING, SUCCEEDING)
                         for which in ("success", "complete")]  # fmt: skip
        final = states(client, [*planned, *callback_jids])
        batches = {bid: _batch(client, bid) for bid in (FAILING, SUCCEEDING)}
        histories = {jid: _puts(client, jid) for jid in callback_jids}
        report = analyse("batch kills", ledger, {jid: final[jid] for jid in planned})
        # Jobs that failed on purpose are the point here, not a loss; wrong outcomes are
        # listed in the problems.
        report.failed = [jid for jid in report.failed if not planned[jid]]
        found = problems(planned, final, batches, histories, ledger.entries())
        report.notes.update({
            "kills": done,
            "program kills": programs,
            "failed on purpose": sum(planned.values()),
            "callbacks put": sorted(jid for jid in callback_jids if final[jid] is not None),
            "batch counts": {bid: {key: batch.get(key) for key in
                                   ("total", "complete", "failed", "canceled", "pending")}
                             for bid, batch in batches.items()},
            "run time (s)": round(run_time, 1),
            "problems": found,
        })  # fmt: skip
        return report


def _url(client: Client) -> str:
    kwargs = client.database.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/0"


def _puts(client: Client, jid: str) -> int:
    """How many times job `jid` was put (0 when it does not exist)."""
    return sum(1 for job in client.jobs.get(jid) for entry in job.history if entry["what"] == "put")


def problems(
    planned: Mapping[str, bool],
    final: Mapping[str, str | None],
    batches: Mapping[str, Mapping[str, Any]],
    puts: Mapping[str, int],
    entries: list[dict[str, Any]],
) -> list[str]:
    """Every broken promise of the batch scenario, in words (none: an empty list).

    `planned`: member jid -> fails on purpose; `final`: jid -> state at the end;
    `batches`: batch.get of each; `puts`: callback jid -> puts in its history;
    `entries`: the ledger's lines.
    """
    runs = executions(entries)
    found: list[str] = []
    for bid, batch in batches.items():
        members = [jid for jid in planned if jid.startswith(f"{bid}-")]
        ends = {jid: _last_end(runs.get(jid, [])) for jid in members}
        found += [f"{jid} never ran to an end" for jid, end in ends.items() if end is None]
        failed = sum(1 for end in ends.values() if end == FAILED_OUTCOME)
        ledger_counts = {"total": len(members), "complete": len(members) - failed,
                         "failed": failed, "canceled": 0, "pending": 0}  # fmt: skip
        counts = {key: batch.get(key) for key in ledger_counts}
        if counts != ledger_counts or batch.get("state") != "finished":
            found.append(f"batch {bid}: {batch} but the ledger says {ledger_counts}")
        for jid in members:
            wanted = "failed" if planned[jid] else "complete"
            if final[jid] != wanted:
                found.append(f"{jid} ended {final[jid]}, planned {wanted}")
        all_ok = counts["complete"] == counts["total"]
        for kind, wanted_puts in (("success", int(all_ok)), ("complete", 1)):
            jid = f"{bid}-{kind}"
            if puts[jid] != wanted_puts:
                found.append(f"callback {jid} put {puts[jid]} times, not {wanted_puts}")
            started = runs.get(jid, [])
            if len(started) != wanted_puts:
                found.append(f"callback {jid} ran {len(started)} times, not {wanted_puts}")
            # What the core wrote into the callback's data: the counts when the batch ended.
            given = [e["callback"] for e in entries if e["event"] == "start" and e["jid"] == jid]
            told = {"id": bid, **{key: counts[key] for key in BATCH_DATA}}
            if any(counts_given != told for counts_given in given):
                found.append(f"callback {jid} was given {given}, the batch says {told}")
    return found


def _last_end(runs: list[Execution]) -> str | None:
    """How the last run that finished its work ended: "ok" (it went on to complete) or
    FAILED_OUTCOME; None when no run finished (each was killed or halted first)."""
    ended = [run.outcome for run in runs if run.outcome in ("ok", "acked", FAILED_OUTCOME)]
    if not ended:
        return None
    return FAILED_OUTCOME if ended[-1] == FAILED_OUTCOME else "ok"
