"""Run the benchmarks on a private server and print figures with their ratios."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scenarios import core_lifecycle
from reqless.server import start_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis", action="store_true", help="use redis-server, not valkey")
    parser.add_argument("-n", type=int, default=2000, help="lifecycles per measurement")
    options = parser.parse_args()
    server = start_server("redis" if options.redis else "valkey")
    try:
        figures = core_lifecycle.run(server.client(), options.n)
    finally:
        server.stop()
    print(f"server: {server.kind}, lifecycles: {options.n}")
    print(
        f"core    : {figures['core_usec']:7.1f} us/lifecycle, "
        f"{figures['core_commands']:5.1f} commands/lifecycle"
    )
    print(
        f"minimal : {figures['minimal_usec']:7.1f} us/lifecycle, "
        f"{figures['minimal_commands']:5.1f} commands/lifecycle"
    )
    print(
        f"ratio   : {figures['usec_ratio']:7.2f}x cpu, {figures['commands_ratio']:5.2f}x commands"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
