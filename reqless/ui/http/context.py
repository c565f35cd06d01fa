"""Per-request access to the UI state, the instance and the user."""

from __future__ import annotations

from starlette.requests import Request

from reqless.ui.errors import ApiError
from reqless.ui.roles import Role, User
from reqless.ui.state import Instance, UIState

__all__ = ["instance", "require", "ui", "user"]


def ui(request: Request) -> UIState:
    state: UIState = request.app.state.ui
    return state


def instance(request: Request) -> Instance:
    """The instance this request is about (the `/i/{instance}` segment, or the only one)."""
    state = ui(request)
    name = request.path_params.get("instance")
    if name is None:
        return state.default_instance
    found = state.instances.get(str(name))
    if found is None:
        raise ApiError.not_found(f"no instance named {name!r}")
    return found


def user(request: Request) -> User:
    """The user the auth middleware recognised (set in `request.scope["reqless.user"]`)."""
    found = request.scope.get("reqless.user")
    if not isinstance(found, User):
        raise ApiError("unauthenticated", "authentication required")
    return found


def require(request: Request, role: Role) -> User:
    """The user, if their role is at least `role`; 403 otherwise.

    In read-only mode every user is a viewer, so any change gets `read_only`.
    """
    who = user(request)
    if who.may(role):
        return who
    if ui(request).settings.read_only and role > Role.VIEWER:
        raise ApiError("read_only", "the UI is in read-only mode")
    raise ApiError(
        "forbidden",
        f"this needs the {role.label} role; you are {who.role.label}",
        {"required_role": role.label},
    )
