"""The operator commands of `reqless`: jobs, queues, config, throttles, workers, recurring.

Each module holds one area and lists its click commands in `COMMANDS`; `commands()`
gathers them for the `reqless` group. Every command takes the server options of
`connection` and `--json`, and exits with the statuses documented there.
"""

from __future__ import annotations

import click

__all__ = ["commands"]


def commands() -> list[click.Command]:
    """Every admin command and group, in the order `reqless --help` lists them."""
    from reqless.cli.admin import (
        config,
        follow,
        groups,
        jobs,
        put,
        queues,
        recurring,
        throttles,
        tracking,
        unique,
        workers,
    )

    return [
        *put.COMMANDS, *jobs.COMMANDS, *tracking.COMMANDS, *queues.COMMANDS, *groups.COMMANDS,
        *config.COMMANDS, *throttles.COMMANDS, *workers.COMMANDS, *recurring.COMMANDS,
        *unique.COMMANDS, *follow.COMMANDS,
    ]  # fmt: skip
