"""Server-sent events (§7) (placeholder until written)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from reqless.ui.state import UIState

__all__ = ["routes", "shutdown"]


def routes() -> list[BaseRoute]:
    return []


def shutdown(state: UIState) -> None:
    """Stop the relay threads (app shutdown)."""
