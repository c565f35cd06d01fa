"""The reqless web UI: an operator console served as an ASGI app.

`create_app(clients, settings=None, authorize=None)` builds the app; `reqless ui`
serves it with uvicorn. See docs/ui.md.
"""

from reqless.extras import require

require("ui", "the reqless web UI (reqless.ui)")

from reqless.ui.app import create_app  # noqa: E402  (after the check that names the extra)
from reqless.ui.roles import Role, User  # noqa: E402
from reqless.ui.settings import UISettings  # noqa: E402

__all__ = ["Role", "UISettings", "User", "create_app"]
