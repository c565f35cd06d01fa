"""What an action handler gets (`Call`) and gives back (`Done`).

Handlers are plain functions run in the thread pool: they check the role they
need, validate the body, act through core commands and return a `Done`, from which
the endpoint writes the response and the audit record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from reqless.ui.actions.body import Body
from reqless.ui.http import context, paths
from reqless.ui.roles import Role, User
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance, UIState

__all__ = ["Call", "Done"]


@dataclass
class Call:
    """One action request: who, where, which path segments, which body."""

    request: Request
    body: Body

    @property
    def state(self) -> UIState:
        return context.ui(self.request)

    @property
    def settings(self) -> UISettings:
        return self.state.settings

    @property
    def inst(self) -> Instance:
        return context.instance(self.request)

    @property
    def user(self) -> User:
        return context.user(self.request)

    def require(self, role: Role) -> User:
        return context.require(self.request, role)

    def segment(self, name: str) -> str:
        return paths.segment(self.request, name)


@dataclass
class Done:
    """A handler's result: the JSON reply and what the audit record says."""

    body: dict[str, Any]
    targets: list[str]
    params: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] | None = None
    status: int = 200
    #: False when the handler already wrote its audit record (or an operation will).
    audit: bool = True
