"""The UI served for real: uvicorn in a background thread on a free loopback port.

Playwright's sync API runs its own event loop in the calling thread, so the app
must not share it; a thread of its own keeps the two apart.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn

from reqless.server import free_port

__all__ = ["LiveServer"]


class LiveServer:
    """The app served by uvicorn in a background thread on 127.0.0.1."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            ws="none",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="ui-uvicorn", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        while not self.server.started and self.thread.is_alive():
            time.sleep(0.02)
        if not self.server.started:
            raise RuntimeError("uvicorn did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
