"""Which server a command uses when the command line names none, and why.

Every command (the admin commands, `reqless worker`, `reqless ui`) takes the server
the same way: its own server options, else the group's `reqless --url`, else
`$REQLESS_URL` (`$REQLESS_REDIS_URL` is an alias), else the server of the `reqless
dev` (or `reqless server`) whose `.reqless` directory is in the current directory
or one of its parents (found as git finds its repository), else the default. The
choice is never silent: `ServerChoice.reason` says why, and commands print it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reqless.cli.devdir import DEFAULT_DATA_DIR, running
from reqless.cli.server_args import URL_ENV, redact_url

__all__ = [
    "URL_ENV_ALIAS",
    "EnvConflict",
    "NoDevServer",
    "ServerChoice",
    "env_url",
    "find_dev_dir",
    "implicit_choice",
]

#: The older name of `REQLESS_URL`, still read (first by `reqless ui`).
URL_ENV_ALIAS = "REQLESS_REDIS_URL"


class NoDevServer(Exception):
    """A `reqless dev` directory was found, but no server runs for it."""


class EnvConflict(ValueError):
    """`REQLESS_URL` and `REQLESS_REDIS_URL` name different servers."""


@dataclass(frozen=True, slots=True)
class ServerChoice:
    """A server URL and why it was chosen."""

    url: str
    #: Why, e.g. "from --url" or "the reqless dev server of /path".
    reason: str
    #: True when no option or environment variable named the server.
    implicit: bool = False

    def describe(self) -> str:
        """`using URL (reason)`, with any password hidden."""
        return f"using {redact_url(self.url)} ({self.reason})"


def find_dev_dir(start: Path | None = None) -> Path | None:
    """The nearest `.reqless` directory in `start` (default: the current directory)
    or its parents, or None."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / DEFAULT_DATA_DIR
        if candidate.is_dir():
            return candidate
    return None


def env_url(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """`(value, variable)` from `$REQLESS_URL`, else its alias `$REQLESS_REDIS_URL`.

    Raises EnvConflict when both are set to different values.
    """
    url, alias = environ.get(URL_ENV, "").strip(), environ.get(URL_ENV_ALIAS, "").strip()
    if url and alias and url != alias:
        raise EnvConflict(
            f"environment variables {URL_ENV} and {URL_ENV_ALIAS} name different servers "
            f"({redact_url(url)!r} and {redact_url(alias)!r}); unset one of them"
        )
    if url:
        return url, URL_ENV
    if alias:
        return alias, URL_ENV_ALIAS
    return None


def implicit_choice(default_url: str, start: Path | None = None) -> ServerChoice:
    """The server when neither an option nor the environment names one: the running
    dev server of the nearest `.reqless` directory, else `default_url`.

    Raises NoDevServer when that directory's server is not running: falling back to
    `default_url` could reach someone else's server on a shared machine.
    """
    found = find_dev_dir(start)
    if found is None:
        return ServerChoice(
            default_url,
            f"no --url, no {URL_ENV}, no reqless dev directory found",
            implicit=True,
        )
    state = running(found)
    if state is None:
        raise NoDevServer(
            f"the reqless dev directory {found} has no running server: start `reqless dev` "
            f"(or `reqless server`) in {found.parent}, or name a server with --url or {URL_ENV}"
        )
    return ServerChoice(state.url, f"the reqless dev server of {found.parent}", implicit=True)
