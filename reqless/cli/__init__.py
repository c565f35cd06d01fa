"""The command-line programs of reqless (`reqless-py-worker`, `reqless worker`, ...)."""

from __future__ import annotations

__all__: list[str] = []
