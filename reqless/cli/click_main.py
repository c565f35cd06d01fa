"""Running a click command as a program, with the exit statuses every reqless program shares.

A usage error prints the usage and the message and raises SystemExit(2), nothing
having been done; any other click error prints its message and returns its status.
"""

from __future__ import annotations

import os
import sys

import click

__all__ = ["run_click"]


def run_click(command: click.Command, args: list[str], prog: str) -> int:
    """Run `command` with `args` under the name `prog`; returns the exit status."""
    try:
        result = command.main(args=args, prog_name=prog, standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from exc
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except BrokenPipeError:
        # The reader went away (`reqless queues | head -1`): stop quietly, and keep
        # Python from complaining when it flushes standard output at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return result if isinstance(result, int) else 0
