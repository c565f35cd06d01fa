"""Run the benchmark suite on a private server and print every figure beside its baselines.

    .venv/bin/python -m bench                       # everything, on redis-server
    .venv/bin/python -m bench --only drain,pickup   # some figures
    .venv/bin/python -m bench --compare before=/work/bench-before/.venv/bin/python \\
                                        now=.venv/bin/python

Figures: put, drain, pickup, depth, server, profile, patterns; and, only when `--only`
names them, ack, scale (one server against a 3-primary cluster) and fair (rate windows
and fair groups against plain jobs). The reqless being measured
runs in subprocesses of `--reqless-python` (or of each `--compare` interpreter);
the baselines (raw redis-py and one-line Lua) and huey (in bench/.venvs/huey,
created on first use) run in the same run, against the same server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report
from bench.ack import figure_ack
from bench.fair import figure_fair
from bench.figures import (
    Context,
    Target,
    figure_depth,
    figure_drain,
    figure_patterns,
    figure_pickup,
    figure_profile,
    figure_put,
    figure_server,
)
from bench.harness import BENCH, REQLESS_AGENT, run_agent
from bench.peer import huey_peer
from bench.scale import figure_scale
from reqless.server import start_server

FIGURES: dict[str, Callable[[Context], dict[str, Any]]] = {
    "put": figure_put,
    "drain": figure_drain,
    "pickup": figure_pickup,
    "depth": figure_depth,
    "server": figure_server,
    "profile": figure_profile,
    "patterns": figure_patterns,
    "ack": figure_ack,
    "scale": figure_scale,
    "fair": figure_fair,
}
#: Figures run only when `--only` names them.
OPT_IN = {"ack", "scale", "fair"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--n", type=int, default=20_000, help="jobs per put and drain figure")
    parser.add_argument("--consumers", type=int, default=2, help="consumer processes")
    parser.add_argument("--server", choices=["redis", "valkey"], default="redis")
    parser.add_argument(
        "--only",
        default=",".join(name for name in FIGURES if name not in OPT_IN),
        help=f"comma-separated figures (default: all of {', '.join(FIGURES)} but "
        f"{', '.join(sorted(OPT_IN))})",
    )
    parser.add_argument(
        "--reps", type=int, default=3, help="runs of each timed figure; the median is reported"
    )
    parser.add_argument(
        "--reqless-python",
        type=Path,
        default=None,
        help="the interpreter whose reqless is measured (default: this one)",
    )
    parser.add_argument(
        "--compare",
        nargs="+",
        metavar="LABEL=PYTHON",
        default=None,
        help="measure several reqless side by side; the first is the reference",
    )
    parser.add_argument("--no-huey", action="store_true", help="skip the huey peer")
    parser.add_argument(
        "--interval", type=float, default=0.1, help="the worker's --interval in the drain figure"
    )
    parser.add_argument(
        "--server-n",
        type=int,
        default=10_000,
        help="operations per phase in the server-cost figure",
    )
    parser.add_argument("--depths", default="1000,100000", help="queue depths for the depth figure")
    parser.add_argument(
        "--depth-cycles", type=int, default=1000, help="pop+complete cycles timed at each depth"
    )
    parser.add_argument("--pickup-jobs", type=int, default=200)
    parser.add_argument("--pickup-gap", type=float, default=0.02, help="seconds between puts")
    parser.add_argument(
        "--pattern-queues", type=int, default=2000, help="queues matching the pattern figure's -q"
    )
    parser.add_argument(
        "--pattern-busy", type=int, default=500, help="jobs in the one busy queue (patterns)"
    )
    parser.add_argument("--json", type=Path, default=None, help="write all results here")
    parser.add_argument("--markdown", type=Path, default=None, help="write the tables here")
    parser.add_argument(
        "--pending", default=None, help="add an empty column of this name to the Markdown tables"
    )
    parser.add_argument("--plot", type=Path, default=None, help="draw a PNG here (matplotlib)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument(
        "--render",
        type=Path,
        default=None,
        metavar="RESULTS_JSON",
        help="measure nothing: print (and --markdown/--plot) the results of an earlier --json",
    )
    return parser.parse_args(argv)


def targets_from(options: argparse.Namespace) -> list[Target]:
    if options.compare:
        targets = []
        for item in options.compare:
            label, sep, python = item.partition("=")
            if not sep or not label or not python:
                raise SystemExit(f"--compare wants LABEL=PYTHON, got {item!r}")
            targets.append(Target(label, Path(python).absolute()))
        return targets
    python = options.reqless_python or Path(sys.executable)
    return [Target("reqless", Path(python).absolute())]


def machine(redis_version: str, server_kind: str, targets: list[Target]) -> dict[str, Any]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    cores = os.cpu_count() or 0
    pythons = sorted({str(t.info.get("python")) for t in targets})
    line = (
        f"{cpu}, {cores} cores, Linux {platform.release()}, Python {', '.join(pythons)}, "
        f"{server_kind}-server {redis_version} (persistence off)"
    )
    return {
        "cpu": cpu,
        "cores": cores,
        "kernel": platform.release(),
        "pythons": pythons,
        "server": server_kind,
        "server_version": redis_version,
        "line": line,
    }


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if options.render:
        publish(json.loads(options.render.read_text()), options, options.render)
        return 0
    only = [f.strip() for f in options.only.split(",") if f.strip()]
    unknown = [f for f in only if f not in FIGURES]
    if unknown:
        raise SystemExit(f"unknown figure(s): {', '.join(unknown)}; choose from {list(FIGURES)}")
    targets = targets_from(options)
    started = time.time()

    def log(message: str) -> None:
        print(f"[{time.time() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    server = start_server(options.server)
    # mkdtemp, not TemporaryDirectory: the latter's finalizer would delete a kept one.
    workdir = Path(tempfile.mkdtemp(prefix="reqless-bench-"))
    try:
        redis = server.client()
        version = str(redis.info("server")["redis_version"])
        log(f"{server.kind}-server {version} on port {server.port}, scratch {workdir}")
        for target in targets:
            target.info = run_agent(target.python, REQLESS_AGENT, "info", "--url", server.url)
            log(f"target {target.label}: {target.info}")
        huey = None
        if not options.no_huey and any(f in only for f in ("put", "drain", "pickup", "profile")):
            huey = huey_peer(server.url)
            log(f"huey {huey.version} in {huey.python.parent.parent}")
        ctx = Context(
            redis=redis,
            url=server.url,
            n=options.n,
            consumers=options.consumers,
            reps=options.reps,
            targets=targets,
            huey=huey,
            workdir=workdir,
            interval=options.interval,
            server_n=options.server_n,
            depths=[int(d) for d in options.depths.split(",")],
            depth_cycles=options.depth_cycles,
            pickup_jobs=options.pickup_jobs,
            pickup_gap=options.pickup_gap,
            log=log,
            pattern_queues=options.pattern_queues,
            pattern_busy=options.pattern_busy,
        )
        results: dict[str, Any] = {
            "command": shlex.join(["python", "-m", "bench", *(argv or sys.argv[1:])]),
            "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(options).items()},
            "machine": machine(version, server.kind, targets),
            "targets": [{"label": t.label, "python": str(t.python), **t.info} for t in targets],
            "huey": None if huey is None else {"version": huey.version, "storages": huey.storages},
            "figures": {},
        }
        for name in only:
            log(f"figure {name}")
            results["figures"][name] = FIGURES[name](ctx)
            if options.json:  # keep what is done so far
                options.json.write_text(json.dumps(results, indent=1))
        results["seconds"] = time.time() - started
    finally:
        server.stop()
        if options.keep:
            print(f"scratch kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if options.json:
        options.json.write_text(json.dumps(results, indent=1))
    publish(results, options, options.json)
    return 0


def publish(results: dict[str, Any], options: argparse.Namespace, saved: Path | None) -> None:
    """Print the tables; write the Markdown and the plot when asked."""
    text = report.markdown(results, options.pending)
    print(text)
    if options.markdown:
        options.markdown.write_text(text)
    if options.plot and saved is not None:
        plot(saved, options.plot)
    elif options.plot:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(results, handle)
        plot(Path(handle.name), options.plot)


def plot(results: Path, output: Path) -> None:
    """Draw the PNG with matplotlib from the peer environment (not the project's)."""
    from bench.peer import ensure_venv

    python = ensure_venv()
    subprocess.run([str(python), str(BENCH / "plot.py"), str(results), str(output)], check=True)


if __name__ == "__main__":
    sys.exit(main())
