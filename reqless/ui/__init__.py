"""The reqless web UI: an operator console served as an ASGI app.

`create_app(clients, settings=None, authorize=None)` builds the app; `reqless ui`
serves it with uvicorn. See docs/ui.md.
"""

from reqless.ui.app import create_app
from reqless.ui.roles import Role, User
from reqless.ui.settings import UISettings

__all__ = ["Role", "UISettings", "User", "create_app"]
